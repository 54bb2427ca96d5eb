"""Golden tests: each folder here holding an input.yaml is one case.

A case folder holds `input.yaml` (an IstioOperator), optionally `input2.yaml` (a second -f file),
optionally `args.yaml` (`{sets: [...], revision: ..., force: bool}`), and `expected/` with the
files `helmgen translate` writes. YAML files are compared as parsed objects, README.md as text.

Regenerate with `HELMGEN_REGEN=1 pytest tests/golden`; every regenerated case then fails with
"regenerated; review the diff", so a regeneration never passes silently.
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
import yaml

from helmgen.api import Options, translate
from helmgen.output import render_files

HERE = Path(__file__).resolve().parent
CASES = sorted(p.name for p in HERE.iterdir() if p.is_dir() and (p / "input.yaml").is_file())


def _inputs(case: Path) -> list[Path]:
    return [p for p in (case / "input.yaml", case / "input2.yaml") if p.is_file()]


def _args(case: Path) -> dict:
    path = case / "args.yaml"
    if not path.is_file():
        return {}
    args = yaml.safe_load(path.read_text()) or {}
    unknown = set(args) - {"sets", "revision", "force"}
    assert not unknown, f"{path}: unknown keys {sorted(unknown)}"
    return args


def _render(case: Path) -> dict[str, str]:
    """The files translate writes, without the generated charts under charts/: those are copies of our charts
    (whose templates change on their own) with the values as defaults, tested by the equivalence tier."""
    args = _args(case)
    tr = translate(Options(
        files=tuple(str(p) for p in _inputs(case)),
        sets=tuple(args.get("sets") or ()),
        revision=args.get("revision"),
        force=bool(args.get("force", False)),
    ))
    return {name: text for name, text in render_files(tr, case / "expected").items()
            if not name.startswith("charts/")}


def _diff(expected: str, actual: str, name: str) -> str:
    return "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                        f"expected/{name}", f"actual/{name}"))


def _canonical_yaml(obj: object) -> str:
    return yaml.safe_dump(obj, sort_keys=True, default_flow_style=False, width=1000)


def test_cases_exist():
    assert len(CASES) >= 28, f"only {len(CASES)} golden cases"


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str):
    folder = HERE / case
    actual = _render(folder)
    expected_dir = folder / "expected"

    if os.environ.get("HELMGEN_REGEN") == "1":
        expected_dir.mkdir(exist_ok=True)
        for old in expected_dir.iterdir():
            if old.is_file() and old.name not in actual:
                old.unlink()
        for name, text in actual.items():
            (expected_dir / name).write_text(text)
        pytest.fail(f"{case}: regenerated; review the diff (git diff {expected_dir})")

    assert expected_dir.is_dir(), f"{case}: no expected/ folder; run with HELMGEN_REGEN=1"
    expected_names = sorted(p.name for p in expected_dir.iterdir() if p.is_file())
    assert sorted(actual) == expected_names, (
        f"{case}: file sets differ\n  only expected: {sorted(set(expected_names) - set(actual))}"
        f"\n  only actual:   {sorted(set(actual) - set(expected_names))}")

    failures = []
    for name in expected_names:
        want_text = (expected_dir / name).read_text()
        got_text = actual[name]
        if name.endswith((".yaml", ".yml")):
            want, got = yaml.safe_load(want_text), yaml.safe_load(got_text)
            if want != got:
                failures.append(_diff(_canonical_yaml(want), _canonical_yaml(got), name))
        elif want_text != got_text:
            failures.append(_diff(want_text, got_text, name))
    assert not failures, f"{case}: output differs from expected/\n" + "\n".join(failures)
