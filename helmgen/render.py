"""`helmgen template`: every release rendered by real helm, post-processed, in istioctl's order.

Charts and values come from one of two places:
  * an Istio release's `manifests/` (`--manifests DIR`, or `spec.installPackagePath` as istioctl reads it):
    its charts get the full per-component values tree, exactly what istioctl hands to Helm, and helmgen
    applies each component's `k8s` settings to the output as istioctl does;
  * otherwise our charts under charts/, with the checked chart values `helmgen translate` writes; they apply
    the structured `k8s` fields themselves (their value `k8s`), so helmgen applies only `k8s.overlays`.
With `compat`, every release renders as istioctl renders it: release name `istio` and the component's own
namespace. The kube version is istioctl's 1.32.0 unless given. Releases render in parallel; output order
does not depend on timing.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from helmgen import api, helm
from helmgen.errors import InputError, Problem, Severity, sort_problems, tagged
from helmgen.plan import build_plan
from helmgen.istio_charts import chart_folder, target_of
from helmgen.postprocess.documents import Doc
from helmgen.postprocess.stream import process, release_spec, sort_documents, write_documents
from helmgen.translate.components import ComponentSpec, component_values
from helmgen.translate.k8s import overlays_of
from helmgen.values import get_path

ISTIOCTL_RELEASE = "istio"
ISTIOCTL_KUBE_VERSION = "1.32.0"


@dataclass(frozen=True)
class Job:
    """One `helm template` run: which chart, under which name, with which values, patched how."""

    spec: ComponentSpec
    chart: str
    release: str
    namespace: str
    values: dict
    needs: tuple[str, ...] = ()   # the releases this one is installed after (empty with compat)
    chart_applies_k8s: bool = False  # our charts: the structured k8s fields are values, only overlays are left


@dataclass(frozen=True)
class Rendered:
    text: str
    warnings: list[Problem]
    per_job: tuple[list[Doc], ...] = ()   # each job's documents, in the order of the jobs

def istio_jobs(resolved: api.Resolved, package: str, compat: bool) -> list[Job]:
    """One job per enabled component with Istio's chart from `package` and the full values tree."""
    values = get_path(resolved.merged, ("spec", "values"))
    releases, problems = build_plan(resolved.specs, resolved.revision, resolved.namespace)
    if problems and not compat:
        raise InputError(problems)
    names = {id(r.spec): r for r in releases}
    jobs = []
    for cs in resolved.specs:
        chart = chart_folder(package, cs)
        rel = names.get(id(cs))
        release = ISTIOCTL_RELEASE if compat or rel is None else rel.name
        namespace = cs.namespace if compat or rel is None else rel.namespace
        needs = () if compat or rel is None else rel.needs
        jobs.append(Job(cs, str(chart), release, namespace, component_values(values, cs), needs))
    return jobs


def _own_jobs(resolved: api.Resolved, opts: api.Options, compat: bool) -> tuple[api.Resolved, list[Job]]:
    tr = api.translate_resolved(resolved, opts)
    jobs = [Job(rv.release.spec, str(api.charts_dir() / rv.release.chart),
                ISTIOCTL_RELEASE if compat else rv.release.name,
                rv.release.spec.namespace if compat else rv.release.namespace, rv.values,
                () if compat else rv.release.needs, chart_applies_k8s=True)
            for rv in tr.releases]
    by_spec = {id(j.spec): j for j in jobs}  # back to component order: istioctl's ties keep it
    return tr.resolved, [by_spec[id(cs)] for cs in tr.resolved.specs if id(cs) in by_spec]


def release_jobs(opts: api.Options, compat: bool = False) -> tuple[api.Resolved, list[Job]]:
    """The resolved input and one job per enabled component, in component order: Istio's charts under
    --manifests (or spec.installPackagePath) with the full values tree, else our charts with their values."""
    resolved = api.resolve(opts)
    package = api.manifests_dir(opts, resolved.merged)
    if package:
        return resolved, istio_jobs(resolved, package, compat)
    return _own_jobs(resolved, opts, compat)


def postrender_spec(job: Job, revision: str, strict: bool = False) -> dict | None:
    """What helmgen's post-renderer applies to the job's release, or None: the component's k8s settings for
    Istio's charts, only its overlays for ours."""
    k8s = job.spec.k8s
    if job.chart_applies_k8s:
        overlays = overlays_of(k8s)
        k8s = {"overlays": overlays} if overlays else None
    if k8s is None:
        return None
    return release_spec(k8s, target_of(job.spec, revision).to_json(), (*job.spec.iop_path, "k8s"), strict)


def _process(job: Job, text: str, revision: str, strict: bool) -> tuple[list[Doc], list[Problem]]:
    target, base = target_of(job.spec, revision), (*job.spec.iop_path, "k8s")
    return process(text, job.spec.k8s, target, base, strict, chart_applied=job.chart_applies_k8s)


