"""What decides an object's behaviour, and where two renders of it differ (pure; no I/O).

The equivalence tier renders every input twice through helmgen, with our charts and with Istio's, and compares
the objects as `behaviour` sees them: the whole object except metadata that only names the chart that made it,
ConfigMap payloads parsed (mesh config and injector settings as data, injection template text left out by name),
CRDs by what the API server serves (group, names, scope, versions; not the schema text), and webhook CA bundles
left out (istiod writes them). `differences` lists leaf paths; `intended` entries (with their reason) excuse
listed paths.
"""
from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any

import yaml

NOISE_LABELS = ("helm.sh/chart", "app.kubernetes.io/version", "app.kubernetes.io/managed-by")


def _parsed(text: Any, loader) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return loader(text)
    except Exception:  # noqa: BLE001 - an unparsable payload is compared as text
        return text


def _configmap_data(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if key in ("mesh", "meshNetworks") or key.endswith((".yaml", ".yml")):
            out[key] = _parsed(value, yaml.safe_load)
        elif key == "values" or key.endswith(".json"):
            out[key] = _parsed(value, json.loads)
        elif key == "config":
            cfg = _parsed(value, yaml.safe_load)
            if isinstance(cfg, dict) and isinstance(cfg.get("templates"), dict):
                cfg = {**cfg, "templates": sorted(cfg["templates"])}   # which templates, not their text
            out[key] = cfg
        else:
            out[key] = value
    return out


def _crd_spec(spec: dict) -> dict:
    versions = [{k: v for k, v in ver.items() if k != "schema"} for ver in spec.get("versions") or []]
    return {**{k: v for k, v in spec.items() if k != "versions"}, "versions": versions}


def behaviour(obj: dict) -> dict:
    """The object as the equivalence tier compares it."""
    out = {k: v for k, v in obj.items() if k != "metadata"}
    meta = obj.get("metadata") or {}
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if k not in NOISE_LABELS}
    out["metadata"] = {k: v for k, v in (("namespace", meta.get("namespace") or ""), ("name", meta.get("name")),
                                         ("labels", labels), ("annotations", meta.get("annotations") or {}))}
    kind = obj.get("kind")
    if kind == "ConfigMap" and isinstance(obj.get("data"), dict):
        out["data"] = _configmap_data(obj["data"])
    elif kind == "CustomResourceDefinition" and isinstance(obj.get("spec"), dict):
        out["spec"] = _crd_spec(obj["spec"])
    elif kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
        hooks = []
        for hook in obj.get("webhooks") or []:
            client = {k: v for k, v in (hook.get("clientConfig") or {}).items() if k != "caBundle"}
            hooks.append({**hook, "clientConfig": client})
        out["webhooks"] = hooks
    return out


def ident(obj: dict) -> tuple[str, str, str]:
    meta = obj.get("metadata") or {}
    return (obj.get("kind") or "", meta.get("namespace") or "", meta.get("name") or "")


def _same_scalar(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def _label(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for key in ("name", "port", "containerPort", "mountPath"):
            if key in item:
                return f"[{key}={item[key]}]"
    return f"[{index}]"


def differences(ours: Any, theirs: Any, path: str = "") -> list[str]:
    """Leaf paths where the two differ (a list whose length or keys differ is one difference)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        out = []
        for key in sorted(set(ours) | set(theirs), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in ours:
                out.append(f"{sub}: only in Istio's chart")
            elif key not in theirs:
                out.append(f"{sub}: only in ours")
            else:
                out += differences(ours[key], theirs[key], sub)
        return out
    if isinstance(ours, list) and isinstance(theirs, list):
        labels_a = [_label(x, i) for i, x in enumerate(ours)]
        labels_b = [_label(x, i) for i, x in enumerate(theirs)]
        if labels_a != labels_b:
            return [f"{path}: items {labels_a} vs Istio's {labels_b}"]
        out = []
        for label, a, b in zip(labels_a, ours, theirs):
            out += differences(a, b, path + label)
        return out
    if _same_scalar(ours, theirs):
        return []
    return [f"{path}: {json.dumps(ours, default=str)[:200]} vs Istio's {json.dumps(theirs, default=str)[:200]}"]


@dataclass(frozen=True)
class Intended:
    """A listed difference: objects of `kind` whose name matches `name` (a glob), at paths starting with `path`."""

    kind: str
    name: str
    path: str
    reason: str

    def excuses(self, kind: str, name: str, difference: str) -> bool:
        where = difference.split(":", 1)[0]
        return (self.kind in ("*", kind) and fnmatch.fnmatchcase(name, self.name) and
                (where == self.path or where.startswith((self.path + ".", self.path + "["))))


def compare(ours: list[dict], theirs: list[dict], intended: list[Intended] = ()) -> list[str]:
    """Every difference between two renders that no intended entry excuses, one line each."""
    mine = {ident(o): o for o in ours}
    ref = {ident(o): o for o in theirs}
    problems = []
    for key in sorted(set(mine) | set(ref)):
        kind, ns, name = key
        where = f"{kind} {ns + '/' if ns else ''}{name}"
        if key not in mine or key not in ref:
            side = "Istio's chart" if key not in mine else "our chart"
            if not any(i.excuses(kind, name, "(object)") for i in intended):
                problems.append(f"{where}: rendered only by {side}")
            continue
        for diff in differences(behaviour(mine[key]), behaviour(ref[key])):
            if not any(i.excuses(kind, name, diff) for i in intended):
                problems.append(f"{where}: {diff}")
    return problems


def load_intended(documents: list[Any]) -> list[Intended]:
    """Intended entries from parsed YAML lists of {kind, name, path, reason}; every field is required."""
    out = []
    for doc in documents:
        for entry in doc or []:
            out.append(Intended(str(entry["kind"]), str(entry["name"]), str(entry["path"]), str(entry["reason"])))
    return out
