"""helmgen lint's four reports (text, JSON, JUnit, SARIF) on one fixed set of results.

The set: an IstioOperator with errors, warnings and notes (two of them on line 0, XML-special and non-ASCII text),
a clean file, a chart folder, a file whose rules_checked is empty (a space in its name, a control character in a
message) and a file with neither rules nor findings. Expected counts are written by hand.
"""
import ast
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

import helmgen
from helmgen.lint.findings import FileResult, Finding, Level
from helmgen.lint.reports import FORMATS, render
from helmgen.lint.rules import RULES

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"
REPORTS = Path(helmgen.__file__).resolve().parent / "lint" / "reports"

IOP = "examples/istio.yaml"
WARN = "examples/warn only.yaml"
CHECKED = ("HG001", "HG002", "HG003", "HG005", "HG010", "HG030")
E, W, N = Level.ERROR, Level.WARNING, Level.NOTE
XML_SPECIAL = "spec.meshConfig.x: <tag> & \"quote\" 'apos' is not a field"
UNICODE = "spec.components.pilot.k8s.replicaCount is ignored: autoscaling is on — réplicas ≠ 1 ✓"
BELL = "spec.components.pilot.k8s: ünïcode and a bell \x07"


def results() -> list[FileResult]:
    iop = [  # deliberately not in sort order
        Finding("HG002", E, "spec.values.global.hubb is unknown", IOP, 12, ("spec", "values", "global", "hubb"),
                "did you mean spec.values.global.hub?"),
        Finding("HG030", N, "spec.components.ingressGateways[0].k8s is carried as the chart value k8s", IOP, 0,
                ("spec", "components", "ingressGateways", 0, "k8s")),
        Finding("HG002", E, XML_SPECIAL, IOP, 3, ("spec", "meshConfig", "x")),
        Finding("HG005", W, UNICODE, IOP, 7, ("spec", "components", "pilot", "k8s", "replicaCount"),
                "set hpaSpec.minReplicas"),
        Finding("HG010", W, "spec.values.global.arch is deprecated", IOP, 0, ("spec", "values", "global", "arch"),
                "use affinity"),
    ]
    chart = [Finding("HG050", E, "[ERROR] templates/: parse error: unexpected <if> & {{ end }}", "charts/istiod")]
    warn = [Finding("HG030", N, BELL, WARN, 5, ("spec", "components", "pilot", "k8s")),
            Finding("HG031", W, "spec.components.pilot.k8s.overlays needs the post-renderer", WARN, 4,
                    ("spec", "components", "pilot", "k8s", "overlays"), "use helmgen install")]
    return [
        FileResult(IOP, "istiooperator", iop, CHECKED, 0.25),
        FileResult("examples/clean.yaml", "istiooperator", [], CHECKED, 0.125),
        FileResult("charts/istiod", "chart", chart, ("HG050",), 1.5),
        FileResult(WARN, "istiooperator", warn, ()),
        FileResult("examples/unread.yaml", "istiooperator", [], ()),
    ]


# ---------------------------------------------------------------------------------------------------- all formats

@pytest.mark.parametrize("fmt", FORMATS)
def test_same_input_same_bytes_whatever_the_order_of_findings(fmt):
    once = render(results(), RULES, fmt, strict=True)
    shuffled = [FileResult(r.file, r.kind, list(reversed(r.findings)), r.rules_checked, r.seconds)
                for r in results()]
    assert render(shuffled, RULES, fmt, strict=True) == once == render(results(), RULES, fmt, strict=True)
    assert once.endswith("\n")


@pytest.mark.parametrize("fmt", ["json", "junit", "sarif"])
def test_machine_formats_are_ascii_whatever_the_messages(fmt):
    assert render(results(), RULES, fmt).isascii()


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="yaml"):
        render(results(), RULES, "yaml")


