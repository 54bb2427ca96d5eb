"""Running helmgen and helm against a testbed, and reading what landed there."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

E2E = Path(__file__).resolve().parent
INPUTS = E2E / "inputs"


@dataclass(frozen=True)
class Cluster:
    """A testbed and the helm that tests drive it with."""

    bed: object          # conftest.Testbed
    helm: str
    manifests: Path

    @property
    def kubeconfig(self) -> Path:
        return self.bed.kubeconfig

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "KUBECONFIG": str(self.kubeconfig), "HELMGEN_HELM": self.helm,
                **extra}

    def helmgen(self, *args: str, timeout: float = 600, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "helmgen.cli", *args], capture_output=True, text=True,
                              timeout=timeout, env=env or self.env())

    def install(self, *args: str, iop: str = "default.yaml", timeout: str = "120s") -> subprocess.CompletedProcess:
        return self.helmgen("install", "-f", str(INPUTS / iop), "--manifests", str(self.manifests),
                            "--timeout", timeout, *args)

    def helm_json(self, *args: str):
        proc = subprocess.run([self.helm, *args, "--kubeconfig", str(self.kubeconfig), "-o", "json"],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout or "null")

    def releases(self) -> dict[str, dict]:
        """name -> helm list entry, every state."""
        found = self.helm_json("list", "-A", "--deployed", "--failed", "--pending", "--uninstalling")
        return {r["name"]: r for r in found or []}

    def history(self, release: str, namespace: str = "istio-system") -> list[dict]:
        return self.helm_json("history", release, "-n", namespace)

    def get(self, *args: str) -> dict:
        return json.loads(self.bed.kubectl("get", *args, "-o", "json").stdout)


def workload(kind: str, name: str, namespace: str = "", replicas: int | None = None,
             node_selector: dict | None = None, readiness_probe: bool = False) -> str:
    """A Deployment or DaemonSet of one container whose image is never pulled (kwok fakes containers)."""
    container: dict = {"name": name, "image": f"registry.invalid/{name}:1"}
    if readiness_probe:
        container["readinessProbe"] = {"httpGet": {"path": "/", "port": 8080}}
    pod: dict = {"containers": [container]}
    if node_selector:
        pod["nodeSelector"] = node_selector
    spec: dict = {"selector": {"matchLabels": {"app": name}},
                  "template": {"metadata": {"labels": {"app": name}}, "spec": pod}}
    if replicas is not None:
        spec = {"replicas": replicas, **spec}
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    return yaml.safe_dump({"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": spec}, sort_keys=False)


def outcome_lines(stdout: str) -> dict[str, str]:
    """release -> RESULT column of helmgen's summary table (rows end in REVISION and TIME)."""
    rows = {}
    for line in stdout.splitlines():
        m = re.match(r"(\S+)\s+(\S+)\s+(.+?)\s+(\d+|-)\s+(\d+\.\ds|-)$", line)
        if m and m.group(1) != "RELEASE":
            rows[m.group(1)] = m.group(3)
    return rows


def merged_kubeconfig(path: Path, named: dict[str, Path]) -> Path:
    """One kubeconfig whose contexts (the dict's keys) point at the given testbeds' kubeconfigs."""
    merged = {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [], "contexts": [],
              "current-context": next(iter(named))}
    for name, kubeconfig in named.items():
        one = yaml.safe_load(kubeconfig.read_text())
        merged["clusters"].append({"name": name, "cluster": one["clusters"][0]["cluster"]})
        merged["users"].append({"name": name, "user": one["users"][0]["user"]})
        merged["contexts"].append({"name": name, "context": {"cluster": name, "user": name}})
    path.write_text(yaml.safe_dump(merged))
    return path
