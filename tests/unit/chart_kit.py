"""What the chart tests (test_chart_*.py) share: where our charts, Istio's charts (the oracle) and the helm
binaries are, running helm template, and reading its output. The `helm` fixture (helm 3 and 4) is in conftest.py.

Importing this also puts tests/equivalence on sys.path, for its `behaviour` and `intended` modules.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helmgen.helm.template import find_helm, template

ROOT = Path(__file__).resolve().parents[2]
CHARTS = ROOT / "charts"
# Istio's charts: HELMGEN_ISTIO_CHARTS, else the pinned istio module in the Go module cache
ISTIO_CHARTS = Path(os.environ.get(
    "HELMGEN_ISTIO_CHARTS",
    "/root/go/pkg/mod/istio.io/istio@v0.0.0-20260827124520-eed52ebb66ad/manifests/charts",
))
CACHED = {"3": ROOT / ".cache/helm/3.18.0/helm", "4": ROOT / ".cache/helm/4.1.4/helm"}
sys.path.insert(0, str(ROOT / "tests" / "equivalence"))


def helm_path(major: str) -> str:
    """Helm `major`: HELMGEN_HELM<major>, else the one scripts/fetch-helm puts under .cache/helm."""
    path = os.environ.get(f"HELMGEN_HELM{major}") or str(CACHED[major])
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"no helm {major}: set HELMGEN_HELM{major} or run scripts/fetch-helm {major}")
    return path


def documents(text: str) -> list:
    """Every non-empty document of helm's output."""
    return [d for part in re.split(r"^---.*$", text, flags=re.M) if (d := yaml.safe_load(part))]


def objects(text: str) -> list[dict]:
    """Documents as helmgen reads helm's output: split at `---` lines, each trimmed."""
    docs = (yaml.safe_load(part.strip()) for part in re.split(r"^---.*$", text, flags=re.M) if part.strip())
    return [d for d in docs if isinstance(d, dict) and d.get("kind")]


def by_kind(objs: list[dict]) -> dict[tuple[str, str], dict]:
    return {(o["kind"], o["metadata"]["name"]): o for o in objs}


def one(objs: list[dict], kind: str, name: str) -> dict:
    found = [o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind} {name}: {len(found)} rendered"
    return found[0]


def helm_run(helm: str, release: str, chart: Path, namespace: str, values: dict,
             *args: str) -> subprocess.CompletedProcess:
    """helm template of the chart as the release in the namespace, the values on stdin."""
    return subprocess.run([helm, "template", release, str(chart), "-n", namespace, "-f", "-", *args],
                          input=yaml.safe_dump(values), capture_output=True, text=True)


def helm_render(helm: str, release: str, chart: Path, namespace: str, values: dict, *args: str,
                read=documents) -> list[dict]:
    """helm_run that must succeed, its output read by `read`."""
    proc = helm_run(helm, release, chart, namespace, values, *args)
    assert proc.returncode == 0, proc.stderr
    return read(proc.stdout)


def helmgen_render(helm: str, chart: Path, values: dict, release: str = "r",
                   namespace: str = "istio-system") -> list[dict]:
    """helm template as helmgen runs it (with its Helm 3.18.0 workaround for numbers in values.yaml)."""
    return objects(template(find_helm(helm), str(chart), release, namespace, values))
