#!/usr/bin/env python3
"""Benchmark: `helmgen template` vs `istioctl manifest generate`, and `helmgen translate` vs `istioctl manifest
translate`, on the same inputs, in one run.

Every command runs N times as a whole process (interpreter start included), alternating helmgen and istioctl
so that machine noise hits both alike; prints the median wall time of each and the ratio helmgen/istioctl.
istioctl is the pinned build of scripts/build-istioctl. helmgen renders with the helm given by $HELMGEN_HELM
(default: the Helm 4.1.4 that `make test` fetches); its bytecode is compiled first, as `pip install` leaves it.

Inputs: the default profile (an empty IstioOperator), upstream `all_on.yaml` from the module's
manifest-generate testdata, and 50 ingress gateways in 5 namespaces. `helmgen template` is timed three ways:

  ours          `helmgen template -f IOP` (helmgen's charts, each release under its own name) against
                `istioctl manifest generate -f IOP` (the charts built into istioctl): what users run;
  ours, compat  the same with `--compat istioctl` (every release named `istio`, as istioctl renders);
  Istio's       `--manifests DIR --compat istioctl` against `istioctl manifest generate --manifests DIR`: the
                same charts on both sides, the object-for-object comparison of the parity tier.

Cold: a fresh, empty render cache for every run (a first run on a machine); warm: a render cache that one
untimed run filled, as any later run of the same IstioOperator finds it (helmgen.helm.render_cache).

Usage: bench/template_vs_istioctl.py [N]   (from the repo, after `make test` or `make run`)
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _build(*args: str) -> str:
    proc = subprocess.run([str(ROOT / "scripts/build-istioctl"), *args], capture_output=True, text=True, check=True)
    return proc.stdout.strip().splitlines()[-1]


def _run(argv: list[str], env) -> float:
    """Wall time of one run; `env` is a dict, or a function giving a fresh one per run."""
    env = env() if callable(env) else env
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{proc.stderr[-3000:]}")
    return took


def compare(label: str, ours: list[str], theirs: list[str], n: int, env) -> None:
    h, i = [], []
    for _ in range(n):
        h.append(_run(ours, env))
        i.append(_run(theirs, env))
    hm, im = statistics.median(h), statistics.median(i)
    print(f"{label:60} {hm * 1000:8.0f} ms {im * 1000:9.0f} ms {hm / im:7.2f}", flush=True)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    istioctl, manifests, module = _build(), _build("--manifests"), _build("--module-dir")
    helmgen = str(ROOT / ".venv/bin/helmgen")
    env = dict(os.environ)
    env.setdefault("HELMGEN_HELM", str(ROOT / ".cache/helm/4.1.4/helm"))
    work = Path(tempfile.mkdtemp(prefix="helmgen-bench-"))
    default = work / "default.yaml"
    default.write_text("apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n")
    gateways = work / "gateways50.yaml"
    gateways.write_text(yaml.safe_dump({"apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator", "spec": {
        "components": {"ingressGateways": [
            {"name": f"gw-{i}", "namespace": f"ns-{i % 5}", "enabled": True, "label": {"gw": str(i)}}
            for i in range(50)]}}}))
    inputs = {"default profile": default,
              "all_on (upstream testdata)": Path(module) / "operator/cmd/mesh/testdata/manifest-generate/input/all_on.yaml",
              "50 ingress gateways in 5 namespaces": gateways}
    helm = subprocess.run([env["HELMGEN_HELM"], "version", "--short"], capture_output=True, text=True).stdout.strip()
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "compileall", "-q", str(ROOT / "helmgen")], check=True,
                   stdout=subprocess.DEVNULL)
    print(f"{'command / input':60} {'helmgen':>11} {'istioctl':>12} {'ratio':>7}")
    runs = iter(range(10**9))
    cold = lambda: {**env, "HELMGEN_RENDER_CACHE": str(work / f"cold-{next(runs)}")}  # noqa: E731
    warm = {**env, "HELMGEN_RENDER_CACHE": str(work / "render-cache")}
    for label, path in inputs.items():
        out = ["-o", str(work / "h.yaml")]
        generate = [istioctl, "manifest", "generate", "-f", str(path), "-o", str(work / "i.yaml")]
        compare(f"template, ours, cold / {label}", [helmgen, "template", "-f", str(path), *out], generate, n, cold)
        compare(f"template, ours, compat, cold / {label}",
                [helmgen, "template", "-f", str(path), "--compat", "istioctl", *out], generate, n, cold)
        ours = [helmgen, "template", "-f", str(path), "--manifests", manifests, "--compat", "istioctl", *out]
        theirs = [*generate, "--manifests", manifests]
        compare(f"template, Istio's charts, cold / {label}", ours, theirs, n, cold)
        _run(ours, warm)   # fills the cache
        compare(f"template, Istio's charts, warm / {label}", ours, theirs, n, warm)
    for label, path in inputs.items():
        out = work / "i-out"
        out.mkdir(exist_ok=True)
        compare(f"translate / {label}",
                [helmgen, "translate", "-f", str(path), "--manifests", manifests, "-o", str(work / "h-out")],
                [istioctl, "manifest", "translate", "-f", str(path), "--manifests", manifests, "-o", str(out)],
                n, env)
    version = subprocess.run([helmgen, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"(median of {n} runs each, alternating; {version}, {helm} for helmgen template, istioctl built from "
          f"istio.io/istio {(ROOT / 'scripts/istio-version').read_text().strip()})")


if __name__ == "__main__":
    main()
