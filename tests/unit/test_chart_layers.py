"""Layered settings (charts/_lib/_helmgen_values.tpl) with real helm 3 and 4.

Our charts keep their defaults out of values.yaml (files/defaults.yaml) and lay, at render time, the kind defaults
(gateways: egress), the helm-side profile, compatibility version and platform (files/layers.yaml), then the
release's values over them. So a value the release gives always wins, even one equal to a default, and a null
removes the default or layer value beneath it. Checked here: the helper itself on a small chart of its own, the
settings the charts used to lose (Istio's charts as the oracle), nulls, the order of the layers, and the same
through helmgen (translate keeps the nulls, the generated chart for plain Helm keeps the values as given).

Helm binaries: HELMGEN_HELM3 / HELMGEN_HELM4, else the ones scripts/fetch-helm puts under .cache/helm.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from chart_kit import CHARTS, ISTIO_CHARTS, by_kind, objects
from chart_kit import helmgen_render as render
from helmgen import api, chartgen
from helmgen.output import render_files


def helm_template(helm: str, chart: Path, values_text: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """helm template with a values file written as given (nulls and all)."""
    path = tmp_path / "values.yaml"
    path.write_text(values_text)
    return subprocess.run([helm, "template", "r", str(chart), "-n", "istio-system", "-f", str(path)],
                          capture_output=True, text=True)


# ------------------------------------------------------------------------------------------- the helper itself

PROBE_DEFAULTS = """\
a: default
keep: default
flag: true
m: {one: default, two: default, three: default}
list: [1, 2]
"""
PROBE_LAYERS = """\
kinds:
  egress: {a: kind, m: {one: kind}}
profile:
  p:
    a: profile
    m: {one: profile, two: profile}
    kinds:
      egress: {m: {three: profile-egress}}
  q: {}
compatibilityVersion:
  "9.9": {m: {two: compat}, list: [3]}
platform:
  pl: {a: platform, m: {four: platform}}
