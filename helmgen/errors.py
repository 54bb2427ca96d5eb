"""Problems found in user input, and the errors that carry them.

A Problem is data: the IstioOperator path it concerns (a tuple, formatted only when shown),
what is wrong, and what to do. Every check collects all its problems; callers raise InputError
with the whole sorted list so a user sees everything at once.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from helmgen.paths import Path, format_path


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
    severity: Severity = Severity.ERROR
    source: str = ""  # file the problem was found in, when known
    fix: str = ""
    line: int = 0     # line in `source` (1-based), when known
    rule: str = ""    # the `helmgen lint` rule it belongs to (helmgen/lint/rules.py), set where it is found

    def __str__(self) -> str:
        where = format_path(self.path)
        text = f"{where}: {self.message}" if where else self.message
        if self.fix:
            text += f"; {self.fix}"
        if self.source:
            text = f"{self.source}:{self.line}: {text}" if self.line else f"{self.source}: {text}"
        return text

    def without_location(self) -> "Problem":
        """The same problem without file and line (for text that must not depend on where files are)."""
        return replace(self, source="", line=0)

    def located(self, source: str, line: int) -> "Problem":
        return replace(self, source=source, line=line)

    def sort_key(self) -> tuple:
        return (tuple((isinstance(p, int), str(p).zfill(8) if isinstance(p, int) else p) for p in self.path),
                self.source, self.message)


def tagged(problems: list[Problem], rule: str) -> list[Problem]:
    """The problems with `rule` as their lint rule, unless they already have one."""
    return [p if p.rule else replace(p, rule=rule) for p in problems]


def sort_problems(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    unique = [p for p in problems if not (p in seen or seen.add(p))]
    return sorted(unique, key=Problem.sort_key)


class HelmgenError(Exception):
    """Base of every error helmgen reports to a user (never with a traceback)."""

    exit_code = 1


class InputError(HelmgenError):
    """Invalid input: one or more problems, each with its path. Exit code 1."""

    def __init__(self, problems: list[Problem]):
        self.problems = sort_problems(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(HelmgenError):
    exit_code = 2
