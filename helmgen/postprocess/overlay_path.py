"""The Go-flavoured pieces of `k8s.overlays` (facts 5.3, 1.3): istioctl's path grammar, how a path element
selects a list element, and the values istioctl patches with (JSON-decoded, YAML strings read a second time,
a YAML round trip after each overlay).

Written from istioctl's observed behaviour. Pure.

A path element stays text (`Element.raw`): whether `[0]` is a list index or a literal map key depends on the
node it meets, so it is classified only when used (`index`, `select`, `match`).
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import yaml

from helmgen.goformat import go_format
from helmgen.paths import Index, Match, Select

_MAX_VALUE_NODES = 100_000
_SELECT_KEY = re.compile(r"[a-zA-Z0-9_-]*")
_DECIMAL = re.compile(r"[+-]?[0-9]+")
_INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class Element:
    """One element of an overlay path; `raw` has escaped dots undone and is the literal key on a map."""

    raw: str

    @property
    def bracketed(self) -> bool:
        return len(self.raw) >= 2 and self.raw[0] == "[" and self.raw[-1] == "]"

    def index(self) -> Index | None:
        """`[N]` with -1 <= N (Go Atoi: optional sign, decimal digits, int64 range)."""
        inner = self.raw[1:-1] if self.bracketed else ""
        if not _DECIMAL.fullmatch(inner) or len(inner.lstrip("+-").lstrip("0")) > 19:
            return None  # more than 19 significant digits are out of int64 range anyway
        n = int(inner)
        return Index(n) if -1 <= n <= _INT64[1] else None

    def select(self) -> Select | None:
        """`[key:value]`: one unescaped ':', key of [a-zA-Z0-9_-]+, non-empty value; `\\:` stays as written."""
        if not self.bracketed:
            return None
        parts = split_escaped(self.raw[1:-1], ":")
        if len(parts) != 2 or not parts[0] or not parts[1] or not _SELECT_KEY.fullmatch(parts[0]):
            return None
        return Select(parts[0], parts[1])

    def match(self) -> Match | None:
        """The pattern for a list of scalars: `[:value]` gives value, any other non-empty `[text]` gives text."""
        inner = self.raw[1:-1] if self.bracketed else ""
        if len(inner) > 1 and inner[0] == ":":
            return Match(inner[1:])
        return Match(inner) if inner else None


def split_escaped(text: str, sep: str) -> list[str]:
    """Split on sep unless the previous character is a backslash (the backslash is kept)."""
    if not text:
        return []
    out, start, prev = [], 0, ""
    for i, ch in enumerate(text):
        if ch == sep and prev != "\\":
            out.append(text[start:i])
            start = i + 1
        prev = ch
    out.append(text[start:])
    return out


def _go_clean(path: str) -> str:
    """Go's filepath.Clean on '/'-separated text."""
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    joined = "/".join(parts)
    return "/" + joined if rooted else joined or "."


def parse_overlay_path(text: str) -> list[Element]:
    """Split an overlay path as istioctl does: clean, drop one leading and one trailing '.', split on unescaped
    dots, undo `\\.`, and cut `name[rest` into `name` and `[rest` (no closing bracket needed)."""
    cleaned = _go_clean(text)
    cleaned = cleaned[1:] if cleaned.startswith(".") else cleaned
    cleaned = cleaned[:-1] if cleaned.endswith(".") else cleaned
    out: list[Element] = []
    for piece in split_escaped(cleaned, "."):
        if not piece:
            continue
        piece = piece.replace("\\.", ".")
        cut = piece.find("[")
        if cut > 0:
            out += [Element(piece[:cut]), Element(piece[cut:])]
        else:
            out.append(Element(piece))
    return out


def show_path(elements: list[Element]) -> str:
    """The elements as a path a user can read (dots inside keys escaped again)."""
    return ".".join(e.raw if e.bracketed else e.raw.replace(".", "\\.") for e in elements)


