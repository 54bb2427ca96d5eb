"""charts/ztunnel rendered with real helm (3 and 4): the ztunnel DaemonSet and what it needs on a node (selector,
capabilities, the socket directory it shares with istio-cni, namespace placement), the settings `global` and the
helm-side presets fold into the top level, and Istio's ztunnel chart (Go module cache) as the oracle for a few value
sets.

Helm binaries: HELMGEN_HELM3 / HELMGEN_HELM4, else the ones scripts/fetch-helm puts under .cache/helm.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from chart_kit import CHARTS, ISTIO_CHARTS, helm_render, one

from behaviour import compare  # tests/equivalence, on sys.path by chart_kit

CHART = CHARTS / "ztunnel"
# the pod template names the chart that made it (tests/equivalence/intended/ztunnel.yaml)
CHART_LABELS = ("spec.template.metadata.labels.helm.sh/chart", "spec.template.metadata.labels.app.kubernetes.io/version")


def render(helm: str, values: dict | None = None, namespace: str = "istio-ztunnel", chart: Path = CHART,
           *args: str) -> list[dict]:
    return helm_render(helm, "ztunnel", chart, namespace, values or {}, *args)


def daemonset(objs: list[dict], name: str = "ztunnel") -> tuple[dict, dict, dict]:
    ds = one(objs, "DaemonSet", name)
    pod = ds["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    return ds, pod, container


def env(container: dict) -> dict:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_the_daemonset_selects_its_own_pods_and_runs_as_its_account_in_its_own_namespace(helm):
    objs = render(helm, {"resourceName": "ztunnel"})
    ds, pod, container = daemonset(objs)
    assert container["name"] == "istio-proxy"
    assert ds["spec"]["selector"]["matchLabels"] == {"app": "ztunnel"}
    assert {"app": "ztunnel", "sidecar.istio.io/inject": "false", "istio.io/dataplane-mode": "none"}.items() \
        <= pod["metadata"]["labels"].items()
    assert {o["metadata"]["namespace"] for o in objs} == {"istio-ztunnel"}
    one(objs, "ServiceAccount", pod["spec"]["serviceAccountName"])
    assert pod["spec"]["priorityClassName"] == "system-node-critical"
    assert pod["spec"]["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert ds["spec"]["updateStrategy"] == {"type": "RollingUpdate",
                                            "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}

    objs = render(helm, {"resourceName": "zt"})
    _, pod, _ = daemonset(objs, "zt")
    assert pod["spec"]["serviceAccountName"] == "zt"
    one(objs, "ServiceAccount", "zt")


def test_istio_proxy_has_only_the_network_capabilities_it_needs(helm):
    _, _, container = daemonset(render(helm))
    sc = container["securityContext"]
    assert sc["privileged"] is False and sc["runAsUser"] == 0 and sc["readOnlyRootFilesystem"] is True
    assert sc["capabilities"] == {"drop": ["ALL"], "add": ["NET_ADMIN", "SYS_ADMIN", "NET_RAW"]}
    assert container["readinessProbe"] == {"httpGet": {"port": 15021, "path": "/healthz/ready"}}
    assert container["args"] == ["proxy", "ztunnel"]


def test_it_shares_the_istio_cni_socket_directory_and_gets_its_identity_from_istiod(helm):
    _, pod, container = daemonset(render(helm))
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert volumes["cni-ztunnel-sock-dir"]["hostPath"] == {"path": "/var/run/ztunnel", "type": "DirectoryOrCreate"}
    assert mounts["cni-ztunnel-sock-dir"] == "/var/run/ztunnel"
    assert volumes["istiod-ca-cert"]["configMap"] == {"name": "istio-ca-root-cert"}
    token = volumes["istio-token"]["projected"]["sources"][0]["serviceAccountToken"]
    assert token == {"path": "istio-token", "expirationSeconds": 43200, "audience": "istio-ca"}
    assert set(mounts) == set(volumes)


def test_global_settings_fold_into_the_top_level_under_explicit_ones(helm):
    values = {"revision": "blue", "global": {"istioNamespace": "mesh", "hub": "g.example.com", "tag": "1.2",
                                             "variant": "distroless", "multiCluster": {"clusterName": "east"},
                                             "network": "n1", "logAsJson": True}}
    _, _, container = daemonset(render(helm, values))
    e = env(container)
    assert e["CA_ADDRESS"] == e["XDS_ADDRESS"] == "istiod-blue.mesh.svc:15012"
    assert (e["ISTIO_META_CLUSTER_ID"], e["NETWORK"], e["LOG_FORMAT"]) == ("east", "n1", "json")
    assert container["image"] == "g.example.com/ztunnel:1.2-distroless"
    _, _, container = daemonset(render(helm, {**values, "hub": "z.example.com", "variant": "debug"}))
    assert container["image"] == "z.example.com/ztunnel:1.2-debug"


def test_cpu_settings_follow_the_resources(helm):
    _, _, container = daemonset(render(helm))
    names = [e["name"] for e in container["env"]]
    assert "ZTUNNEL_CPU_LIMIT" in names and "ZTUNNEL_RESOURCE_CPU_REQUEST" in names
    assert "ZTUNNEL_RESOURCE_CPU_LIMIT" not in names
    _, _, container = daemonset(render(helm, {"resources": {"limits": {"cpu": "2"}}}))
    assert env(container)["ZTUNNEL_RESOURCE_CPU_LIMIT"] == {"resourceFieldRef": {"resource": "limits.cpu",
                                                                                "divisor": "1"}}


def test_presets_ambient_and_openshift(helm):
    objs = render(helm, {"profile": "ambient", "global": {"platform": "openshift"}}, "kube-system")
    _, _, container = daemonset(objs)
    assert env(container)["ISTIO_META_ENABLE_HBONE"] == "true"
    assert container["image"].endswith("-distroless")
    assert container["securityContext"]["seLinuxOptions"] == {"type": "spc_t"}
    binding = one(objs, "ClusterRoleBinding", "ztunnel")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "ztunnel", "namespace": "kube-system"}]
    assert one(objs, "ClusterRole", "ztunnel")["rules"][0]["resourceNames"] == ["privileged"]


@pytest.mark.parametrize("kube", ["1.28.0", "1.35.0"])
def test_renders_for_the_supported_kubernetes_versions(helm, kube):
    assert daemonset(render(helm, {}, "istio-system", CHART, "--kube-version", kube))


ORACLE_VALUES = [
    {},
    {"profile": "ambient", "global": {"platform": "openshift", "networkPolicy": {"enabled": True},
                                      "imagePullSecrets": ["pull"]}, "revision": "blue", "resourceName": "zt"},
    {"profile": "preview", "platform": "gke", "peerCaCrl": {"enabled": True}, "env": {"B": 1, "A": "x"},
     "meshConfig": {"defaultConfig": {"proxyMetadata": {"M": "1"}}}, "labels": {"l": "v"},
     "annotations": {"a": "v"}, "podAnnotations": {"p": "v"}, "nodeSelector": {"n": "v"},
     "volumes": [{"name": "x", "emptyDir": {}}], "volumeMounts": [{"name": "x", "mountPath": "/x"}]},
    {"resources": {"limits": {"cpu": "1"}}, "trustBundleName": "bundle", "dnsPolicy": "ClusterFirst",
     "seLinuxOptions": {"level": "s0"}, "global": {"resourceScope": "namespace", "caAddress": "ca:1"}},
]


@pytest.mark.parametrize("values", ORACLE_VALUES, ids=range(len(ORACLE_VALUES)))
def test_same_objects_as_istios_chart(helm, values):
    if not (ISTIO_CHARTS / "ztunnel").is_dir():
        pytest.fail(f"Istio's ztunnel chart not found under {ISTIO_CHARTS} (Go module cache)")
    problems = [p for p in compare(render(helm, values), render(helm, values, "istio-ztunnel", ISTIO_CHARTS / "ztunnel"))
                if not any(f": {path}:" in p for path in CHART_LABELS)]
    assert not problems, "\n".join(problems)
