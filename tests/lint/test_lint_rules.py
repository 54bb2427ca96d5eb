"""Each lint rule fires on the input made for it (tests/lint/inputs/<RULE>-*.yaml, a chart folder for HG050), and
the bundled example has nothing above a note; through the CLI, on Helm 3.18 and Helm 4.1."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helmgen.lint.objects import crd_schemas, schema_findings
from helmgen.lint.rules import RULES

ROOT = Path(__file__).resolve().parents[2]
INPUTS = Path(__file__).resolve().parent / "inputs"
EXAMPLE = ROOT / "examples" / "istio-operator.yaml"
MADE = sorted(INPUTS.iterdir())


@pytest.fixture(scope="module", params=["HELMGEN_HELM3", "HELMGEN_HELM4"], ids=["helm3", "helm4"])
def helm(request):
    path = os.environ.get(request.param)
    assert path and Path(path).is_file(), f"{request.param} must name a helm binary (make test sets it up)"
    return path


def lint(helm: str, *args: str) -> tuple[int, dict]:
    proc = subprocess.run([sys.executable, "-m", "helmgen.cli", "lint", "--format", "json", *args],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "HELMGEN_HELM": helm})
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture(scope="module")
def made(helm) -> tuple[int, dict]:
    """Every made input in one run (as CI would lint a folder): (exit code, report)."""
    return lint(helm, str(INPUTS))


def expected_rules(path: Path) -> set[str]:
    return {part for part in path.name.split("-") if part.startswith("HG") and part[2:].isdigit()}


def found_rules(report: dict, path: Path) -> dict[str, str]:
    [entry] = [f for f in report["files"] if Path(f["file"]).resolve() == path.resolve()]
    return {f["rule"]: f["level"] for f in entry["findings"]}


@pytest.mark.parametrize("path", MADE, ids=[p.name for p in MADE])
def test_each_rule_fires_on_its_input(made, path):
    _, report = made
    found = found_rules(report, path)
    assert expected_rules(path) <= set(found), found
    for rule in expected_rules(path):
        assert found[rule] == next(r.level.value for r in RULES if r.id == rule)


def test_every_rule_has_an_input_or_a_reason():
    covered = set().union(*(expected_rules(p) for p in MADE))
    assert {r.id for r in RULES} - covered == {"HG021"}   # no IstioOperator renders an Istio resource: see below


def test_hg021_an_istio_resource_our_crds_refuse():
    crd = {"kind": "CustomResourceDefinition",
           "spec": {"group": "networking.istio.io", "names": {"kind": "Gateway"},
                    "versions": [{"name": "v1", "schema": {"openAPIV3Schema": {
                        "type": "object", "properties": {"spec": {"type": "object", "properties": {
                            "selector": {"type": "object", "additionalProperties": {"type": "string"}}}}}}}}]}}
    bad = {"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": {"name": "g"},
           "spec": {"selector": {"istio": 1}}}
    good = {**bad, "spec": {"selector": {"istio": "ingressgateway"}}}
    crds = crd_schemas([crd])
    assert [r for r, _, _ in schema_findings([bad], "1.35.0", crds)] == ["HG021"]
    assert list(schema_findings([good], "1.35.0", crds)) == []
    unknown = {**good, "apiVersion": "networking.istio.io/v9"}
    assert [r for r, _, _ in schema_findings([unknown], "1.35.0", crds)] == ["HG021"]


def test_the_made_inputs_fail_the_lint(made):
    code, report = made
    assert code == 1 and report["summary"]["failed"]


def test_the_example_has_no_errors_or_warnings(helm):
    code, report = lint(helm, str(EXAMPLE))
    assert code == 0, report
    levels = {f["level"] for f in report["files"][0]["findings"]}
    assert levels <= {"note"}, report
    code, _ = lint(helm, "--strict", str(EXAMPLE))
    assert code == 0


def test_strict_fails_on_warnings(helm):
    path = INPUTS / "HG010-deprecated-value.yaml"
    assert lint(helm, str(path))[0] == 0
    assert lint(helm, "--strict", str(path))[0] == 1


def test_findings_name_the_line_of_the_path(made):
    _, report = made
    [entry] = [f for f in report["files"] if f["file"].endswith("HG002-unknown-field.yaml")]
    [finding] = entry["findings"]
    assert finding["line"] == 8 and finding["path"] == "spec.components.pilot.k8s.replicas"
    assert "did you mean replicaCount" in finding["message"]


def test_kube_version_is_checked_and_used(helm):
    proc = subprocess.run([sys.executable, "-m", "helmgen.cli", "lint", "--kube-version", "1.9", str(EXAMPLE)],
                          capture_output=True, text=True, env={**os.environ, "HELMGEN_HELM": helm})
    assert proc.returncode == 2 and "not supported" in proc.stderr
    _, report = lint(helm, "--kube-version", "v1.32.3", str(INPUTS / "HG020-kubernetes-schema.yaml"))
    messages = [f["message"] for f in report["files"][0]["findings"] if f["rule"] == "HG020"]
    assert messages and all("(Kubernetes 1.32)" in m for m in messages)


def test_a_missing_path_is_an_error_naming_it(helm, tmp_path):
    code, report = lint(helm, str(tmp_path / "nope.yaml"))
    assert code == 1 and report["files"][0]["findings"][0]["message"] == "no such file or folder"


def test_the_report_file_is_written_whole(helm, tmp_path):
    out = tmp_path / "report" / "lint.sarif"
    proc = subprocess.run([sys.executable, "-m", "helmgen.cli", "lint", "--format", "sarif", "-o", str(out),
                           str(EXAMPLE)], capture_output=True, text=True, env={**os.environ, "HELMGEN_HELM": helm})
    assert proc.returncode == 0 and proc.stdout == "", proc
    assert json.loads(out.read_text())["version"] == "2.1.0"
    assert [p.name for p in out.parent.iterdir()] == ["lint.sarif"]
