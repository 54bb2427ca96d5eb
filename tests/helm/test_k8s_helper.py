"""The charts' Go helper `helmgen.k8s.apply` (charts/_lib/_helmgen_k8s.tpl), rendered by real Helm 3 and Helm 4,
against helmgen's Python post-processing (helmgen/postprocess/k8s_patches.py and smp.py, which are tested against
istioctl and against Go's strategic merge patch).

A throwaway chart holds the helper files and one template that runs the helper on each object handed in as text;
all cases of a test go through one `helm template` per Helm. Objects are compared parsed, every type strictly
(1 != 1.0 != True != "1"):
  * every case of tests/golden_postprocess: the helper's output equals the Python post-processing of the same
    object (structured fields only), and, after the Python overlays, istioctl's own output (expected.yaml);
  * every k8s block of tests/parity/inputs applied to the rendered objects of its component (fields combined);
  * the curated and generated objects and patches of tests/unit/test_smp_vs_go*.py through the helper's
    strategic merge against smp.strategic_merge; patches Python rejects fail the render in Go too;
  * the text comes back byte for byte when nothing applies to the object's kind;
  * explicit nulls in the chart value `k8s` survive Helm's values coalescing, from stdin and from a values file.
"""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from helmgen import api
from helmgen.errors import InputError
from helmgen.istio_charts import target_of
from helmgen.postprocess.k8s_patches import Target, _json_numbers, postprocess
from helmgen.postprocess.overlays import apply_overlays
from helmgen.postprocess.smp import SmpError, strategic_merge
from helmgen.postprocess.stream import GoYamlLoader, dump_object
from helmgen.translate.k8s import chart_k8s

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden_postprocess"
PARITY_INPUTS = ROOT / "tests" / "parity" / "inputs"
sys.path.insert(0, str(GOLDEN))
sys.path.insert(0, str(ROOT / "tests" / "unit"))
import pp_golden_io as gio  # noqa: E402
import test_smp_vs_go as curated  # noqa: E402  (its curated objects and patches)
import test_smp_vs_go_generated as gen  # noqa: E402  (its object and patch strategies)

POD_KINDS = ("Deployment", "DaemonSet")
OTHER_KINDS = ("HorizontalPodAutoscaler", "PodDisruptionBudget", "Service")

APPLY = """{{- range $c := .Values.cases }}{{ range $i, $t := $c.texts }}
---
# case {{ $c.id }} {{ $i }}
{{ include "helmgen.k8s.apply" (dict "text" $t "k8s" $c.k8s "container" $c.container) }}
{{- end }}{{ end }}
"""
MERGE = """{{- $meta := include "helmgen.k8s.meta" . | fromJson -}}
{{- range $c := .Values.merges }}
---
# case {{ $c.id }} 0
{{- $schema := "-" }}{{ if hasKey $meta.roots $c.kind }}{{ $schema = get $meta.roots $c.kind }}{{ end }}
{{- $r := dict }}{{ include "helmgen.k8s.mergeMap" (dict "o" $c.original "p" $c.patch "s" $schema "m" $meta "ret" $r) }}
merged: {{ $r.v | toJson | quote }}
{{- end }}
"""


@pytest.fixture(params=["HELMGEN_HELM3", "HELMGEN_HELM4"], ids=["helm3", "helm4"])
def helm(request) -> str:
    path = os.environ.get(request.param)
    assert path and Path(path).is_file(), f"{request.param} must name a helm binary (make test sets it up)"
    return path


@pytest.fixture(scope="module")
def chart(tmp_path_factory) -> Path:
    """A chart with the helper files (as scripts/sync-chart-lib copies them) and the two test templates."""
    folder = tmp_path_factory.mktemp("k8s-helper") / "k8shelper"
    (folder / "templates").mkdir(parents=True)
    (folder / "Chart.yaml").write_text("apiVersion: v2\nname: k8shelper\nversion: 0.1.0\n")
    (folder / "values.yaml").write_text("k8s: {}\ncases: []\nmerges: []\n")
    libs = sorted((ROOT / "charts" / "_lib").glob("*.tpl"))
    assert {p.name for p in libs} >= {"_helmgen_k8s.tpl", "_helmgen_k8s_meta.tpl"}
    for lib in libs:
        shutil.copy(lib, folder / "templates" / lib.name)
    (folder / "templates" / "apply.yaml").write_text(APPLY)
    (folder / "templates" / "merge.yaml").write_text(MERGE)
    return folder


