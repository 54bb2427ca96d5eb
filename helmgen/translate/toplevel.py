"""Top-level IstioOperator fields into spec.values (facts 4.1), in place on the merged tree."""
from __future__ import annotations

import copy
from typing import Any

from helmgen.goformat import go_format
from helmgen.paths import parse_set_path
from helmgen.setflags import parse_value
from helmgen.values import get_path, merge_into, set_path

# spec field -> spec.values path (as --set text, relative to spec)
_SCALARS = (
    ("hub", "values.global.hub"),
    ("tag", "values.global.tag"),
    ("revision", "values.revision"),
    ("compatibilityVersion", "values.compatibilityVersion"),
)


def _set(tree: dict, path: str, value: Any) -> None:
    set_path(tree, ["spec", *parse_set_path(path)], value)


def translate_toplevel(merged: dict) -> None:
    spec = merged.get("spec")
    if not isinstance(spec, dict):
        return
    for field, target in _SCALARS:
        value = spec.get(field)
        if value is None:
            continue  # istioctl writes the string "<nil>" for an explicit null; helmgen treats it as unset
        if isinstance(value, dict):
            _merge_mesh(spec, value)
            continue
        text = go_format(value)
        if field == "revision":
            _set(merged, target, text)  # kept a string: a DNS label of digits is still a revision name
        else:
            _set(merged, target, parse_value(f"spec.{target}", text))
    mesh = spec.get("meshConfig")
    if isinstance(mesh, dict):
        _merge_mesh(spec, mesh)
    components = spec.get("components") if isinstance(spec.get("components"), dict) else {}
    for key, target in (("pilot", "values.pilot.enabled"), ("cni", "values.pilot.cni.enabled")):
        enabled = get_path(components, (key, "enabled"))
        _set(merged, target, enabled if isinstance(enabled, bool) else False)
    namespace = get_path(spec, ("values", "global", "istioNamespace"))
    if isinstance(namespace, str) and namespace:
        if not isinstance(merged.get("metadata"), dict):
            return  # metadata: null stays null (istioctl writes through it silently)
        merged["metadata"]["namespace"] = namespace


def _merge_mesh(spec: dict, mesh: dict) -> None:
    """spec.meshConfig merged in place into spec.values.meshConfig (a copy of it, as istioctl clones)."""
    merge_into(spec, {"values": {"meshConfig": copy.deepcopy(mesh)}})
