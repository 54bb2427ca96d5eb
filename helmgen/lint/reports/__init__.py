"""The reports of `helmgen lint`: one pure function, `render`, and one module per format.

- text (`text.py`): for people; `FILE:LINE: LEVEL RULEID(name): message` lines and a summary.
- json (`json_report.py`): for scripts; a versioned document with the summary, the findings and the rules.
- junit (`junit.py`): for CI test views (GitLab, Jenkins, GitHub test reporters).
- sarif (`sarif.py`): SARIF 2.1.0 for GitHub code scanning and other SARIF readers.

Every format is a pure function of its arguments: no I/O, no clock, no environment (colour is an argument, not a
look at the terminal), so the same results give byte-identical text. Writing it out is the caller's business.
"""
from __future__ import annotations

from helmgen import __version__
from helmgen.lint.findings import FileResult, Rule
from helmgen.lint.reports.json_report import render_json
from helmgen.lint.reports.junit import render_junit
from helmgen.lint.reports.sarif import render_sarif
from helmgen.lint.reports.text import render_text

FORMATS: tuple[str, ...] = ("text", "json", "junit", "sarif")


def render(results: list[FileResult], rules: tuple[Rule, ...], fmt: str, strict: bool = False,
           color: bool = False, tool_version: str = __version__) -> str:
    """The report of `results` in format `fmt` (one of FORMATS), ending with a newline.

    `rules` is the rule table (helmgen.lint.rules.RULES): it names the rules in every format and is listed whole
    in JSON and SARIF. `strict` makes warnings fail (text summary, JSON `failed`, JUnit failures; SARIF levels
    stay the findings' own). `color` adds ANSI colours to the text format only. `tool_version` is the version
    JSON and SARIF name. Raises ValueError for an unknown format.
    """
    if fmt == "text":
        return render_text(results, rules, strict=strict, color=color)
    if fmt == "json":
        return render_json(results, rules, strict=strict, tool_version=tool_version)
    if fmt == "junit":
        return render_junit(results, rules, strict=strict)
    if fmt == "sarif":
        return render_sarif(results, rules, tool_version=tool_version)
    raise ValueError(f"unknown report format {fmt!r}: expected one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "render"]
