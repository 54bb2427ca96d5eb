"""Several releases of one chart that share a release name and namespace, rendered by one `helm template` run.

A helm process costs ~37 ms of CPU before it renders anything (its packages' initialisation), more than a
gateway chart's own render; under istioctl's single release name (`--compat istioctl`) 50 gateways would be 50
processes. Instead helm renders them as subcharts of a throwaway umbrella chart: member k is an unaliased copy
of the chart at `charts/m<k>/charts/<name>` (so `.Chart` is the chart's own) with the member's values; `.Release`
and `.Capabilities` are shared, which is why members must share release name, namespace, kube version and
flags. Each member's part of the output (its `# Source:` blocks, path prefix removed) is byte for byte what
`helm template` of that member alone prints; tests/helm/test_batch.py holds helm to that on Helm 3 and 4.

Not batched: charts with subcharts of their own, and values holding nulls (helm's null handling has differed
between top-level charts and subcharts). When the batch fails, or its output cannot be split, each member
renders alone, so an error names its own release exactly as a single render does.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from helmgen.helm import render_cache
from helmgen.helm.template import (FAST_LOADER, ChartRejected, Helm, HelmError, cache_key, run_template, template,
                                   template_argv, values_for)

_UMBRELLA = "helmgen-batch"
_SOURCE = re.compile(rf"# Source: {_UMBRELLA}/charts/m(\d+)/charts/")


def _has_null(node: Any) -> bool:
    if node is None:
        return True
    if isinstance(node, dict):
        return any(_has_null(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_null(v) for v in node)
    return False


def chart_name(chart: str) -> str | None:
    """The chart's name when it can be a batch member (no subcharts, no dependencies), else None."""
    root = Path(chart)
    try:
        meta = yaml.load((root / "Chart.yaml").read_text(), Loader=FAST_LOADER)
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or meta.get("dependencies"):
        return None
    if (root / "charts").exists() or (root / "requirements.yaml").exists():
        return None
    return meta["name"]


def batchable(chart: str, values: Any) -> bool:
    return chart_name(chart) is not None and not _has_null(values)


def _copy_chart(src: str, dst: Path) -> None:
    """The chart's files under dst: hard links where the file system allows, else copies. Folders are made
    afresh (writable, so the temporary folder can go, even when the chart sits in a read-only module cache)."""
    for folder, _, files in os.walk(src):
        target = dst / os.path.relpath(folder, src)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            try:
                os.link(os.path.join(folder, name), target / name)
            except OSError:
                shutil.copyfile(os.path.join(folder, name), target / name)


def write_umbrella(folder: Path, chart: str, name: str, count: int) -> Path:
    """The umbrella chart holding `count` copies of `chart` (hard links where the file system allows)."""
    umbrella = folder / _UMBRELLA
    (umbrella / "charts").mkdir(parents=True)
    (umbrella / "Chart.yaml").write_text(f"apiVersion: v2\nname: {_UMBRELLA}\nversion: 0.0.0\n")
    for k in range(count):
        wrapper = umbrella / "charts" / f"m{k}"
        (wrapper / "charts").mkdir(parents=True)
        (wrapper / "Chart.yaml").write_text(f"apiVersion: v2\nname: m{k}\nversion: 0.0.0\n")
        _copy_chart(chart, wrapper / "charts" / name)
    return umbrella


def umbrella_values(name: str, members: list[dict]) -> dict:
    return {f"m{k}": {name: values} for k, values in enumerate(members)}


def split_output(text: str, count: int) -> list[str] | None:
    """Each member's part of the umbrella's output, as that member alone renders it; None if the output is
    not a sequence of `---` + `# Source:` blocks of the members."""
    parts: list[list[str]] = [[] for _ in range(count)]
    lines = text.splitlines(keepends=True)
    current = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line == "---\n" and i + 1 < len(lines):
            m = _SOURCE.match(lines[i + 1])
            if m:
                current = int(m.group(1))
                if current >= count:
                    return None
                parts[current] += [line, "# Source: " + lines[i + 1][m.end():]]
                i += 2
                continue
        if current is None:
            return None
        parts[current].append(line)
        i += 1
    return ["".join(p) for p in parts]


def template_many(helm: Helm, chart: str, release: str, namespace: str, members: list[dict],
                  kube_version: str | None = None, extra: list[str] | None = None) -> list[str]:
    """The rendered manifests of each member (values), as `template` of each alone would give them."""
    name = chart_name(chart)
    argv = template_argv(helm, chart, release, namespace, kube_version, extra)
    given = [values_for(helm, chart, v) for v in members]
    keys = [cache_key(helm, chart, argv, v) for v in given]
    texts: list[str | None] = [render_cache.get(k) for k in keys]
    missing = [i for i, t in enumerate(texts) if t is None]
    if name is not None and len(missing) > 1:
        with tempfile.TemporaryDirectory(prefix="helmgen-batch-") as tmp:
            umbrella = write_umbrella(Path(tmp), chart, name, len(missing))
            batch_argv = template_argv(helm, str(umbrella), release, namespace, kube_version, extra)
            try:
                out = run_template(batch_argv, umbrella_values(name, [given[i] for i in missing]), chart, release)
            except (HelmError, ChartRejected):
                out = None   # each alone below: its error names its own release
        parts = split_output(out, len(missing)) if out is not None else None
        if parts is not None:
            for i, part in zip(missing, parts):
                texts[i] = part
                render_cache.put(keys[i], part)
    return [t if t is not None else template(helm, chart, release, namespace, v, kube_version, extra)
            for t, v in zip(texts, members)]
