"""The SARIF 2.1.0 report, for code scanning: GitHub code scanning (github/codeql-action/upload-sarif), GitLab
(via a SARIF-to-Code-Quality converter), Azure DevOps' SARIF viewer, VS Code's SARIF viewer, DefectDojo.

One run; `tool.driver` lists every rule (its summary as shortDescription, its help as fullDescription and help,
its level as defaultConfiguration.level); each finding is a result pointing at its rule by id and index. What
GitHub needs is there: a region on every location (startLine 1 when the line is unknown), relative URIs with the
uriBaseId `%SRCROOT%` (the checkout), and `partialFingerprints` so that an alert found again on the next run is
the same alert. The IstioOperator path of a finding is a logical location (kind "member").

The document validates against the OASIS SARIF 2.1.0 schema (tests/data/sarif-schema-2.1.0.json). Keys come in a
fixed order, indented by two spaces: the same results give the same bytes.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import quote

from helmgen.lint.findings import FileResult, Finding, Rule
from helmgen.lint.reports.common import ordered, with_fix

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/helmgen/helmgen"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "helmgenFindingHash/v1"
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")


def artifact_location(file: str) -> dict[str, str]:
    """The file as given, as a URI: forward slashes, percent-encoded; relative to `%SRCROOT%` unless absolute
    (then a file: URI of its own)."""
    path = file.replace("\\", "/")
    if path.startswith("/") or _WINDOWS_DRIVE.match(path):
        return {"uri": "file://" + ("" if path.startswith("/") else "/") + quote(path, safe="/:")}
    while path.startswith("./"):
        path = path[2:]
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def fingerprint(finding: Finding) -> str:
    """sha256 of rule, file (forward slashes), IstioOperator path and message, NUL-separated: stable across runs
    while the finding is the same, whatever line it moved to."""
    parts = (finding.rule, finding.file.replace("\\", "/"), finding.where, finding.message)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.help},
        "help": {"text": rule.help},
        "defaultConfiguration": {"level": rule.level.value},
    }


def result_object(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    location: dict[str, Any] = {"physicalLocation": {
        "artifactLocation": artifact_location(finding.file),
        "region": {"startLine": finding.line if finding.line > 0 else 1},
    }}
    if finding.path:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.where, "kind": "member"}]
    result: dict[str, Any] = {"ruleId": finding.rule}
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    result.update({
        "level": finding.level.value,
        "message": {"text": with_fix(finding.message, finding.fix)},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: fingerprint(finding)},
    })
    return result


def sarif_log(results: list[FileResult], rules: tuple[Rule, ...], tool_version: str) -> dict[str, Any]:
    """The SARIF log as plain data (what `render_sarif` dumps)."""
    index = {r.id: i for i, r in enumerate(rules)}
    return {
        "$schema": SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "helmgen",
                "version": tool_version,
                "semanticVersion": tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(r) for r in rules],
            }},
            "invocations": [{"executionSuccessful": True}],
            "columnKind": "unicodeCodePoints",
            "results": [result_object(f, index) for r in results for f in ordered(r.findings)],
        }],
    }


def render_sarif(results: list[FileResult], rules: tuple[Rule, ...], tool_version: str = "") -> str:
    return json.dumps(sarif_log(results, rules, tool_version), indent=2) + "\n"
