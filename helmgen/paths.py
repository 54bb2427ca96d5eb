"""Paths into nested values: data as tuples, strings only at the edges.

Path = tuple of str (map key) and int (list index). `format_path` renders the form users see
(`spec.components.ingressGateways[1].k8s`). `parse_set_path` implements istioctl's path grammar for
`--set` and overlays: escaped dots (`a\\.b`), `[N]` indexes and `[key:value]` selectors.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Union

Path = tuple[Union[str, int], ...]

_SIMPLE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _SIMPLE_KEY.match(part):
            out += f".{part}" if out else part
        else:
            escaped = part.replace(".", "\\.")
            out += f".{escaped}" if out else escaped
    return out


@dataclass(frozen=True)
class Index:
    """`[N]`: list element N (out of range or negative: append)."""

    n: int


@dataclass(frozen=True)
class Select:
    """`[key:value]`: first list element that is a map whose `key`, as a string, equals value."""

    key: str
    value: str


@dataclass(frozen=True)
class Match:
    """`[value]` / `[:value]`: first scalar list element matched by the regular expression value."""

    pattern: str


Segment = Union[str, Index, Select, Match]


class PathSyntaxError(ValueError):
    pass


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, cur, i = [], "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] == sep:
            cur += "\\" + sep
            i += 2
            continue
        if ch == sep:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    parts.append(cur)
    return parts


def _bracket(expr: str) -> Segment:
    inner = expr[1:-1]
    if re.fullmatch(r"-?\d+", inner):
        return Index(int(inner))
    pieces = _split_unescaped(inner, ":")
    if len(pieces) == 2 and pieces[0]:
        return Select(pieces[0].replace("\\.", ".").replace("\\:", ":"),
                      pieces[1].replace("\\.", ".").replace("\\:", ":"))
    if len(pieces) == 2:
        return Match(pieces[1].replace("\\.", "."))
    if len(pieces) == 1:
        return Match(inner.replace("\\.", "."))
    raise PathSyntaxError(f"invalid selector [{inner}]: use [N], [key:value] or [value]")


def parse_set_path(text: str) -> list[Segment]:
    """Parse a `--set` / overlay path (istioctl grammar, facts 1.3)."""
    cleaned = posixpath.normpath(text) if text else text
    if cleaned == ".":
        cleaned = ""
    cleaned = cleaned.strip(".")
    segments: list[Segment] = []
    for raw in _split_unescaped(cleaned, "."):
        if not raw:
            continue
        pos = raw.find("[")
        if pos > 0 and raw.endswith("]"):
            segments.append(raw[:pos].replace("\\.", "."))
            raw = raw[pos:]
        if raw.startswith("[") and raw.endswith("]"):
            segments.append(_bracket(raw))
        else:
            segments.append(raw.replace("\\.", "."))
    return segments
