#!/usr/bin/env python3
"""Benchmark: `helmgen lint` over a folder of 200 generated IstioOperators, one process per core vs one process,
and, as the baseline, `helmgen template` run once per file (plain rendering, no checks) one after another.

Prints wall time, time per file, CPU time of all processes (user + sys) and the cores used on average
(CPU time / wall time), and the ratios. The IstioOperators vary profile, revision, gateways (1 to 4, in 1 to 3
namespaces), k8s settings and overlays, so each file renders 2 to 8 releases.

Usage: bench/lint_folder.py [FILES]   (default 200; run from the repo after make test or make run)
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ("default", "minimal", "demo", "ambient", "empty", "preview")


def iop(i: int) -> dict:
    profile = PROFILES[i % len(PROFILES)]
    gateways = [{"name": f"gw-{i}-{g}", "enabled": True, "namespace": f"ns-{g % 3}",
                 "k8s": {"replicaCount": 1 + g % 3, "resources": {"requests": {"cpu": f"{100 + 10 * g}m"}}}}
                for g in range(1 + i % 4)]
    components = {"ingressGateways": gateways,
                  "pilot": {"enabled": True, "k8s": {"env": [{"name": "PILOT_X", "value": str(i)}],
                                                     "hpaSpec": {"minReplicas": 1, "maxReplicas": 3 + i % 5}}}}
    if i % 5 == 0:
        components["pilot"]["k8s"]["overlays"] = [{"kind": "Deployment", "name": "istiod",
                                                   "patches": [{"path": "metadata.labels.bench", "value": str(i)}]}]
    spec: dict = {"profile": profile, "components": components,
                  "values": {"global": {"logging": {"level": "default:info"}}}}
    if i % 7 == 0:
        spec["revision"] = f"rev-{i}"
    return {"apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator",
            "metadata": {"name": f"bench-{i}"}, "spec": spec}


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(argv: list[str]) -> tuple[float, float]:
    cpu0, t0 = children_cpu(), time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, children_cpu() - cpu0
    if proc.returncode not in (0, 1) or "Traceback" in proc.stderr:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return wall, cpu


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    helmgen = str(ROOT / ".venv" / "bin" / "helmgen")
    with tempfile.TemporaryDirectory(prefix="helmgen-lint-bench-") as tmp:
        folder = Path(tmp) / "iops"
        folder.mkdir()
        for i in range(n):
            (folder / f"iop-{i:03d}.yaml").write_text(yaml.safe_dump(iop(i), sort_keys=False))
        rows = []
        for label, argv in (("lint, one process per core", [helmgen, "lint", "--format", "json", str(folder)]),
                            ("lint, one process (-j 1)", [helmgen, "lint", "--format", "json", "-j", "1",
                                                          str(folder)])):
            wall, cpu = run(argv)
            rows.append((label, wall, cpu))
        cpu0, t0 = children_cpu(), time.perf_counter()
        for f in sorted(folder.iterdir()):
            subprocess.run([helmgen, "template", "-f", str(f)], capture_output=True, check=True)
        rows.append(("template each file (baseline)", time.perf_counter() - t0, children_cpu() - cpu0))
    print(f"{n} IstioOperators, {os.cpu_count()} cores, helm: {os.environ.get('HELMGEN_HELM', 'PATH')}")
    print(f"{'run':32} {'wall':>8} {'per file':>9} {'cpu':>8} {'cores used':>10}")
    for label, wall, cpu in rows:
        print(f"{label:32} {wall:7.1f}s {1000 * wall / n:7.0f}ms {cpu:7.1f}s {cpu / wall:10.2f}")
    parallel, single, template = rows
    print(f"speed-up of one process per core over one process: {single[1] / parallel[1]:.2f}x")
    print(f"ratio lint (per core) / template each file: {parallel[1] / template[1]:.2f}")


if __name__ == "__main__":
    main()
