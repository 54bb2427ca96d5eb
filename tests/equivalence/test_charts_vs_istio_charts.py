"""Equivalence: every input rendered with our charts and with Istio's charts, through helmgen, gives the same objects
(kind, namespace, name) and the same behaviour per object (tests/equivalence/behaviour.py says what is compared).
Differences fail unless tests/equivalence/intended/<chart>.yaml lists them with a reason (docs/charts.md shows that
list). Inputs: the parity corpus (Istio's manifest-generate inputs and ours), the example, every profile; rendered
by real Helm 3 and Helm 4. An input Istio's side rejects must be rejected by ours too.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from behaviour import compare, differences, behaviour, Intended
from equiv_cases import all_cases, files_of
from intended import FOLDER, intended_for
from pairs import render_pair
import kube_schemas

CHARTS = ("istio-base", "istiod", "gateways", "istio-cni", "ztunnel")
CASES = all_cases()


@pytest.fixture(params=["HELMGEN_HELM3", "HELMGEN_HELM4"], ids=["helm3", "helm4"])
def helm(request) -> str:
    path = os.environ.get(request.param)
    assert path and Path(path).is_file(), f"{request.param} must name a helm binary (make test sets it up)"
    return path


def test_the_tier_covers_the_corpus_every_profile_and_the_example():
    ids = [c.id for c in CASES]
    assert sum(i.startswith("upstream/") for i in ids) >= 40 and sum(i.startswith("own/") for i in ids) >= 40
    assert "example" in ids and {"profile/default", "profile/ambient", "profile/remote"} <= set(ids)


@pytest.fixture(scope="session")
def our_crds() -> dict:
    """The schemas of the CRDs our istio-base chart installs by default."""
    import subprocess
    from helmgen import api
    from helmgen.postprocess.stream import load_stream
    helm = os.environ.get("HELMGEN_HELM3")
    assert helm, "HELMGEN_HELM3 must name a helm binary (make test sets it up)"
    proc = subprocess.run([helm, "template", "istio-base", str(api.charts_dir() / "istio-base"), "--include-crds",
                           "--namespace", "istio-system"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    crds = kube_schemas.crd_schemas(load_stream(proc.stdout))
    assert crds, "our istio-base chart renders no CRD with a schema"
    return crds


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_our_charts_behave_as_istios(case, helm, istio_manifests, tmp_path, our_crds):
    from helmgen.errors import HelmgenError

    files = files_of(case, tmp_path)
    try:
        pair = render_pair(files, case.sets, case.revision, istio_manifests, helm)
    except HelmgenError as exc:
        from helmgen import api, render
        theirs_failed = True
        try:
            render.template(api.Options(tuple(map(str, files)), case.sets, case.revision, str(istio_manifests)),
                            helm_path=helm)
            theirs_failed = False
        except HelmgenError:
            pass
        assert theirs_failed, f"only our charts refuse {case.id}: {exc}"
        return
    problems = [f"[{chart}] {line}" for chart in CHARTS
                for line in compare(pair.ours.get(chart, []), pair.theirs.get(chart, []), intended_for(chart))]
    assert not problems, f"{len(problems)} differences (scripts/equiv {case.id} shows them):\n" + \
        "\n".join(problems[:25])
    # What the input itself makes invalid (a user's HPA metric without a type, istioctl's PDB `minAvailable: null`,
    # an overlay writing a boolean label) is invalid on both sides; our charts may add no invalid object of their own.
    theirs_invalid = set(kube_schemas.problems([o for objs in pair.theirs.values() for o in objs], our_crds))
    invalid = [p for p in kube_schemas.problems([o for objs in pair.ours.values() for o in objs], our_crds)
               if p not in theirs_invalid]
    assert not invalid, f"{len(invalid)} objects fail their schemas:\n" + "\n".join(invalid[:25])


def test_every_intended_difference_has_a_reason_and_a_chart():
    for path in FOLDER.glob("*.yaml"):
        assert path.stem in CHARTS, f"{path.name}: not one of our charts"
        for entry in intended_for(path.stem):
            assert len(entry.reason.split()) >= 5, f"{path.name}: {entry} needs a real reason"


def test_schema_validation_can_fail(our_crds):
    bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "dta": {}}
    assert len(kube_schemas.problems([bad], our_crds)) == len(kube_schemas.KUBE_VERSIONS)
    unknown = {"apiVersion": "networking.istio.io/v9", "kind": "Gateway", "metadata": {"name": "g"}}
    assert kube_schemas.problems([unknown], our_crds) == ["Gateway g: no CRD of ours serves networking.istio.io/v9"]


def test_the_comparison_can_fail():
    """A changed image, a missing object and an excused path: the comparison sees the first two, not the third."""
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "istiod", "namespace": "istio-system"},
           "spec": {"template": {"spec": {"containers": [{"name": "discovery", "image": "a:1"}]}}}}
    other = {**dep, "spec": {"template": {"spec": {"containers": [{"name": "discovery", "image": "a:2"}]}}}}
    assert compare([dep], [other]) == [
        'Deployment istio-system/istiod: spec.template.spec.containers[name=discovery].image: "a:1" vs Istio\'s "a:2"']
    assert compare([], [dep]) == ["Deployment istio-system/istiod: rendered only by Istio's chart"]
    excuse = Intended("Deployment", "istio*", "spec.template.spec.containers", "our image naming is deliberate here")
    assert compare([dep], [other], [excuse]) == []
    assert differences(behaviour(dep), behaviour(dep)) == []