def test_reports_do_no_io():
    io = {"os", "sys", "subprocess", "shutil", "tempfile", "pathlib", "time", "datetime", "random", "socket",
          "click", "io", "logging"}
    for path in REPORTS.glob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module.split(".")[0])
        assert not names & io, (path.name, names & io)
        assert len(path.read_text().splitlines()) <= 200, path.name


# ---------------------------------------------------------------------------------------------------------- text

TEXT = """\
examples/istio.yaml: warning HG010(deprecated-value): spec.values.global.arch is deprecated (fix: use affinity)
examples/istio.yaml:3: error HG002(invalid-field): spec.meshConfig.x: <tag> & "quote" 'apos' is not a field
examples/istio.yaml:7: warning HG005(validation-warning): {unicode} (fix: set hpaSpec.minReplicas)
examples/istio.yaml:12: error HG002(invalid-field): spec.values.global.hubb is unknown \
(fix: did you mean spec.values.global.hub?)
examples/istio.yaml: note HG030(k8s-as-chart-value): spec.components.ingressGateways[0].k8s is carried as the \
chart value k8s
charts/istiod: error HG050(chart-lint): [ERROR] templates/: parse error: unexpected <if> & {{{{ end }}}}
examples/warn only.yaml:4: warning HG031(k8s-needs-post-renderer): spec.components.pilot.k8s.overlays needs the \
post-renderer (fix: use helmgen install)
examples/warn only.yaml:5: note HG030(k8s-as-chart-value): {bell}

5 files checked: 3 errors, 3 warnings, 2 notes; failed: {failed}
""".format


def test_text_lines_grouped_by_file_sorted_notes_last():
    assert render(results(), RULES, "text") == TEXT(unicode=UNICODE, bell=BELL, failed="3 errors")


def test_text_strict_says_warnings_fail_too():
    assert render(results(), RULES, "text", strict=True) == TEXT(
        unicode=UNICODE, bell=BELL, failed="3 errors and 3 warnings (--strict)")


def test_text_summary_pass_and_strict_warning_only():
    warn_only = [results()[3]]
    assert render(warn_only, RULES, "text").splitlines()[-1] == "1 file checked: 0 errors, 1 warning, 1 note"
    assert render(warn_only, RULES, "text", strict=True).splitlines()[-1] == (
        "1 file checked: 0 errors, 1 warning, 1 note; failed: 1 warning (--strict)")
    assert render([results()[1]], RULES, "text") == "1 file checked: 0 errors, 0 warnings, 0 notes\n"


def test_text_colour_only_when_asked_and_multiline_messages_stay_indented():
    plain, coloured = render(results(), RULES, "text"), render(results(), RULES, "text", color=True)
    assert "\x1b[" not in plain
    assert "\x1b[1;31merror\x1b[0m" in coloured and "\x1b[33mwarning\x1b[0m" in coloured
    assert "\x1b[36mnote\x1b[0m" in coloured
    multi = [FileResult("a.yaml", "istiooperator", [Finding("HG001", E, "line one\nline two", "a.yaml", 2)])]
    assert render(multi, RULES, "text").splitlines()[:2] == [
        "a.yaml:2: error HG001(unreadable-input): line one", "    line two"]


# ---------------------------------------------------------------------------------------------------------- JSON

def test_json_parses_and_counts():
    doc = json.loads(render(results(), RULES, "json", tool_version="9.8.7"))
    assert list(doc) == ["version", "tool", "summary", "files", "rules"]
    assert doc["version"] == 1 and doc["tool"] == {"name": "helmgen", "version": "9.8.7"}
    assert doc["summary"] == {"files": 5, "errors": 3, "warnings": 3, "notes": 2, "failed": True}
    assert [(f["file"], f["kind"], f["failed"], len(f["findings"])) for f in doc["files"]] == [
        (IOP, "istiooperator", True, 5), ("examples/clean.yaml", "istiooperator", False, 0),
        ("charts/istiod", "chart", True, 1), (WARN, "istiooperator", False, 2),
        ("examples/unread.yaml", "istiooperator", False, 0)]
    assert len(doc["rules"]) == len(RULES) and doc["rules"][0] == {
        "id": "HG001", "name": "unreadable-input", "level": "error", "summary": RULES[0].summary}


