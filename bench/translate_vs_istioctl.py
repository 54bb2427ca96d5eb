#!/usr/bin/env python3
"""Benchmark: `helmgen translate` vs `istioctl manifest translate` on the same inputs, in one run.

Each command is run N times (whole process, interpreter start included); prints the median wall time
of each and the ratio helmgen/istioctl. istioctl is the pinned build of scripts/build-istioctl, with the
pinned module's manifests. The example's string booleans are made real booleans first, since istioctl
rejects them (helmgen accepts both).

Usage: bench/translate_vs_istioctl.py [N]   (run from the repo with .venv set up: make test or make run)
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _unquote(v):
    if isinstance(v, dict):
        return {k: _unquote(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_unquote(x) for x in v]
    return {"true": True, "false": False}.get(v, v) if isinstance(v, str) else v


def timed(argv: list[str], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True)
        out.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed:\n{proc.stderr}")
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    build = subprocess.run([str(ROOT / "scripts/build-istioctl")], capture_output=True, text=True, check=True)
    istioctl = build.stdout.strip().splitlines()[-1]
    manifests = subprocess.run([str(ROOT / "scripts/build-istioctl"), "--manifests"], capture_output=True,
                               text=True, check=True).stdout.strip().splitlines()[-1]
    helmgen = str(ROOT / ".venv/bin/helmgen")
    work = Path(tempfile.mkdtemp(prefix="helmgen-bench-"))
    example = work / "example.yaml"
    example.write_text(yaml.safe_dump(_unquote(yaml.safe_load((ROOT / "examples/istio-operator.yaml").read_text()))))
    gateways = work / "gateways50.yaml"
    gateways.write_text(yaml.safe_dump({"apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator", "spec": {
        "profile": "minimal", "components": {"ingressGateways": [
            {"name": f"gw-{i}", "namespace": f"ns-{i % 5}", "enabled": True, "label": {"gw": str(i)}} for i in range(50)]}}}))
    inputs = {"example (examples/istio-operator.yaml)": example, "default profile": None,
              "50 ingress gateways": gateways}
    print(f"{'input':42} {'helmgen median':>15} {'istioctl median':>16} {'ratio':>7}")
    for label, path in inputs.items():
        files = ["-f", str(path)] if path else []
        if not path:
            empty = work / "default.yaml"
            empty.write_text("apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n")
            files = ["-f", str(empty)]
        h_out, i_out = work / "h", work / "i"
        i_out.mkdir(exist_ok=True)
        h = statistics.median(timed([helmgen, "translate", *files, "-o", str(h_out)], n))
        i = statistics.median(timed([istioctl, "manifest", "translate", *files, "--manifests", manifests,
                                     "-o", str(i_out)], n))
        print(f"{label:42} {h * 1000:12.0f} ms {i * 1000:13.0f} ms {h / i:7.2f}")
    print(f"(median of {n} runs each; helmgen {subprocess.run([helmgen, '--version'], capture_output=True, text=True).stdout.strip()}, "
          f"istioctl built from istio.io/istio {(ROOT / 'scripts/istio-version').read_text().strip()})")


if __name__ == "__main__":
    main()