def go_sprint(value: Any) -> str:
    """fmt.Sprint of a decoded YAML value: 8080, 1e+06, true, <nil>, [a b], map[k:v]."""
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = sorted((go_sprint(k), go_sprint(v)) for k, v in value.items())
        return "map[" + " ".join(f"{k}:{v}" for k, v in pairs) + "]"
    return go_format(value)


_NOT_RE2 = re.compile(r"\(\?<?[=!]|\\[1-9]|\\Z|\(\?>|(?<!\\)[*+?}]\+")


def _go_anchors(pattern: str) -> str:
    """Go's `$` (without the m flag) and `\\z` mean end of text: Python's `\\Z`."""
    if re.search(r"\(\?[a-zA-Z]*m", pattern):
        return pattern
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append("\\Z" if pattern[i + 1] == "z" and not in_class else pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            end = i + 1 + (pattern[i + 1:i + 2] == "^")
            end += pattern[end:end + 1] == "]"  # `[]...]`, `[^]...]`: this ] is a member
            out.append(pattern[i:end])
            i, in_class = end, True
            continue
        out.append("\\Z" if ch == "$" and not in_class else ch)
        i += 1
    return "".join(out)


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str] | None:
    if _NOT_RE2.search(pattern):
        return None
    try:
        return re.compile(_go_anchors(pattern))
    except (re.error, RecursionError, OverflowError):
        return None


def go_regex_search(pattern: str, text: str) -> bool:
    """Go regexp.MatchString (unanchored); a pattern Go would reject matches nothing. Python `re` stands in
    for RE2: constructs RE2 lacks (lookaround, backreferences, atomic groups) are rejected, and `$`/`\\z`
    mean end of text."""
    compiled = _compile(pattern)
    return bool(compiled and compiled.search(text))


def json_key(key: Any) -> str:
    """A map key as it becomes in JSON (sigs.k8s.io/yaml): true, 8080, null."""
    if isinstance(key, str):
        return key
    return "null" if key is None else go_format(key)


# --- a patch value that is a YAML string (sigs.k8s.io/yaml over yaml.v2, then JSON) ---

_BOOLS = {**dict.fromkeys("y Y yes Yes YES true True TRUE on On ON".split(), True),
          **dict.fromkeys("n N no No NO false False FALSE off Off OFF".split(), False)}
_NULLS = {"", "~", "null", "Null", "NULL"}
_SPECIAL_FLOATS = {**dict.fromkeys([".nan", ".NaN", ".NAN"], float("nan")),
                   **dict.fromkeys([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"], float("inf")),
                   **dict.fromkeys(["-.inf", "-.Inf", "-.INF"], float("-inf"))}
_GO_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)")
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")
_PLAIN_TAG = "tag:helmgen,2026:go-plain"


def _go_plain_scalar(text: str) -> Any:
    """What yaml.v2 makes of an unquoted scalar: its bools (y/n too), nulls, Go integers (0755 is octal,
    underscores ignored) and floats (1e3); no timestamps, no sexagesimal numbers."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if text[:1] == ".":
        return float(text) if _DOT_FLOAT.fullmatch(text) else text
    if text[:1] not in tuple("0123456789+-"):
        return text
    plain = text.replace("_", "")
    m = _GO_INT.fullmatch(plain)
    if m:
        body = m.group(2)
        base = 0 if body[:2].lower() in ("0x", "0b", "0o") else 8 if len(body) > 1 and body[0] == "0" else 10
        n = int(body, base) * (-1 if m.group(1) == "-" else 1)
        if _INT64[0] <= n <= _INT64[1] or (not m.group(1) and n < 2**64):  # ParseInt, then ParseUint
            return n
    return float(plain) if _YAML_FLOAT.fullmatch(plain) else text


class _GoYamlLoader(yaml.SafeLoader):
    """SafeLoader resolving unquoted scalars the yaml.v2 way."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0] and value != "<<":
            return _PLAIN_TAG
        return super().resolve(kind, value, implicit)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict:
        """Keys become JSON strings at once, so `1` and `true` stay two keys."""
        self.flatten_mapping(node)
        out: dict = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (list, dict)):
                raise yaml.constructor.ConstructorError(None, None, "a map key must be a scalar",
                                                        key_node.start_mark)
            out[json_key(key)] = self.construct_object(value_node, deep=deep)
        return out


