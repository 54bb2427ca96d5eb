"""Render one input with our charts and with Istio's (the pinned module's manifests/), through helmgen.

Both sides get helmgen's per-release names and namespaces (not --compat), so objects that carry the release
name compare like for like. Returns each side's objects grouped by our chart name (istio-base, istiod,
gateways, istio-cni, ztunnel), so a difference is reported against the chart that made it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from helmgen import api, render
from helmgen.postprocess.stream import document_object


@dataclass
class Pair:
    ours: dict[str, list[dict]] = field(default_factory=dict)
    theirs: dict[str, list[dict]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _by_chart(opts: api.Options, helm: str, kube_version: str | None) -> tuple[dict[str, list[dict]], list[str]]:
    resolved, jobs = render.release_jobs(opts)
    rendered = render.render_jobs(resolved, jobs, helm_path=helm, kube_version=kube_version, use_post_renderer=True)
    out: dict[str, list[dict]] = {}
    for job, docs in zip(jobs, rendered.per_job):
        out.setdefault(job.spec.info.chart, []).extend(document_object(d) for d in docs)
    return out, [p.message for p in rendered.warnings]


def render_pair(files: list[Path], sets: tuple[str, ...], revision: str | None, manifests: Path, helm: str,
                kube_version: str | None = None) -> Pair:
    """Raises what render raises (InputError, HelmError) for either side."""
    theirs, _ = _by_chart(api.Options(tuple(map(str, files)), sets, revision, str(manifests)), helm, kube_version)
    ours, warnings = _by_chart(api.Options(tuple(map(str, files)), sets, revision), helm, kube_version)
    return Pair(ours, theirs, warnings)