def test_json_findings_in_sort_key_order_with_every_field():
    doc = json.loads(render(results(), RULES, "json"))
    iop = doc["files"][0]["findings"]
    assert [(f["line"], f["rule"]) for f in iop] == [(0, "HG010"), (0, "HG030"), (3, "HG002"), (7, "HG005"),
                                                     (12, "HG002")]
    assert list(iop[0]) == ["rule", "name", "level", "message", "file", "line", "path", "fix"]
    assert iop[1]["path"] == "spec.components.ingressGateways[0].k8s" and iop[1]["fix"] == ""
    assert iop[2]["message"] == XML_SPECIAL and iop[3]["message"] == UNICODE and iop[3]["level"] == "warning"
    assert doc["files"][2]["findings"][0]["path"] == ""
    assert doc["files"][3]["findings"][1]["message"] == BELL
    assert doc["tool"]["version"] == helmgen.__version__


def test_json_strict_fails_warning_files():
    doc = json.loads(render(results(), RULES, "json", strict=True))
    assert [f["failed"] for f in doc["files"]] == [True, False, True, True, False]
    clean = json.loads(render([results()[1]], RULES, "json", strict=True))
    assert clean["summary"]["failed"] is False


# --------------------------------------------------------------------------------------------------------- JUnit

def suites(strict: bool) -> ET.Element:
    return ET.fromstring(render(results(), RULES, "junit", strict=strict))


@pytest.mark.parametrize("strict, failures, per_file", [
    (False, 2, [(6, 1), (6, 0), (1, 1), (2, 0), (1, 0)]),
    (True, 5, [(6, 3), (6, 0), (1, 1), (2, 1), (1, 0)]),
])
def test_junit_counts(strict, failures, per_file):
    root = suites(strict)
    assert root.tag == "testsuites" and root.get("name") == "helmgen lint"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("16", str(failures), "0")
    found = [(int(s.get("tests")), int(s.get("failures"))) for s in root.findall("testsuite")]
    assert found == per_file
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        assert len(cases) == int(suite.get("tests"))
        assert sum(c.find("failure") is not None for c in cases) == int(suite.get("failures"))
        assert {c.get("classname") for c in cases} == {suite.get("name")}


def test_junit_cases_and_failure_text():
    root = suites(strict=False)
    iop, _, chart, warn, unread = root.findall("testsuite")
    assert iop.get("name") == IOP and iop.get("time") == "0.250"
    assert [c.get("name") for c in iop] == ["HG001 unreadable-input", "HG002 invalid-field", "HG003 invalid-value",
                                            "HG005 validation-warning", "HG010 deprecated-value",
                                            "HG030 k8s-as-chart-value"]
    failure = iop[1].find("failure")
    assert failure.get("type") == "HG002" and failure.get("message") == f"2 findings: {XML_SPECIAL}"
    assert failure.text.splitlines() == [
        f"{IOP}:3: error HG002(invalid-field): {XML_SPECIAL}",
        f"{IOP}:12: error HG002(invalid-field): spec.values.global.hubb is unknown "
        "(fix: did you mean spec.values.global.hub?)"]
    assert iop[3].find("failure") is None and UNICODE in iop[3].find("system-out").text
    assert iop[0].find("system-out") is None and iop[0].find("failure") is None
    assert chart[0].get("name") == "HG050 chart-lint" and "<if> & {{ end }}" in chart[0].find("failure").text
    assert [c.get("name") for c in warn] == ["HG030 k8s-as-chart-value", "HG031 k8s-needs-post-renderer"]
    assert warn[0].find("system-out").text.endswith("a bell \ufffd")     # the control character XML can't hold
    assert [c.get("name") for c in unread] == ["checked"]


