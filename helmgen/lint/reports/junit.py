"""The JUnit XML report, for CI systems' test views: GitLab (`artifacts:reports:junit`), Jenkins (the junit step),
GitHub test reporters (dorny/test-reporter, mikepenz/action-junit-report, EnricoMi/publish-unit-test-result).

Each linted file is a test suite; each rule checked on it a test case (`classname` the file, `name`
"RULEID name"). A case fails when it has a finding that fails the lint (an error; a warning under --strict):
`<failure type="RULEID">` lists every failing finding on a line of its own, with its line number. Findings that
do not fail (warnings without --strict, notes) are kept in the case's `<system-out>`. `errors` is always 0:
errors in JUnit mean the test could not run, and a file that cannot be read is a finding (HG001), a failure.

Built with xml.etree (which escapes &, <, > and quotes); characters XML 1.0 cannot hold at all (control
characters) become U+FFFD; other non-ASCII characters are written as character references, so the report is
plain ASCII whatever the encoding it is written in. Indented by two spaces, attributes in a fixed order: the same
results give the same bytes.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from helmgen.lint.findings import FileResult, Finding, Rule
from helmgen.lint.reports.common import fails, ordered, rule_names
from helmgen.lint.reports.text import finding_line

SUITES_NAME = "helmgen lint"
NO_RULE_CASE = "checked"        # the one case of a file with no rule recorded and no finding
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Text XML 1.0 can hold: control characters (other than tab and newlines) become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def case_rules(result: FileResult) -> list[str]:
    """The rules of the file's test cases: those checked on it, then any rule a finding names that is not
    among them (sorted), so that no finding is left out of the report."""
    ids = list(dict.fromkeys(result.rules_checked))
    ids += sorted({f.rule for f in result.findings} - set(ids))
    return ids


def _case(suite: ET.Element, file: str, name: str, findings: list[Finding], names: dict[str, str],
          strict: bool) -> bool:
    """Add one test case; return whether it failed."""
    case = ET.SubElement(suite, "testcase", {"classname": xml_text(file), "name": xml_text(name)})
    failing = [f for f in findings if fails(f, strict)]
    passing = [f for f in findings if not fails(f, strict)]
    if failing:
        first = failing[0].message if len(failing) == 1 else f"{len(failing)} findings: {failing[0].message}"
        failure = ET.SubElement(case, "failure", {"message": xml_text(first), "type": failing[0].rule})
        failure.text = xml_text("\n".join(finding_line(f, names) for f in failing))
    if passing:
        out = ET.SubElement(case, "system-out")
        out.text = xml_text("\n".join(finding_line(f, names) for f in passing))
    return bool(failing)


def _suite(root: ET.Element, result: FileResult, names: dict[str, str], strict: bool) -> tuple[int, int]:
    """Add the test suite of one file; return its (tests, failures)."""
    suite = ET.SubElement(root, "testsuite", {"name": xml_text(result.file)})
    found = ordered(result.findings)
    rules = case_rules(result)
    if rules:
        failed = [_case(suite, result.file, f"{rid} {names[rid]}" if rid in names else rid,
                        [f for f in found if f.rule == rid], names, strict) for rid in rules]
    else:
        failed = [_case(suite, result.file, NO_RULE_CASE, [], names, strict)]
    tests, failures = len(failed), sum(failed)
    suite.attrib.update({"tests": str(tests), "failures": str(failures), "errors": "0", "skipped": "0",
                         "time": f"{result.seconds:.3f}"})
    return tests, failures


def render_junit(results: list[FileResult], rules: tuple[Rule, ...], strict: bool = False) -> str:
    names = rule_names(rules)
    root = ET.Element("testsuites", {"name": SUITES_NAME})
    counts = [_suite(root, r, names, strict) for r in results]
    root.attrib.update({"tests": str(sum(t for t, _ in counts)), "failures": str(sum(f for _, f in counts)),
                        "errors": "0", "time": f"{sum(r.seconds for r in results):.3f}"})
    ET.indent(root, space="  ")
    xml = ET.tostring(root, encoding="unicode").encode("ascii", "xmlcharrefreplace").decode("ascii")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml + "\n"