def _render_one(h: helm.Helm, job: Job, kube_version: str | None, revision: str, strict: bool,
                use_post_renderer: bool) -> tuple[list[Doc], list[Problem]]:
    spec = postrender_spec(job, revision, strict) if use_post_renderer else None
    if spec is not None:
        target, base = target_of(job.spec, revision), (*job.spec.iop_path, "k8s")
        text, messages = helm.template_post_rendered(h, job.chart, job.release, job.namespace, job.values, spec,
                                                     kube_version, ["--include-crds"])
        # Our charts applied the structured fields: say what of them istioctl would drop (the post-renderer
        # only saw the overlays).
        fields = {k: v for k, v in (job.spec.k8s or {}).items() if k != "overlays"} if job.chart_applies_k8s else None
        docs, dropped = process(text, fields, target, base, strict, chart_applied=True)
        return docs, dropped + [Problem((), m.removeprefix("warning: "), Severity.WARNING) for m in messages]
    text = helm.template(h, job.chart, job.release, job.namespace, job.values, kube_version, ["--include-crds"])
    return _process(job, text, revision, strict)


def _render_batch(h: helm.Helm, jobs: list[Job], kube_version: str | None, revision: str,
                  strict: bool) -> list[tuple[list[Doc], list[Problem]]]:
    first = jobs[0]
    texts = helm.template_many(h, first.chart, first.release, first.namespace, [j.values for j in jobs],
                               kube_version, ["--include-crds"])
    return [_process(job, text, revision, strict) for job, text in zip(jobs, texts)]


def units(jobs: list[Job], workers: int, use_post_renderer: bool) -> list[list[int]]:
    """The jobs (by index) in `helm template` runs: jobs of one chart, release name and namespace (only
    --compat istioctl gives several one name) share a run, split so that the shared ones alone can keep every
    worker busy; every other job runs alone. Units are in job order."""
    by_key: dict[tuple[str, str, str], list[int]] = {}
    for i, job in enumerate(jobs):
        by_key.setdefault((job.chart, job.release, job.namespace), []).append(i)
    out: list[list[int]] = []
    groups: list[list[int]] = []
    for same in by_key.values():
        members = [i for i in same if not use_post_renderer and len(same) > 1
                   and helm.batchable(jobs[i].chart, jobs[i].values)]
        out += [[i] for i in same if i not in members]
        groups.append(members)
    shared = sum(len(g) for g in groups if len(g) > 1)
    size = max(2, -(-shared // max(1, workers)))
    for group in groups:
        out += [group[k:k + size] for k in range(0, len(group), size)]
    return sorted(out)


def render_jobs(resolved: api.Resolved, jobs: list[Job], strict: bool = False, kube_version: str | None = None,
                helm_path: str | None = None, use_post_renderer: bool = False) -> Rendered:
    """Render the jobs (in parallel) into one sorted stream; InputError for what the charts or the
    post-processing refuse, helm.HelmError when helm fails."""
    h = helm.find_helm(helm_path)
    kube = kube_version or ISTIOCTL_KUBE_VERSION  # helm's own default (1.20) would pick old API versions
    workers = max(1, min(len(jobs), os.cpu_count() or 1))

    def run(unit: list[int]) -> list[tuple[list[Doc], list[Problem]]]:
        if len(unit) > 1:
            return _render_batch(h, [jobs[i] for i in unit], kube, resolved.revision, strict)
        return [_render_one(h, jobs[unit[0]], kube, resolved.revision, strict, use_post_renderer)]

    planned = units(jobs, workers, use_post_renderer)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(run, planned))
    by_job = {i: result for unit, found in zip(planned, done) for i, result in zip(unit, found)}
    results = [by_job[i] for i in range(len(jobs))]
    docs = [d for found, _ in results for d in found]
    problems = sort_problems(tagged([p for _, probs in results for p in probs], "HG032") +
                             [Problem(job.spec.iop_path, f"release {job.release}: chart {job.chart} rendered no "
                                      "objects", Severity.WARNING, rule="HG005")
                              for job, (found, _) in zip(jobs, results) if not found])
    if any(p.severity is Severity.ERROR for p in problems):
        raise InputError(problems)
    return Rendered(write_documents(sort_documents(docs)), sort_problems(list(resolved.warnings) + problems),
                    tuple(found for found, _ in results))


def template(opts: api.Options, compat: bool = False, strict: bool = False, kube_version: str | None = None,
             helm_path: str | None = None, use_post_renderer: bool = False) -> Rendered:
    """Render every enabled component; InputError for bad input, helm.HelmError when helm fails.

    Post-processing runs in this process, or with `use_post_renderer` inside helm as its post-renderer
    (the way install applies it): both give the same objects, which the parity tier checks."""
    resolved, jobs = release_jobs(opts, compat)
    return render_jobs(resolved, jobs, strict, kube_version, helm_path, use_post_renderer)
