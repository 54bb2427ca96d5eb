"""YAML streams in and out of post-processing, and the post-renderer's whole job (`postprocess_stream`).

Parsing follows Go's YAML reading of manifests: no timestamps (`2024-01-01` stays a string).
"""
from __future__ import annotations

from typing import Any

import yaml

from helmgen.errors import Severity
from helmgen.paths import Path


class StrictError(Exception):
    """--strict and post-processing dropped something: the post-renderer fails with this message."""


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when present: ten times faster
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class GoYamlLoader(_Loader):  # type: ignore[misc, valid-type]
    """Safe loading without the timestamp resolver, as Go's YAML decoding keeps dates as strings."""


GoYamlLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Dumper(_BaseDumper):  # type: ignore[misc, valid-type]
    def ignore_aliases(self, data: Any) -> bool:
        return True


def split_documents(text: str) -> list[dict]:
    """The objects of a YAML stream as istioctl reads rendered charts: every line that starts with `---`
    ends a document, each document is trimmed (so a block scalar that ends a document loses its final
    newline), and empty documents and documents without a kind are dropped."""
    parts, current = [], []
    for line in text.splitlines(keepends=True):
        if line.startswith("---"):
            parts.append("".join(current))
            current = []
        else:
            current.append(line)
    parts.append("".join(current))
    docs = (yaml.load(p.strip(), Loader=GoYamlLoader) for p in parts if p.strip())
    return [d for d in docs if isinstance(d, dict) and d.get("kind")]


def load_stream(text: str) -> list[dict]:
    """The objects of a YAML stream written by a YAML library (ours or istioctl's): no trimming."""
    return [d for d in yaml.load_all(text, Loader=GoYamlLoader) if isinstance(d, dict) and d.get("kind")]


def dump_objects(objects: list[dict]) -> str:
    """Objects as one stream, istioctl style: keys sorted, each object followed by a `---` line."""
    return "".join(yaml.dump(o, Dumper=_Dumper, sort_keys=True, default_flow_style=False, allow_unicode=True)
                   + "---\n" for o in objects)


def postprocess_stream(text: str, spec: dict[str, Any]) -> tuple[str, list[str]]:
    """Apply one release's post-processing (`release_spec`) to a YAML stream; new stream and warnings."""
    from helmgen.postprocess.k8s_patches import Target, postprocess

    objects = split_documents(text)
    base: Path = tuple(spec.get("path") or ())
    out, problems = postprocess(objects, spec.get("k8s"), Target.from_json(spec["target"]), base,
                                bool(spec.get("strict")))
    errors = [str(p) for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise StrictError("; ".join(errors))
    return dump_objects(out), [str(p) for p in problems]


def release_spec(k8s: Any, target: dict, path: Path, strict: bool = False) -> dict[str, Any]:
    """The JSON the post-renderer reads: the raw k8s map, whose objects it patches, and its IOP path."""
    return {"k8s": k8s, "target": target, "path": list(path), "strict": strict}
