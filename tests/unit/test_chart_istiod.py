"""charts/istiod rendered with real helm (3 and 4), on the values helmgen writes for IstioOperators: revision
naming, which pods each injection webhook takes (default installation, revision, revision tag), remote mode,
the injection templates embedded verbatim, and the helm-side profile layers under the values the release gives.

Helm binaries: HELMGEN_HELM3 / HELMGEN_HELM4, else the ones scripts/fetch-helm puts under .cache/helm.
"""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import yaml

from chart_kit import CHARTS, by_kind, helm_render, objects
from helmgen import api

CHART = CHARTS / "istiod"


def istiod_release(tmp_path: Path, iop_spec: str, revision: str | None = None) -> tuple[str, str, dict]:
    """(release name, namespace, values) helmgen gives the istiod chart for an IstioOperator spec."""
    path = tmp_path / "iop.yaml"
    path.write_text("apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n"
                    + textwrap.indent(textwrap.dedent(iop_spec), "  "))
    tr = api.translate(api.Options((str(path),), revision=revision))
    [rv] = [rv for rv in tr.releases if rv.release.chart == "istiod"]
    return rv.release.name, rv.release.namespace, rv.values


def render(helm: str, tmp_path: Path, iop_spec: str, revision: str | None = None, chart: Path = CHART) -> dict:
    """{(kind, name): object} of the istiod release for that IstioOperator spec."""
    release, namespace, values = istiod_release(tmp_path, iop_spec, revision)
    return by_kind(helm_render(helm, release, chart, namespace, values, read=objects))


def names(objs: dict, kind: str) -> set[str]:
    return {name for k, name in objs if k == kind}


def hooks(mwc: dict) -> dict[str, dict]:
    return {h["name"]: h for h in mwc["webhooks"]}


def expressions(selector: dict) -> dict[str, tuple]:
    return {e["key"]: (e["operator"], tuple(e.get("values") or ())) for e in selector["matchExpressions"]}


def test_revision_names_every_object_and_selects_its_own_pods(helm, tmp_path):
    objs = render(helm, tmp_path, "profile: minimal\nrevision: canary\n")
    for kind in ("Deployment", "Service", "ServiceAccount", "HorizontalPodAutoscaler", "Role", "RoleBinding"):
        assert names(objs, kind) == {"istiod-canary"}, kind
    assert names(objs, "ConfigMap") == {"istio-canary", "istio-sidecar-injector-canary", "values-canary"}
    assert names(objs, "MutatingWebhookConfiguration") == {"istio-sidecar-injector-canary"}
    assert names(objs, "ValidatingWebhookConfiguration") == {"istio-validator-canary-istio-system"}
    assert "istiod-clusterrole-canary-istio-system" in names(objs, "ClusterRole")

    deploy = objs[("Deployment", "istiod-canary")]
    pod = deploy["spec"]["template"]
    assert deploy["spec"]["selector"]["matchLabels"] == {"app": "istiod", "istio.io/rev": "canary"}
    assert pod["metadata"]["labels"]["istio.io/rev"] == "canary" and pod["metadata"]["labels"]["istio"] == "istiod"
    [container] = pod["spec"]["containers"]
    assert {"name": "REVISION", "value": "canary"} in container["env"]
    assert objs[("Service", "istiod-canary")]["spec"]["selector"] == {"app": "istiod", "istio.io/rev": "canary"}
    mesh = yaml.safe_load(objs[("ConfigMap", "istio-canary")]["data"]["mesh"])
    assert mesh["defaultConfig"]["discoveryAddress"] == "istiod-canary.istio-system.svc:15012"


def test_default_installation_keeps_plain_names(helm, tmp_path):
    objs = render(helm, tmp_path, "profile: minimal\n")
    assert names(objs, "Deployment") == {"istiod"}
    assert objs[("Deployment", "istiod")]["spec"]["selector"]["matchLabels"] == {"istio": "pilot"}
    assert names(objs, "MutatingWebhookConfiguration") == {"istio-sidecar-injector"}


def test_injection_webhooks_default_installation(helm, tmp_path):
    objs = render(helm, tmp_path, "profile: minimal\n")
    h = hooks(objs[("MutatingWebhookConfiguration", "istio-sidecar-injector")])
    assert list(h) == ["rev.namespace.sidecar-injector.istio.io", "rev.object.sidecar-injector.istio.io",
                       "namespace.sidecar-injector.istio.io", "object.sidecar-injector.istio.io"]
    # istio-injection=enabled namespaces, istio.io/rev=default namespaces and sidecar.istio.io/inject=true pods
    assert expressions(h["namespace.sidecar-injector.istio.io"]["namespaceSelector"]) == \
        {"istio-injection": ("In", ("enabled",))}
    assert expressions(h["rev.namespace.sidecar-injector.istio.io"]["namespaceSelector"]) == \
        {"istio.io/rev": ("In", ("default",)), "istio-injection": ("DoesNotExist", ())}
    assert expressions(h["object.sidecar-injector.istio.io"]["objectSelector"]) == \
        {"sidecar.istio.io/inject": ("In", ("true",)), "istio.io/rev": ("DoesNotExist", ())}
    for hook in h.values():
        assert hook["clientConfig"]["service"] == {"name": "istiod", "namespace": "istio-system",
                                                   "path": "/inject", "port": 443}
        assert hook["failurePolicy"] == "Fail" and hook["sideEffects"] == "None"


