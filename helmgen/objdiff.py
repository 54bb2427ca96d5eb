"""Differences between a live object and the object an install would leave, as a unified diff of YAML.

Both sides are normalised first: what the API server keeps about an object rather than in it (status,
resourceVersion, uid, managedFields, ...) is dropped, so only real changes show.
"""
from __future__ import annotations

import difflib
from typing import Any

import yaml

from helmgen.goformat import quote_go_booleans

VOLATILE_METADATA = ("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink")
VOLATILE_ANNOTATIONS = ("deployment.kubernetes.io/revision", "kubectl.kubernetes.io/last-applied-configuration")


def normalise(obj: dict | None) -> dict | None:
    if obj is None:
        return None
    out = {k: v for k, v in obj.items() if k != "status"}
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in VOLATILE_METADATA}
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k not in VOLATILE_ANNOTATIONS}
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    out["metadata"] = meta
    return out


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings (mesh config, injection templates) as block scalars, so a diff shows changed lines."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value and all(ch == "\n" or ch.isprintable() for ch in value) and value == value.rstrip(" "):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_BlockDumper.add_representer(str, _str)
quote_go_booleans(_BlockDumper)


def _text(obj: Any) -> list[str]:
    if obj is None:
        return []
    return yaml.dump(obj, Dumper=_BlockDumper, sort_keys=True, default_flow_style=False,
                     width=4096).splitlines(keepends=True)


def object_diff(live: dict | None, after: dict | None, name: str) -> list[str]:
    """Unified diff lines from the live object to the one after install ([] when equal)."""
    before, later = normalise(live), normalise(after)
    if before == later:
        return []
    return list(difflib.unified_diff(_text(before), _text(later), f"live {name}", f"after install {name}", n=3))
