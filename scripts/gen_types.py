#!/usr/bin/env python3
"""Regenerate helmgen/data/values_types.json and helmgen/data/k8s_types.json.

Both files are type facts (field names and their types), extracted once and committed:

* values_types.json: the messages of the IstioOperator `spec.values` API (names, JSON names,
  scalar kinds, repeated/map, deprecation), read from `values_types.proto` of the pinned
  `istio.io/istio` module (`scripts/istio-module` prints its directory).
* k8s_types.json: the Kubernetes definitions that IstioOperator `k8s` blocks and Kubernetes-typed
  values decode into, taken from the strict JSON schemas that the `kubernetes-validate` package
  ships, trimmed to field names and types (descriptions dropped).

Usage: scripts/gen_types.py ISTIO_MODULE_DIR
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import kubernetes_validate

K8S_VERSION = "1.34.0"

# Kubernetes types used by IstioOperator (k8s.* fields) and by values re-decoded as Kubernetes types.
K8S_ROOTS = {
    "Affinity": "io.k8s.api.core.v1.Affinity",
    "EnvVar": "io.k8s.api.core.v1.EnvVar",
    "HorizontalPodAutoscalerSpec": "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec",
    "PodDisruptionBudgetSpec": "io.k8s.api.policy.v1.PodDisruptionBudgetSpec",
    "Probe": "io.k8s.api.core.v1.Probe",
    "ResourceRequirements": "io.k8s.api.core.v1.ResourceRequirements",
    "ServiceSpec": "io.k8s.api.core.v1.ServiceSpec",
    "ServicePort": "io.k8s.api.core.v1.ServicePort",
    "DeploymentStrategy": "io.k8s.api.apps.v1.DeploymentStrategy",
    "Toleration": "io.k8s.api.core.v1.Toleration",
    "PodSecurityContext": "io.k8s.api.core.v1.PodSecurityContext",
    "Volume": "io.k8s.api.core.v1.Volume",
    "VolumeMount": "io.k8s.api.core.v1.VolumeMount",
    "LabelSelector": "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
    "NodeSelector": "io.k8s.api.core.v1.NodeSelector",
    "TopologySpreadConstraint": "io.k8s.api.core.v1.TopologySpreadConstraint",
    "Lifecycle": "io.k8s.api.core.v1.Lifecycle",
    "SeccompProfile": "io.k8s.api.core.v1.SeccompProfile",
    "ObjectMeta": "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
}

SCALARS = {
    "bool": "bool", "google.protobuf.BoolValue": "bool",
    "string": "string", "google.protobuf.StringValue": "string",
    "int32": "int32", "google.protobuf.Int32Value": "int32",
    "uint32": "uint32", "google.protobuf.UInt32Value": "uint32",
    "int64": "int64", "google.protobuf.Int64Value": "int64",
    "uint64": "uint64", "double": "double", "float": "double",
    "google.protobuf.DoubleValue": "double",
    "google.protobuf.Duration": "duration",
    "google.protobuf.Struct": "struct",
    "google.protobuf.Value": "any",
    "google.protobuf.ListValue": "list",
    "IntOrString": "intOrString",
}


def lower_camel(name: str) -> str:
    parts = name.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def parse_proto(text: str) -> dict:
    text = re.sub(r"//[^\n]*", "", text)
    messages: dict[str, dict] = {}
    enums: dict[str, list[str]] = {}
    stack: list[tuple[str, str]] = []  # (kind, name)
    field_re = re.compile(
        r"^(repeated\s+)?(map<\s*\w+\s*,\s*([\w.]+)\s*>|[\w.]+)\s+(\w+)\s*=\s*\d+\s*(\[[^\]]*\])?\s*;$")
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        m = re.match(r"^(message|enum)\s+(\w+)\s*\{$", line)
        if m:
            stack.append((m.group(1), m.group(2)))
            if m.group(1) == "message":
                messages[m.group(2)] = {}
            else:
                enums[m.group(2)] = []
            continue
        if line == "}":
            stack.pop()
            continue
        if not stack:
            continue
        kind, owner = stack[-1]
        if kind == "enum":
            em = re.match(r"^(\w+)\s*=\s*\d+;", line)
            if em:
                enums[owner].append(em.group(1))
            continue
        fm = field_re.match(line)
        if not fm:
            continue
        repeated, typ, map_val, name, opts = fm.groups()
        opts = opts or ""
        jm = re.search(r'json_name\s*=\s*"([^"]+)"', opts)
        field: dict = {"proto": name}
        if map_val:
            field["map"] = True
            typ = map_val
        if repeated:
            field["repeated"] = True
        if "deprecated = true" in opts or "deprecated=true" in opts:
            field["deprecated"] = True
        field["type"] = SCALARS.get(typ, typ)
        messages[owner][jm.group(1) if jm else lower_camel(name)] = field
    for fields in messages.values():
        for field in fields.values():
            t = field["type"]
            if t in enums:
                field["enum"] = enums[t]
                field["type"] = "enum"
            elif t not in SCALARS.values() and t not in messages:
                raise SystemExit(f"unknown proto type {t}")
    return {"root": "Values", "messages": messages}


def k8s_types() -> dict:
    base = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"v{K8S_VERSION}-local-strict"
    defs = json.loads((base / "_definitions.json").read_text())["$defs"]
    out: dict[str, dict] = {}

    def short(ref: str) -> str:
        return ref.rsplit("/", 1)[-1]

    def conv(schema: dict) -> dict:
        if "$ref" in schema:
            name = short(schema["$ref"])
            visit(name)
            return {"ref": name}
        if "oneOf" in schema or "anyOf" in schema:
            kinds = sorted({t for s in schema.get("oneOf", schema.get("anyOf", []))
                            for t in ([s.get("type")] if isinstance(s.get("type"), str) else s.get("type", []))
                            if t != "null"})
            return {"type": "intOrString" if kinds == ["integer", "string"] else "quantity"
                    if kinds == ["number", "string"] else "any"}
        typ = schema.get("type")
        if isinstance(typ, list):
            typ = next((t for t in typ if t != "null"), None)
        if typ == "object":
            if "properties" in schema:
                return {"type": "object", "fields": {k: conv(v) for k, v in schema["properties"].items()}}
            ap = schema.get("additionalProperties")
            return {"type": "map", "values": conv(ap) if isinstance(ap, dict) else {"type": "any"}}
        if typ == "array":
            return {"type": "list", "items": conv(schema.get("items", {}))}
        if typ == "integer":
            return {"type": schema.get("format", "int64")}
        if typ == "number":
            return {"type": "double"}
        if typ == "boolean":
            return {"type": "bool"}
        if typ == "string":
            return {"type": "string"}
        return {"type": "any"}

    def visit(name: str) -> None:
        if name in out:
            return
        out[name] = {}
        out[name] = conv(defs[name])

    for full in K8S_ROOTS.values():
        visit(full)
    return {"version": K8S_VERSION, "roots": K8S_ROOTS, "definitions": dict(sorted(out.items()))}


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    module = Path(sys.argv[1])
    data = Path(__file__).resolve().parent.parent / "helmgen" / "data"
    proto = (module / "operator/pkg/apis/values_types.proto").read_text()
    (data / "values_types.json").write_text(json.dumps(parse_proto(proto), indent=1, sort_keys=True) + "\n")
    (data / "k8s_types.json").write_text(json.dumps(k8s_types(), indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
