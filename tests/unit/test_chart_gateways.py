"""charts/gateways rendered with real helm (3 and 4): one ingress or egress gateway per release. The values come
from helmgen's translation of IstioOperators (default profile, an egress gateway, a second ingress gateway in its
own namespace), and Istio's legacy gateway charts (gateways/istio-ingress and gateways/istio-egress, Go module
cache) are the oracle for the same values.

Helm binaries: HELMGEN_HELM3 / HELMGEN_HELM4, else the ones scripts/fetch-helm puts under .cache/helm.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from chart_kit import CHARTS, ISTIO_CHARTS, by_kind, helm_run
from chart_kit import helmgen_render as render
from helmgen import api

from behaviour import compare  # tests/equivalence, on sys.path by chart_kit
from intended import intended_for

CHART = CHARTS / "gateways"
SHARED = ("global", "meshConfig", "revision", "ownerName", "pilot", "profile", "platform", "compatibilityVersion")


def gateway_releases(tmp_path: Path, iop: str) -> dict[str, tuple[str, dict]]:
    """release name -> (namespace, values) of the gateway releases helmgen plans for the IstioOperator."""
    path = tmp_path / "iop.yaml"
    path.write_text(textwrap.dedent(iop))
    tr = api.translate(api.Options((str(path),)))
    return {rv.release.name: (rv.release.namespace, rv.values) for rv in tr.releases
            if rv.release.chart == "gateways"}


def test_default_profile_ingress_service(helm, tmp_path):
    releases = gateway_releases(tmp_path, """
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        spec:
          profile: default
        """)
    assert list(releases) == ["istio-ingressgateway"]
    namespace, values = releases["istio-ingressgateway"]
    objs = by_kind(render(helm, CHART, values, "istio-ingressgateway", namespace))
    svc = objs[("Service", "istio-ingressgateway")]
    assert svc["metadata"]["namespace"] == "istio-system"
    assert {"app": "istio-ingressgateway", "istio": "ingressgateway"}.items() <= svc["metadata"]["labels"].items()
    assert svc["spec"]["type"] == "LoadBalancer"
    assert svc["spec"]["selector"] == {"app": "istio-ingressgateway", "istio": "ingressgateway"}
    ports = {p["name"]: (p["port"], p["targetPort"]) for p in svc["spec"]["ports"]}
    assert ports == {"status-port": (15021, 15021), "http2": (80, 8080), "https": (443, 8443)}
    assert set(objs) == {("Deployment", "istio-ingressgateway"), ("Service", "istio-ingressgateway"),
                         ("ServiceAccount", "istio-ingressgateway-service-account"),
                         ("Role", "istio-ingressgateway-sds"), ("RoleBinding", "istio-ingressgateway-sds"),
                         ("HorizontalPodAutoscaler", "istio-ingressgateway")}


def _check_gateway(objs: dict, name: str, namespace: str, selector: dict, kind: str) -> None:
    dep, svc = objs[("Deployment", name)], objs[("Service", name)]
    pod = dep["spec"]["template"]
    for obj in objs.values():
        assert obj["metadata"]["namespace"] == namespace, obj["kind"]
        assert obj["metadata"]["labels"]["operator.istio.io/component"] == f"{kind.capitalize()}Gateways"
    assert dep["spec"]["selector"]["matchLabels"] == selector
    assert selector.items() <= pod["metadata"]["labels"].items()
    assert svc["spec"]["selector"] == selector
    assert selector.items() <= svc["metadata"]["labels"].items()
    assert pod["spec"]["serviceAccountName"] == f"{name}-service-account"
    assert ("ServiceAccount", f"{name}-service-account") in objs
    binding = objs[("RoleBinding", f"{name}-sds")]
    assert binding["roleRef"]["name"] == f"{name}-sds" and ("Role", f"{name}-sds") in objs
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": f"{name}-service-account"}]
    owner = next(e["value"] for e in pod["spec"]["containers"][0]["env"] if e["name"] == "ISTIO_META_OWNER")
    assert owner == f"kubernetes://apis/apps/v1/namespaces/{namespace}/deployments/{name}"


def test_egress_and_second_ingress_names_labels_selectors(helm, tmp_path):
    releases = gateway_releases(tmp_path, """
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        spec:
          components:
            ingressGateways:
            - name: istio-ingressgateway
              enabled: true
            - name: internal-ingress
              namespace: edge-internal
              enabled: true
              label:
                istio: internal-ingress
                team: edge
            egressGateways:
            - name: istio-egressgateway
              enabled: true
        """)
    assert set(releases) == {"istio-ingressgateway", "internal-ingress", "istio-egressgateway"}

    namespace, values = releases["istio-egressgateway"]
    egress = by_kind(render(helm, CHART, values, "istio-egressgateway", namespace))
    selector = {"app": "istio-egressgateway", "istio": "egressgateway"}
    _check_gateway(egress, "istio-egressgateway", "istio-system", selector, "egress")
    svc = egress[("Service", "istio-egressgateway")]
    assert svc["spec"]["type"] == "ClusterIP"
    assert [(p["name"], p["port"], p["targetPort"]) for p in svc["spec"]["ports"]] == \
        [("http2", 80, 8080), ("https", 443, 8443)]
    mounts = egress[("Deployment", "istio-egressgateway")]["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert "/etc/istio/egressgateway-certs" in [m["mountPath"] for m in mounts]

    namespace, values = releases["internal-ingress"]
    second = by_kind(render(helm, CHART, values, "internal-ingress", namespace))
    selector = {"app": "istio-ingressgateway", "istio": "internal-ingress", "team": "edge"}
    _check_gateway(second, "internal-ingress", "edge-internal", selector, "ingress")
    assert second[("Service", "internal-ingress")]["spec"]["type"] == "LoadBalancer"

    namespace, values = releases["istio-ingressgateway"]
    first = by_kind(render(helm, CHART, values, "istio-ingressgateway", namespace))
    _check_gateway(first, "istio-ingressgateway", "istio-system",
                   {"app": "istio-ingressgateway", "istio": "ingressgateway"}, "ingress")


# Values of one gateway release (our chart's layout); Istio's charts get the gateway's part nested under
# gateways.istio-<kind>gateway. Each renders the same objects (as the equivalence tier compares them).
ORACLE_CASES = {
    "ingress-defaults": {"gatewayType": "ingress"},
    "egress-defaults": {"gatewayType": "egress"},
    "ingress-everything": {
        "gatewayType": "ingress", "name": "edge", "labels": {"app": "edge", "version": "v3"},
        "revision": "canary", "ownerName": "my-iop",
        "ports": [{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30080, "appProtocol": "http"},
                  {"name": "udp", "port": 53, "targetPort": 0, "protocol": "UDP"}],
        "ingressPorts": [{"name": "extra", "port": 9000}], "type": "NodePort",
        "loadBalancerIP": "10.0.0.1", "loadBalancerSourceRanges": ["10.0.0.0/8"], "externalTrafficPolicy": "Local",
        "ipFamilyPolicy": "PreferDualStack", "ipFamilies": ["IPv4", "IPv6"], "serviceAnnotations": {"a": "b"},
        "autoscaleMin": 2, "autoscaleMax": 6, "cpu": {"targetAverageUtilization": 60},
        "rollingMaxSurge": 1, "rollingMaxUnavailable": 0, "podAnnotations": {"x": "y"},
        "secretVolumes": [{"name": "s", "secretName": "sec", "mountPath": "/etc/s"}],
        "configVolumes": [{"name": "c", "configMapName": "cm", "mountPath": "/etc/c"}],
        "additionalContainers": [{"name": "side", "image": "busybox"}],
        "serviceAccount": {"annotations": {"sa": "yes"}}, "env": {"B": "2", "A": True},
        "nodeSelector": {"disk": "ssd"}, "tolerations": [{"key": "k", "operator": "Exists"}],
        "podAntiAffinityLabelSelector": [{"key": "app", "operator": "In", "values": "a,b", "topologyKey": "zone"}],
        "podAntiAffinityTermLabelSelector": [{"key": "x", "operator": "Exists", "topologyKey": "host"}],
        "tag": "1.2.3",
        "meshConfig": {"trustDomain": "example.org", "defaultConfig": {"proxyMetadata": {"PM": "1"}}},
        "pilot": {"env": {"ENABLE_CLUSTER_TRUST_BUNDLE_API": True}},
        "global": {"arch": {"amd64": 2, "arm64": 0}, "priorityClassName": "high", "imagePullPolicy": "Always",
                   "imagePullSecrets": ["reg"], "logAsJson": True, "sts": {"servicePort": 15463},
                   "mountMtlsCerts": True, "network": "net1", "meshID": "mesh", "caAddress": "ca:1",
                   "multiCluster": {"clusterName": "west"}, "variant": "distroless", "trustBundleName": "tb",
                   "sds": {"token": {"aud": "aud"}}, "networkPolicy": {"enabled": True},
                   "proxy": {"clusterDomain": "example.local", "logLevel": "debug"}},
    },
    "egress-root-no-autoscale": {
        "gatewayType": "egress", "name": "out", "runAsRoot": True, "autoscaleEnabled": False, "replicaCount": 3,
        "resources": None, "egressPorts": [{"name": "e", "port": 9999}],
        "global": {"defaultNodeSelector": {"zone": "a"}, "defaultTolerations": [{"key": "d", "operator": "Exists"}],
                   "defaultResources": {"requests": {"cpu": "5m"}}, "pilotCertProvider": "kubernetes",
                   "proxy": {"image": "my.registry/proxy:1"}},
        "platform": "openshift", "meshConfig": {"enablePrometheusMerge": False},
    },
    "injected": {"gatewayType": "ingress", "injectionTemplate": "gateway", "env": {"A": "b"}, "revision": "blue",
                 "configVolumes": [{"name": "c", "configMapName": "cm", "mountPath": "/etc/c"}]},
    "injected-egress-root": {"gatewayType": "egress", "injectionTemplate": "gateway", "runAsRoot": True,
                             "secretVolumes": [], "ports": [], "global": {"networkPolicy": {"enabled": True}}},
    "demo-ingress": {"gatewayType": "ingress", "profile": "demo"},
    "demo-egress": {"gatewayType": "egress", "profile": "demo", "resources": {"requests": {"memory": "64Mi"}}},
    "ambient-egress": {"gatewayType": "egress", "profile": "ambient"},
    "preview-custom-service": {"gatewayType": "ingress", "profile": "preview", "customService": True,
                               "compatibilityVersion": "1.28"},
}


def istio_values(values: dict) -> dict:
    kind = values.get("gatewayType", "ingress")
    gateway = {k: v for k, v in values.items() if k not in SHARED and k != "gatewayType"}
    return {**{k: v for k, v in values.items() if k in SHARED}, "gateways": {f"istio-{kind}gateway": gateway}}


@pytest.mark.parametrize("case", sorted(ORACLE_CASES))
def test_same_objects_as_istios_gateway_charts(helm, case):
    values = ORACLE_CASES[case]
    kind = values.get("gatewayType", "ingress")
    namespace = "istio-system" if "egress" in case else "gw-ns"
    ours = render(helm, CHART, values, "gw", namespace)
    theirs = render(helm, ISTIO_CHARTS / "gateways" / f"istio-{kind}", istio_values(values), "gw", namespace)
    problems = compare(ours, theirs, strict_intended())
    assert not problems, "\n".join(problems)


def strict_intended():
    """The intended differences without the one for named targetPorts, which can only excuse whole port lists
    (no case here has a named targetPort)."""
    return [i for i in intended_for("gateways") if not i.path.endswith("containers[name=istio-proxy].ports")]


def test_a_named_target_port_is_a_named_container_port(helm):
    ports = [{"name": "http2", "port": 80, "targetPort": 8080}, {"name": "alt", "port": 8081, "targetPort": "http-alt"}]
    objs = by_kind(render(helm, CHART, {"ports": ports}, "gw", "istio-system"))
    container = objs[("Deployment", "istio-ingressgateway")]["spec"]["template"]["spec"]["containers"][0]
    assert container["ports"][:2] == [{"containerPort": 8080, "protocol": "TCP"},
                                      {"containerPort": 8081, "name": "http-alt", "protocol": "TCP"}]
    svc = objs[("Service", "istio-ingressgateway")]
    assert svc["spec"]["ports"][1] == {"name": "alt", "port": 8081, "targetPort": "http-alt"}


def test_an_egress_value_equal_to_the_ingress_default_is_kept(helm):
    """The chart's defaults are not in values.yaml, so a value the release gives wins even where it equals the ingress
    default: an egress gateway asking for type LoadBalancer gets one (as Istio's egress chart renders it)."""
    objs = by_kind(render(helm, CHART, {"gatewayType": "egress", "type": "LoadBalancer"}, "gw", "istio-system"))
    assert objs[("Service", "istio-egressgateway")]["spec"]["type"] == "LoadBalancer"
    objs = by_kind(render(helm, CHART, {"gatewayType": "egress"}, "gw", "istio-system"))
    assert objs[("Service", "istio-egressgateway")]["spec"]["type"] == "ClusterIP"


@pytest.mark.parametrize("values,message", [
    ({"profile": "nope"}, "unknown profile nope"),
    ({"global": {"profile": "minimal"}}, "unknown profile minimal"),
    ({"compatibilityVersion": "1.20"}, "unknown compatibility version 1.20"),
    ({"platform": "nope"}, "unknown platform nope"),
    ({"global": {"platform": "nope"}}, "unknown platform nope"),
])
def test_unknown_profile_compatibility_version_or_platform_is_refused(helm, values, message):
    proc = helm_run(helm, "gw", CHART, "istio-system", values)
    assert proc.returncode != 0 and message in proc.stderr


def test_the_egress_layer_changes_only_known_ingress_defaults():
    layers = yaml.safe_load((CHART / "files" / "layers.yaml").read_text())
    defaults = yaml.safe_load((CHART / "files" / "defaults.yaml").read_text())
    assert set(layers["kinds"]) == {"egress"}
    assert set(layers["kinds"]["egress"]) <= set(defaults)
