"""YAML streams in and out of post-processing, and the post-renderer's whole job (`postprocess_stream`).

Parsing follows Go's YAML reading of manifests: no timestamps (`2024-01-01` stays a string).
"""
from __future__ import annotations

import re
from typing import Any

import yaml

from helmgen.errors import Problem, Severity
from helmgen.goformat import quote_go_booleans
from helmgen.paths import Path
from helmgen.postprocess.documents import Doc, cut, read_documents
from helmgen.postprocess.k8s_patches import Target, postprocess, touched
from helmgen.postprocess.sorting import rank_key


class StrictError(Exception):
    """--strict and post-processing dropped something: the post-renderer fails with this message."""


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when present: ten times faster
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class GoYamlLoader(_Loader):  # type: ignore[misc, valid-type]
    """Safe loading as go-yaml v2 reads manifests: no timestamps (dates stay strings); y/Y/n/N are booleans."""


GoYamlLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
GoYamlLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))
GoYamlLoader.bool_values = {**_Loader.bool_values, "y": True, "n": False}


class _Dumper(_BaseDumper):  # type: ignore[misc, valid-type]
    def ignore_aliases(self, data: Any) -> bool:
        return True


quote_go_booleans(_Dumper)


def split_documents(text: str) -> list[dict]:
    """The objects of a Helm stream, cut as istioctl cuts it (see documents.cut); kindless ones dropped."""
    docs = (yaml.load(part, Loader=GoYamlLoader) for part in cut(text))
    return [d for d in docs if isinstance(d, dict) and d.get("kind")]


def load_stream(text: str) -> list[dict]:
    """The objects of a YAML stream written by a YAML library (ours or istioctl's): no trimming."""
    return [d for d in yaml.load_all(text, Loader=GoYamlLoader) if isinstance(d, dict) and d.get("kind")]


def dump_object(obj: dict) -> str:
    return yaml.dump(obj, Dumper=_Dumper, sort_keys=True, default_flow_style=False, allow_unicode=True)


def dump_objects(objects: list[dict]) -> str:
    """Objects as one stream, istioctl style: keys sorted, each object followed by a `---` line."""
    return "".join(dump_object(o) + "---\n" for o in objects)


def process(text: str, k8s: Any, target: Target, base: Path, strict: bool = False,
            chart_applied: bool = False) -> tuple[list[Doc], list[Problem]]:
    """A release's Helm output post-processed: its documents (changed ones re-parsed) and what was dropped.

    With `chart_applied` the chart applied the structured k8s fields itself (our charts): only overlays are
    applied, drops still reported. Only the documents the k8s map can touch are parsed; the others keep their
    rendered text."""
    wanted = touched(k8s, target, fields=not chart_applied)
    docs = read_documents(text, GoYamlLoader, lambda kind, name: (kind, name) in wanted)
    if not isinstance(k8s, dict):
        return docs, []
    hit = [d for d in docs if d.obj is not None and (d.kind, d.name) in wanted]
    objects, problems = postprocess([d.obj for d in hit if d.obj is not None], k8s, target, base, strict,
                                    chart_applied, {(d.kind, d.name) for d in docs})
    for doc, obj in zip(hit, objects):
        doc.obj, doc.text_is_exact = obj, False
    return docs, problems


def sort_documents(docs: list[Doc]) -> list[Doc]:
    """istioctl's output order (facts 8.1), stable."""
    return sorted(docs, key=lambda d: rank_key(d.api_version, d.kind, d.name))


def write_documents(docs: list[Doc]) -> str:
    """The stream: each document as rendered, or re-written from its object where the text cannot stand."""
    return "".join((d.text + "\n" if d.text_is_exact or d.obj is None else dump_object(d.obj)) + "---\n"
                   for d in docs)


def postprocess_stream(text: str, spec: dict[str, Any]) -> tuple[str, list[str]]:
    """Apply one release's post-processing (`release_spec`) to a YAML stream; new stream and warnings."""
    docs, problems = process(text, spec.get("k8s"), Target.from_json(spec["target"]), tuple(spec.get("path") or ()),
                             bool(spec.get("strict")))
    keep = spec.get("podLabels") or {}
    if keep:
        docs = [_with_pod_labels(d, keep.get(f"{d.kind}/{d.name}")) for d in docs]
    errors = [str(p) for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise StrictError("; ".join(errors))
    return write_documents(docs), [str(p) for p in problems]


def document_object(doc: Doc) -> dict:
    """The document's object: as parsed, or parsed now (only documents post-processing touches are parsed)."""
    return doc.obj if doc.obj is not None else yaml.load(doc.text, Loader=GoYamlLoader)


def _with_pod_labels(doc: Doc, labels: dict[str, str] | None) -> Doc:
    """The workload with these pod-template labels kept as they are live (an adopted install's, so its pods
    do not restart over a label that only names the Helm release)."""
    if not labels:
        return doc
    obj = document_object(doc)
    template = ((obj.get("spec") or {}).get("template") or {}) if isinstance(obj, dict) else {}
    meta = template.get("metadata") if isinstance(template, dict) else None
    if not isinstance(meta, dict):
        return doc
    meta["labels"] = {**(meta.get("labels") or {}), **labels}
    doc.obj, doc.text_is_exact = obj, False
    return doc


def release_spec(k8s: Any, target: dict, path: Path, strict: bool = False) -> dict[str, Any]:
    """The JSON the post-renderer reads: the raw k8s map (for our charts only its overlays: they apply the rest
    themselves), whose objects it patches, and its IOP path."""
    return {"k8s": k8s, "target": target, "path": list(path), "strict": strict}
