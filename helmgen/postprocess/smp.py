"""Kubernetes strategic merge patch, applied the way k8s.io/apimachinery's `strategicpatch` does with the
typed struct of the object's kind, which is what istioctl uses for `k8s.*` fields (facts 5.1, 5.2).

Maps merge recursively and a null deletes a key. Lists follow the field's patch metadata
(helmgen/data/patch_meta.json): "merge" lists of objects merge element-wise by their merge key, "merge"
lists of scalars are unioned, all other lists are replaced. The directives `$patch`, `$retainKeys`,
`$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>` are honoured; patches that the Go code
rejects raise SmpError. Values compare as Go compares them after Kubernetes' JSON decoding, which makes
integers int64 and other numbers float64: 1 != 1.0 (an int and a float), 1 != "1", True != 1.

Known differences from Go: where one patch map both adds and deletes the same scalar through
`<field>` and `$deleteFromPrimitiveList/<field>`, Go's result depends on its random map order (here:
the patch's key order); the metadata's Kubernetes version may lack fields of the Go structs (an error
here, as for any unknown field that both object and patch hold as a map or list); a list in both where
the metadata has no list is an error here (Go accepts it for pointer fields); a sort of over 20 items of
which some (not all) are missing from the order may differ (Go merges sorted blocks of 20 beyond that).
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from importlib import resources
from typing import Any

PATCH = "$patch"
RETAIN_KEYS = "$retainKeys"
SET_ORDER = "$setElementOrder"
DELETE_FROM = "$deleteFromPrimitiveList"

# A schema: a definition name in the metadata; NO_META (no metadata: maps merge, lists replace);
# or OPAQUE (a map, list or scalar type: Go cannot look fields up in it).
Schema = str | None
NO_META: Schema = None
OPAQUE: Schema = ""


class SmpError(ValueError):
    """A patch that Kubernetes' strategic merge rejects (istioctl then fails the whole render)."""


@lru_cache(maxsize=1)
def _meta() -> dict:
    return json.loads(resources.files("helmgen.data").joinpath("patch_meta.json").read_text())


def strategic_merge(original: dict, patch: dict, kind: str) -> dict:
    """`original` patched with `patch`; `kind` is "group/version/Kind" ("v1/Service" for the core group).

    A kind without metadata merges maps recursively and replaces lists. The arguments are not changed.
    """
    if not isinstance(original, dict) or not isinstance(patch, dict):
        raise SmpError("a strategic merge patch and its target must be JSON objects")
    schema = _meta()["roots"].get(kind, NO_META)
    return _merge_map(copy.deepcopy(original), copy.deepcopy(patch), schema)


def _go_type(value: Any) -> str:
    """The Go type encoding/json decodes `value` into."""
    if value is None or isinstance(value, bool):
        return "nil" if value is None else "bool"
    if isinstance(value, int):  # k8s.io/apimachinery/pkg/util/json: integer literals are int64
        return "int64" if -(2**63) <= value < 2**63 else "float64"
    return {float: "float64", str: "string", dict: "map", list: "slice"}.get(type(value), type(value).__name__)


def _go_eq(a: Any, b: Any) -> bool:
    """Go's `==` on two decoded JSON values held in interfaces (maps and slices cannot be compared)."""
    ta, same = _go_type(a), _go_type(a) == _go_type(b)
    if same and ta in ("map", "slice"):
        raise SmpError(f"cannot compare values of type {ta} (a merge key or a list item)")
    return same and bool(a == b)


def _elem_type(*lists: list) -> str:
    """The one Go type of all elements of `lists`."""
    found = None
    for t in (_go_type(v) for items in lists for v in items):
        if found is None and t in ("nil", "slice"):
            raise SmpError("lists of lists (or of nulls) are not supported")
        if found is not None and t != found:
            raise SmpError(f"list element types are not identical: {found} and {t}")
        found = t
    if found is None:
        raise SmpError("no elements in any of the given slices")
    return found


def _field(schema: Schema, key: str) -> dict | None:
    """The metadata of field `key` of struct `schema` (None without metadata); Go also matches case-insensitively."""
    if schema is NO_META:
        return None
    if schema == OPAQUE:
        raise SmpError(f"merging an object in json but data type is not struct (field {key!r})")
    fields = _meta()["types"][schema]
    name = key if key in fields else next((n for n in fields if n.casefold() == key.casefold()), None)
    if name is None:
        raise SmpError(f"unable to find api field in struct {schema.rsplit('.', 1)[-1]} for the json field {key!r}")
    return fields[name]


