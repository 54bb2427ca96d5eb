"""Reading IstioOperator files safely: size limit, alias-bomb guard, one object per file.

Only safe YAML. A file is split into documents at lines starting with `---` (as istioctl does);
parts that are empty or only comments are skipped; more than one object is an error. The object
must be `apiVersion: install.istio.io/v1alpha1`, `kind: IstioOperator`. Field-level checks live in
typecheck.py. This module does the reading; parse_text is pure.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

import yaml

from helmgen.errors import InputError, Problem
from helmgen.goformat import go_format

MAX_BYTES = 2 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000
API_VERSION = "install.istio.io/v1alpha1"
KIND = "IstioOperator"

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loading as istioctl's Go YAML reads a file: no timestamps (dates stay strings), and a plain
    y, Y, n or N is a boolean as well (YAML 1.1 as go-yaml v2 implements it)."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in _Base.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))
_Loader.bool_values = {**_Base.bool_values, "y": True, "n": False}


def _string_keys(value: Any) -> Any:
    """Map keys as JSON has them after Go's YAML-to-JSON step: `on: x` and `n: x` give "true" and "false"."""
    if isinstance(value, dict):
        return {(go_format(k) if isinstance(k, (bool, int, float)) else k): _string_keys(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    return value


@dataclass(frozen=True)
class Source:
    name: str  # the file name as given, or "-" / "<stdin>"
    text: str


def read_sources(names: list[str], stdin_text: str | None = None, stdin_name: str = "<stdin>") -> list[Source]:
    """Read -f files in order; `-` means stdin (or `stdin_text`, named `stdin_name` in messages) and is only
    allowed last."""
    problems: list[Problem] = []
    sources: list[Source] = []
    for i, raw in enumerate(names):
        name = raw.strip()
        if name == "-":
            if i != len(names) - 1:
                problems.append(Problem((), "stdin (-) is only allowed as the last -f", source="-"))
                continue
            text = stdin_text if stdin_text is not None else sys.stdin.read(MAX_BYTES + 1)
            sources.append(Source(stdin_name, text))
            continue
        path = FsPath(name)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                problems.append(Problem((), f"file is {size} bytes; an IstioOperator file may be at most "
                                        f"{MAX_BYTES} bytes", source=name))
                continue
            with path.open("rb") as fh:
                data = fh.read(MAX_BYTES + 1)
            sources.append(Source(name, data.decode("utf-8")))
        except UnicodeDecodeError:
            problems.append(Problem((), "file is not UTF-8 text", source=name))
        except OSError as e:
            problems.append(Problem((), f"cannot read file: {e.strerror or e}", source=name))
    if problems:
        raise InputError(problems)
    return sources


def _split_documents(text: str) -> list[tuple[int, str]]:
    """Split at lines starting with `---`; returns (first line number, text) per part."""
    parts: list[tuple[int, str]] = []
    start, cur = 0, []
    for n, line in enumerate(text.splitlines(keepends=True)):
        if line.startswith("---"):
            parts.append((start, "".join(cur)))
            start, cur = n + 1, []
        else:
            cur.append(line)
    parts.append((start, "".join(cur)))
    return parts


def _expanded_size(node: yaml.Node, memo: dict[int, int], depth: int = 0) -> int:
    key = id(node)
    if key in memo:
        return memo[key]
    if depth > 500:
        raise ValueError("nesting deeper than 500 levels")
    memo[key] = 1  # breaks cycles (recursive aliases)
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo, depth + 1) + _expanded_size(v, memo, depth + 1)
                       for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(v, memo, depth + 1) for v in node.value)
    else:
        size = 1
    memo[key] = size
    if size > MAX_EXPANDED_NODES:
        raise ValueError(f"YAML aliases expand to more than {MAX_EXPANDED_NODES} nodes (alias bomb?)")
    return size


Lines = dict  # Path -> 1-based line of the node at that path


def _node_lines(node: yaml.Node, path: tuple, offset: int, out: Lines) -> None:
    if path in out:
        return  # an alias already walked
    out[path] = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                _node_lines(value, path + (key.value,), offset, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _node_lines(value, path + (i,), offset, out)


def parse_yaml(text: str, source: str, line_offset: int = 0, lines: Lines | None = None) -> Any:
    """Parse one YAML document safely; errors carry line and column. Fills `lines` when given."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _expanded_size(node, {})
            if lines is not None:
                _node_lines(node, (), line_offset, lines)
            return _string_keys(loader.construct_document(node))
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"line {mark.line + 1 + line_offset}, column {mark.column + 1}" if mark else "unknown position"
        what = " ".join(filter(None, [e.context, e.problem]))
        raise InputError([Problem((), f"malformed YAML at {where}: {what}", source=source)]) from None
    except yaml.YAMLError as e:
        raise InputError([Problem((), f"malformed YAML: {e}", source=source)]) from None
    except (ValueError, RecursionError) as e:
        raise InputError([Problem((), f"rejected YAML: {e}", source=source)]) from None


def parse_source(src: Source, lines: Lines | None = None) -> dict:
    """One IstioOperator object from a file's text (empty file: an empty IstioOperator). Fills `lines`
    (IstioOperator path -> line) when given."""
    objects = []
    for offset, part in _split_documents(src.text):
        if not part.strip():
            continue
        part_lines: Lines = {}
        obj = parse_yaml(part, src.name, offset, part_lines)
        if obj is None:
            continue
        objects.append((offset, obj))
        if lines is not None:
            lines.update(part_lines)
    if not objects:
        return {"apiVersion": API_VERSION, "kind": KIND}
    problems = []
    if len(objects) > 1:
        lines = ", ".join(str(o + 1) for o, _ in objects)
        problems.append(Problem((), f"contains {len(objects)} objects (starting at lines {lines}); "
                                "helmgen takes exactly one IstioOperator per file",
                                source=src.name, fix="split them into separate files and pass each with -f"))
        raise InputError(problems)
    obj = objects[0][1]
    if not isinstance(obj, dict):
        raise InputError([Problem((), f"expected an IstioOperator mapping, found a {_kind_of(obj)}",
                                  source=src.name)])
    kind, api = obj.get("kind"), obj.get("apiVersion")
    if kind != KIND:
        problems.append(Problem(("kind",), f"expected {KIND}, found {kind!r}; helmgen reads only IstioOperator "
                                "resources" if kind is not None else f"missing; expected kind: {KIND}",
                                source=src.name))
    if api != API_VERSION:
        problems.append(Problem(("apiVersion",), f"expected {API_VERSION}, found {api!r}"
                                if api is not None else f"missing; expected apiVersion: {API_VERSION}",
                                source=src.name))
    if problems:
        raise InputError(problems)
    if "spec" in obj and obj["spec"] is None:
        del obj["spec"]
    return obj


def _kind_of(v: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(v), "value")
