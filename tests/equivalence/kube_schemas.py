"""Rendered objects against the Kubernetes schemas (kubernetes-validate, strict: unknown fields are errors) of
every Kubernetes version our charts support, and Istio custom resources against our own CRDs' schemas."""
from __future__ import annotations

import json
from functools import lru_cache

import jsonschema
import kubernetes_validate

from helmgen.lint.objects import crd_schemas  # noqa: F401 - the tier's CRD schemas, as lint reads them

KUBE_VERSIONS = ("1.32.0", "1.33.0", "1.34.0", "1.35.0")
ISTIO_GROUPS = (".istio.io",)
THIRD_PARTY = {("k8s.cni.cncf.io", "NetworkAttachmentDefinition")}   # not in Kubernetes' schemas, not ours


def _group(obj: dict) -> str:
    api = str(obj.get("apiVersion") or "")
    return api.split("/", 1)[0] if "/" in api else ""


@lru_cache(maxsize=None)
def _kube_problem(text: str, version: str) -> str | None:
    try:
        kubernetes_validate.validate(json.loads(text), version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return f"{'.'.join(map(str, exc.path)) or '(object)'}: {exc.message}"
    except kubernetes_validate.SchemaNotFoundError:
        return "no Kubernetes schema for this kind and apiVersion"
    return None


def problems(objects: list[dict], crds: dict[tuple[str, str, str], dict]) -> list[str]:
    out = []
    for o in objects:
        kind, group = o.get("kind"), _group(o)
        name = f"{kind} {(o.get('metadata') or {}).get('name')}"
        if (group, kind) in THIRD_PARTY:
            continue
        if group.endswith(ISTIO_GROUPS):
            version = str(o.get("apiVersion")).split("/", 1)[1]
            schema = crds.get((group, version, kind))
            if schema is None:
                out.append(f"{name}: no CRD of ours serves {o.get('apiVersion')}")
                continue
            for err in jsonschema.Draft7Validator(schema).iter_errors(o):
                out.append(f"{name}: {'.'.join(map(str, err.path))}: {err.message} (our CRD schema)")
            continue
        text = json.dumps(o, sort_keys=True)
        for version in KUBE_VERSIONS:
            problem = _kube_problem(text, version)
            if problem:
                out.append(f"{name}: {problem} (Kubernetes {version})")
    return out
