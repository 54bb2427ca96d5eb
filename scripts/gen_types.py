#!/usr/bin/env python3
"""Regenerate helmgen/data/values_types.json and helmgen/data/k8s_types.json.

Both files are type facts (field names and their types), extracted once and committed:

* values_types.json: the messages of the IstioOperator `spec.values` API (names, JSON names,
  scalar kinds, repeated/map, deprecation), read from `values_types.proto` of the pinned
  `istio.io/istio` module (`scripts/build-istioctl --module-dir` prints its directory).
* k8s_types.json: the Kubernetes definitions that IstioOperator `k8s` blocks and Kubernetes-typed
  values decode into, taken from the strict JSON schemas that the `kubernetes-validate` package
  ships, trimmed to field names and types (descriptions dropped).

* mesh_types.json: MeshConfig (spec.meshConfig, values.meshConfig) and the messages it reaches, from the
  `mesh/v1alpha1` protos of the matching `istio.io/api` module.

Usage: scripts/gen_types.py ISTIO_MODULE_DIR ISTIO_API_MODULE_DIR
(the api module: `go mod download -json istio.io/api@<the version istio's go.mod requires>`, its Dir).
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
    "google.protobuf.Any": "any",
    "google.protobuf.Empty": "struct",
    "google.protobuf.Timestamp": "string",
    "google.protobuf.UInt64Value": "uint64",
    "google.protobuf.FloatValue": "double",
    "google.protobuf.BytesValue": "string",
    "bytes": "string", "sint32": "int32", "sint64": "int64", "fixed32": "uint32", "fixed64": "uint64",
    "sfixed32": "int32", "sfixed64": "int64",
    "IntOrString": "intOrString",
}


def lower_camel(name: str) -> str:
    parts = name.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[A-Za-z_][\w.]*|-?\d+|[{}\[\]<>=;,()]|\S')


def _tokens(text: str) -> list[str]:
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return _TOKEN.findall(text)


def parse_proto_files(paths: list[Path]) -> tuple[dict, dict]:
    """Messages and enums of proto files, by full name: {full: {json_name: field}}, {full: [values]}."""
    messages: dict[str, dict] = {}
    enums: dict[str, list[str]] = {}
    raw_types: dict[tuple[str, str], str] = {}  # (message full name, json name) -> type as written

    for path in paths:
        toks = _tokens(path.read_text())
        pos = 0
        package = ""

        def skip_statement() -> None:
            nonlocal pos
            depth = 0
            while pos < len(toks):
                t = toks[pos]
                pos += 1
                if t == "{":
                    depth += 1
                elif t == "}":
                    depth -= 1
                    if depth <= 0:
                        return
                elif t == ";" and depth == 0:
                    return

        def parse_options() -> str:
            nonlocal pos
            if pos < len(toks) and toks[pos] == "[":
                start = pos
                while toks[pos] != "]":
                    pos += 1
                pos += 1
                return " ".join(toks[start:pos])
            return ""

        def declare(scope: str) -> None:
            """`message NAME {...}` or `enum NAME {...}` at toks[pos], declared inside scope."""
            nonlocal pos
            kind, full = toks[pos], f"{scope}.{toks[pos + 1]}"
            pos += 2
            if kind == "message":
                messages[full] = {}
            else:
                enums[full] = []
            parse_body(full, kind == "enum")

        def parse_body(scope: str, is_enum: bool) -> None:
            nonlocal pos
            assert toks[pos] == "{"
            pos += 1
            while toks[pos] != "}":
                t = toks[pos]
                if t in ("message", "enum"):
                    declare(scope)
                elif t == "oneof":
                    pos += 2
                    parse_body(scope, False)  # oneof fields belong to the enclosing message
                elif t in ("option", "reserved", "extensions"):
                    skip_statement()
                elif t == ";":
                    pos += 1
                elif is_enum:
                    enums[scope].append(t)
                    skip_statement()
                else:
                    repeated = t == "repeated"
                    if t in ("repeated", "optional"):
                        pos += 1
                    field: dict = {}
                    if toks[pos] == "map":
                        # map < key , value > name = N
                        typ = toks[pos + 4]
                        field["map"] = True
                        pos += 6
                    else:
                        typ = toks[pos]
                        pos += 1
                    name = toks[pos]
                    pos += 3  # name = N
                    opts = parse_options()
                    if toks[pos] == ";":
                        pos += 1
                    jm = re.search(r'json_name = "([^"]+)"', opts)
                    json_name = jm.group(1) if jm else lower_camel(name)
                    field["proto"] = name
                    if repeated:
                        field["repeated"] = True
                    if "deprecated = true" in opts:
                        field["deprecated"] = True
                    messages[scope][json_name] = field
                    raw_types[(scope, json_name)] = typ
            pos += 1

        while pos < len(toks):
            t = toks[pos]
            if t == "package":
                package = toks[pos + 1]
                pos += 3
            elif t in ("message", "enum"):
                declare(package)
            else:
                skip_statement()

    def resolve(scope: str, typ: str) -> str | None:
        if typ.startswith("."):
            typ = typ[1:]
            return typ if typ in messages or typ in enums else None
        parts = scope.split(".")
        while parts:
            cand = ".".join(parts) + "." + typ
            if cand in messages or cand in enums:
                return cand
            parts.pop()
        return typ if typ in messages or typ in enums else None

    for (scope, json_name), typ in raw_types.items():
        field = messages[scope][json_name]
        if typ in SCALARS:
            field["type"] = SCALARS[typ]
            continue
        full = resolve(scope, typ)
        if full is None:
            raise SystemExit(f"{scope}.{json_name}: unknown proto type {typ}")
        if full in enums:
            field["type"], field["enum"] = "enum", enums[full]
        else:
            field["type"] = full
    return messages, enums


def parse_values_proto(path: Path) -> dict:
    """The spec.values messages, named without their package (they are all top level)."""
    messages, _ = parse_proto_files([path])
    prefix = "istio.operator.v1alpha1."

    def short(name: str) -> str:
        return name[len(prefix):] if name.startswith(prefix) else name

    out = {short(m): {k: ({**f, "type": short(f["type"])} if f["type"].startswith(prefix) else f)
                      for k, f in fields.items()} for m, fields in messages.items()}
    return {"root": "Values", "messages": out}


def parse_mesh_protos(api_module: Path) -> dict:
    """MeshConfig and every message it reaches, by full name."""
    files, todo = [], ["mesh/v1alpha1/config.proto"]
    while todo:
        rel = todo.pop()
        if rel in files:
            continue
        files.append(rel)
        text = (api_module / rel).read_text()
        todo += [m for m in re.findall(r'^import "([^"]+)";', text, flags=re.M) if not m.startswith("google/")]
    messages, _ = parse_proto_files([api_module / f for f in files])
    root = "istio.mesh.v1alpha1.MeshConfig"
    keep, queue = {}, [root]
    while queue:
        name = queue.pop()
        if name in keep:
            continue
        keep[name] = messages[name]
        queue += [f["type"] for f in messages[name].values() if f["type"] in messages]
    return {"root": root, "messages": dict(sorted(keep.items()))}


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
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    module, api_module = Path(sys.argv[1]), Path(sys.argv[2])
    data = Path(__file__).resolve().parent.parent / "helmgen" / "data"
    values = parse_values_proto(module / "operator/pkg/apis/values_types.proto")
    (data / "values_types.json").write_text(json.dumps(values, indent=1, sort_keys=True) + "\n")
    (data / "mesh_types.json").write_text(json.dumps(parse_mesh_protos(api_module), indent=1, sort_keys=True) + "\n")
    (data / "k8s_types.json").write_text(json.dumps(k8s_types(), indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
