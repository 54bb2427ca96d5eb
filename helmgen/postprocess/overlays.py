"""`k8s.overlays` on one component's rendered objects, applied as istioctl applies them (facts 5.3), with a
report of what istioctl drops or bends without a word.

istioctl's walk depends on the Go type of each node, so three kinds of node are kept apart:
  ManifestMap   a map read from the manifest: a missing key becomes an empty map, whatever follows it
  ValueMap      a map from a patch value, or one the walk made for a null node or a new list element: a missing
                key becomes a list when `[N]` follows, and writes into it have the append and root-key quirks
  lists         writable only when reached through a map key (`_Step.via_key`); a list inside a list, or one
                made in place of null, refuses writes
A write is relinked upward level by level; a write that never reaches the object is lost. Each overlay ends
with istioctl's YAML round trip: every map becomes a manifest map, and an integral float becomes an int unless
Go writes it with an exponent (1e+06 stays a float until the end). Pure.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from helmgen.postprocess.overlay_path import (Element, ManifestMap, Unsupported, ValueMap, as_json, as_manifest,
                                              go_regex_search, go_sprint, parse_overlay_path, reinterpret,
                                              show_path, value_tree)

_OVERLAY_FIELDS = ("apiVersion", "kind", "name", "patches")
_PATCH_FIELDS = ("path", "value")


@dataclass(frozen=True)
class Dropped:
    """Something istioctl silently ignores, or silently does other than written; path is the IstioOperator
    path of the item (an overlay, or a patch's path/value)."""

    path: tuple
    message: str


class _Skip(Exception):
    """istioctl fails this patch and goes on with the next one."""


class _Crash(Exception):
    """istioctl panics on this patch."""


@dataclass(eq=False)
class _Step:
    """One node on the walk: `key` is how the walk went on from it."""

    parent: _Step | None
    node: Any
    shown: str
    key: str | int | None = None
    via_key: bool = False  # a list reached through a map key: writable in place
    detached: bool = False  # this node, or one above it, is not linked into the object yet
    created: bool = False  # made by the walk (missing key, new list element, null replaced)


def apply_overlays(objects: list[dict], overlays: list, base: tuple) -> tuple[list[dict], list[Dropped]]:
    """Apply `k8s.overlays` (base = its IstioOperator path) to one component render's objects.

    Overlays run in list order, each on every object whose kind and metadata.name equal its own (apiVersion
    and namespace ignored), patches in order; a failing patch is skipped and reported. Returns new objects in
    the same order (inputs untouched) and the report."""
    out = [copy.deepcopy(o) for o in objects]
    dropped: list[Dropped] = []
    if overlays is None:
        return out, dropped
    if not isinstance(overlays, list):
        return out, [Dropped(base, f"k8s.overlays must be a list of overlays, not {_kind(overlays)}; "
                                   "nothing is applied")]
    touched: set[int] = set()
    for i, overlay in enumerate(overlays):
        spec = _read_overlay(overlay, base + (i,), dropped)
        if spec is None:
            continue
        kind, name, patches = spec
        hits = [j for j, obj in enumerate(out) if _kind_and_name(obj) == (kind, name)]
        if not hits:
            dropped.append(Dropped(base + (i,), f"overlay matched no object: this component renders no {kind} "
                                                f"named {name!r}; istioctl ignores the overlay"))
        for j in hits:
            tree = out[j] if j in touched else as_manifest(out[j], round_trip=False)
            for k, path, value in patches:
                dropped += _apply_patch(tree, path, value, base + (i, "patches", k), f"{kind} {name}")
            out[j] = as_manifest(tree, round_trip=True)
            touched.add(j)
    for j in touched:
        out[j] = as_json(out[j])
    return out, list(dict.fromkeys(dropped))


def _read_overlay(overlay: Any, at: tuple, dropped: list[Dropped]) -> tuple[str, str, list] | None:
    """(kind, name, [(index, path, value)]) of a well-formed overlay; problems go to dropped."""
    if not isinstance(overlay, dict):
        dropped.append(Dropped(at, f"an overlay must be a map with kind, name and patches, not {_kind(overlay)}; "
                                   "it is ignored"))
        return None
    _unknown_fields(overlay, _OVERLAY_FIELDS, at, dropped)
    texts: dict[str, str] = {}
    for field in _OVERLAY_FIELDS[:3]:
        text = overlay.get(field)
        if text is not None and not isinstance(text, str):
            dropped.append(Dropped(at + (field,), f"{field} must be a string, not {_kind(text)}; "
                                                  "the overlay is ignored"))
            return None
        texts[field] = text or ""
    patches = overlay.get("patches")
    patches = [] if patches is None else patches
    if not isinstance(patches, list):
        dropped.append(Dropped(at + ("patches",), f"patches must be a list, not {_kind(patches)}; "
                                                  "the overlay is ignored"))
        return None
    good = []
    for k, patch in enumerate(patches):
        if not isinstance(patch, dict):
            dropped.append(Dropped(at + ("patches", k), f"a patch must be a map with path and value, not "
                                                        f"{_kind(patch)}; it is ignored"))
            continue
        _unknown_fields(patch, _PATCH_FIELDS, at + ("patches", k), dropped)
        path = patch.get("path")
        path = "" if path is None else path
        if not isinstance(path, str):
            dropped.append(Dropped(at + ("patches", k, "path"), f"path must be a string, not {_kind(path)}; "
                                                                "the patch is ignored"))
            continue
        good.append((k, path, patch.get("value")))
    return texts["kind"], texts["name"], good


def _unknown_fields(item: dict, known: tuple, at: tuple, dropped: list[Dropped]) -> None:
    for field in item:
        if field not in known:
            dropped.append(Dropped(at + (field,), f"unknown field {field!r} (istioctl rejects the whole file for "
                                                  f"it; expected one of {', '.join(known)}); ignored here"))


def _kind_and_name(obj: Any) -> tuple[str, str] | None:
    if not isinstance(obj, dict):
        return None
    kind, meta = obj.get("kind"), obj.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    return (kind if isinstance(kind, str) else "", name if isinstance(name, str) else "")


def _apply_patch(tree: ManifestMap, path: str, raw_value: Any, at: tuple, label: str) -> list[Dropped]:
    elements = parse_overlay_path(path)
    try:
        value = None if raw_value is None else value_tree(raw_value)
    except Unsupported as exc:
        return [Dropped(at + ("value",), f"{exc}; the patch is ignored")]
    notes: list[tuple[str, str]] = []
    try:
        step = _walk(tree, elements, label, notes)
        notes += _delete(step, label) if value is None else _write(step, value, label)
    except _Skip as exc:
        notes.append(("path", f"{exc}; istioctl skips this patch"))
    except _Crash as exc:
        notes.append(("path", f"{exc}; istioctl crashes on this patch (panic: slice index out of bounds); "
                              "helmgen skips it"))
    return [Dropped(at + (field,), message) for field, message in notes]


def _walk(root: ManifestMap, elements: list[Element], label: str, notes: list[tuple[str, str]]) -> _Step:
    """Follow the path, creating what is missing the way istioctl does."""
    step = _Step(None, root, "")
    for i, element in enumerate(elements):
        following = elements[i + 1] if i + 1 < len(elements) else None
        if step.node is None:
            as_list = element.index() is not None or element.select() is not None
            step.node = [] if as_list else ValueMap()
            step.detached = step.created = True
        if isinstance(step.node, list):
            step = _into_list(step, element, label)
        elif isinstance(step.node, dict):
            step = _into_map(step, element, following, label, notes)
        else:
            raise _Skip(f"{_where(step)} in {label} is {go_sprint(step.node)!r}, not a map or a list, so the "
                        f"path cannot go on to {element.raw}")
    return step


def _into_map(step: _Step, element: Element, following: Element | None, label: str,
              notes: list[tuple[str, str]]) -> _Step:
    node, key = step.node, element.raw
    created = key not in node
    if created:
        if isinstance(node, ValueMap) and following is not None and following.index() is not None:
            node[key] = []
        else:
            node[key] = ManifestMap() if isinstance(node, ManifestMap) else ValueMap()
    if element.bracketed:
        notes.append(("path", f"{_where(step)} in {label} is a map, so istioctl uses {key!r} there as a "
                              "literal key, not as a list index or selector"))
    step.key = key
    child = node[key]
    return _Step(step, child, _join(step, element), via_key=isinstance(child, list), detached=step.detached,
                 created=created)


def _into_list(step: _Step, element: Element, label: str) -> _Step:
    items = step.node
    index = element.index()
    if index is not None:
        if 0 <= index.n < len(items):
            step.key = index.n
            return _Step(step, items[index.n], _join(step, element), detached=step.detached)
        step.key = len(items)  # past the end or -1: a new element
        return _Step(step, ValueMap(), _join(step, element), detached=True, created=True)
    for i, item in enumerate(items):
        if isinstance(item, dict):
            select = element.select()
            if select is None:
                split = element.raw.startswith("[") and not element.raw.endswith("]")
                hint = " (an unescaped '.' split it: write \\.)" if split else ""
                raise _Skip(f"{_where(step)} in {label} is a list of maps, and {element.raw!r} is not a selector "
                            f"[key:value] (key of letters, digits, '_' or '-', exactly one unescaped ':'){hint}")
            found = go_sprint(item.get(select.key)) == select.value
        else:
            match = element.match()
            if match is None:
                raise _Skip(f"{_where(step)} in {label} is a list, so {element.raw!r} must be an index [N] or a "
                            "selector [value] / [key:value]")
            found = go_regex_search(match.pattern, go_sprint(item))
        if found:
            step.key = i
            return _Step(step, item, _join(step, element), detached=step.detached)
    raise _Skip(_not_found(step, element, label))


def _not_found(step: _Step, element: Element, label: str) -> str:
    where, select, match = _where(step), element.select(), element.match()
    if step.created:
        return f"{where} in {label} is null, so {element.raw} finds nothing"
    if not step.node:
        return f"the path matches nothing in {label}: {where} is an empty list"
    if not element.bracketed:
        return f"{where} in {label} is a list, so {element.raw!r} must be an index [N] or a selector"
    if select is not None and any(isinstance(item, dict) for item in step.node):
        seen = [go_sprint(item[select.key]) for item in step.node if isinstance(item, dict) and select.key in item]
        shown = f" (values there, as istioctl prints them: {', '.join(seen[:5])})" if seen else ""
        return f"the path matches nothing in {label}: no element of {where} has {select.key}={select.value}{shown}"
    pattern = match.pattern if match else ""
    return (f"the path matches nothing in {label}: no element of {where} matches the regular expression "
            f"{pattern!r} (an unanchored search; Go syntax)")


def _write(step: _Step, value: Any, label: str) -> list[tuple[str, str]]:
    """Store value at step, then relink each changed node into its parent up to the object."""
    if step.parent is None:
        return [("path", "the path is empty, so it names the whole object; istioctl ignores a write to it")]
    value, from_text = reinterpret(value)
    notes: list[tuple[str, str]] = []
    visible, first = False, True
    while step.parent is not None:
        parent = step.parent
        container = parent.node
        if isinstance(container, list):
            if not parent.via_key:
                if visible:  # already stored in place in a linked map; istioctl's later error changes nothing
                    return notes
                raise _Skip(_unwritable_list(parent, label))
            index = parent.key
            assert isinstance(index, int)
            if index < len(container):
                container[index] = value
                visible = visible or not parent.detached
            else:  # a grown list is a new value: seen only once relinked into its map
                parent.node = container + [None] * (index - len(container)) + [value]
        elif isinstance(container, ValueMap) and first and from_text:
            return _replace_with_root_key(step, value, label)
        elif isinstance(container, ValueMap) and first and step.via_key:
            container[parent.key] = step.node + [value]
            visible = visible or not parent.detached
            notes.append(("value", f"{step.shown} in {label} holds a list inside a map that came from a patch "
                                   "value, so istioctl appends the value to that list instead of replacing it"))
        elif isinstance(container, dict):
            container[parent.key] = value
            visible = visible or not parent.detached
        else:
            raise _Skip(f"{_where(parent)} in {label} cannot hold a value")
        step.node = value
        if parent.parent is None:
            break
        step, value, first = parent, parent.node, False
    return notes


def _replace_with_root_key(step: _Step, mapping: ValueMap, label: str) -> list[tuple[str, str]]:
    """istioctl's write of a YAML-mapping string into a patch-value map: the key gives way to one root key."""
    parent = step.parent
    assert parent is not None
    container, key = parent.node, parent.key
    if parent.detached:
        return [("value", f"{_where(parent)} in {label} was null or is a new list element, and the value is a "
                          "YAML mapping written inside it; istioctl builds it on a copy that never reaches the "
                          "object, so the write is lost")]
    container.pop(key, None)
    roots = list(mapping)
    if roots and mapping[roots[0]] is not None:
        container[roots[0]] = mapping[roots[0]]
    message = (f"{step.shown} in {label} is inside a map that came from a patch value, and the value is a YAML "
               f"mapping, so istioctl removes the key {key!r} and puts the mapping's root key there instead")
    if len(roots) > 1:
        message += (f"; of the root keys {', '.join(map(repr, roots))} istioctl keeps one chosen at random "
                    f"(helmgen keeps {roots[0]!r}) and drops the rest")
    elif not roots or mapping[roots[0]] is None:
        message += "; the mapping has no non-null root value, so the key is only removed"
    return [("value", message)]


def _delete(step: _Step, label: str) -> list[tuple[str, str]]:
    parent = step.parent
    if parent is None:
        raise _Skip("an empty path would delete the whole object, which istioctl refuses")
    container = parent.node
    if isinstance(container, list):
        if not parent.via_key:
            raise _Skip(_unwritable_list(parent, label))
        index = parent.key
        assert isinstance(index, int)
        if index >= len(container):
            raise _Crash(f"{_where(parent)} in {label} has {len(container)} elements, so {step.shown} is not there "
                         "to delete")
        smaller = container[:index] + container[index + 1:]
        parent.node = smaller
        holder = parent.parent
        assert holder is not None
        holder.node[holder.key] = smaller
        return []
    container.pop(parent.key, None)
    if not step.created:
        return []
    message = f"{step.shown} does not exist in {label}, so there is nothing to delete"
    if parent.created and not parent.detached:
        message += f"; istioctl still leaves the empty maps it made on the way ({parent.shown}: {{}})"
    return [("path", message)]


def _unwritable_list(step: _Step, label: str) -> str:
    if step.created:
        return (f"{_where(step)} in {label} is null; istioctl puts an empty list there that it cannot write "
                "into or delete from")
    return f"{_where(step)} in {label} is a list inside a list, which istioctl cannot write into or delete from"


def _join(step: _Step, element: Element) -> str:
    return f"{step.shown}.{show_path([element])}" if step.shown else show_path([element])


def _where(step: _Step) -> str:
    return step.shown or "the object"


def _kind(value: Any) -> str:
    names = {dict: "a map", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
