"""The e2e tier: tests against a real control plane started by scripts/testbed (etcd, kube-apiserver,
kube-controller-manager, kube-scheduler, kwok faking the nodes).

`make test` (and so CI) sets HELMGEN_E2E=1; a bare `pytest tests` leaves this tier out, since its first run builds
the pinned control plane (~7 min on 2 cores). Named on the command line (`pytest tests/e2e`) it runs too. Once
selected these tests never skip: a testbed that cannot start fails them, with the script's output.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
E2E = Path(__file__).resolve().parent
TESTBED = ROOT / "scripts" / "testbed"
UP_TIMEOUT = 3600  # a cold build of the pinned binaries takes ~7 min on 2 cores, a warm `up` ~4 s


def pytest_ignore_collect(collection_path: Path, config: pytest.Config):
    if os.environ.get("HELMGEN_E2E") == "1":
        return None
    invoked_in = Path(config.invocation_params.dir)
    for arg in config.invocation_params.args:
        target = (invoked_in / arg.split("::", 1)[0]).resolve()
        if target == E2E or E2E in target.parents:
            return None
    return True


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


@pytest.fixture(scope="session")
def testbed():
    """One testbed for the session, named pytest-<pid>; stopped and removed at the end."""
    name = f"pytest-{os.getpid()}"
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