def _strategy(field: dict | None) -> str:
    """The patch strategy other than retainKeys ("" when none)."""
    parts = field.get("strategy", "").split(",") if field else [""]
    others = [p for p in parts if p != "retainKeys"]
    if len(parts) > 2 or (len(parts) == 2 and len(others) != 1):
        raise SmpError(f"unexpected patch strategy: {parts}")
    return others[0] if others else ""


def _lookup_struct(schema: Schema, key: str) -> tuple[Schema, str]:
    """Schema and strategy of a map-valued field."""
    f = _field(schema, key)
    return (NO_META if f is None else f["ref"] if "ref" in f and not f.get("list") else OPAQUE), _strategy(f)


def _lookup_slice(schema: Schema, key: str) -> tuple[Schema, str, str]:
    """Element schema, strategy and merge key of a list-valued field."""
    f = _field(schema, key)
    if f is not None and not f.get("list"):
        raise SmpError(f"field {key!r} is not a list in the Kubernetes type")
    return (NO_META, "", "") if f is None else (f.get("ref", OPAQUE), _strategy(f), f.get("key", ""))


def _merge_map(original: dict | None, patch: dict, schema: Schema) -> dict:
    if PATCH in patch:
        if patch[PATCH] == "replace":
            del patch[PATCH]
            return patch
        if patch[PATCH] == "delete":
            return {}
        raise SmpError(f"unknown patch type: {patch[PATCH]} in map: {patch}")
    original = {} if original is None else original
    _apply_retain_keys(original, patch)
    _apply_set_element_order(original, patch, schema)
    for key, pv in list(patch.items()):
        is_delete_list = key.startswith(DELETE_FROM)
        if is_delete_list:
            key = _directive_field(key, DELETE_FROM)
        if pv is None:
            original.pop(key, None)
        elif key not in original or _go_type(original[key]) != _go_type(pv):
            if not is_delete_list:
                _set_new(original, key, pv)
        elif isinstance(pv, dict):
            sub, strategy = _lookup_struct(schema, key)
            original[key] = pv if strategy == "replace" else _merge_map(original[key], pv, sub)
        elif isinstance(pv, list):
            sub, strategy, merge_key = _lookup_slice(schema, key)
            original[key] = _merge_list_field(original[key], pv, sub, strategy, merge_key, is_delete_list)
        else:
            original[key] = pv
    return original


def _set_new(original: dict, key: str, value: Any) -> None:
    """Take a patch value as it is, without its nulls and `$patch` maps (dropped entirely at the top)."""
    _discard_nulls(value)
    original[key], keep = _remove_directives(value)
    if not keep:
        del original[key]


def _discard_nulls(value: Any) -> None:
    for k in [k for k, v in value.items() if v is None] if isinstance(value, dict) else []:
        del value[k]
    for v in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
        _discard_nulls(v)


def _remove_directives(value: Any) -> tuple[Any, bool]:
    """`value` without maps that carry `$patch`; False when `value` itself is one."""
    if isinstance(value, dict):
        if PATCH in value:
            return None, False
        kept = {k: _remove_directives(v) for k, v in value.items()}
        return {k: v for k, (v, keep) in kept.items() if keep}, True
    if isinstance(value, list):
        return [v for v, keep in map(_remove_directives, value) if keep], True
    return value, True


def _directive_field(key: str, prefix: str) -> str:
    head, sep, rest = key.partition("/")
    if not sep or head != prefix:
        raise SmpError(f"invalid patch format of {prefix} directive: {key!r}")
    return rest


def _apply_retain_keys(original: dict, patch: dict) -> None:
    """`$retainKeys`: keep only the listed keys of the original (on any field, whatever its strategy)."""
    if RETAIN_KEYS not in patch:
        return
    retain = patch.pop(RETAIN_KEYS)
    if not isinstance(retain, list) or any(_go_type(k) in ("map", "slice") for k in retain):
        raise SmpError("invalid patch format of retainKeys")
    names = {k for k in retain if isinstance(k, str)}
    for k, v in patch.items():
        if v is not None and not k.startswith((DELETE_FROM, SET_ORDER)) and k not in names:
            raise SmpError(f"invalid patch format of retainKeys: {k!r} is not retained")
    for k in [k for k in original if k not in names]:
        del original[k]


