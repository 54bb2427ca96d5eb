"""Starting and stopping testbeds (scripts/testbed) for the e2e tier."""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTBED = ROOT / "scripts" / "testbed"
UP_TIMEOUT = 3600  # a cold build of the pinned binaries takes ~7 min on 2 cores, a warm `up` ~4 s


@dataclass(frozen=True)
class Testbed:
    name: str
    kubeconfig: Path
    kubectl_path: Path

    def kubectl(self, *args: str, input: str | None = None, timeout: float = 180,
                check: bool = True) -> subprocess.CompletedProcess:
        """Run kubectl against the testbed; with check, a non-zero exit fails the test with its output."""
        cmd = [str(self.kubectl_path), f"--kubeconfig={self.kubeconfig}",
               f"--cache-dir={self.kubeconfig.parent}/kubectl-cache", *args]  # removed with the testbed
        proc = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            pytest.fail(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}", pytrace=False)
        return proc


def _down(name: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(TESTBED), "down", "--name", name], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=120)


KIND = os.environ.get("HELMGEN_E2E_KIND") == "1"   # `make e2e-kind`: kind clusters instead of scripts/testbed


@contextlib.contextmanager
def _kind_cluster(name: str):
    """A kind cluster (needs Docker and `kind` and `kubectl` on PATH), deleted after the block."""
    name = name.replace("_", "-")[-40:].strip("-")
    state = ROOT / ".cache" / "kind-state" / name
    state.mkdir(parents=True, exist_ok=True)
    kubeconfig = state / "kubeconfig"
    proc = subprocess.run(["kind", "create", "cluster", "--name", name, "--kubeconfig", str(kubeconfig), "--wait",
                           "120s"], capture_output=True, text=True, timeout=UP_TIMEOUT)
    if proc.returncode != 0:
        pytest.fail(f"kind create cluster --name {name} failed:\n{proc.stdout}{proc.stderr}", pytrace=False)
    try:
        yield Testbed(name=name, kubeconfig=kubeconfig, kubectl_path=Path(shutil.which("kubectl") or "kubectl"))
    finally:
        subprocess.run(["kind", "delete", "cluster", "--name", name], capture_output=True, timeout=300)


@contextlib.contextmanager
def started_testbed(name: str):
    """A testbed named `name`, up for the block and stopped and removed after it; fails (never skips) the
    test when it cannot start. With HELMGEN_E2E_KIND=1, a kind cluster of that name instead."""
    if KIND:
        with _kind_cluster(name) as bed:
            yield bed
        return
    try:
        proc = subprocess.run([str(TESTBED), "up", "--name", name], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=UP_TIMEOUT)
        output, failed = proc.stdout, proc.returncode != 0 and f"exited {proc.returncode}"
    except subprocess.TimeoutExpired as exc:
        output, failed = exc.stdout or "", f"did not finish in {UP_TIMEOUT}s"
        output = output.decode(errors="replace") if isinstance(output, bytes) else output
    lines = output.strip().splitlines()
    prefix = "export KUBECONFIG="
    if failed or not lines or not lines[-1].startswith(prefix):
        down = _down(name)
        pytest.fail(f"scripts/testbed up --name {name} {failed or 'did not print the export line last'}:\n"
                    f"{output}\n(scripts/testbed down afterwards:\n{down.stdout})", pytrace=False)
    kubeconfig = Path(lines[-1][len(prefix):])
    try:
        yield Testbed(name=name, kubeconfig=kubeconfig, kubectl_path=kubeconfig.parent / "bin" / "kubectl")
    finally:
        down = _down(name)
        if down.returncode != 0:
            pytest.fail(f"scripts/testbed down --name {name} exited {down.returncode}:\n{down.stdout}",
                        pytrace=False)


