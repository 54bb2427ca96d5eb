"""Rendered documents, read only as far as needed.

Helm's output is cut into documents as istioctl cuts it (every line that starts with `---` ends one; each is
trimmed). Sorting needs only apiVersion, kind and metadata.name, which a line scan finds in the plain layout
Helm charts write; only documents that post-processing touches, or whose layout the scan does not trust,
are parsed. An untouched document is written out as rendered, which parses to the same object.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import yaml

from helmgen.postprocess.sorting import object_name

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*):(?:[ \t]+(.*))?$")
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./-]*")
_NOT_A_STRING = re.compile(r"[-+]?(\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|\.\d+|0x[0-9a-fA-F]+|0o[0-7]+)$|"
                           r"(true|false|yes|no|on|off|y|n|null|~)$", re.IGNORECASE)


@dataclass
class Doc:
    """One rendered document: its text, the three fields the sort needs, and its object once parsed.

    `text_is_exact` is False when the text cannot stand for the object once written out (it was changed,
    or it ends in a block scalar whose final newline istioctl's trimming removed): write `obj` instead."""

    text: str
    api_version: str
    kind: str
    name: str
    obj: dict | None = field(default=None, repr=False)
    text_is_exact: bool = True


def cut(text: str) -> list[str]:
    """The trimmed, non-empty documents of a stream, cut as istioctl cuts Helm output."""
    parts, current = [], []
    for line in text.splitlines(keepends=True):
        if line.startswith("---"):
            parts.append("".join(current))
            current = []
        else:
            current.append(line)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _scalar(raw: str | None) -> str | None:
    """A plain or simply quoted scalar as a string; None when only a YAML parser can say."""
    if raw is None:
        return None
    raw = raw.split(" #", 1)[0].strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'" and not re.search(r"[\\\"']", raw[1:-1]):
        return raw[1:-1]
    if _PLAIN.fullmatch(raw) and not _NOT_A_STRING.match(raw):
        return raw
    return None


_BLOCK_HEADER = re.compile(r"(?:^|[:\-]\s+|^-\s*)[|>][0-9+-]{0,2}\s*(?:#.*)?$")


def ends_in_block_scalar(text: str) -> bool:
    """Whether the last line belongs to a `|` or `>` block scalar: walk its ancestors (each the nearest line
    above with less indentation) and look for a block header among them."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lines:
        return False
    indent = len(lines[-1]) - len(lines[-1].lstrip(" "))
    if _BLOCK_HEADER.search(lines[-1].strip()):
        return True
    for line in reversed(lines[:-1]):
        this = len(line) - len(line.lstrip(" "))
        if this < indent:
            if _BLOCK_HEADER.search(line.strip()):
                return True
            indent = this
            if indent == 0:
                return False
    return False


def scan_header(text: str) -> tuple[str, str, str] | None:
    """(apiVersion, kind, metadata.name) by a line scan, or None when the layout is not the plain one."""
    head = scan_head(text)
    return head[:3] if head is not None else None


def scan_head(text: str) -> tuple[str, str, str, str] | None:
    """(apiVersion, kind, metadata.name, metadata.namespace or "") by a line scan, or None when the layout is not
    the plain one (then only a YAML parser can say)."""
    top: dict[str, str | None] = {}
    meta: dict[str, str | None] = {}
    in_meta, child_indent = False, -1
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line[0] not in " \t":
            m = _KEY.match(line.rstrip())
            if not m or m.group(1) in top:
                return None
            top[m.group(1)] = m.group(2)
            in_meta = m.group(1) == "metadata" and not m.group(2)
            continue
        if in_meta:
            indent = len(line) - len(line.lstrip(" "))
            if child_indent < 0:
                child_indent = indent
            if indent == child_indent:
                m = _KEY.match(stripped)
                if m is None:
                    return None
                if m.group(1) in ("name", "namespace"):
                    if m.group(1) in meta:
                        return None
                    meta[m.group(1)] = value = _scalar(m.group(2))
                    if value is None:
                        return None
    api_version, kind = _scalar(top.get("apiVersion")), _scalar(top.get("kind"))
    name = meta.get("name")
    if not api_version or not kind or name is None or "metadata" not in top or top["metadata"]:
        return None
    return api_version, kind, name, meta.get("namespace") or ""


def parse(text: str, loader: Any) -> Doc | None:
    """The document fully parsed; None when it is not an object with a kind (istioctl skips those)."""
    obj = yaml.load(text, Loader=loader)
    if not isinstance(obj, dict) or not obj.get("kind"):
        return None
    api_version = obj.get("apiVersion")
    return Doc(text, api_version if isinstance(api_version, str) else "", str(obj["kind"]), object_name(obj), obj)


def read_documents(text: str, loader: Any, wanted: Callable[[str, str], bool]) -> list[Doc]:
    """The documents of a Helm stream; those `wanted(kind, name)` or not plainly laid out are parsed."""
    docs = []
    for part in cut(text):
        tail = ends_in_block_scalar(part)
        header = scan_header(part)
        if header is not None and not wanted(header[1], header[2]) and not tail:
            docs.append(Doc(part, *header))
            continue
        doc = parse(part, loader)
        if doc is not None:
            doc.text_is_exact = not tail
            docs.append(doc)
    return docs