def _apply_set_element_order(original: dict, patch: dict, schema: Schema) -> None:
    """`$setElementOrder/<field>`: merge that field now and order it by the given list."""
    for directive in [k for k in patch if k.startswith(SET_ORDER)]:
        order = patch.pop(directive)
        key = _directive_field(directive, SET_ORDER)
        found_o, found_p = key in original, key in patch
        ol, pl = original.get(key, []), patch.get(key, [])
        if not isinstance(order, list) or not isinstance(ol, list) or not isinstance(pl, list):
            raise SmpError(f"invalid patch format of setElementOrder list: {directive!r}")
        sub, strategy, merge_key = _lookup_slice(schema, key)
        _check_order(pl, order, merge_key)
        if found_o and found_p:
            merged = _merge_list_field(ol, pl, sub, strategy, merge_key, False)
        elif found_p or found_o:
            merged = _remove_directives(pl)[0] if found_p else ol
        else:
            continue
        listed, others = _partition(merged, order, merge_key)
        original[key] = _normalize(listed, others, order, ol, merge_key, _elem_type(ol, pl))
        patch.pop(key, None)


def _check_order(pl: list, order: list, merge_key: str) -> None:
    """Every patch item must appear in the order list, in the same relative order."""
    if not order or not pl:
        return
    items = _split_deletes(pl)[0] if merge_key else pl
    i = j = 0
    while i < len(items) and j < len(order):
        if isinstance(items[i], dict) and PATCH in items[i]:
            i += 1
            continue
        if _go_eq(*((_key(items[i], merge_key), _key(order[j], merge_key)) if merge_key else (items[i], order[j]))):
            i += 1
        j += 1
    if i < len(items):
        raise SmpError(f"the order in patch list {pl} doesn't match {SET_ORDER} list {order}")


def _key(item: Any, merge_key: str) -> Any:
    """The merge key's value of a list item, which must be a map that has it."""
    if not isinstance(item, dict):
        raise SmpError(f"expected a map in a list merged by {merge_key!r}, got {_go_type(item)}")
    if merge_key not in item:
        raise SmpError(f"map: {item} does not contain declared merge key: {merge_key}")
    return item[merge_key]


def _split_deletes(items: list) -> tuple[list, list]:
    """(items, items marked `$patch: delete`); every item must be a map."""
    keep, delete = [], []  # type: list, list
    for v in items:
        if not isinstance(v, dict):
            raise SmpError(f"expected a map, got {_go_type(v)}")
        (delete if v.get(PATCH) == "delete" else keep).append(v)
    return keep, delete


def _merge_list_field(ov: list, pv: list, sub: Schema, strategy: str, merge_key: str, is_delete_list: bool) -> list:
    if strategy == "merge" or is_delete_list:
        return _merge_list(ov, pv, sub, merge_key, is_delete_list)
    return pv


def _merge_list(original: list, patch: list, schema: Schema, merge_key: str, is_delete_list: bool) -> list:
    if not original and not patch:
        return original
    kind = _elem_type(original, patch)
    if kind != "map":
        if is_delete_list:
            return [v for v in original if not any(_go_eq(v, d) for d in patch)]
        merged = _dedup(original, patch)
    else:
        if not merge_key:
            raise SmpError(f"cannot merge lists without merge key for {schema or 'struct'}")
        given = original
        array, original, patch = _special_elements(original, patch, merge_key)
        merged = list(original)
        for item in patch:
            at = _find(merged, merge_key, _key(item, merge_key))
            if at is None and len(merged) < len(array):
                array[len(merged)] = item  # Go appends into the array its deletions shortened
            if at is None:
                merged.append(item)
            else:
                merged[at] = _merge_map(merged[at], item, schema)
        given[:] = array  # what the caller's slice now shows (read again with $setElementOrder)
    in_patch, server_only = _partition(merged, patch, merge_key)
    return _normalize(in_patch, server_only, patch, original, merge_key, kind)


