"""One IstioOperator file through every lint rule: what `validate` checks (HG001-HG005), deprecated and removed
settings (HG010-HG012), the rendered objects against Kubernetes and our CRDs (HG020, HG021), the fidelity of every
components.*.k8s field (HG030-HG032) and the webhook fields GitOps tools see drift in (HG040, HG041).

The file is rendered exactly as `helmgen template` renders it (real helm, post-processing), with --kube-version.
Input problems stop the file there: objects of an input helmgen refuses would only repeat the same problem.
"""
from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

import yaml

from helmgen import api, iop, render
from helmgen.errors import InputError, Problem, Severity, tagged
from helmgen.helm import ChartRejected
from helmgen.lint import deprecations
from helmgen.lint.findings import FileResult, Finding, Level
from helmgen.lint.objects import crd_schemas, drift_findings, schema_findings
from helmgen.lint.rules import BY_ID, RULES
from helmgen.paths import Path
from helmgen.postprocess.stream import GoYamlLoader

IOP_RULES = tuple(r.id for r in RULES if r.id != "HG050")
_LEVEL = {Severity.ERROR: Level.ERROR, Severity.WARNING: Level.WARNING}


def _line(lines: dict, path: Path) -> int:
    """The line of the path, else of its nearest ancestor that has one."""
    for n in range(len(path), 0, -1):
        if tuple(path[:n]) in lines:
            return lines[tuple(path[:n])]
    return 0


def from_problem(p: Problem, file: str, lines: dict) -> Finding:
    rule = p.rule or ("HG003" if p.severity is Severity.ERROR else "HG005")
    line = p.line if p.source in ("", file) and p.line else _line(lines, p.path)
    return Finding(rule, _LEVEL[p.severity], p.message if not p.path else f"{_fmt(p.path)}: {p.message}", file,
                   line, p.path, p.fix)


def _fmt(path: Path) -> str:
    from helmgen.paths import format_path
    return format_path(path)


def _finding(rule: str, message: str, fix: str, file: str, path: Path, lines: dict) -> Finding:
    return Finding(rule, BY_ID[rule].level, message, file, _line(lines, path), path, fix)


def _deprecations(spec: Any, file: str, lines: dict) -> list[Finding]:
    out = []
    for rule, path, replacement in deprecations.found(spec):
        what = {"HG010": "is deprecated", "HG011": "is deprecated in Istio's charts",
                "HG012": "is removed: Istio's istiod chart refuses to render with it"}[rule]
        fix = f"use {replacement} instead" if replacement else "remove it (it has no replacement)"
        out.append(_finding(rule, f"{_fmt(path)} {what}", fix, file, path, lines))
    return out


def _fidelity(specs, ours: bool, file: str, lines: dict) -> list[Finding]:
    """Every components.*.k8s field: a chart value (HG030), only the post-renderer's (HG031); the fields istioctl
    drops come from rendering (HG032)."""
    out = []
    for cs in specs:
        for key in sorted(cs.k8s or {}):
            path = (*cs.iop_path, "k8s", key)
            if key in ("volumes", "volumeMounts"):
                continue
            if ours and key != "overlays":
                out.append(_finding("HG030", f"{_fmt(path)} is carried as the chart value k8s.{key}",
                                    "", file, path, lines))
            else:
                chart = "helmgen's" if ours else "Istio's"
                out.append(_finding("HG031", f"{_fmt(path)} is applied only by helmgen's post-renderer "
                                    f"({chart} charts): plain helm and GitOps tools installing these values lose it",
                                    "install with helmgen, or with Istio's charts move it to a chart value", file,
                                    path, lines))
    return out


def _objects(rendered: render.Rendered) -> list[list[dict]]:
    return [[d.obj if d.obj is not None else yaml.load(d.text, Loader=GoYamlLoader) for d in docs]
            for docs in rendered.per_job]


@lru_cache(maxsize=None)
def base_crd_schemas(helm_path: str | None) -> dict:
    """The CRD schemas charts/istio-base installs by default."""
    from helmgen import helm

    text = helm.template(helm.find_helm(helm_path), str(api.charts_dir() / "istio-base"), "istio-base",
                         "istio-system", {}, None, ["--include-crds"])
    return crd_schemas(d for d in yaml.load_all(text, Loader=GoYamlLoader) if isinstance(d, dict))


def lint_file(file: str, kube_version: str, manifests: str | None = None,
              helm_path: str | None = None) -> FileResult:
    started = time.monotonic()
    findings: list[Finding] = []
    lines: dict = {}

    def done() -> FileResult:
        unique = sorted(set(findings), key=Finding.sort_key)
        return FileResult(file, "istiooperator", unique, IOP_RULES, time.monotonic() - started)

    try:
        [src] = iop.read_sources([file])
        parsed = iop.parse_source(src, lines)
    except InputError as e:
        findings += [from_problem(p, file, lines) for p in tagged(e.problems, "HG001")]
        return done()
    findings += _deprecations(parsed.get("spec"), file, lines)
    opts = api.Options((file,), manifests=manifests)
    try:
        resolved, jobs = render.release_jobs(opts)
        rendered = render.render_jobs(resolved, jobs, kube_version=kube_version, helm_path=helm_path)
    except InputError as e:
        findings += [from_problem(p, file, lines) for p in e.problems]
        return done()
    except ChartRejected as e:
        findings.append(Finding("HG004", Level.ERROR, f"a chart refused the values: {e}", file))
        return done()
    findings += [from_problem(p, file, lines) for p in rendered.warnings]
    findings += _fidelity(resolved.specs, all(j.chart_applies_k8s for j in jobs), file, lines)
    per_job = _objects(rendered)
    crds = crd_schemas(o for objs in per_job for o in objs)
    if not crds and any(str(o.get("apiVersion", "")).split("/")[0].endswith(".istio.io") for objs in per_job
                        for o in objs):
        crds = base_crd_schemas(helm_path)   # base is not in this file: the CRDs it would install
    for job, objs in zip(jobs, per_job):
        path = job.spec.iop_path
        for rule, message, fix in [*schema_findings(objs, kube_version, crds), *drift_findings(objs)]:
            findings.append(_finding(rule, f"release {job.release}: {message}", fix, file, path, lines))
    return done()
