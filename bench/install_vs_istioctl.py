#!/usr/bin/env python3
"""Benchmark: `helmgen install` of the default profile, with its readiness waits, vs `istioctl install` and vs
the same releases installed by sequential `helm upgrade --install --wait` commands, on the same test bed, in one
run.

Per run and tool: a fresh `scripts/testbed` (empty cluster) -> the timed install (whole processes, wall clock from
process start to exit, the tool's own waiting included) -> a check that it worked (exit 0; every release
`deployed` in `helm list -A` for the helm-based tools; the Istio CRDs there and the istiod and ingress gateway
Deployments ready, by kubectl, for every tool) -> testbed down. The order of the tools rotates from run to run so
that machine noise spreads over all of them. Prints the median (min-max) of each tool and the ratios
helmgen/istioctl and helmgen/sequential helm per Helm version.

Tools:
  helmgen (Helm 3.18 / 4.1)  .venv/bin/helmgen install -f IOP --manifests DIR --timeout 300s, HELMGEN_HELM set
  istioctl                   istioctl install -y --manifests DIR -f IOP --kubeconfig K --readiness-timeout 300s
  sequential helm 3 / 4      per release of `helmgen translate`'s plan.yaml, in plan order, one after another:
                             helm upgrade --install NAME <manifests>/charts/<local chart> -f NAME.values.yaml
                             --namespace NS --create-namespace --wait (Helm 4: --wait=watcher) --timeout 300s
The values files come from one `helmgen translate` of the same IstioOperator before the runs (not timed).

The IstioOperator (written to a temp file) is the default profile with the ingress gateway's Service made
ClusterIP, for every tool: the test bed has no load balancer, and `helm --wait` would wait forever for a
LoadBalancer Service's address.

istioctl is the pinned build of scripts/build-istioctl; every tool uses the pinned module's manifests/.

With --all the IstioOperator also enables istio-cni (kube-system) and the egress gateway: five releases, of which
istiod and istio-cni, and then the two gateways, can be installed side by side.

With --pod-ready-delay S the test bed's pods become Ready S seconds after they start (kwok's pod-ready stage
delayed), as real pods do, instead of at once; waiting then weighs as it does on a real cluster.

Usage: bench/install_vs_istioctl.py [N] [--all] [--pod-ready-delay S]   (N default 3; after `make test`/`make run`)
"""
from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HELM3 = ROOT / ".cache/helm/3.18.0/helm"
HELM4 = ROOT / ".cache/helm/4.1.4/helm"
HELMGEN = ROOT / ".venv/bin/helmgen"
TIMEOUT = "300s"
IOP = """apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  profile: default
  values:
    gateways:
      istio-ingressgateway:
        type: ClusterIP   # no load balancer on the test bed; helm --wait would wait forever for an address
"""
# --all: every component a sidecar mesh uses (istio-cni, both gateways), so that releases can run side by side
IOP_ALL = """apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  profile: default
  components:
    cni: {enabled: true, namespace: kube-system}
    egressGateways: [{name: istio-egressgateway, enabled: true}]
  values:
    gateways:
      istio-ingressgateway:
        type: ClusterIP
"""
DEPLOYMENTS = ("istiod", "istio-ingressgateway")
# The plan names the published OCI charts for these; the sequential helm commands use the same charts from the
# pinned manifests/ folder (as helmgen install and istioctl do).
LOCAL_CHARTS = {"base": "charts/base", "istiod": "charts/istio-control/istio-discovery",
                "istio-ingress": "charts/gateways/istio-ingress", "cni": "charts/istio-cni"}


def _build(*args: str) -> str:
    proc = subprocess.run([str(ROOT / "scripts/build-istioctl"), *args], capture_output=True, text=True, check=True)
    return proc.stdout.strip().splitlines()[-1]


def _local_chart(chart: str, manifests: Path) -> Path:
    if Path(chart).is_dir():
        return Path(chart)
    path = manifests / LOCAL_CHARTS[chart.rstrip("/").rsplit("/", 1)[-1]]
    if not path.is_dir():
        raise SystemExit(f"no local chart for {chart}: {path}")
    return path


