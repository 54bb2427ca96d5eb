"""The JSON report, for scripts and dashboards (jq in a CI job, a custom GitLab/Jenkins step, a bot).

Its shape is versioned (`"version": 1`); keys come in a fixed order and the text is indented by two spaces, so
the same results always give the same bytes and a diff between two runs shows only what changed::

    {"version": 1, "tool": {"name", "version"},
     "summary": {"files", "errors", "warnings", "notes", "failed"},
     "files": [{"file", "kind", "failed", "findings": [{"rule", "name", "level", "message", "file", "line",
                                                        "path", "fix"}]}],
     "rules": [{"id", "name", "level", "summary"}]}

`line` is 0 when unknown, `path` the IstioOperator path as users write it ("" when there is none), `fix` "" when
there is none. Non-ASCII text is written as \\u escapes, so the report is plain ASCII whatever the locale.
"""
from __future__ import annotations

import json
from typing import Any

from helmgen.lint.findings import FileResult, Finding, Rule
from helmgen.lint.reports.common import ordered, rule_names, totals

FORMAT_VERSION = 1


def finding_dict(finding: Finding, names: dict[str, str]) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "name": names.get(finding.rule, ""),
        "level": finding.level.value,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
        "path": finding.where,
        "fix": finding.fix,
    }


def report_dict(results: list[FileResult], rules: tuple[Rule, ...], strict: bool, tool_version: str) -> dict:
    """The report as plain data (what `render_json` dumps)."""
    names = rule_names(rules)
    t = totals(results, strict)
    return {
        "version": FORMAT_VERSION,
        "tool": {"name": "helmgen", "version": tool_version},
        "summary": {"files": t.files, "errors": t.errors, "warnings": t.warnings, "notes": t.notes,
                    "failed": t.failed},
        "files": [{"file": r.file, "kind": r.kind, "failed": r.failed(strict),
                   "findings": [finding_dict(f, names) for f in ordered(r.findings)]} for r in results],
        "rules": [{"id": r.id, "name": r.name, "level": r.level.value, "summary": r.summary} for r in rules],
    }


def render_json(results: list[FileResult], rules: tuple[Rule, ...], strict: bool = False,
                tool_version: str = "") -> str:
    return json.dumps(report_dict(results, rules, strict, tool_version), indent=2) + "\n"
