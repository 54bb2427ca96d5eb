"""components.*.k8s for our charts: the structured fields become the chart value `k8s` (applied by the charts'
helper helmgen.k8s.apply, tests/helm/test_k8s_helper.py), only `k8s.overlays` are left for the post-renderer;
Istio's charts (--manifests) keep getting everything from the post-renderer."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from helmgen import render
from helmgen.api import Options, translate
from helmgen.istio_charts import target_of
from helmgen.postprocess.k8s_patches import Target, postprocess
from helmgen.postprocess.stream import process
from helmgen.translate.k8s import chart_k8s, overlays_of

HEAD = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n"
MANIFESTS = Path(os.environ.get(
    "HELMGEN_ISTIO_CHARTS", "/root/go/pkg/mod/istio.io/istio@v0.0.0-20260827124520-eed52ebb66ad/manifests/charts")
).parent
OVERLAY = {"kind": "Deployment", "name": "istiod", "patches": [{"path": "spec.minReadySeconds", "value": 5}]}
IOP = HEAD + """spec:
  components:
    base:
      k8s:
        nodeSelector: {a: b}
    pilot:
      k8s:
        readinessProbe: null
        env:
          - {name: A, value: "1"}
        podAnnotations: {x: null, z: "2"}
        volumes:
          - {name: v, emptyDir: {}}
        overlays:
          - kind: Deployment
            name: istiod
            patches:
              - {path: spec.minReadySeconds, value: 5}
    ingressGateways:
      - name: istio-ingressgateway
        enabled: true
        k8s:
          service:
            type: NodePort
            ports:
              - {name: http2, port: 80, targetPort: 8080}
      - name: second-ingress
        enabled: true
        k8s:
          overlays: []
