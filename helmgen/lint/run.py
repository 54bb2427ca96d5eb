"""`helmgen lint PATH...`: what to check (IstioOperator files, chart folders) and checking it on every core."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from helmgen.lint.findings import FileResult, Finding, Level

SKIP_DIRS = {".git", ".venv", "venv", "node_modules", ".cache", "__pycache__", ".tox"}
YAML = (".yaml", ".yml")


@dataclass(frozen=True)
class Target:
    path: str
    kind: str        # "istiooperator", "chart", or "missing"


def _looks_like_iop(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
    except OSError:
        return False
    return b"IstioOperator" in head and b"kind" in head


def discover(paths: list[str]) -> list[Target]:
    """Files as given are IstioOperator files; a folder with Chart.yaml is a chart; other folders are searched
    (recursively, hidden and tool folders skipped) for IstioOperator YAML files and chart folders."""
    found: list[Target] = []
    for raw in paths:
        p = Path(raw)
        if p.is_file():
            found.append(Target(raw, "istiooperator"))
        elif (p / "Chart.yaml").is_file():
            found.append(Target(raw, "chart"))
        elif p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                here = Path(root)
                charts = [d for d in dirs if (here / d / "Chart.yaml").is_file()]
                found += [Target(str(here / d), "chart") for d in charts]
                dirs[:] = [d for d in dirs if d not in charts]
                found += [Target(str(here / f), "istiooperator") for f in sorted(files)
                          if f.endswith(YAML) and _looks_like_iop(here / f)]
        else:
            found.append(Target(raw, "missing"))
    return list(dict.fromkeys(found))   # in the order given, folders in walk order; each target once


def lint_target(target: Target, kube_version: str, manifests: str | None, helm_path: str | None) -> FileResult:
    if target.kind == "missing":
        return FileResult(target.path, "istiooperator",
                          [Finding("HG001", Level.ERROR, "no such file or folder", target.path)], ("HG001",))
    if target.kind == "chart":
        from helmgen.lint.check_chart import lint_chart_folder
        return lint_chart_folder(target.path, helm_path=helm_path)
    from helmgen.lint.check_iop import lint_file
    return lint_file(target.path, kube_version, manifests, helm_path)


def lint(paths: list[str], kube_version: str, manifests: str | None = None, helm_path: str | None = None,
         workers: int | None = None) -> list[FileResult]:
    """Every target, one per process on every core (a single target runs here)."""
    targets = discover(paths)
    workers = workers or os.cpu_count() or 1
    if len(targets) <= 1 or workers == 1:
        return [lint_target(t, kube_version, manifests, helm_path) for t in targets]
    with ProcessPoolExecutor(max_workers=min(workers, len(targets))) as pool:
        futures = [pool.submit(lint_target, t, kube_version, manifests, helm_path) for t in targets]
        return [f.result() for f in futures]