_GoYamlLoader.add_constructor(_PLAIN_TAG, lambda loader, node: _go_plain_scalar(node.value))


def _read_mapping_text(text: str) -> tuple[bool, Any]:
    """(True, mapping or None for an empty document) when istioctl reads text as a YAML mapping: only
    single-line text with ': ' or multi-line text with ':' is tried, and a valid JSON object stays a string."""
    one_line = "\n" not in text
    if not ((one_line and ": " in text) or (not one_line and ":" in text)):
        return False, None
    try:
        if isinstance(json.loads(text, parse_constant=_reject), dict):
            return False, None
    except (ValueError, RecursionError):
        pass
    try:
        doc = next(iter(yaml.load_all(text, Loader=_GoYamlLoader)), None)
    except (yaml.YAMLError, ValueError, RecursionError):
        return False, None
    return (True, doc) if doc is None or isinstance(doc, dict) else (False, None)


def _reject(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class ManifestMap(dict):  # type: ignore[type-arg]
    """A map as read from the manifest."""


class ValueMap(dict):  # type: ignore[type-arg]
    """A map from a patch value, or made by the walk for a null node or a new list element."""


class Unsupported(ValueError):
    """A value istioctl could not have decoded."""


def reinterpret(value: Any) -> tuple[Any, bool]:
    """A string istioctl reads as a YAML mapping becomes that mapping: (value, came from text)."""
    if isinstance(value, str):
        is_mapping, doc = _read_mapping_text(value)
        if is_mapping:
            try:
                return (ValueMap() if doc is None else value_tree(doc)), True
            except Unsupported:
                pass
    return value, False


def value_tree(value: Any, count: list[int] | None = None) -> Any:
    """A patch value as istioctl holds it after JSON decoding: string-keyed maps, numbers as floats."""
    count = [0] if count is None else count
    count[0] += 1
    if count[0] > _MAX_VALUE_NODES:
        raise Unsupported(f"the value has more than {_MAX_VALUE_NODES} nodes")
    if isinstance(value, dict):
        return ValueMap((json_key(k), value_tree(v, count)) for k, v in value.items())
    if isinstance(value, list):
        return [value_tree(v, count) for v in value]
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, float)):
        number = float(value) if -1e308 < value < 1e308 else math.inf
        if not math.isfinite(number):
            raise Unsupported(f"the value contains {value!r}, which JSON cannot carry")
        return number
    raise Unsupported(f"the value contains a {type(value).__name__}, which an IstioOperator cannot carry")


def as_manifest(node: Any, round_trip: bool) -> Any:
    """Maps as manifest maps; with round_trip, also what istioctl's YAML round trip does to floats
    (1234.0 -> 1234; 1e6 is written 1e+06 and stays a float)."""
    if isinstance(node, dict):
        return ManifestMap((k, as_manifest(v, round_trip)) for k, v in node.items())
    if isinstance(node, list):
        return [as_manifest(v, round_trip) for v in node]
    if round_trip and isinstance(node, float) and math.isfinite(node) and _DECIMAL.fullmatch(go_format(node)):
        return int(go_format(node))
    return node


def as_json(node: Any) -> Any:
    """The object as istioctl hands it on: plain dicts, string keys, and integral floats as the integers istioctl
    prints (1e6 -> 1000000, 1.2345678901234567e19 -> 12345678901234567000; 1e20 stays a float)."""
    if isinstance(node, dict):
        return {json_key(k): as_json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [as_json(v) for v in node]
    if isinstance(node, float) and math.isfinite(node) and node.is_integer() and abs(node) < 1e21:
        digits = int(Decimal(repr(node)))  # Go's JSON writes these without exponent, shortest digits
        if -(2**63) <= digits < 2**64:  # and reads them back as integers only in int64/uint64 range
            return digits
    return node
