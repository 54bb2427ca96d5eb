"""Rendered objects checked offline: Kubernetes schemas (kubernetes-validate, strict), Istio resources against our
CRDs' schemas, and the webhook fields istiod rewrites at run time (GitOps drift).

Each check returns (rule, message, fix) tuples about one release's objects; the caller places them in the file.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import lru_cache

import jsonschema

from helmgen.errors import HelmgenError

SUPPORTED_KUBE = ("1.32.0", "1.33.0", "1.34.0", "1.35.0", "1.36.0", "1.37.0")
DEFAULT_KUBE = "1.35.0"
ISTIO_GROUP_SUFFIX = ".istio.io"
THIRD_PARTY = {("k8s.cni.cncf.io", "NetworkAttachmentDefinition")}   # istio-cni's; not in Kubernetes' schemas


class MissingDependency(HelmgenError):
    """kubernetes-validate is not installed (exit code 1)."""


def kube_version(text: str) -> str:
    """`1.34` or `v1.34.2` -> `1.34.0` style as kubernetes-validate names its schemas; ValueError when unknown."""
    parts = text.strip().lstrip("v").split(".")
    if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
        raise ValueError(f"{text!r} is not a Kubernetes version (examples: 1.34, v1.35.1)")
    version = f"{parts[0]}.{parts[1]}.0"
    if version not in SUPPORTED_KUBE:
        raise ValueError(f"Kubernetes {parts[0]}.{parts[1]} is not supported by the offline schemas; use one of "
                         f"{', '.join(v[:-2] for v in SUPPORTED_KUBE)}")
    return version


def _group(obj: dict) -> str:
    api = str(obj.get("apiVersion") or "")
    return api.split("/", 1)[0] if "/" in api else ""


def object_id(obj: dict) -> str:
    meta = obj.get("metadata") or {}
    ns = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{obj.get('kind')} {ns}{meta.get('name')}"


@lru_cache(maxsize=4096)
def _kube_problem(text: str, version: str) -> str | None:
    try:
        import kubernetes_validate
    except ImportError:
        raise MissingDependency("helmgen lint checks rendered objects with kubernetes-validate, which is not "
                                "installed: pip install 'helmgen[lint]'") from None
    try:
        kubernetes_validate.validate(json.loads(text), version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return f"{'.'.join(map(str, exc.path)) or '(object)'}: {exc.message}"
    except kubernetes_validate.SchemaNotFoundError:
        return f"no Kubernetes {version[:-2]} schema for {json.loads(text).get('apiVersion')}"
    return None


def crd_schemas(objects: Iterable[dict]) -> dict[tuple[str, str, str], dict]:
    """(group, version, kind) -> openAPIV3Schema of the CRDs among the objects."""
    out = {}
    for o in objects:
        if o.get("kind") != "CustomResourceDefinition":
            continue
        spec = o.get("spec") or {}
        for ver in spec.get("versions") or []:
            schema = (ver.get("schema") or {}).get("openAPIV3Schema")
            if schema:
                out[(spec.get("group"), ver.get("name"), (spec.get("names") or {}).get("kind"))] = schema
    return out


def schema_findings(objects: Iterable[dict], version: str,
                    crds: dict[tuple[str, str, str], dict]) -> Iterator[tuple[str, str, str]]:
    """HG020 for objects Kubernetes `version` would refuse; HG021 for Istio resources our CRDs refuse."""
    for o in objects:
        kind, group = o.get("kind"), _group(o)
        if (group, kind) in THIRD_PARTY:
            continue
        if group.endswith(ISTIO_GROUP_SUFFIX):
            api_version = str(o.get("apiVersion"))
            schema = crds.get((group, api_version.split("/", 1)[1], kind))
            if schema is None:
                yield ("HG021", f"{object_id(o)}: no CRD of charts/istio-base serves {api_version}",
                       "use an apiVersion the Istio CRDs serve")
                continue
            for err in jsonschema.Draft7Validator(schema).iter_errors(o):
                yield ("HG021", f"{object_id(o)}: {'.'.join(map(str, err.path)) or '(object)'}: {err.message}",
                       "fix the overlay or value that writes this field")
            continue
        problem = _kube_problem(json.dumps(o, sort_keys=True), version)
        if problem:
            yield ("HG020", f"{object_id(o)}: {problem} (Kubernetes {version[:-2]})",
                   "fix the components.*.k8s setting or overlay that writes this field, or lint with the "
                   "--kube-version of your cluster")


def drift_findings(objects: Iterable[dict]) -> Iterator[tuple[str, str, str]]:
    """Per webhook configuration: HG040 for its validating webhooks with failurePolicy Ignore (istiod switches them
    to Fail once it serves), HG041 for its webhooks without a caBundle (istiod writes it)."""
    for o in objects:
        if o.get("kind") not in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
            continue
        hooks = [h for h in o.get("webhooks") or [] if "service" in (h.get("clientConfig") or {})]
        ignored = [h.get("name") for h in hooks
                   if o["kind"] == "ValidatingWebhookConfiguration" and h.get("failurePolicy") == "Ignore"]
        unsigned = [h.get("name") for h in hooks if not (h.get("clientConfig") or {}).get("caBundle")]
        if ignored:
            yield ("HG040", f"{object_id(o)}: failurePolicy Ignore of webhook {', '.join(map(str, ignored))} is "
                   "rewritten to Fail by istiod at run time",
                   "ignore webhooks[].failurePolicy of this object in your GitOps tool, or set "
                   "values.base.validationCABundle (the policy is then Fail from the start)")
        if unsigned:
            yield ("HG041", f"{object_id(o)}: clientConfig.caBundle of webhook {', '.join(map(str, unsigned))} is "
                   "filled in by istiod at run time",
                   "ignore webhooks[].clientConfig.caBundle of this object in your GitOps tool")