"""


def by_release(tr) -> dict:
    return {rv.release.name: rv for rv in tr.releases}


@pytest.fixture
def ours(iop_file):
    return by_release(translate(Options((str(iop_file(IOP)),))))


def test_chart_k8s_leaves_out_overlays_and_volumes_and_keeps_nulls():
    raw = {"readinessProbe": None, "env": [{"name": "A", "value": None}], "overlays": [OVERLAY],
           "volumes": [], "volumeMounts": [], "resources": {"limits": None}}
    assert chart_k8s(raw, gateway=False) == {"readinessProbe": None, "env": [{"name": "A", "value": None}],
                                             "resources": {"limits": None}}
    assert "overlays" in raw and raw["env"] == [{"name": "A", "value": None}], "the raw map is not changed"
    assert chart_k8s(None, gateway=False) is None
    assert chart_k8s({}, gateway=False) == {}


@pytest.mark.parametrize("service,expected", [
    (None, {"ports": []}),                          # no service: istioctl patches empty ports anyway
    ({"ports": [{"port": 80}], "type": "NodePort"}, {"ports": [], "type": "NodePort"}),
    ({"externalTrafficPolicy": "Local"}, {"externalTrafficPolicy": "Local", "ports": []}),
])
def test_a_gateways_service_ports_become_empty_as_istioctl_patches_them(service, expected):
    raw = {"overlays": []} if service is None else {"service": service}
    assert chart_k8s(raw, gateway=True) == {"service": expected}
    if service is not None:
        assert chart_k8s({"service": None}, gateway=True) == {"service": {"ports": []}}


def test_overlays_of():
    assert overlays_of({"overlays": [OVERLAY]}) == [OVERLAY]
    assert overlays_of({"overlays": []}) is None and overlays_of({"env": []}) is None and overlays_of(None) is None


def test_our_charts_carry_the_k8s_block_as_a_value_with_its_nulls(ours):
    assert ours["istiod"].values["k8s"] == {"readinessProbe": None, "env": [{"name": "A", "value": "1"}],
                                            "podAnnotations": {"x": None, "z": "2"}}
    assert "k8s" not in ours["istio-base"].values, "Base has no workload: its k8s fields never apply"
    gateway = ours["istio-ingressgateway"].values
    assert gateway["k8s"] == {"service": {"type": "NodePort", "ports": []}}
    assert gateway["ports"] == [{"name": "http2", "port": 80, "targetPort": 8080}], "the ports went to values"
    assert ours["second-ingress"].values["k8s"] == {"service": {"ports": []}}


def test_a_component_without_k8s_gets_no_k8s_value(iop_file):
    tr = by_release(translate(Options((str(iop_file(HEAD + "spec:\n  profile: minimal\n")),))))
    assert "k8s" not in tr["istiod"].values


def test_the_post_renderer_of_our_charts_gets_only_overlays(ours):
    spec = ours["istiod"].postrender
    assert spec == {"k8s": {"overlays": [OVERLAY]}, "target": {"kind": "Deployment", "name": "istiod",
                                                               "container": "discovery", "gateway": False},
                    "path": ["spec", "components", "pilot", "k8s"], "strict": False}
    assert ours["istio-ingressgateway"].postrender is None, "no overlays: no post-renderer"
    assert ours["second-ingress"].postrender is None, "an empty overlay list needs no post-renderer"
    assert ours["istio-base"].postrender is None


def test_translate_warns_that_volumes_are_left_out(iop_file):
    tr = translate(Options((str(iop_file(IOP)),)))
    assert [str(w.without_location()) for w in tr.warnings if "volumes" in str(w)] == [
        "spec.components.pilot.k8s.volumes: istioctl ignores k8s.volumes, and so does helmgen to keep the output "
        "equal"]


def test_istio_charts_keep_the_whole_k8s_block_for_the_post_renderer(iop_file):
    if not (MANIFESTS / "charts").is_dir():
        pytest.fail(f"Istio's manifests not found at {MANIFESTS} (set HELMGEN_ISTIO_CHARTS)")
    tr = by_release(translate(Options((str(iop_file(IOP)),), manifests=str(MANIFESTS))))
    assert tr["istiod"].postrender["k8s"]["readinessProbe"] is None
    assert tr["istiod"].postrender["k8s"]["overlays"] == [OVERLAY]
    assert "k8s" not in tr["istiod"].values
    assert tr["istio-ingressgateway"].postrender["k8s"]["service"]["ports"] == [
        {"name": "http2", "port": 80, "targetPort": 8080}], "raw, as istioctl reads it"


def test_render_jobs_post_renderer_spec(iop_file):
    resolved, jobs = render.release_jobs(Options((str(iop_file(IOP)),)))
    specs = {j.release: render.postrender_spec(j, resolved.revision) for j in jobs}
    assert all(j.chart_applies_k8s for j in jobs)
    assert specs["istiod"]["k8s"] == {"overlays": [OVERLAY]}
    assert specs["istio-ingressgateway"] is None and specs["istio-base"] is None


DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "istiod"},
              "spec": {"template": {"spec": {"containers": [{"name": "discovery", "readinessProbe": {"x": 1}}]}}}}
TARGET = Target("Deployment", "istiod", "discovery")
BASE = ("spec", "components", "pilot", "k8s")


def test_postprocess_for_our_charts_applies_only_overlays_and_still_reports_drops():
    k8s = {"readinessProbe": None, "hpaSpec": {"maxReplicas": 3}, "volumes": [], "overlays": [OVERLAY]}
    objects, problems = postprocess([DEPLOYMENT], k8s, TARGET, BASE, chart_applied=True)
    container = objects[0]["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"] == {"x": 1}, "the chart applied the fields; not twice"
    assert objects[0]["spec"]["minReadySeconds"] == 5, "overlays still apply"
    assert sorted(p.path[-1] for p in problems) == ["hpaSpec", "volumes"]
    applied, same = postprocess([DEPLOYMENT], k8s, TARGET, BASE)
    assert "readinessProbe" not in applied[0]["spec"]["template"]["spec"]["containers"][0]
    assert [str(p) for p in same] == [str(p) for p in problems]


def test_process_for_our_charts_without_overlays_parses_and_rewrites_nothing():
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: istiod\nspec: {replicas: 1}  # as rendered\n"
    docs, problems = process(text, {"replicaCount": 2, "podDisruptionBudget": {}}, TARGET, BASE, chart_applied=True)
    assert [d.text_is_exact for d in docs] == [True] and docs[0].obj is None
    assert [p.path[-1] for p in problems] == ["podDisruptionBudget"], "no PDB rendered: said, as for Istio's charts"


def test_strict_makes_the_drops_errors_for_our_charts_too():
    _, problems = postprocess([DEPLOYMENT], {"service": {}}, TARGET, BASE, strict=True, chart_applied=True)
    assert [p.severity.name for p in problems] == ["ERROR"]


def test_target_of_is_what_the_post_renderer_spec_names(iop_file):
    resolved, jobs = render.release_jobs(Options((str(iop_file(IOP)),), revision="canary"))
    istiod = next(j for j in jobs if j.spec.info.spec_key == "pilot")
    assert render.postrender_spec(istiod, resolved.revision)["target"] == target_of(istiod.spec, "canary").to_json()
    assert target_of(istiod.spec, "canary").name == "istiod-canary"
