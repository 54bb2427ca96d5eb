"""A component's values tree -> the values of our chart for that release.

Our charts read their settings at the top level (as Istio's charts do when installed with Helm):
istiod gets `pilot.*` moved to the top level, istio-cni gets `cni.*`, a gateway gets its own
`gateways.istio-<x>gateway.*` block plus `gatewayType` (`enabled` is dropped: enablement is helmgen's
business); ztunnel is already flattened. Every chart with a workload also gets the component's `k8s` block
(translate/k8s.py). `project` keeps only what the chart's schema declares. Each key remembers the
IstioOperator path it came from, so schema errors can name both.
"""
from __future__ import annotations

from typing import Any

from helmgen.components import Component
from helmgen.paths import Path
from helmgen.translate.components import ComponentSpec
from helmgen.translate.k8s import chart_k8s
from helmgen.values import deep_merge, get_path

_GATEWAY_SHARED = ("global", "meshConfig", "revision", "ownerName", "profile", "compatibilityVersion", "platform",
                   "pilot")  # gateways read pilot.env (ENABLE_CLUSTER_TRUST_BUNDLE_API)


def _descope(tree: dict, key: str) -> tuple[dict, dict[str, Path]]:
    out = dict(tree)
    origins: dict[str, Path] = {k: ("spec", "values", k) for k in tree}
    inner = out.pop(key, None)
    origins.pop(key, None)
    if isinstance(inner, dict):
        for k, v in inner.items():
            if k == "enabled":
                continue  # enablement is helmgen's business, not the chart's
            out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
            origins[k] = ("spec", "values", key, k)
    return out, origins


def chart_values(cs: ComponentSpec, tree: Any) -> tuple[dict, dict[str, Path]]:
    """(values laid out for our chart, top-level key -> IstioOperator path it came from); `project`
    then keeps what the chart's schema declares."""
    if not isinstance(tree, dict):
        return {}, {}
    comp = cs.info.component
    if comp is Component.PILOT:
        src, origins = _descope(tree, "pilot")
    elif comp is Component.CNI:
        src, origins = _descope(tree, "cni")
    elif comp in (Component.INGRESS_GATEWAYS, Component.EGRESS_GATEWAYS):
        root = cs.info.values_root
        gw = tree.get(root[0], {}).get(root[1]) if isinstance(tree.get(root[0]), dict) else None
        src = {k: tree[k] for k in _GATEWAY_SHARED if k in tree}
        origins = {k: ("spec", "values", k) for k in src}
        for k, v in (gw if isinstance(gw, dict) else {}).items():
            if k == "enabled":
                continue  # enablement is helmgen's business, not the chart's
            src[k] = v
            origins[k] = ("spec", "values", *root, k)
        src["gatewayType"] = "ingress" if comp is Component.INGRESS_GATEWAYS else "egress"
        origins["gatewayType"] = cs.iop_path
        origins["name"] = cs.iop_path + ("name",)
        origins["labels"] = cs.iop_path + ("label",)
    elif comp is Component.ZTUNNEL:
        src = tree
        origins = {k: ("spec", "values", "ztunnel", k) for k in tree}
        origins["global"] = ("spec", "values", "global")
    else:
        src = tree
        origins = {k: ("spec", "values", k) for k in tree}
    k8s = chart_k8s(cs.k8s, cs.info.multi) if cs.info.resource_kind else None
    if k8s is not None:
        src = {**src, "k8s": k8s}
        origins["k8s"] = cs.iop_path + ("k8s",)
    return src, {k: origins.get(k, ("spec", "values", k)) for k in src}


def project(value: Any, schema: dict, root: dict, path: tuple = ()) -> tuple[Any, list[tuple]]:
    """Keep only what the chart's schema declares where it declares its keys (additionalProperties:
    false). Returns (projected value, paths of the dropped keys)."""
    schema = _resolved(schema, root)
    if not isinstance(value, dict) or not isinstance(schema, dict):
        return value, []
    props = schema.get("properties")
    if not isinstance(props, dict):
        return value, []
    out, dropped = {}, []
    for k, v in value.items():
        if k in props:
            projected, more = project(v, props[k], root, path + (k,))
            dropped += more
            if projected == {} and isinstance(v, dict) and v:
                continue  # nothing of it is read by this chart
            out[k] = projected
        elif schema.get("additionalProperties") is False:
            dropped.append(path + (k,))
        else:
            out[k] = v
    return out, dropped


def _resolved(schema: Any, root: dict) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        node: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        schema = node
    return schema


def _accepts_null(schema: Any, root: dict) -> bool:
    schema = _resolved(schema, root)
    if not isinstance(schema, dict):
        return True
    types = schema.get("type")
    if types is not None and "null" not in ([types] if isinstance(types, str) else types):
        return False
    return "enum" not in schema or None in schema["enum"]


def drop_refused_nulls(values: Any, schema: Any, root: dict, verbatim: tuple[str, ...] = ("k8s",)) -> Any:
    """A null in a release's values removes what lies beneath it: the chart default or helm-side layer value our
    charts lay under the values at render time (or, for a chart with defaults in values.yaml, the default Helm
    removes). The charts' schemas accept null exactly where it clears something, and wherever anything goes;
    a null the schema refuses clears nothing, so it is dropped instead of failing the schema check. Top-level
    keys in `verbatim` stay as they are: in `k8s` a null is a strategic-merge delete that the chart applies."""
    if not isinstance(values, dict):
        return values
    schema = _resolved(schema, root)
    props = schema.get("properties") if isinstance(schema, dict) else None
    extra = schema.get("additionalProperties") if isinstance(schema, dict) else None
    out = {}
    for k, v in values.items():
        if k in verbatim:
            out[k] = v
            continue
        if isinstance(props, dict) and k in props:
            sub = props[k]
        else:
            sub = extra if isinstance(extra, dict) else None  # None: free-form, anything goes
        if v is None:
            if sub is None or _accepts_null(sub, root):
                out[k] = None
            continue
        out[k] = drop_refused_nulls(v, sub, root, ()) if isinstance(v, dict) else v
    return out


_MISSING = object()


def iop_path_of(vpath: Path, origins: dict[str, Path], unvalidated: Any) -> Path:
    """The IstioOperator path a chart value came from (spec.unvalidatedValues... when it came from there)."""
    if not vpath:
        return ()
    path = origins.get(str(vpath[0]), ("spec", "values", str(vpath[0]))) + tuple(vpath[1:])
    if path[:2] == ("spec", "values") and isinstance(unvalidated, dict) and \
            get_path(unvalidated, path[2:], _MISSING) is not _MISSING:
        return ("spec", "unvalidatedValues") + path[2:]
    return path
