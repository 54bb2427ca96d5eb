"""Golden tests of `components.*.k8s` post-processing against istioctl's own output, without helm or istioctl.

Each case folder (see README.md and pp_golden_io.py) holds the objects helm rendered for one component
(rendered.yaml), the same objects as `istioctl manifest generate` printed them (expected.yaml), and the k8s
block with its target (target.json). `postprocess` applied to rendered.yaml must give expected.yaml exactly:
same objects, same order, every type strict (1 != 1.0 != True != "1"), and warn about exactly the
IstioOperator paths the case lists. Regenerate with scripts/regen_postprocess_golden.py (needs helm and istioctl).
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import pp_golden_io as gio
from helmgen.errors import Severity
from helmgen.paths import format_path
from helmgen.postprocess.k8s_patches import Target, postprocess
from helmgen.postprocess.stream import GoYamlLoader

CASES = gio.case_dirs()
IDS = [c.name for c in CASES]

# Every k8s field of facts 5.1 (written out here, not read from helmgen).
K8S_FIELDS = {"affinity", "env", "hpaSpec", "imagePullPolicy", "nodeSelector", "podDisruptionBudget",
              "podAnnotations", "priorityClassName", "readinessProbe", "replicaCount", "resources", "strategy",
              "tolerations", "serviceAnnotations", "service", "securityContext", "volumes", "volumeMounts",
              "overlays"}


def _load(case: Path) -> tuple[list[dict], list[dict], dict]:
    return (gio.read_objects(case / "rendered.yaml"), gio.read_objects(case / "expected.yaml"),
            gio.read_target(case / "target.json"))


def _run(case: Path):
    rendered, _, t = _load(case)
    return postprocess(rendered, t["k8s"], Target.from_json(t["target"]), tuple(t["base"]))


def test_there_are_enough_cases_of_both_kinds():
    targets = [gio.read_target(c / "target.json") for c in CASES]
    assert len(CASES) >= 35
    assert sum(not t["noop"] for t in targets) >= 30, "most cases must change the output"
    assert any(t["noop"] for t in targets), "the documented no-op cases are missing"


def test_every_k8s_field_has_a_case():
    used = {field for c in CASES for field in gio.read_target(c / "target.json")["k8s"]}
    assert K8S_FIELDS <= used, f"k8s fields without a case: {sorted(K8S_FIELDS - used)}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_postprocess_equals_istioctl(case):
    rendered, expected, _ = _load(case)
    ours, _ = _run(case)
    assert [gio.ident(o) for o in ours] == [gio.ident(o) for o in expected], "different objects or order"
    assert gio.same(ours, expected), (f"{case.name}: helmgen's post-processing differs from istioctl's output "
                                      f"(types compared strictly):\n{gio.diff(expected, ours)}")
    assert gio.same(rendered, gio.read_objects(case / "rendered.yaml")), "postprocess changed its input objects"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_warnings_name_exactly_what_istioctl_drops(case):
    _, _, t = _load(case)
    _, problems = _run(case)
    assert sorted(format_path(p.path) for p in problems) == sorted(t["warnings"]), [str(p) for p in problems]
    assert all(p.severity is Severity.WARNING for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_case_changes_the_output_unless_documented_as_a_no_op(case):
    """A golden case that passes when post-processing does nothing would prove nothing."""
    rendered, expected, t = _load(case)
    if t["noop"]:
        assert gio.same(rendered, expected), f"documented as a no-op ({t['noop']}), but istioctl changed it"
    else:
        assert not gio.same(rendered, expected), "istioctl's output equals the render: the case proves nothing"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_case_files_belong_together(case):
    """target.json's k8s map is the input's own k8s block, and input.yaml says what the case covers."""
    _, _, t = _load(case)
    text = (case / "input.yaml").read_text()
    assert text.startswith(f"# {t['about']}\n")
    node = yaml.load(text, Loader=GoYamlLoader)
    for key in t["base"]:
        node = node[key]
    assert gio.same(node, t["k8s"])
