"""Releases of one chart, release name and namespace rendered in one `helm template` run (helmgen.helm.batch):
each member's part is byte for byte what helm renders for it alone, on Helm 3 and Helm 4, for Istio's gateway
charts and ours; failures fall back to single renders; the render cache sees the same texts."""
from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path

import pytest

from helmgen import api, render
from helmgen.helm import batch
from helmgen.helm.template import ChartRejected, HelmError, find_helm, template

ROOT = Path(__file__).resolve().parents[2]
helm_template = importlib.import_module("helmgen.helm.template")   # the module (helmgen.helm.template is the function)

GATEWAYS = """\
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  components:
    ingressGateways:
    - name: istio-ingressgateway
      enabled: true
    - name: gw-a
      namespace: edge
      enabled: true
      label: {tier: a}
      k8s:
        replicaCount: 2
        serviceAnnotations: {example.com/lb: internal}
        service:
          ports:
          - {name: http, port: 80, targetPort: 8080}
    - name: gw-b
      namespace: edge
      enabled: true
      label: {tier: b}
      k8s:
        resources: {requests: {cpu: 250m}}
        nodeSelector: {pool: edge}
    - name: gw-c
      namespace: edge
      enabled: true
    egressGateways:
    - name: eg-a
      namespace: edge
      enabled: true
    - name: eg-b
      namespace: edge
      enabled: true
      label: {tier: egress}
"""


@pytest.fixture(params=["HELMGEN_HELM3", "HELMGEN_HELM4"], ids=["helm3", "helm4"])
def helm(request, monkeypatch):
    path = os.environ.get(request.param)
    assert path and Path(path).is_file(), f"{request.param} must name a helm binary (make test sets it up)"
    monkeypatch.setenv("HELMGEN_RENDER_CACHE", "off")
    find_helm.cache_clear()
    yield find_helm(path)
    find_helm.cache_clear()


def _groups(iop: Path, manifests: str | None) -> list[list[render.Job]]:
    resolved, jobs = render.release_jobs(api.Options((str(iop),), manifests=manifests), compat=True)
    groups: dict[tuple, list[render.Job]] = {}
    for job in jobs:
        groups.setdefault((job.chart, job.release, job.namespace), []).append(job)
    return [g for g in groups.values() if len(g) > 1]


@pytest.mark.parametrize("charts", ["istio", "ours"])
def test_each_member_is_what_helm_renders_alone(helm, iop_file, istio_manifests, charts):
    groups = _groups(iop_file(GATEWAYS), str(istio_manifests) if charts == "istio" else None)
    # ingress gw-a/b/c and egress eg-a/b share a release name and namespace; our one gateways chart has both kinds
    assert sorted(len(g) for g in groups) == ([2, 3] if charts == "istio" else [5])
    for group in groups:
        first = group[0]
        together = batch.template_many(helm, first.chart, "istio", "edge", [j.values for j in group], "1.32.0",
                                       ["--include-crds"])
        alone = [template(helm, j.chart, "istio", "edge", j.values, "1.32.0", ["--include-crds"]) for j in group]
        assert together == alone
        assert all("kind: Deployment" in t for t in together)
        assert len(set(together)) == len(together), "members differ (names, labels, k8s settings)"


def test_render_jobs_batches_only_shared_names_and_gives_the_same_stream(helm, iop_file, monkeypatch):
    iop = iop_file(GATEWAYS)
    resolved, jobs = render.release_jobs(api.Options((str(iop),)), compat=True)
    planned = render.units(jobs, 2, use_post_renderer=False)
    assert sorted(len(u) for u in planned if len(u) > 1) == [2, 3]   # five gateways, two workers
    batched = render.render_jobs(resolved, jobs, helm_path=helm.path).text
    # under their own release names (no --compat) nothing shares a run
    _, own = render.release_jobs(api.Options((str(iop),)))
    assert all(len(u) == 1 for u in render.units(own, 2, use_post_renderer=False))
    monkeypatch.setattr(render, "units", lambda jobs, workers, post: [[i] for i in range(len(jobs))])
    assert render.render_jobs(resolved, jobs, helm_path=helm.path).text == batched


def test_a_failing_member_fails_as_it_does_alone(helm, iop_file):
    group = _groups(iop_file(GATEWAYS), None)[0]
    bad = [dict(j.values) for j in group]
    bad[1] = {**bad[1], "replicaCount": "three"}   # the chart's schema refuses it
    with pytest.raises((HelmError, ChartRejected)) as alone:
        template(helm, group[1].chart, "istio", "edge", bad[1], "1.32.0")
    with pytest.raises(type(alone.value)) as together:
        batch.template_many(helm, group[1].chart, "istio", "edge", bad, "1.32.0")
    assert str(together.value) == str(alone.value)


def test_members_go_into_the_render_cache_as_single_renders(helm, iop_file, tmp_path, monkeypatch):
    monkeypatch.setenv("HELMGEN_RENDER_CACHE", str(tmp_path / "cache"))
    group = _groups(iop_file(GATEWAYS), None)[0]
    together = batch.template_many(helm, group[0].chart, "istio", "edge", [j.values for j in group], "1.32.0")
    assert len(list((tmp_path / "cache").glob("*.yaml"))) == len(group)
    monkeypatch.setattr(helm_template, "run_template", lambda *a, **k: pytest.fail("a cached member was rendered again"))
    assert [template(helm, j.chart, "istio", "edge", j.values, "1.32.0") for j in group] == together


def test_what_is_not_batched(tmp_path):
    chart = tmp_path / "gw"
    shutil.copytree(ROOT / "charts" / "gateways", chart)
    assert batch.batchable(str(chart), {"a": {"b": [1, {"c": "d"}]}})
    assert not batch.batchable(str(chart), {"a": {"b": [1, {"c": None}]}})
    (chart / "charts").mkdir()
    assert not batch.batchable(str(chart), {})
    assert not batch.batchable(str(tmp_path / "missing"), {})


@pytest.mark.parametrize("text", [
    "stray\n---\n# Source: helmgen-batch/charts/m0/charts/gw/templates/a.yaml\na: 1\n",
    "---\n# Source: helmgen-batch/charts/m2/charts/gw/templates/a.yaml\na: 1\n",
    "---\n# Source: elsewhere/templates/a.yaml\na: 1\n",
])
def test_output_that_cannot_be_split_is_refused(text):
    assert batch.split_output(text, 2) is None


def test_split_output_strips_the_umbrella_path():
    text = ("---\n# Source: helmgen-batch/charts/m1/charts/gw/templates/a.yaml\na: 1\n---\nb: 2\n"
            "---\n# Source: helmgen-batch/charts/m0/charts/gw/templates/a.yaml\na: 0\n")
    assert batch.split_output(text, 2) == ["---\n# Source: gw/templates/a.yaml\na: 0\n",
                                           "---\n# Source: gw/templates/a.yaml\na: 1\n---\nb: 2\n"]