def render(helm: str, chart: Path, values: dict, extra: list[str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([helm, "template", "r", str(chart), "--values", "-", *(extra or [])],
                          input=json.dumps(values), capture_output=True, text=True, timeout=600)


def documents(helm: str, chart: Path, values: dict) -> dict[tuple[str, int], str]:
    """(case id, index) -> the text the template wrote for it (helm reorders documents by kind)."""
    proc = render(helm, chart, values)
    assert proc.returncode == 0, proc.stderr[-4000:]
    out = {}
    for doc in re.split(r"(?m)^---\s*$", proc.stdout):
        m = re.search(r"(?m)^# case (\S+) (\d+)\n", doc)
        if m:
            out[(m[1], int(m[2]))] = doc[m.end():]
    return out


def parse(text: str) -> dict:
    return yaml.load(text, Loader=GoYamlLoader)


def fields_only(k8s: dict) -> dict:
    return {k: v for k, v in k8s.items() if k != "overlays"}


def helper_applies_to(obj: dict, target: Target) -> bool:
    """The objects a chart hands the helper: the component's workload, HPA, PDB and Service."""
    meta = obj.get("metadata") or {}
    return obj.get("kind") in (target.kind, *OTHER_KINDS) and meta.get("name") == target.name


# ------------------------------------------------------------------------------------------ golden cases

def golden_cases() -> list[dict]:
    out = []
    for case in gio.case_dirs(GOLDEN):
        t = gio.read_target(case / "target.json")
        target = Target.from_json(t["target"])
        if not target.kind:  # Base: no workload, the charts call no helper
            continue
        rendered = gio.read_objects(case / "rendered.yaml")
        out.append({"id": case.name, "t": t, "target": target, "rendered": rendered,
                    "expected": gio.read_objects(case / "expected.yaml")})
    return out


def apply_values(cases: list[dict]) -> dict:
    return {"cases": [{"id": c["id"], "texts": [dump_object(o) if helper_applies_to(o, c["target"]) else "" for o in
                                                c["rendered"]],
                       "k8s": chart_k8s(c["t"]["k8s"], c["target"].gateway), "container": c["target"].container}
                      for c in cases]}


def test_golden_cases_through_the_helper_equal_python_and_istioctl(helm, chart):
    cases = golden_cases()
    assert len(cases) >= 60
    got = documents(helm, chart, apply_values(cases))
    changed, problems = 0, []
    for c in cases:
        python, _ = postprocess(c["rendered"], fields_only(c["t"]["k8s"]), c["target"], tuple(c["t"]["base"]))
        ours = [parse(got[(c["id"], i)]) if helper_applies_to(o, c["target"]) else o
                for i, o in enumerate(c["rendered"])]
        changed += sum(not gio.same(a, b) for a, b in zip(ours, c["rendered"]))
        if not gio.same(ours, python):
            problems.append(f"{c['id']}: helper differs from Python:\n{gio.diff(python, ours, 'python', 'helper')}")
            continue
        overlays = c["t"]["k8s"].get("overlays")
        final = apply_overlays(ours, overlays, ())[0] if overlays is not None else ours
        if not gio.same(final, c["expected"]):
            problems.append(f"{c['id']}: differs from istioctl:\n{gio.diff(c['expected'], final)}")
    assert not problems, "\n".join(problems[:5])
    assert changed >= 30, "the helper changed too few objects for the cases to mean anything"


# ------------------------------------------------------------------------------------------ parity inputs

def component_pool() -> dict[str, tuple[Target, dict[str, dict]]]:
    """Per component (IstioOperator spec key): a target and one rendered object of each kind it patches (a
    Deployment component lacking one borrows it from another, renamed; egress gateways use the ingress ones)."""
    pool: dict[str, tuple[Target, dict[str, dict]]] = {}
    any_of_kind: dict[str, dict] = {}
    for c in golden_cases():
        component, target = c["t"]["component"], c["target"]
        known = pool.setdefault(component, (target, {}))
        for o in c["rendered"]:
            if helper_applies_to(o, target):
                any_of_kind.setdefault(o["kind"], o)
                if known[0] == target:
                    known[1].setdefault(o["kind"], o)
    pool.setdefault("egressGateways", pool["ingressGateways"])
    for target, objects in pool.values():
        for kind in OTHER_KINDS if target.kind == "Deployment" else ():
            if kind not in objects:
                borrowed = copy.deepcopy(any_of_kind[kind])
                borrowed["metadata"]["name"] = target.name
                objects[kind] = borrowed
    return pool


def parity_blocks() -> list[tuple[str, Target, dict]]:
    """(id, target, raw k8s map) of every component k8s block in the parity inputs that resolve."""
    out = []
    for path in sorted(PARITY_INPUTS.glob("*.yaml")):
        if "k8s:" not in path.read_text() or path.name.endswith(".part.yaml"):
            continue
        try:
            resolved = api.resolve(api.Options((str(path),)))
        except InputError:
            continue  # the invalid_* inputs
        for cs in resolved.specs:
            if cs.k8s is not None and cs.info.resource_kind:
                out.append((f"{path.stem}.{cs.info.spec_key}{'' if cs.index is None else cs.index}",
                            target_of(cs, resolved.revision), cs.k8s))
    return out


def test_parity_input_k8s_blocks_through_the_helper_equal_python(helm, chart):
    pool, cases = component_pool(), []
    for ident, target, k8s in parity_blocks():
        spec_key = next(k for k in pool if ident.split(".", 1)[1].startswith(k))
        known, objects = pool[spec_key]
        rendered = list(objects.values())
        target = Target(target.kind, known.name, target.container, target.gateway)
        cases.append({"id": ident, "t": {"k8s": k8s, "base": []}, "target": target, "rendered": rendered})
    assert len(cases) >= 15
    got = documents(helm, chart, apply_values(cases))
    problems = []
    for c in cases:
        python, _ = postprocess(c["rendered"], fields_only(c["t"]["k8s"]), c["target"], ())
        ours = [parse(got[(c["id"], i)]) for i in range(len(c["rendered"]))]
        if not gio.same(ours, python):
            problems.append(f"{c['id']}:\n{gio.diff(python, ours, 'python', 'helper')}")
    assert not problems, "\n".join(problems[:5])


# ------------------------------------------------------------------------------------------ generated merges

def draw(strategy: st.SearchStrategy, n: int) -> list:
    out: list = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value):
        out.append(value)

    collect()
    return out


def generated() -> list[tuple[str, dict, dict]]:
    workloads = st.tuples(
        gen.workload(gen.POD, gen.META, {"strategy": gen.STRATEGY, "replicas": st.integers(1, 3)}),
        gen.workload(gen.POD_P, gen.META_P, {"strategy": gen.STRATEGY_P, "replicas": gen.nullable(st.integers(1, 3))}),
        gen.S([gen.DEPLOYMENT, gen.DAEMONSET])).map(lambda t: (t[2], t[0], t[1]))
    others = st.one_of(st.tuples(st.just(gen.SERVICE), gen.SERVICE_SPEC, gen.SERVICE_SPEC_P),
                       st.tuples(st.just(gen.HPA), gen.HPA_SPEC, gen.nulled(gen.HPA_SPEC)),
                       st.tuples(st.just(gen.PDB), gen.PDB_SPEC, gen.nulled(gen.PDB_SPEC))).map(
        lambda t: (t[0], {"metadata": {"name": "x", "annotations": {"a": "1"}}, "spec": t[1]},
                   {"metadata": {"annotations": {"b": "2"}}, "spec": t[2]}))
    odd = st.tuples(st.lists(gen.TREE_CONTAINER, max_size=3), st.lists(st.one_of(
        gen.TREE_CONTAINER, st.dictionaries(gen.TREE_KEYS, gen.TREE, max_size=5)), max_size=3)).map(
        lambda t: (gen.DEPLOYMENT, gen.pod_of(t[0]), gen.pod_of(t[1])))
    out = [(curated.DEPLOYMENT, curated.BASE, patch) for _, patch in curated.CURATED]
    out += [(kind, original, patch) for _, kind, original, patch in curated.OTHER]
    out += draw(workloads, 300) + draw(others, 200) + [c for c in draw(odd, 200) if gen.one_go_answer(c[2])]
    # Numbers as the helper sees them (every one a float64, whole ones written as integers).
    return [(kind, _json_numbers(o), _json_numbers(p)) for kind, o, p in out]


@pytest.fixture(scope="module")
def merges() -> tuple[list[dict], list[dict]]:
    """(cases Python merges, with its answer; cases Python rejects)."""
    ok, rejected = [], []
    for n, (kind, original, patch) in enumerate(generated()):
        case = {"id": f"g{n}", "kind": kind, "original": original, "patch": patch}
        try:
            ok.append({**case, "expected": strategic_merge(original, patch, kind)})
        except SmpError:
            rejected.append(case)
    return ok, rejected


def test_generated_merges_equal_python(helm, chart, merges):
    ok, _ = merges
    assert len(ok) >= 400
    got = documents(helm, chart, {"merges": [{k: c[k] for k in ("id", "kind", "original", "patch")} for c in ok]})
    problems = []
    for c in ok:
        ours = json.loads(parse(got[(c["id"], 0)])["merged"])
        if not gio.same(ours, c["expected"]):
            problems.append(f"{c['kind']}\noriginal {json.dumps(c['original'])}\npatch {json.dumps(c['patch'])}\n"
                            f"python {json.dumps(c['expected'], sort_keys=True)}\nhelper {json.dumps(ours, sort_keys=True)}")
    assert not problems, f"{len(problems)} of {len(ok)} differ; first:\n" + "\n\n".join(problems[:3])


def test_patches_python_rejects_fail_the_render(helm, chart, merges):
    _, rejected = merges
    assert len(rejected) >= 20
    for c in rejected[:12] + rejected[12:: max(1, len(rejected) // 12)]:  # the curated ones first
        proc = render(helm, chart, {"merges": [{k: c[k] for k in ("id", "kind", "original", "patch")}]})
        assert proc.returncode != 0 and "helmgen.k8s" in proc.stderr, \
            f"accepted a patch Python rejects:\noriginal {json.dumps(c['original'])}\npatch {json.dumps(c['patch'])}"


# ------------------------------------------------------------------------------------------ text and values

DEPLOYMENT_TEXT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: istiod   # the chart's own formatting and comments
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: discovery
        image: "pilot:1.0"
        readinessProbe: {httpGet: {path: /ready, port: 8080}, initialDelaySeconds: 1, periodSeconds: 3}
"""


@pytest.mark.parametrize("k8s", [{}, None, {"service": {"type": "NodePort"}, "hpaSpec": {"maxReplicas": 3},
                                            "podDisruptionBudget": {"minAvailable": 1}, "serviceAnnotations": {"a": "b"},
                                            "overlays": [], "volumes": [{"name": "v", "emptyDir": {}}]}],
                         ids=["empty", "null", "other-kinds-only"])
def test_text_is_unchanged_when_nothing_applies(helm, chart, k8s):
    got = documents(helm, chart, {"cases": [{"id": "t", "texts": [DEPLOYMENT_TEXT], "k8s": k8s, "container": "discovery"}]})
    assert got[("t", 0)].rstrip("\n") == DEPLOYMENT_TEXT.rstrip("\n")


def test_numbers_come_out_as_integers(helm, chart):
    k8s = {"replicaCount": 3, "readinessProbe": {"periodSeconds": 5, "httpGet": {"port": 15021}}}
    got = documents(helm, chart, {"cases": [{"id": "n", "texts": [DEPLOYMENT_TEXT], "k8s": k8s, "container": "discovery"}]})
    text = got[("n", 0)]
    assert re.search(r"(?m)^  replicas: 3$", text) and "port: 15021\n" in text and "periodSeconds: 5\n" in text
    probe = parse(text)["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    assert probe == {"httpGet": {"path": "/ready", "port": 15021}, "initialDelaySeconds": 1, "periodSeconds": 5}
    assert all(type(v) is int for v in (probe["periodSeconds"], probe["httpGet"]["port"]))


SERVICE_TEXT = "apiVersion: v1\nkind: Service\nmetadata:\n  name: istiod\nspec:\n  ports:\n  - {name: http, port: 80}\n"
NULLS_CHART_TEMPLATE = """{{ range .Values.objects }}---
{{ include "helmgen.k8s.apply" (dict "text" . "k8s" $.Values.k8s "container" "discovery") }}
{{ end }}"""


@pytest.mark.parametrize("how", ["stdin", "values-file", "chart-default"])
def test_explicit_nulls_survive_values_coalescing(helm, chart, tmp_path, how):
    """`k8s.readinessProbe: null` deletes the probe whether helmgen hands the values in on stdin, a user passes
    the translated values file, or the values are a generated chart's defaults (chart default `k8s: {}`)."""
    folder = tmp_path / "nulls"
    shutil.copytree(chart, folder)
    for name in ("apply.yaml", "merge.yaml"):
        (folder / "templates" / name).unlink()
    (folder / "templates" / "objects.yaml").write_text(NULLS_CHART_TEMPLATE)
    (folder / "values.yaml").write_text("k8s: {}\n")
    schema = json.loads((ROOT / "charts" / "istiod" / "values.schema.json").read_text())  # helm checks the nulls
    schema["properties"] = {"k8s": schema["properties"]["k8s"], "objects": {"type": "array"}}
    (folder / "values.schema.json").write_text(json.dumps(schema))
    values = {"k8s": {"readinessProbe": None, "podAnnotations": {"a": None, "b": "c"}, "resources": {"limits": None},
                      "replicaCount": 3, "service": {"ports": [{"port": 80, "nodePort": 30080}]}},
              "objects": [DEPLOYMENT_TEXT.replace("    spec:\n", "    metadata: {annotations: {a: x}}\n    spec:\n"),
                          SERVICE_TEXT]}
    extra: list[str] = []
    if how == "values-file":
        (tmp_path / "v.yaml").write_text(yaml.safe_dump(values))
        extra, values = ["-f", str(tmp_path / "v.yaml")], {}
    elif how == "chart-default":
        (folder / "values.yaml").write_text(yaml.safe_dump(values))
        values = {}
    proc = render(helm, folder, values, extra)
    assert proc.returncode == 0, proc.stderr
    found = {o["kind"]: o for o in yaml.load_all(proc.stdout, Loader=GoYamlLoader) if o}
    obj, service = found["Deployment"], found["Service"]
    template = obj["spec"]["template"]
    assert "readinessProbe" not in template["spec"]["containers"][0]
    assert template["metadata"]["annotations"] == {"b": "c"}
    # Numbers too (Helm 3.18.0 reads a chart's values.yaml numbers as json.Number): merged by port, not appended.
    assert obj["spec"]["replicas"] == 3 and type(obj["spec"]["replicas"]) is int
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "nodePort": 30080}]


# ------------------------------------------------------------------------------------------ our charts end to end

OUR_CHARTS_IOP = """apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  profile: minimal
  components:
    pilot:
      k8s:
        readinessProbe: null
        replicaCount: 3
        env: [{name: HELMGEN_EXTRA, value: "1"}]
        podDisruptionBudget: {maxUnavailable: 1}
        volumes: [{name: v, emptyDir: {}}]
        overlays:
          - kind: Deployment
            name: istiod
            patches: [{path: spec.minReadySeconds, value: 7}]
"""


def test_our_charts_apply_the_fields_and_helmgen_only_the_overlays(helm, tmp_path):
    """helmgen template with our charts: the chart applied the structured fields (its value k8s), helmgen the
    overlays, in process and through the post-renderer alike, with the same warnings."""
    from helmgen import render
    from helmgen.postprocess.stream import load_stream
    src = tmp_path / "iop.yaml"
    src.write_text(OUR_CHARTS_IOP)
    opts = api.Options((str(src),))
    results = [render.template(opts, helm_path=helm), render.template(opts, helm_path=helm, use_post_renderer=True)]
    for result in results:
        [istiod] = [o for o in load_stream(result.text) if o["kind"] == "Deployment" and o["metadata"]["name"] == "istiod"]
        container = next(c for c in istiod["spec"]["template"]["spec"]["containers"] if c["name"] == "discovery")
        assert "readinessProbe" not in container and istiod["spec"]["replicas"] == 3
        assert container["env"][0] == {"name": "HELMGEN_EXTRA", "value": "1"}
        assert istiod["spec"]["minReadySeconds"] == 7
        assert not any(v.get("name") == "v" for v in istiod["spec"]["template"]["spec"].get("volumes") or [])
        assert sorted(str(w.path[-1]) for w in result.warnings if w.path[:3] == ("spec", "components", "pilot")) == [
            "podDisruptionBudget", "volumes"], [str(w) for w in result.warnings]  # autoscaleMin 1: no PDB rendered
