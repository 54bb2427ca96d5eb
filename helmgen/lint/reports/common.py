"""What every report format shares: the totals, the order of findings, the rule names, the text of a fix.

Pure: no I/O, no clock, no environment. Each format module builds on these so that the four reports agree on
what failed and in which order findings come.
"""
from __future__ import annotations

from dataclasses import dataclass

from helmgen.lint.findings import FileResult, Finding, Level, Rule


@dataclass(frozen=True)
class Totals:
    """The counts of a lint run, and whether it fails (errors always; warnings too under --strict)."""

    files: int
    errors: int
    warnings: int
    notes: int
    strict: bool

    @property
    def failed(self) -> bool:
        return self.errors > 0 or (self.strict and self.warnings > 0)


def totals(results: list[FileResult], strict: bool) -> Totals:
    levels = [f.level for r in results for f in r.findings]
    return Totals(files=len(results), errors=levels.count(Level.ERROR), warnings=levels.count(Level.WARNING),
                  notes=levels.count(Level.NOTE), strict=strict)


def ordered(findings: list[Finding]) -> list[Finding]:
    """The findings of one file in the order of Finding.sort_key (file, line, rule, message)."""
    return sorted(findings, key=Finding.sort_key)


def fails(finding: Finding, strict: bool) -> bool:
    """Whether this finding alone fails the lint, exactly as FileResult.failed counts it."""
    return finding.level is Level.ERROR or (strict and finding.level is Level.WARNING)


def rule_names(rules: tuple[Rule, ...]) -> dict[str, str]:
    return {r.id: r.name for r in rules}


def with_fix(message: str, fix: str) -> str:
    """`message (fix: fix)`, or the message alone when there is no fix."""
    return f"{message} (fix: {fix})" if fix else message


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
