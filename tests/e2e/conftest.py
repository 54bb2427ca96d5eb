"""The e2e tier: tests against a real control plane started by scripts/testbed (etcd, kube-apiserver,
kube-controller-manager, kube-scheduler, kwok faking the nodes).

`make test` (and so CI) sets HELMGEN_E2E=1; a bare `pytest tests` leaves this tier out, since its first run builds
the pinned control plane (~7 min on 2 cores). Named on the command line (`pytest tests/e2e`) it runs too. Once
selected these tests never skip: a testbed that cannot start fails them, with the script's output.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from testbeds import KIND, started_testbed  # tests/e2e/testbeds.py

E2E = Path(__file__).resolve().parent


def pytest_ignore_collect(collection_path: Path, config: pytest.Config):
    if KIND and collection_path.name == "test_testbed_smoke.py":
        return True  # it tests scripts/testbed (kwok nodes), which a kind run does not use
    if os.environ.get("HELMGEN_E2E") == "1":
        return None
    invoked_in = Path(config.invocation_params.dir)
    for arg in config.invocation_params.args:
        target = (invoked_in / arg.split("::", 1)[0]).resolve()
        if target == E2E or E2E in target.parents:
            return None
    return True


@pytest.fixture(scope="session")
def testbed():
    """One testbed for the session, named pytest-<pid>; stopped and removed at the end."""
    with started_testbed(f"pytest-{os.getpid()}") as bed:
        yield bed
