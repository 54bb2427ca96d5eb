"""Strict, typed checking of an IstioOperator tree, with normalisation.

One walker checks a value against a type descriptor and returns the value normalised (string
booleans "true"/"false" become booleans, numeric strings in integer protobuf fields become integers)
plus every problem found, each with its full path. Types come from three places:

* the IstioOperator resource itself (IOP_TYPES below: spec, components, k8s blocks, overlays);
* the `spec.values` protobuf messages (data/values_types.json; protobuf-JSON rules: a field may be
  spelled by its JSON or its proto name, null means unset, integers may be quoted);
* Kubernetes types used in `k8s` blocks (data/k8s_types.json; Go JSON rules: integers must be
  numbers, quantities must parse).

Descriptors are dicts: {"type": "object", "fields": {...}}, {"type": "map", "values": T},
{"type": "list", "items": T}, {"k8s": name}, {"msg": name}, or a scalar {"type": "bool" | "string" |
"int32" | "uint32" | "int64" | "double" | "duration" | "quantity" | "intOrString" | "enum" | "struct"
| "any" | "scalar"}.
"""
from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any, Callable

from helmgen.errors import Problem, Severity
from helmgen.paths import Path

_STR = {"type": "string"}
_BOOL = {"type": "bool"}
_STR_MAP = {"type": "map", "values": _STR}


def _k8s(name: str) -> dict:
    return {"k8s": name}


def _list(t: dict) -> dict:
    return {"type": "list", "items": t}


K8S_BLOCK = {"type": "object", "fields": {
    "affinity": _k8s("Affinity"),
    "env": _list(_k8s("EnvVar")),
    "hpaSpec": _k8s("HorizontalPodAutoscalerSpec"),
    "imagePullPolicy": _STR,
    "nodeSelector": _STR_MAP,
    "podDisruptionBudget": _k8s("PodDisruptionBudgetSpec"),
    "podAnnotations": _STR_MAP,
    "priorityClassName": _STR,
    "readinessProbe": _k8s("Probe"),
    "replicaCount": {"type": "uint32"},
    "resources": _k8s("ResourceRequirements"),
    "service": _k8s("ServiceSpec"),
    "strategy": _k8s("DeploymentStrategy"),
    "tolerations": _list(_k8s("Toleration")),
    "serviceAnnotations": _STR_MAP,
    "securityContext": _k8s("PodSecurityContext"),
    "volumes": _list(_k8s("Volume")),
    "volumeMounts": _list(_k8s("VolumeMount")),
    "overlays": _list({"type": "object", "fields": {
        "apiVersion": _STR, "kind": _STR, "name": _STR,
        "patches": _list({"type": "object", "fields": {"path": _STR, "value": {"type": "any"}}}),
    }}),
}}

_COMPONENT = {"type": "object", "fields": {
    "enabled": _BOOL, "namespace": _STR, "hub": _STR, "tag": {"type": "scalar"}, "k8s": K8S_BLOCK}}
_GATEWAY = {"type": "object", "fields": {**_COMPONENT["fields"], "name": _STR, "label": _STR_MAP}}

IOP_TYPE = {"type": "object", "fields": {
    "apiVersion": _STR,
    "kind": _STR,
    "metadata": _k8s("ObjectMeta"),
    "spec": {"type": "object", "fields": {
        "profile": _STR,
        "installPackagePath": _STR,
        "hub": _STR,
        "tag": {"type": "scalar"},
        "namespace": _STR,
        "revision": _STR,
        "compatibilityVersion": _STR,
        "meshConfig": {"mesh": "istio.mesh.v1alpha1.MeshConfig"},
        "components": {"type": "object", "fields": {
            "base": {"type": "object", "fields": {"enabled": _BOOL, "k8s": K8S_BLOCK}},
            "pilot": _COMPONENT,
            "cni": _COMPONENT,
            "ztunnel": _COMPONENT,
            "istiodRemote": _COMPONENT,
            "ingressGateways": _list(_GATEWAY),
            "egressGateways": _list(_GATEWAY),
        }},
        "values": {"msg": "Values"},
        "unvalidatedValues": {"type": "any"},
    }},
}}


@lru_cache(maxsize=None)
def _data(name: str) -> dict:
    return json.loads(resources.files("helmgen.data").joinpath(name).read_text())


def values_messages() -> dict:
    return _data("values_types.json")["messages"]


def mesh_messages() -> dict:
    return _data("mesh_types.json")["messages"]


# Free-form fields of the values messages that have a known type after all.
VALUES_OVERRIDES = {("Values", "meshConfig"): {"mesh": "istio.mesh.v1alpha1.MeshConfig"}}