class Testbed:
    """A fresh control plane for one install; down again on exit, whatever happened."""

    def __init__(self, name: str, pod_ready_delay: float = 0.0):
        self.name, self.delay = name, pod_ready_delay

    def __enter__(self) -> "Testbed":
        proc = subprocess.run([str(ROOT / "scripts/testbed"), "up", "--name", self.name,
                               "--pod-ready-delay", str(self.delay)], capture_output=True, text=True)
        last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
        if proc.returncode != 0 or not last.startswith("export KUBECONFIG="):
            self._down()
            raise SystemExit(f"testbed up --name {self.name} failed:\n{proc.stderr[-3000:]}")
        self.kubeconfig = last.split("=", 1)[1].strip().strip("'\"")
        self.kubectl = str(Path(self.kubeconfig).parent / "bin/kubectl")
        return self

    def __exit__(self, *exc) -> None:
        self._down()

    def _down(self) -> None:
        subprocess.run([str(ROOT / "scripts/testbed"), "down", "--name", self.name], capture_output=True)


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, proc


def _fail(what: str, proc: subprocess.CompletedProcess) -> None:
    raise SystemExit(f"{what} failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")


def _verify(bed: Testbed, helm: Path | None, releases: list[str], env: dict[str, str]) -> None:
    """The install worked: releases deployed (helm-based tools), Istio's CRDs there, the Deployments ready."""
    if helm is not None:
        proc = subprocess.run([str(helm), "list", "-A", "-o", "json"], capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            _fail("helm list -A", proc)
        status = {r["name"]: r["status"] for r in json.loads(proc.stdout or "[]")}
        if any(status.get(r) != "deployed" for r in releases):
            raise SystemExit(f"releases not all deployed: {status}")
    proc = subprocess.run([bed.kubectl, "--kubeconfig", bed.kubeconfig, "get", "crd", "-o", "name"],
                          capture_output=True, text=True)
    if proc.returncode != 0 or ".istio.io" not in proc.stdout:
        _fail("kubectl get crd (no Istio CRDs)", proc)
    proc = subprocess.run([bed.kubectl, "--kubeconfig", bed.kubeconfig, "get", "deploy", "-n", "istio-system",
                           "-o", "json"], capture_output=True, text=True)
    if proc.returncode != 0:
        _fail("kubectl get deploy", proc)
    found = {d["metadata"]["name"]: d for d in json.loads(proc.stdout)["items"]}
    for name in DEPLOYMENTS:
        d = found.get(name)
        want = d and d["spec"].get("replicas", 1)
        st = d["status"] if d else {}
        if not d or st.get("readyReplicas", 0) < want or st.get("updatedReplicas", 0) < want:
            raise SystemExit(f"Deployment istio-system/{name} not ready after the install: {st}")


def main() -> None:
    argv = sys.argv[1:]
    delay = float(argv[argv.index("--pod-ready-delay") + 1]) if "--pod-ready-delay" in argv else 0.0
    args = [a for i, a in enumerate(argv) if a != "--all" and a != "--pod-ready-delay"
            and (i == 0 or argv[i - 1] != "--pod-ready-delay")]
    everything = "--all" in argv
    n = int(args[0]) if args else 3
    istioctl, manifests = _build(), Path(_build("--manifests"))
    for path in (HELM3, HELM4, HELMGEN):
        if not path.exists():
            raise SystemExit(f"{path} missing: run `make setup`")
    # helmgen's bytecode as `pip install` leaves it (this machine sets PYTHONDONTWRITEBYTECODE)
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "compileall", "-q", str(ROOT / "helmgen")], check=True,
                   stdout=subprocess.DEVNULL)
    work = Path(tempfile.mkdtemp(prefix="helmgen-bench-install-"))
    iop = work / "iop.yaml"
    iop.write_text(IOP_ALL if everything else IOP)
    values = work / "values"
    proc = subprocess.run([str(HELMGEN), "translate", "-f", str(iop), "--manifests", str(manifests),
                           "-o", str(values)], capture_output=True, text=True)
    if proc.returncode != 0:
        _fail("helmgen translate", proc)
    plan = sorted(yaml.safe_load((values / "plan.yaml").read_text())["releases"], key=lambda r: r["order"])
    releases = [r["name"] for r in plan]

    def helmgen(helm: Path):
        def run(bed: Testbed, env: dict[str, str]):
            env = {**env, "HELMGEN_HELM": str(helm)}
            took, proc = _timed([str(HELMGEN), "install", "-f", str(iop), "--manifests", str(manifests),
                                 "--timeout", TIMEOUT], env)
            if proc.returncode != 0:
                _fail("helmgen install", proc)
            # helmgen's summary (stdout): RELEASE NAMESPACE RESULT REVISION TIME
            steps = {m[1]: float(m[2]) for m in re.finditer(r"^(\S+)\s+\S+\s+installed\s+\d+\s+([\d.]+)s$",
                                                             proc.stdout, re.M)}
            _verify(bed, helm, releases, env)
            return took, [steps.get(r, float("nan")) for r in releases]
        return run

    def run_istioctl(bed: Testbed, env: dict[str, str]):
        took, proc = _timed([istioctl, "install", "-y", "--manifests", str(manifests), "-f", str(iop),
                             "--kubeconfig", bed.kubeconfig, "--readiness-timeout", TIMEOUT], env)
        if proc.returncode != 0:
            _fail("istioctl install", proc)
        _verify(bed, None, releases, env)
        return took, None

    def sequential(helm: Path, wait: str):
        def run(bed: Testbed, env: dict[str, str]):
            steps = []
            for r in plan:
                took, proc = _timed([str(helm), "upgrade", "--install", r["name"],
                                     str(_local_chart(r["chart"], manifests)), "-f", str(values / r["values"]),
                                     "--namespace", r["namespace"], "--create-namespace", wait,
                                     "--timeout", TIMEOUT], env)
                if proc.returncode != 0:
                    _fail(f"helm upgrade --install {r['name']}", proc)
                steps.append(took)
            _verify(bed, helm, releases, env)
            return sum(steps), steps  # process times back to back; the Python in between is not counted
        return run

    tools = {
        "helmgen install (Helm 3.18)": helmgen(HELM3),
        "helmgen install (Helm 4.1)": helmgen(HELM4),
        "istioctl install": run_istioctl,
        "sequential helm 3.18 --wait": sequential(HELM3, "--wait"),
        "sequential helm 4.1 --wait=watcher": sequential(HELM4, "--wait=watcher"),
    }
    names = list(tools)
    times: dict[str, list[float]] = {t: [] for t in names}
    steps: dict[str, list[list[float]]] = {t: [] for t in names}
    bed_name = f"bench-install-{os.getpid()}"
    for i in range(n):
        order = names[i % len(names):] + names[:i % len(names)]  # rotate: each tool takes each slot in turn
        for tool in order:
            with Testbed(bed_name, delay) as bed:
                env = {**os.environ, "KUBECONFIG": bed.kubeconfig}
                took, per_release = tools[tool](bed, env)
            times[tool].append(took)
            if per_release:
                steps[tool].append(per_release)
            print(f"run {i + 1}/{n} {tool:36} {took:6.2f} s", file=sys.stderr, flush=True)

    med = {t: statistics.median(v) for t, v in times.items()}
    print(f"\n{'tool':36} {'median':>8} {'min':>7} {'max':>7}   per release (median): {' / '.join(releases)}")
    for t in names:
        per = ""
        if steps[t]:
            per = " / ".join(f"{statistics.median(s[k] for s in steps[t]):.1f}" for k in range(len(releases)))
        print(f"{t:36} {med[t]:6.2f} s {min(times[t]):5.2f} s {max(times[t]):5.2f} s   {per}")
    print()
    for version, seq in (("3.18", "sequential helm 3.18 --wait"), ("4.1", "sequential helm 4.1 --wait=watcher")):
        ours = med[f"helmgen install (Helm {version})"]
        print(f"helmgen (Helm {version}) / istioctl install:        {ours / med['istioctl install']:5.2f}")
        print(f"helmgen (Helm {version}) / sequential helm {version}:   {ours / med[seq]:5.2f}")
    version = subprocess.run([str(HELMGEN), "--version"], capture_output=True, text=True).stdout.strip()
    print(f"(median of {n} runs each, tools rotated per run, a fresh testbed per install, pods Ready {delay:g} s "
          f"after they start; {version}; istioctl built "
          f"from istio.io/istio {(ROOT / 'scripts/istio-version').read_text().strip()}; {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