def test_injection_webhooks_all_namespaces_by_default(helm, tmp_path):
    objs = render(helm, tmp_path, """\
        profile: minimal
        values:
          sidecarInjectorWebhook:
            enableNamespacesByDefault: true
        """)
    auto = hooks(objs[("MutatingWebhookConfiguration", "istio-sidecar-injector")])["auto.sidecar-injector.istio.io"]
    assert expressions(auto["namespaceSelector"])["kubernetes.io/metadata.name"][0] == "NotIn"


def test_injection_webhooks_revision_take_only_its_own_label(helm, tmp_path):
    objs = render(helm, tmp_path, "profile: minimal\n", revision="canary")
    h = hooks(objs[("MutatingWebhookConfiguration", "istio-sidecar-injector-canary")])
    assert list(h) == ["rev.namespace.sidecar-injector.istio.io", "rev.object.sidecar-injector.istio.io"]
    assert expressions(h["rev.namespace.sidecar-injector.istio.io"]["namespaceSelector"])["istio.io/rev"] == \
        ("In", ("canary",))
    assert expressions(h["rev.object.sidecar-injector.istio.io"]["objectSelector"])["istio.io/rev"] == \
        ("In", ("canary",))
    assert {hook["clientConfig"]["service"]["name"] for hook in h.values()} == {"istiod-canary"}


def test_revision_tags_point_their_webhooks_and_services_at_the_revision(helm, tmp_path):
    objs = render(helm, tmp_path, """\
        profile: minimal
        values:
          revisionTags: [prod, default]
        """, revision="canary")
    prod = objs[("MutatingWebhookConfiguration", "istio-revision-tag-prod")]
    assert prod["metadata"]["labels"]["istio.io/tag"] == "prod"
    assert prod["metadata"]["labels"]["istio.io/rev"] == "canary"
    h = hooks(prod)
    assert list(h) == ["rev.namespace.sidecar-injector.istio.io", "rev.object.sidecar-injector.istio.io"]
    assert expressions(h["rev.namespace.sidecar-injector.istio.io"]["namespaceSelector"])["istio.io/rev"] == \
        ("In", ("prod",))
    assert {hook["clientConfig"]["service"]["name"] for hook in h.values()} == {"istiod-canary"}
    # the tag "default" also takes istio-injection=enabled namespaces, as the default installation does
    assert "namespace.sidecar-injector.istio.io" in hooks(objs[("MutatingWebhookConfiguration",
                                                                "istio-revision-tag-default")])
    for tag in ("prod", "default"):
        svc = objs[("Service", f"istiod-revision-tag-{tag}")]
        assert svc["spec"]["selector"] == {"app": "istiod", "istio.io/rev": "canary"}
        assert svc["metadata"]["labels"]["istio.io/tag"] == tag


def test_remote_profile_reaches_an_external_istiod(helm, tmp_path):
    objs = render(helm, tmp_path, """\
        profile: remote
        values:
          global:
            remotePilotAddress: 10.20.30.40
          istiodRemote:
            injectionURL: https://10.20.30.40:15017/inject/cluster/remote-a/net/net-a
        """)
    assert not names(objs, "Deployment") and not names(objs, "HorizontalPodAutoscaler")
    assert not names(objs, "ValidatingWebhookConfiguration")   # the external istiod validates
    assert "istio" not in names(objs, "ConfigMap")              # the remote profile keeps no mesh config here
    svc = objs[("Service", "istiod")]
    assert "selector" not in svc["spec"] and [p["port"] for p in svc["spec"]["ports"]] == [15012, 443]
    slice_ = objs[("EndpointSlice", "istiod")]
    assert slice_["addressType"] == "IPv4" and slice_["endpoints"] == [{"addresses": ["10.20.30.40"]}]
    assert slice_["metadata"]["labels"]["kubernetes.io/service-name"] == "istiod"
    for hook in objs[("MutatingWebhookConfiguration", "istio-sidecar-injector")]["webhooks"]:
        assert hook["clientConfig"] == {"url": "https://10.20.30.40:15017/inject/cluster/remote-a/net/net-a"}
    reader = objs[("ClusterRole", "istio-reader-clusterrole-istio-system")]
    assert {"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"],
            "verbs": ["get", "list", "watch", "update", "patch"]} in reader["rules"]