def k8s_definitions() -> dict:
    return _data("k8s_types.json")


_QUANTITY = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$")
_DURATION = re.compile(r"^[+-]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$|^0$")
_LIMITS = {"int32": (-2 ** 31, 2 ** 31 - 1), "uint32": (0, 2 ** 32 - 1), "int64": (-2 ** 63, 2 ** 63 - 1),
           "uint64": (0, 2 ** 64 - 1)}
_INT_WORDS = {"int32": "a 32-bit integer", "uint32": "an unsigned integer", "int64": "an integer",
              "uint64": "an unsigned integer"}


def _describe(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"boolean {str(v).lower()}"
    if isinstance(v, (int, float)):
        return f"number {v}"
    if isinstance(v, str):
        return f"string {json.dumps(v)}"
    if isinstance(v, list):
        return "a list"
    return "a map"


def suggest(name: str, choices: list[str]) -> str | None:
    """The closest known field name to an unknown one, if any is close."""
    lowered = {c.lower(): c for c in choices}
    if name.lower() in lowered:
        return lowered[name.lower()]
    hits = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return hits[0] if hits else None


class Checker:
    """Walks a tree against a descriptor. `protobuf` mode applies protobuf-JSON scalar rules."""

    def __init__(self, relocate: Callable[[Path, str], str | None] | None = None):
        """`relocate(path, key)`: a hint for an unknown field (where it belongs), or None."""
        self.problems: list[Problem] = []
        self._relocate = relocate

    def error(self, path: Path, message: str) -> None:
        self.problems.append(Problem(path, message))

    def check(self, value: Any, typ: dict, path: Path, protobuf: bool = False) -> Any:
        if "k8s" in typ:
            return self.check(value, k8s_definitions()["definitions"][k8s_definitions()["roots"].get(
                typ["k8s"], typ["k8s"])], path, protobuf=False)
        if "ref" in typ:
            return self.check(value, k8s_definitions()["definitions"][typ["ref"]], path, protobuf=False)
        if "msg" in typ:
            return self._message(value, typ["msg"], path, values_messages(), "msg")
        if "mesh" in typ:
            return self._message(value, typ["mesh"], path, mesh_messages(), "mesh")
        if value is None:
            return None
        kind = typ["type"]
        if kind == "object":
            return self._object(value, typ["fields"], path, protobuf)
        if kind == "map":
            if not isinstance(value, dict):
                return self._mismatch(value, "a map", path)
            return {k: self.check(v, typ["values"], path + (str(k),), protobuf) for k, v in value.items()}
        if kind == "list":
            if not isinstance(value, list):
                return self._mismatch(value, "a list", path)
            return [self.check(v, typ["items"], path + (i,), protobuf) for i, v in enumerate(value)]
        return self._scalar(value, kind, typ, path, protobuf)

    def _mismatch(self, value: Any, expected: str, path: Path) -> Any:
        self.error(path, f"expected {expected}, found {_describe(value)}")
        return value

    def _object(self, value: Any, fields: dict, path: Path, protobuf: bool,
                aliases: dict[str, str] | None = None, lenient: bool = False) -> Any:
        if not isinstance(value, dict):
            return self._mismatch(value, "a map", path)
        out = {}
        for key, item in value.items():
            name = aliases.get(key, key) if aliases else key
            if not isinstance(key, str) or name not in fields:
                self._unknown(path, str(key), list(fields), lenient)
                out[key] = item
                continue
            out[key] = self.check(item, fields[name], path + (key,), protobuf)
        return out

    def _unknown(self, path: Path, key: str, known: list[str], lenient: bool) -> None:
        hint = self._relocate(path, key) if self._relocate else None
        if hint:
            self.error(path + (key,), f"unknown field; {hint}")
            return
        hint = suggest(key, known)
        text = f"unknown field; did you mean {hint}?" if hint else "unknown field"
        if lenient:  # mesh config: istio tolerates unknown fields, so do we, but we say so
            self.problems.append(Problem(path + (key,), text + " (mesh config tolerates it, Istio ignores it)",
                                         Severity.WARNING))
        else:
            self.error(path + (key,), text)

    def _message(self, value: Any, name: str, path: Path, messages: dict, kind: str) -> Any:
        if value is None:
            return None
        typed = {}
        aliases = {}
        for json_name, f in messages[name].items():
            typed[json_name] = VALUES_OVERRIDES.get((name, json_name)) or _proto_field(f, kind)
            if f["proto"] != json_name:
                aliases[f["proto"]] = json_name
        return self._object(value, typed, path, True, aliases, lenient=kind == "mesh")

    def _scalar(self, value: Any, kind: str, typ: dict, path: Path, protobuf: bool) -> Any:
        if kind == "any":
            return value
        if kind == "scalar":
            return value if not isinstance(value, (dict, list)) else self._mismatch(value, "a scalar", path)
        if kind == "struct":
            return value if isinstance(value, dict) else self._mismatch(value, "a map", path)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if value in ("true", "false"):
                return value == "true"
            return self._mismatch(value, "a boolean", path)
        if kind == "string":
            return value if isinstance(value, str) else self._mismatch(value, "a string", path)
        if kind in _LIMITS:
            number = value
            if protobuf and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
                number = int(value)
            elif isinstance(value, float) and value.is_integer():
                number = int(value)
            if isinstance(number, bool) or not isinstance(number, int):
                return self._mismatch(value, _INT_WORDS[kind], path)
            lo, hi = _LIMITS[kind]
            if not lo <= number <= hi:
                self.error(path, f"{number} is out of range for {_INT_WORDS[kind]} ({lo}..{hi})")
            return number if protobuf else value
        if kind == "double":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return value
            if protobuf and isinstance(value, str):
                try:
                    return float(value)
                except ValueError:
                    pass
            return self._mismatch(value, "a number", path)
        if kind == "duration":
            if isinstance(value, str) and _DURATION.match(value):
                return value
            return self._mismatch(value, "a duration such as \"30s\" or \"5m\"", path)
        if kind == "quantity":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return value
            if isinstance(value, str) and _QUANTITY.match(value.strip()):
                return value
            return self._mismatch(value, "a Kubernetes quantity such as \"500m\" or \"1Gi\"", path)
        if kind == "intOrString":
            if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
                return value
            return self._mismatch(value, "an integer or a string", path)
        if kind == "enum":
            allowed = typ.get("enum", [])
            if isinstance(value, str) and value in allowed:
                return value
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(allowed):
                return value
            return self._mismatch(value, "one of " + ", ".join(allowed), path)
        raise AssertionError(f"unknown type kind {kind}")


_SCALAR_KINDS = {"bool", "string", "int32", "uint32", "int64", "uint64", "double", "duration", "struct", "any",
                 "list", "intOrString", "enum"}


def _proto_field(f: dict, kind: str = "msg") -> dict:
    t = f["type"]
    base = {kind: t} if t not in _SCALAR_KINDS else {"type": t, "enum": f.get("enum")} if t == "enum" \
        else {"type": t}
    if t == "list":
        base = {"type": "list", "items": {"type": "any"}}
    if f.get("map"):
        return {"type": "map", "values": base}
    if f.get("repeated"):
        return {"type": "list", "items": base}
    return base


@lru_cache(maxsize=None)
def _field_locations() -> dict[str, tuple[str, ...]]:
    """Each values field name -> the shortest path (under spec.values) where it is a field."""
    messages = values_messages()
    found: dict[str, tuple[str, ...]] = {}
    queue: list[tuple[str, tuple[str, ...]]] = [("Values", ())]
    seen = set()
    while queue:
        name, path = queue.pop(0)
        if name in seen or len(path) > 3:
            continue
        seen.add(name)
        for json_name, f in messages[name].items():
            here = path + (json_name,)
            found.setdefault(json_name, here)
            if f["type"] in messages:
                queue.append((f["type"], here))
    return found


# Fields older Istio releases had in spec.values, and what replaces them now.
REMOVED_VALUES = {
    ("pilot", "enableProtocolSniffingForOutbound"): "spec.values.pilot.env.PILOT_ENABLE_PROTOCOL_SNIFFING_FOR_OUTBOUND",
    ("pilot", "enableProtocolSniffingForInbound"): "spec.values.pilot.env.PILOT_ENABLE_PROTOCOL_SNIFFING_FOR_INBOUND",
}


def values_relocation(path: Path, key: str) -> str | None:
    """A hint for an unknown spec.values field: what replaced it, or where it is a known field."""
    if path[:2] != ("spec", "values"):
        return None
    if tuple(path[2:]) + (key,) in REMOVED_VALUES:
        return f"Istio removed it from the values; set {REMOVED_VALUES[tuple(path[2:]) + (key,)]} instead"
    loc = _field_locations().get(key)
    if loc is None or tuple(path[2:]) == loc[:-1]:
        return None
    from helmgen.paths import format_path
    return f"it belongs under {format_path(('spec', 'values') + loc)}"