def test_junit_strict_moves_warnings_to_failures():
    iop = suites(strict=True).find("testsuite")
    assert iop[3].find("failure").get("message") == UNICODE and iop[3].find("system-out") is None
    assert iop[5].find("failure") is None and iop[5].find("system-out") is not None   # notes never fail


# --------------------------------------------------------------------------------------------------------- SARIF

@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft4Validator            # the draft the schema declares
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def sarif(**kw) -> dict:
    return json.loads(render(results(), RULES, "sarif", **kw))


def test_sarif_validates_against_the_oasis_schema(validator):
    validator.validate(sarif())
    validator.validate(json.loads(render([], RULES, "sarif")))
    absolute = [FileResult("/abs/dir/iop.yaml", "istiooperator", [Finding("HG001", E, "bad", "/abs/dir/iop.yaml")])]
    doc = json.loads(render(absolute, RULES, "sarif"))
    validator.validate(doc)
    assert doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///abs/dir/iop.yaml"}


def test_sarif_validation_can_fail(validator):
    doc = sarif()
    del doc["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError, match="'message' is a required property"):
        validator.validate(doc)


def test_sarif_driver_and_run(validator):
    doc = sarif(tool_version="1.2.3")
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json" and doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == ("helmgen", "1.2.3", "1.2.3")
    assert driver["informationUri"] == "https://github.com/helmgen/helmgen"
    assert [r["id"] for r in driver["rules"]] == [r.id for r in RULES]
    assert driver["rules"][4] == {"id": "HG005", "name": "validation-warning",
                                  "shortDescription": {"text": RULES[4].summary},
                                  "fullDescription": {"text": RULES[4].help}, "help": {"text": RULES[4].help},
                                  "defaultConfiguration": {"level": "warning"}}
    assert run["invocations"] == [{"executionSuccessful": True}] and run["columnKind"] == "unicodeCodePoints"


def test_sarif_results():
    results_ = sarif()["runs"][0]["results"]
    assert len(results_) == 8
    rules = sarif()["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results_)
    assert [(r["ruleId"], r["level"]) for r in results_[:5]] == [
        ("HG010", "warning"), ("HG030", "note"), ("HG002", "error"), ("HG005", "warning"), ("HG002", "error")]
    first = results_[0]
    assert first["message"] == {"text": "spec.values.global.arch is deprecated (fix: use affinity)"}
    (loc,) = first["locations"]
    assert loc["physicalLocation"] == {"artifactLocation": {"uri": IOP, "uriBaseId": "%SRCROOT%"},
                                       "region": {"startLine": 1}}                 # line 0: GitHub needs a line
    assert loc["logicalLocations"] == [{"fullyQualifiedName": "spec.values.global.arch", "kind": "member"}]
    assert results_[2]["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
    assert results_[3]["message"]["text"] == f"{UNICODE} (fix: set hpaSpec.minReplicas)"
    chart = results_[5]["locations"][0]
    assert chart["physicalLocation"]["artifactLocation"]["uri"] == "charts/istiod" and "logicalLocations" not in chart
    assert results_[6]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "examples/warn%20only.yaml"


def test_sarif_fingerprints_distinct_and_stable_across_lines():
    prints = [r["partialFingerprints"]["helmgenFindingHash/v1"] for r in sarif()["runs"][0]["results"]]
    assert len(set(prints)) == len(prints) and all(len(p) == 64 for p in prints)
    moved = [FileResult(IOP, "istiooperator", [Finding("HG002", E, XML_SPECIAL, IOP, 30, ("spec", "meshConfig", "x"))])]
    (again,) = json.loads(render(moved, RULES, "sarif"))["runs"][0]["results"]
    assert again["partialFingerprints"]["helmgenFindingHash/v1"] == prints[2]