"""
PROBE_TEMPLATE = """\
{{- $s := dict }}
{{- include "helmgen.values.settings" (dict "root" . "out" $s "kind" (.Values.kind | default "") "globals" .Values.globals) }}
kind: Settings
from: {{ .Template.Name }}
value: {{ toJson (omit $s.v "kind" "globals" "k8s") }}
"""


@pytest.fixture
def probe(tmp_path) -> Path:
    """A chart that only prints its settings (twice, from two templates: the second reads the first one's)."""
    chart = tmp_path / "probe"
    (chart / "templates").mkdir(parents=True)
    (chart / "files").mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: probe\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("k8s: {}\n")
    (chart / "files" / "defaults.yaml").write_text(PROBE_DEFAULTS)
    (chart / "files" / "layers.yaml").write_text(PROBE_LAYERS)
    shutil.copy(CHARTS / "_lib" / "_helmgen_values.tpl", chart / "templates")
    (chart / "templates" / "a.yaml").write_text(PROBE_TEMPLATE)
    (chart / "templates" / "b.yaml").write_text(PROBE_TEMPLATE)
    return chart


def settings(helm: str, chart: Path, values_text: str, tmp_path: Path) -> dict:
    proc = helm_template(helm, chart, values_text, tmp_path)
    assert proc.returncode == 0, proc.stderr
    docs = objects(proc.stdout)
    assert len(docs) == 2 and docs[0]["value"] == docs[1]["value"]
    return docs[0]["value"]


def test_defaults_alone(helm, probe, tmp_path):
    assert settings(helm, probe, "{}", tmp_path) == yaml.safe_load(PROBE_DEFAULTS)


def test_layers_in_order_kind_profile_compatibility_platform_values(helm, probe, tmp_path):
    got = settings(helm, probe, "kind: egress\nprofile: p\ncompatibilityVersion: '9.9'\nplatform: pl\n", tmp_path)
    assert got["a"] == "platform"                      # kind < profile < platform
    assert got["m"] == {"one": "profile", "two": "compat", "three": "profile-egress", "four": "platform"}  # maps merge
    assert got["list"] == [3]                          # lists replace
    assert got["keep"] == "default"
    got = settings(helm, probe, "kind: egress\n", tmp_path)
    assert got["a"] == "kind" and got["m"]["one"] == "kind"
    got = settings(helm, probe, "profile: p\n", tmp_path)   # an ingress release: no kind layers
    assert got["a"] == "profile" and got["m"]["three"] == "default" and got["m"]["one"] == "profile"


def test_a_given_value_wins_even_when_it_equals_the_default(helm, probe, tmp_path):
    got = settings(helm, probe, "profile: p\nplatform: pl\na: default\nm: {one: default}\nlist: [1, 2]\n", tmp_path)
    assert got["a"] == "default" and got["m"]["one"] == "default" and got["m"]["two"] == "profile"


def test_global_profile_and_platform_and_folded_globals(helm, probe, tmp_path):
    assert settings(helm, probe, "global: {profile: p}\n", tmp_path)["a"] == "profile"
    assert settings(helm, probe, "global: {profile: q, platform: pl}\n", tmp_path)["a"] == "platform"
    assert settings(helm, probe, "profile: q\nglobal: {profile: p}\n", tmp_path)["a"] == "default"  # profile first
    # "globals": global settings over every layer, under the top-level values
    assert settings(helm, probe, "globals: true\nplatform: pl\nglobal: {a: global}\n", tmp_path)["a"] == "global"
    got = settings(helm, probe, "globals: true\nplatform: pl\nglobal: {a: global}\na: top\n", tmp_path)
    assert got["a"] == "top"
    assert settings(helm, probe, "global: {a: global}\n", tmp_path)["a"] == "default"  # not folded without it


def test_nulls_remove_what_lies_beneath(helm, probe, tmp_path):
    got = settings(helm, probe, "keep: null\nflag: null\nm: {three: null}\n", tmp_path)
    assert "keep" not in got and "flag" not in got and "three" not in got["m"]           # chart defaults
    got = settings(helm, probe, "profile: p\nplatform: pl\na: null\nm: {one: null, four: null}\n", tmp_path)
    assert "a" not in got and "one" not in got["m"] and "four" not in got["m"]          # layer values (not the default)
    got = settings(helm, probe, "m: null\n", tmp_path)
    assert "m" not in got
    got = settings(helm, probe, "fresh: null\nm: {five: null}\n", tmp_path)          # nothing beneath: kept, as Helm keeps it
    assert got["fresh"] is None and got["m"]["five"] is None


@pytest.mark.parametrize("values,message", [
    ("profile: nope\n", "unknown profile nope"),
    ("global: {profile: nope}\n", "unknown profile nope"),
    ("compatibilityVersion: '1.0'\n", "unknown compatibility version 1.0"),
    ("platform: nope\n", "unknown platform nope"),
    ("global: {platform: nope}\n", "unknown platform nope"),
])
def test_unknown_names_are_refused(helm, probe, tmp_path, values, message):
    proc = helm_template(helm, probe, values, tmp_path)
    assert proc.returncode != 0 and message in proc.stderr


# ------------------------------------------------------------------------------- settings the charts used to lose

def test_an_egress_gateway_keeps_an_explicit_load_balancer(helm):
    ours = by_kind(render(helm, CHARTS / "gateways", {"gatewayType": "egress", "type": "LoadBalancer"}))
    theirs = by_kind(render(helm, ISTIO_CHARTS / "gateways" / "istio-egress",
                            {"gateways": {"istio-egressgateway": {"type": "LoadBalancer"}}}))
    assert ours[("Service", "istio-egressgateway")]["spec"]["type"] == "LoadBalancer"
    assert theirs[("Service", "istio-egressgateway")]["spec"]["type"] == "LoadBalancer"


def test_openshift_keeps_an_explicit_chained_cni(helm):
    def chained(objs):
        return by_kind(objs)[("ConfigMap", "istio-cni-config")]["data"]["CHAINED_CNI_PLUGIN"]
    ours = render(helm, CHARTS / "istio-cni", {"platform": "openshift", "chained": True})
    theirs = render(helm, ISTIO_CHARTS / "istio-cni", {"platform": "openshift", "cni": {"chained": True}})
    assert chained(ours) == chained(theirs) == "true"
    assert chained(render(helm, CHARTS / "istio-cni", {"platform": "openshift"})) == "false"


def _policies(objs: list[dict]) -> list[str]:
    return [o["metadata"]["name"] for o in objs if o["kind"] == "ValidatingAdmissionPolicy"]


def test_base_keeps_an_explicit_stable_validation_policy_false_under_the_stable_profile(helm):
    values = {"profile": "stable", "experimental": {"stableValidationPolicy": False}}
    assert _policies(render(helm, CHARTS / "istio-base", values)) == []
    assert _policies(render(helm, ISTIO_CHARTS / "base", values)) == []
    assert _policies(render(helm, CHARTS / "istio-base", {"profile": "stable"})) == ["stable-channel-default-policy.istio.io"]
    assert _policies(render(helm, CHARTS / "istio-base", {"global": {"profile": "stable"}})) != []


def _hpas(objs: list[dict]) -> list[str]:
    return [o["metadata"]["name"] for o in objs if o["kind"] == "HorizontalPodAutoscaler"]


@pytest.mark.parametrize("kind", ["ingress", "egress"])
def test_demo_keeps_an_explicit_gateway_autoscaler(helm, kind):
    name = f"istio-{kind}gateway"
    ours = render(helm, CHARTS / "gateways", {"gatewayType": kind, "profile": "demo", "autoscaleEnabled": True})
    theirs = render(helm, ISTIO_CHARTS / "gateways" / f"istio-{kind}",
                    {"profile": "demo", "gateways": {name: {"autoscaleEnabled": True}}})
    assert _hpas(ours) == _hpas(theirs) == [name]
    # without it the demo profile turns autoscaling off, also when only the replica bounds are given (as Istio's)
    for values in ({}, {"autoscaleMin": 2, "autoscaleMax": 4}):
        ours = render(helm, CHARTS / "gateways", {"gatewayType": kind, "profile": "demo", **values})
        theirs = render(helm, ISTIO_CHARTS / "gateways" / f"istio-{kind}",
                        {"profile": "demo", "gateways": {name: values}})
        assert _hpas(ours) == _hpas(theirs) == []


# ------------------------------------------------------------------------------------------ nulls in the charts

def _proxy(objs: list[dict], name: str) -> dict:
    return by_kind(objs)[("Deployment", name)]["spec"]["template"]["spec"]["containers"][0]


def test_a_null_removes_a_chart_default(helm, tmp_path):
    proc = helm_template(helm, CHARTS / "gateways", "autoscaleEnabled: null\n", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert _hpas(objects(proc.stdout)) == []
    proc = helm_template(helm, CHARTS / "gateways", "resources: {requests: {memory: null}}\n", tmp_path)
    assert _proxy(objects(proc.stdout), "istio-ingressgateway")["resources"]["requests"] == {"cpu": "100m"}
    proc = helm_template(helm, CHARTS / "istio-base", "global: {istioNamespace: other, enableReaderRBAC: null}\n", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not [o for o in objects(proc.stdout) if o["kind"] == "ServiceAccount"]


def test_a_null_removes_a_layer_value(helm, tmp_path):
    # demo sets the egress gateway's requests to 10m/40Mi; a null takes the layer's memory away (not back to 128Mi)
    text = "gatewayType: egress\nprofile: demo\nresources: {requests: {memory: null}}\n"
    proc = helm_template(helm, CHARTS / "gateways", text, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert _proxy(objects(proc.stdout), "istio-egressgateway")["resources"]["requests"] == {"cpu": "10m"}
    # ambient makes ztunnel's image distroless; variant: null takes that away
    proc = helm_template(helm, CHARTS / "ztunnel", "profile: ambient\nvariant: null\n", tmp_path)
    assert proc.returncode == 0, proc.stderr
    image = by_kind(objects(proc.stdout))[("DaemonSet", "ztunnel")]["spec"]["template"]["spec"]["containers"][0]["image"]
    assert not image.endswith("-distroless"), image
    # openshift makes the cni provider multus (a NetworkAttachmentDefinition); a null takes the layer value away
    kinds = [o["kind"] for o in render(helm, CHARTS / "istio-cni", {"platform": "openshift"})]
    assert "NetworkAttachmentDefinition" in kinds
    proc = helm_template(helm, CHARTS / "istio-cni", "platform: openshift\nprovider: null\n", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "NetworkAttachmentDefinition" not in [o["kind"] for o in objects(proc.stdout)]


def test_the_layers_of_a_real_chart_in_order(helm):
    """gateways: ingress defaults < egress kind < demo profile < the release's values (maps merged)."""
    values = {"gatewayType": "egress", "profile": "demo", "compatibilityVersion": "1.25", "platform": "gke",
              "resources": {"limits": {"cpu": "1"}}, "ports": [{"name": "tcp", "port": 9000, "targetPort": 9000}]}
    objs = by_kind(render(helm, CHARTS / "gateways", values))
    svc = objs[("Service", "istio-egressgateway")]
    assert svc["spec"]["type"] == "ClusterIP"                                   # egress kind over ingress default
    assert [p["port"] for p in svc["spec"]["ports"]] == [9000]                 # the release's list replaces
    assert _proxy(list(objs.values()), "istio-egressgateway")["resources"] == \
        {"requests": {"cpu": "10m", "memory": "40Mi"}, "limits": {"cpu": "1", "memory": "1024Mi"}}  # maps merged


# ---------------------------------------------------------------------------------------------- through helmgen

HEAD = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n"
IOPS = {
    "egress_load_balancer": HEAD + """\
spec:
  components:
    egressGateways:
    - name: istio-egressgateway
      enabled: true
  values:
    gateways:
      istio-egressgateway:
        type: LoadBalancer
""",
    "openshift_chained": HEAD + "spec:\n  profile: openshift\n  values:\n    cni:\n      chained: true\n",
    "stable_without_policy": HEAD + "spec:\n  profile: stable\n  values:\n    experimental:\n"
                                    "      stableValidationPolicy: false\n",
    "demo_autoscaled_null_resources": HEAD + """\
spec:
  profile: demo
  values:
    gateways:
      istio-ingressgateway:
        autoscaleEnabled: true
        resources:
          requests:
            memory: null
""",
}


def _translate(tmp_path: Path, case: str):
    src = tmp_path / "iop.yaml"
    src.write_text(IOPS[case])
    return api.translate(api.Options((str(src),)))


def test_translate_keeps_the_values_and_the_nulls_the_schema_accepts(tmp_path):
    tr = _translate(tmp_path, "demo_autoscaled_null_resources")
    gw = next(rv for rv in tr.releases if rv.release.name == "istio-ingressgateway")
    assert gw.values["autoscaleEnabled"] is True
    assert gw.values["resources"] == {"requests": {"memory": None}}
    tr = _translate(tmp_path, "stable_without_policy")
    base = next(rv for rv in tr.releases if rv.release.chart == "istio-base")
    assert base.values["experimental"] == {"stableValidationPolicy": False}


@pytest.mark.parametrize("case,chart,check", [
    ("egress_load_balancer", "gateways",
     lambda objs: objs[("Service", "istio-egressgateway")]["spec"]["type"] == "LoadBalancer"),
    ("openshift_chained", "istio-cni",
     lambda objs: objs[("ConfigMap", "istio-cni-config")]["data"]["CHAINED_CNI_PLUGIN"] == "true"),
    ("stable_without_policy", "istio-base",
     lambda objs: not [k for k in objs if k[0] == "ValidatingAdmissionPolicy"]),
    ("demo_autoscaled_null_resources", "gateways",
     lambda objs: ("HorizontalPodAutoscaler", "istio-ingressgateway") in objs
     and objs[("Deployment", "istio-ingressgateway")]["spec"]["template"]["spec"]["containers"][0]["resources"]
     ["requests"] == {"cpu": "10m"}),
])
def test_helmgen_values_and_the_generated_chart_keep_the_setting(helm, tmp_path, case, chart, check):
    """helmgen's values for the release, and the chart generated for plain Helm (values.yaml = those values), render
    the setting the IstioOperator gives."""
    tr = _translate(tmp_path, case)
    releases = [rv for rv in tr.releases if rv.release.chart == chart]
    if chart == "gateways" and "egress" in case:
        releases = [rv for rv in releases if rv.release.name == "istio-egressgateway"]
    elif chart == "gateways":
        releases = [rv for rv in releases if rv.release.name == "istio-ingressgateway"]
    (rv,) = releases
    objs = by_kind(render(helm, CHARTS / chart, rv.values, rv.release.name, rv.release.namespace))
    assert check(objs), case
    files = {str(p.relative_to(CHARTS / chart)): p.read_bytes() for p in (CHARTS / chart).rglob("*") if p.is_file()}
    generated = chartgen.generated_chart(files, rv.release.name, rv.values, "0123456789ab", "iop.yaml")
    folder = tmp_path / "generated"
    for path, data in generated.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    proc = subprocess.run([helm, "template", rv.release.name, str(folder), "-n", rv.release.namespace],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    objs = by_kind(objects(proc.stdout))
    assert check(objs), f"{case}: generated chart"
    for obj in objs.values():
        label = obj["metadata"].get("labels", {}).get("helm.sh/chart")
        assert label is None or re.fullmatch(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?", label), label
        assert "+" not in (label or "")
        pod = (obj.get("spec") or {}).get("template", {}).get("metadata", {})
        assert "helm.sh/chart" not in (pod.get("labels") or {}), obj["kind"]


def test_render_files_writes_the_nulls_helm_then_keeps(tmp_path):
    tr = _translate(tmp_path, "demo_autoscaled_null_resources")
    files = render_files(tr, tmp_path)
    gw = next(rv for rv in tr.releases if rv.release.name == "istio-ingressgateway")
    assert yaml.safe_load(files[gw.release.values_file])["resources"] == {"requests": {"memory": None}}


def test_pod_templates_carry_no_chart_label_and_object_labels_are_valid(helm, tmp_path):
    """A long chart name and a +iop.<hash> version: the object label is cut to a valid label value (63 characters
    would end in "_" here)."""
    chart = tmp_path / "c"
    shutil.copytree(CHARTS / "ztunnel", chart)
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    meta["name"] = "z" * 56
    meta["version"] = "0.1.0+iop.0123456789ab"
    (chart / "Chart.yaml").write_text(yaml.safe_dump(meta))
    proc = subprocess.run([helm, "template", "r", str(chart), "-n", "istio-system"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    ds = by_kind(objects(proc.stdout))[("DaemonSet", "ztunnel")]
    label = ds["metadata"]["labels"]["helm.sh/chart"]
    assert label == "z" * 56 + "-0.1.0"
    assert "helm.sh/chart" not in ds["spec"]["template"]["metadata"]["labels"]


def test_values_yaml_is_not_where_the_defaults_are():
    for chart in ("istio-base", "istiod", "gateways", "istio-cni", "ztunnel"):
        text = (CHARTS / chart / "values.yaml").read_text()
        assert yaml.safe_load(text) in ({}, {"k8s": {}}), chart
        assert "files/defaults.yaml" in text
