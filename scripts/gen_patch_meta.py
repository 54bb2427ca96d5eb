#!/usr/bin/env python3
"""Regenerate helmgen/data/patch_meta.json: the strategic-merge-patch metadata of the kinds istioctl patches.

For each root kind and every definition reachable from it, each field is listed with what
helmgen/postprocess/smp.py needs and nothing else:

  {}                                   a scalar (or a special type such as IntOrString, Quantity, Time)
  {"ref": DEF}                         an object of definition DEF
  {"map": true}                        a map
  {"list": true, "ref": DEF?}          a list (of DEF objects when "ref" is there, else of scalars)
  + "strategy" / "key"                 x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key

The source is the JSON schema that the `kubernetes-validate` package ships, at gen_types.K8S_VERSION.
Usage: scripts/gen_patch_meta.py   (no arguments; run with the project's venv)
"""
from __future__ import annotations

import json
from pathlib import Path

import kubernetes_validate

from gen_types import K8S_VERSION

# "group/version/Kind" (the apiVersion and kind of a manifest joined by "/") -> definition.
ROOTS = {
    "apps/v1/Deployment": "io.k8s.api.apps.v1.Deployment",
    "apps/v1/DaemonSet": "io.k8s.api.apps.v1.DaemonSet",
    "autoscaling/v2/HorizontalPodAutoscaler": "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
    "policy/v1/PodDisruptionBudget": "io.k8s.api.policy.v1.PodDisruptionBudget",
    "v1/Service": "io.k8s.api.core.v1.Service",
}


def _types(value: object) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def patch_meta(defs: dict) -> dict:
    """The roots and the compact field table of every definition they reach."""
    types: dict[str, dict] = {}

    def ref_of(schema: dict) -> str | None:
        """The definition an object schema points to, when that definition has fields."""
        if "$ref" not in schema:
            return None
        name = schema["$ref"].rsplit("/", 1)[-1]
        if "properties" not in defs[name]:
            return None  # IntOrString, Quantity, Time, ...: JSON scalars
        visit(name)
        return name

    def field(schema: dict) -> dict:
        out: dict = {}
        if "array" in _types(schema.get("type")):
            out["list"] = True
            ref = ref_of(schema.get("items", {}))
        elif "object" in _types(schema.get("type")) and "properties" not in schema:
            out["map"] = True
            ref = None
        else:
            ref = ref_of(schema)
        if ref:
            out["ref"] = ref
        if "x-kubernetes-patch-strategy" in schema:
            out["strategy"] = schema["x-kubernetes-patch-strategy"]
        if "x-kubernetes-patch-merge-key" in schema:
            out["key"] = schema["x-kubernetes-patch-merge-key"]
        return out

    def visit(name: str) -> None:
        if name in types:
            return
        types[name] = {}
        types[name] = {k: field(v) for k, v in defs[name]["properties"].items()}

    for root in ROOTS.values():
        visit(root)
    return {"version": K8S_VERSION, "roots": ROOTS, "types": dict(sorted(types.items()))}


def render(meta: dict) -> str:
    """One definition per line: small, and still readable in a diff."""
    lines = [f'{{"version": {json.dumps(meta["version"])},',
             f' "roots": {json.dumps(meta["roots"], sort_keys=True)},', ' "types": {']
    items = list(meta["types"].items())
    for i, (name, fields) in enumerate(items):
        sep = "," if i < len(items) - 1 else ""
        lines.append(f'  {json.dumps(name)}: {json.dumps(fields, sort_keys=True, separators=(",", ":"))}{sep}')
    lines.append(" }}")
    return "\n".join(lines) + "\n"


def main() -> None:
    base = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"v{K8S_VERSION}-local-strict"
    defs = json.loads((base / "_definitions.json").read_text())["$defs"]
    out = Path(__file__).resolve().parent.parent / "helmgen" / "data" / "patch_meta.json"
    out.write_text(render(patch_meta(defs)))


if __name__ == "__main__":
    main()
