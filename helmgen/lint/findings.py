"""What `helmgen lint` finds (pure data): rules, findings, the result of one file.

A rule has a stable id (`HG` + three digits, never reused), a short name, a default level and a help text; a
finding is one occurrence: the rule, its level, the message (which names the IstioOperator path), a fix, and the
file and line it comes from. Reports (text, JSON, JUnit, SARIF) are made from these alone.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from helmgen.paths import Path, format_path


class Level(enum.Enum):
    """SARIF's levels: error fails the lint, warning fails it with --strict, note never does."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Rule:
    id: str                 # "HG001"; stable, never reused
    name: str               # "invalid-input"; kebab-case
    level: Level            # default level of its findings
    summary: str            # one line
    help: str               # what it checks and how to fix what it finds


@dataclass(frozen=True)
class Finding:
    rule: str               # Rule.id
    level: Level
    message: str            # names the IstioOperator path (or object) concerned
    file: str               # the file or chart folder it comes from, as given on the command line
    line: int = 0           # 1-based, 0 when unknown
    path: Path = ()         # IstioOperator path, when there is one
    fix: str = ""

    @property
    def where(self) -> str:
        return format_path(self.path)

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.rule, self.message)


@dataclass(frozen=True)
class FileResult:
    """Everything found in one input (an IstioOperator file or a chart folder)."""

    file: str
    kind: str                                   # "istiooperator" or "chart"
    findings: list[Finding] = field(default_factory=list)
    rules_checked: tuple[str, ...] = ()         # the rules run on it (JUnit: one test case per file and rule)
    seconds: float = 0.0

    def failed(self, strict: bool = False) -> bool:
        return any(f.level is Level.ERROR or (strict and f.level is Level.WARNING) for f in self.findings)