def _dedup(original: list, patch: list) -> list:
    """Go's in-place de-duplication of `append(original, patch...)`: a later duplicate is overwritten by the last
    item. When the append fits in the capacity JSON decoding gave `original` (the next power of two up to 512
    items), Go writes into `original`'s own array, which changes the order later steps read from it."""
    s = original + patch
    last, i = len(s) - 1, 0
    while i < last:
        j = i + 1
        while j <= last:
            if _go_eq(s[i], s[j]):
                s[j] = s[last]
                last -= 1
                j -= 1
            j += 1
        i += 1
    n = len(original)
    if n and len(s) <= 1 << (n - 1).bit_length():
        original[:] = s[:n]
    return s[:last + 1]


def _special_elements(original: list, patch: list, merge_key: str) -> tuple[list, list, list]:
    """Apply `$patch: delete|replace` items: (Go's array under `original` after its in-place deletions,
    the original left to merge into, the patch's other items)."""
    plain, replace, array, size = [], False, list(original), len(original)
    for item in patch:
        directive = item.get(PATCH)
        if PATCH not in item:
            plain.append(item)
        elif directive == "delete":
            value = _key(item, merge_key)
            while (at := _find(array[:size], merge_key, value)) is not None:
                array[at:size - 1], size = array[at + 1:size], size - 1
        elif directive in ("replace", "merge"):
            if directive == "merge":
                raise SmpError("merging lists cannot yet be specified in the patch")
            replace = True
        else:
            raise SmpError(f"unknown patch type: {directive} in map: {item}")
    return (array, plain, []) if replace else (array, array[:size], plain)


def _has_key_value(item: Any, merge_key: str, value: Any) -> bool:
    if not isinstance(item, dict):
        raise SmpError("value in a merged list is not a map")
    return merge_key in item and _go_eq(item[merge_key], value)


def _find(items: list, merge_key: str, value: Any) -> int | None:
    return next((i for i, v in enumerate(items) if _has_key_value(v, merge_key, value)), None)


def _partition(merged: list, by: list, merge_key: str) -> tuple[list, list]:
    """(items of `merged` found in `by`, the others): by merge key, or as Go map keys without one."""
    if merge_key:
        found = [_find(by, merge_key, _key(v, merge_key)) is not None for v in merged]
    else:
        if any(_go_type(v) in ("map", "slice") for v in merged + by):
            raise SmpError("a list of objects cannot be ordered without a merge key")
        found = [any(_go_eq(v, b) for b in by) for v in merged]
    return [v for v, f in zip(merged, found) if f], [v for v, f in zip(merged, found) if not f]


def _normalize(patch_items: list, server_only: list, patch_order: list, server_order: list,
               merge_key: str, kind: str) -> list:
    """Sort each part by its own order, then interleave them by the server order (patch items win ties)."""
    patch_items = _sort_by(patch_items, patch_order, merge_key, kind)
    server_only = _sort_by(server_only, server_order, merge_key, kind)
    out: list = []
    i = j = 0
    while i < len(server_only) or j < len(patch_items):
        if i < len(server_only) and j < len(patch_items):
            li, ri = (_index(server_order, v, merge_key, kind) for v in (server_only[i], patch_items[j]))
        if j >= len(patch_items) or (i < len(server_only) and 0 <= li < ri):
            out.append(server_only[i])
            i += 1
        else:
            out.append(patch_items[j])
            j += 1
    return out


def _index(items: list, value: Any, merge_key: str, kind: str) -> int:
    key_of = (lambda v: v.get(merge_key) if isinstance(v, dict) else None) if kind == "map" else (lambda v: v)
    wanted = key_of(value)
    return next((i for i, v in enumerate(items) if _go_eq(wanted, key_of(v))), -1)


def _sort_by(items: list, order: list, merge_key: str, kind: str) -> list:
    """Go's sort.SliceStable by position in `order`, where an item missing from `order` is less than anything
    (so an empty order reverses); by insertion, as Go sorts up to 20 items. Maps marked for deletion go last."""
    deletes: list = []
    if kind == "map":
        for v in items + order:
            _key(v, merge_key)
        items, deletes = _split_deletes(items)
    items, pos = list(items), [_index(order, v, merge_key, kind) for v in items]
    for i in range(1, len(items)):
        j = i
        while j > 0 and (pos[j] < 0 or pos[j - 1] < 0 or pos[j] < pos[j - 1]):
            pos[j - 1], pos[j], items[j - 1], items[j] = pos[j], pos[j - 1], items[j], items[j - 1]
            j -= 1
    return items + deletes
