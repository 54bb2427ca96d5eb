"""The text report, for people at a terminal or reading a CI job's log.

One line per finding, in the `FILE:LINE: LEVEL ...` form that compilers use, so that editors and the problem
matchers of CI systems (GitHub Actions problem matchers, Jenkins' warnings plugin with a regex, GitLab's log
links) can point at the line::

    istio.yaml:12: error HG002(invalid-field): spec.foo is unknown (fix: remove it)

then one summary line. Colour is ANSI escape codes (those click.style writes), only when the caller asks: this
module does not look at the terminal or the environment.
"""
from __future__ import annotations

from helmgen.lint.findings import FileResult, Finding, Level, Rule
from helmgen.lint.reports.common import Totals, ordered, plural, rule_names, totals, with_fix

_RESET = "\x1b[0m"
_LEVEL_STYLE = {Level.ERROR: "1;31", Level.WARNING: "33", Level.NOTE: "36"}   # bold red, yellow, cyan
_CONTINUATION = "\n    "


def _style(text: str, codes: str, color: bool) -> str:
    return f"\x1b[{codes}m{text}{_RESET}" if color else text


def finding_line(finding: Finding, names: dict[str, str], color: bool = False) -> str:
    """`FILE:LINE: LEVEL RULEID(name): message (fix: ...)`; `:LINE` only when known; continuation lines of a
    message indented so that every finding still starts a line of its own."""
    where = f"{finding.file}:{finding.line}" if finding.line > 0 else finding.file
    name = names.get(finding.rule)
    rule = f"{finding.rule}({name})" if name else finding.rule
    level = _style(finding.level.value, _LEVEL_STYLE[finding.level], color)
    text = with_fix(finding.message, finding.fix).replace("\r\n", "\n").replace("\n", _CONTINUATION)
    return f"{_style(where, '1', color)}: {level} {_style(rule, '2', color)}: {text}"


def for_people(findings: list[Finding]) -> list[Finding]:
    """Errors and warnings in Finding.sort_key order, then the notes in the same order."""
    found = ordered(findings)
    return [f for f in found if f.level is not Level.NOTE] + [f for f in found if f.level is Level.NOTE]


def summary_line(t: Totals, color: bool = False) -> str:
    """`N files checked: E errors, W warnings, M notes`, then which count fails the lint when one does."""
    line = (f"{plural(t.files, 'file')} checked: {plural(t.errors, 'error')}, {plural(t.warnings, 'warning')}, "
            f"{plural(t.notes, 'note')}")
    if not t.failed:
        return _style(line, "1;32", color)
    by = [plural(t.errors, "error")] if t.errors else []
    if t.strict and t.warnings:
        by.append(f"{plural(t.warnings, 'warning')} (--strict)")
    return _style(f"{line}; failed: {' and '.join(by)}", "1;31", color)


def render_text(results: list[FileResult], rules: tuple[Rule, ...], strict: bool = False,
                color: bool = False) -> str:
    names = rule_names(rules)
    lines = [finding_line(f, names, color) for r in results for f in for_people(r.findings)]
    if lines:
        lines.append("")
    lines.append(summary_line(totals(results, strict), color))
    return "\n".join(lines) + "\n"