def test_remote_profile_with_a_host_name_and_a_local_injector(helm, tmp_path):
    objs = render(helm, tmp_path, """\
        profile: remote
        values:
          global:
            remotePilotAddress: istiod.primary.example.com
            omitSidecarInjectorConfigMap: false
          istiodRemote:
            enabledLocalInjectorIstiod: true
        """)
    remote = objs[("Service", "istiod-remote")]
    assert remote["spec"]["type"] == "ExternalName" and remote["spec"]["externalName"] == "istiod.primary.example.com"
    assert not names(objs, "EndpointSlice")
    assert names(objs, "Deployment") == {"istiod"}            # the local injector istiod
    assert "istio-sidecar-injector" in names(objs, "ConfigMap")
    hook = objs[("MutatingWebhookConfiguration", "istio-sidecar-injector")]["webhooks"][0]
    assert hook["clientConfig"]["service"]["name"] == "istiod"


def test_injection_templates_are_embedded_verbatim(helm, tmp_path):
    chart = tmp_path / "istiod"
    shutil.copytree(CHART, chart, ignore=shutil.ignore_patterns("files"))
    (chart / "files").mkdir()
    for data in ("defaults.yaml", "layers.yaml"):   # the chart's defaults and helm-side layers, not templates
        shutil.copy(CHART / "files" / data, chart / "files" / data)
    (chart / "files" / "inject-sidecar.yaml").write_text("spec:\n  image: {{ .Values.global.hub }}\n")
    (chart / "files" / "inject-waypoint.yaml").write_text("metadata: {}\n")
    objs = render(helm, tmp_path, """\
        profile: minimal
        values:
          sidecarInjectorWebhook:
            templates:
              custom: "spec: {}\\n"
        """, chart=chart)
    config = yaml.safe_load(objs[("ConfigMap", "istio-sidecar-injector")]["data"]["config"])
    assert config["templates"] == {"sidecar": "spec:\n  image: {{ .Values.global.hub }}\n",
                                   "waypoint": "metadata: {}\n", "custom": "spec: {}\n"}
    assert config["defaultTemplates"] == ["sidecar"] and config["policy"] == "enabled"


def test_profile_layers_yield_to_values_the_user_changed(helm, tmp_path):
    objs = render(helm, tmp_path, """\
        profile: demo
        values:
          pilot:
            traceSampling: 0.5
        """)
    deploy = objs[("Deployment", "istiod")]
    [container] = deploy["spec"]["template"]["spec"]["containers"]
    assert {"name": "PILOT_TRACE_SAMPLING", "value": "0.5"} in container["env"]
    assert container["resources"]["requests"] == {"cpu": "10m", "memory": "100Mi"}   # demo's, left at the default
    assert deploy["spec"]["replicas"] == 1 and ("HorizontalPodAutoscaler", "istiod") not in objs


def test_profile_layers_yield_to_values_equal_to_the_defaults(helm, tmp_path):
    """The chart defaults are not in values.yaml, so a value the release gives wins over a profile layer even where
    it equals the default: demo with autoscaling and the default trace sampling kept, remote with the mesh config
    and telemetry kept, and the remote profile's omitted injector ConfigMap only without an explicit false."""
    objs = render(helm, tmp_path, """\
        profile: demo
        values:
          pilot:
            autoscaleEnabled: true
            traceSampling: 1.0
        """)
    [container] = objs[("Deployment", "istiod")]["spec"]["template"]["spec"]["containers"]
    assert {"name": "PILOT_TRACE_SAMPLING", "value": "1"} in container["env"]
    assert ("HorizontalPodAutoscaler", "istiod") in objs
    objs = render(helm, tmp_path, "profile: remote\nvalues:\n  global:\n    remotePilotAddress: 10.0.0.1\n")
    assert "istio-sidecar-injector" not in names(objs, "ConfigMap")
    objs = render(helm, tmp_path, "profile: remote\nvalues:\n  global:\n    remotePilotAddress: 10.0.0.1\n"
                                  "    omitSidecarInjectorConfigMap: false\n")
    assert "istio-sidecar-injector" in names(objs, "ConfigMap")


def test_the_pod_template_carries_no_chart_label(helm, tmp_path):
    objs = render(helm, tmp_path, "profile: minimal\n")
    deploy = objs[("Deployment", "istiod")]
    assert "helm.sh/chart" not in deploy["spec"]["template"]["metadata"]["labels"]
    assert deploy["metadata"]["labels"]["helm.sh/chart"] == "istiod-0.1.0"
