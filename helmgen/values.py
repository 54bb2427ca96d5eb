"""Nested values: deep merge, and set/get by path.

One rule for layering IstioOperator trees (istioctl's, facts 1.5): for each key of the overlay, if
both sides are maps they merge recursively; otherwise the overlay's value replaces the base's
(lists are replaced, never merged; an explicit null replaces too). Inputs are never mutated.
"""
from __future__ import annotations

import copy
from typing import Any

from helmgen.paths import Index, Match, Segment, Select


def deep_merge(base: Any, overlay: Any) -> Any:
    """Return base with overlay merged over it (overlay wins; maps merge; everything else replaces)."""
    if not isinstance(base, dict) or not isinstance(overlay, dict):
        return copy.deepcopy(overlay)
    out = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def merge_into(base: dict, other: dict) -> None:
    """istioctl's in-place merge (values.Map.MergeFrom), references and all.

    Maps present on both sides merge recursively; anything else from `other` is stored in `base`
    *by reference*, not copied. istioctl's result depends on that sharing: a user subtree the profile
    lacks (e.g. spec.values.pilot) becomes the very object the later translation writes into, so the
    user's own value there does not win in the end. merge.py uses this to reproduce istioctl exactly.
    """
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and base[key] is not value:
            merge_into(base[key], value)
            continue
        if isinstance(value, dict) and base.get(key) is value:
            continue
        base[key] = value


class SetPathError(ValueError):
    pass


def set_path(tree: dict, segments: list[Segment], value: Any) -> None:
    """Write value at segments in tree (in place), creating maps and lists as istioctl's --set does.

    `[N]` out of range appends; `[k:v]` must match an existing element. Writing through an explicit
    null is silently dropped (istioctl quirk). Replacing an existing list element directly, or
    walking through a scalar, is an error here (istioctl crashes on both).
    """
    if not segments:
        raise SetPathError("empty path")
    node: Any = tree
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        nxt = None if last else segments[i + 1]
        if isinstance(seg, str):
            if not isinstance(node, dict):
                raise SetPathError(f"cannot set key {seg!r} inside a {type(node).__name__}")
            if last:
                node[seg] = value
                return
            if seg in node and node[seg] is None:
                return  # istioctl drops writes through an explicit null
            if seg not in node:
                node[seg] = [] if isinstance(nxt, (Index, Select, Match)) else {}
            node = node[seg]
            if isinstance(nxt, (Index, Select, Match)) and not isinstance(node, list):
                raise SetPathError(f"{seg!r} is not a list")
            continue
        if not isinstance(node, list):
            raise SetPathError("a list selector needs a list")
        if isinstance(seg, Index):
            if seg.n < 0 or seg.n >= len(node):
                node.append(value if last else _build(segments[i + 1:], value))
                return
            if last:
                raise SetPathError(f"cannot replace list element [{seg.n}] directly; set a field inside it")
            node = node[seg.n]
            if not isinstance(node, dict):
                raise SetPathError(f"list element [{seg.n}] is not a map")
            continue
        if isinstance(seg, Select):
            found = next((e for e in node if isinstance(e, dict) and _as_str(e.get(seg.key)) == seg.value), None)
            if found is None:
                raise SetPathError(f"element [{seg.key}:{seg.value}] not found")
            if last:
                raise SetPathError(f"cannot replace element [{seg.key}:{seg.value}] directly; set a field inside it")
            node = found
            continue
        raise SetPathError("a [value] selector cannot be used with --set")


def _build(segments: list[Segment], value: Any) -> Any:
    out: dict = {}
    set_path(out, segments, value)
    return out


def _as_str(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


_MISSING = object()


def get_path(tree: Any, path: tuple, default: Any = None) -> Any:
    """Value at a tuple path (str keys, int indexes), or default when any step is missing."""
    node = tree
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or not -len(node) <= part < len(node):
                return default
            node = node[part]
        else:
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
    return node


def put_path(tree: dict, path: tuple, value: Any) -> None:
    """Write value at a tuple path of map keys (in place), creating intermediate maps."""
    node = tree
    for part in path[:-1]:
        nxt = node.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            node[part] = nxt
        node = nxt
    node[path[-1]] = value
