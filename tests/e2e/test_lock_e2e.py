"""The run lock against a real apiserver: refusal, release, takeover of a dead holder's lease, a second process,
renewals, a lost lease, and the RBAC message."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from lightkube import ApiError
from lightkube.models.coordination_v1 import LeaseSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.coordination_v1 import Lease

from helmgen.kube.client import ClusterError, KubeTarget, async_client
from helmgen.kube.lock import (COMMAND, LEASE_NAME, LEASE_NAMESPACE, PID_NAMESPACE, STARTED, ClusterLock, LockHeld,
                               cluster_lock, local_pid_namespace)

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import asyncio, sys
from helmgen.kube.client import KubeTarget, async_client
from helmgen.kube.lock import cluster_lock

async def main():
    async with cluster_lock(async_client(KubeTarget(sys.argv[1])), "install -f child.yaml", renew_every=0.5):
        print("held", flush=True)
        await asyncio.sleep(float(sys.argv[2]))

asyncio.run(main())
"""


@pytest.fixture
def kubeconfig(testbed):
    """The testbed's kubeconfig, with no lease left behind by the test before or after it."""
    delete = ("delete", "lease", "-n", LEASE_NAMESPACE, LEASE_NAME, "--ignore-not-found", "--wait=false")
    testbed.kubectl(*delete)
    yield str(testbed.kubeconfig)
    testbed.kubectl(*delete)


def run(kubeconfig: str, body) -> object:
    """Run `body(client)` in a fresh event loop with a client for the testbed."""
    async def main():
        client = async_client(KubeTarget(kubeconfig))
        try:
            return await body(client)
        finally:
            await client.close()
    return asyncio.run(main())


async def read(client) -> Lease | None:
    try:
        return await client.get(Lease, LEASE_NAME, namespace=LEASE_NAMESPACE)
    except ApiError as e:
        if e.status.code == 404:
            return None
        raise


def leftover(holder: str, renewed: datetime, duration: int = 30, pid_namespace: str | None = None) -> Lease:
    annotations = {COMMAND: "install -f old.yaml", STARTED: "2025-01-01T00:00:00Z"}
    if pid_namespace:
        annotations[PID_NAMESPACE] = pid_namespace
    return Lease(metadata=ObjectMeta(name=LEASE_NAME, namespace=LEASE_NAMESPACE, annotations=annotations),
                 spec=LeaseSpec(holderIdentity=holder, leaseDurationSeconds=duration, acquireTime=renewed,
                                renewTime=renewed, leaseTransitions=3))


def reaped_pid() -> int:
    """The pid of a process that has exited (and been reaped): no process has it now."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_second_acquire_refuses_naming_the_first_then_release_frees_it(kubeconfig):
    async def body(client):
        first = ClusterLock(client, "install -f first.yaml")
        await first.acquire()
        lease = await read(client)
        assert lease.spec.holderIdentity == first.identity
        assert first.identity.startswith(f"{socket.gethostname()}/{os.getpid()}/")
        assert lease.metadata.annotations[COMMAND] == "install -f first.yaml"
        with pytest.raises(LockHeld) as refused:
            await ClusterLock(client, "install -f second.yaml").acquire()
        assert refused.value.exit_code == 3
        message = str(refused.value)
        assert message.startswith("another helmgen run holds the lock on this cluster "
                                  "(lease kube-system/helmgen-lock): install -f first.yaml, "
                                  f"on {socket.gethostname()} pid {os.getpid()}, since "), message
        assert "last renewed 0s ago; wait for it to finish" in message
        assert (await read(client)).spec.holderIdentity == first.identity  # the refusal changed nothing
        await first.release()
        assert await read(client) is None
        async with cluster_lock(client, "install -f second.yaml") as second:
            assert (await read(client)).spec.holderIdentity == second.identity
        assert await read(client) is None
    run(kubeconfig, body)


@pytest.mark.parametrize("left_by", ["expired", "dead pid here"])
def test_lease_of_a_dead_holder_is_taken_over_at_once(kubeconfig, left_by):
    now = datetime.now(timezone.utc)
    if left_by == "expired":
        lease = leftover("elsewhere/1234/0badf00d", now - timedelta(seconds=6), duration=5)
    else:
        lease = leftover(f"{socket.gethostname()}/{reaped_pid()}/0badf00d", now,
                         pid_namespace=local_pid_namespace())

    async def body(client):
        await client.create(lease)
        started = time.monotonic()
        async with cluster_lock(client, "install -f new.yaml") as lock:
            taken = await read(client)
        assert time.monotonic() - started < 2
        assert taken.spec.holderIdentity == lock.identity
        assert taken.spec.leaseTransitions == 4
        assert taken.metadata.annotations[COMMAND] == "install -f new.yaml"
    run(kubeconfig, body)


def test_fresh_lease_of_another_host_is_not_taken(kubeconfig):
    async def body(client):
        await client.create(leftover("elsewhere/1234/0badf00d", datetime.now(timezone.utc)))
        with pytest.raises(LockHeld, match="install -f old.yaml, on elsewhere pid 1234, since 2025-01-01T00:00:00Z"):
            await ClusterLock(client, "install").acquire()
        assert (await read(client)).spec.holderIdentity == "elsewhere/1234/0badf00d"
    run(kubeconfig, body)


class Racing:
    """The real client, but just before each write that replaces the lease another run takes it over."""

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        return getattr(self.client, name)

    async def replace(self, obj):
        winner = await read(self.client)
        winner.spec.holderIdentity = "winner/77/0badf00d"
        winner.spec.renewTime = datetime.now(timezone.utc)
        winner.metadata.annotations[COMMAND] = "install -f winner.yaml"
        await self.client.replace(winner)
        return await self.client.replace(obj)


def test_of_two_runs_taking_over_a_free_lease_the_later_write_refuses(kubeconfig):
    async def body(client):
        await client.create(leftover("elsewhere/1234/0badf00d", datetime.now(timezone.utc) - timedelta(minutes=5)))
        with pytest.raises(LockHeld, match="install -f winner.yaml, on winner pid 77, "):
            await ClusterLock(Racing(client), "install").acquire()
        assert (await read(client)).spec.holderIdentity == "winner/77/0badf00d"
    run(kubeconfig, body)


def start_child(kubeconfig: str, hold_for: float) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", CHILD, kubeconfig, str(hold_for)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = child.stdout.readline()
    if line != "held\n":
        child.kill()
        pytest.fail(f"child did not take the lock: {line!r} {child.communicate()}")
    return child


def test_a_second_process_is_refused_until_the_first_exits(kubeconfig):
    child = start_child(kubeconfig, hold_for=3)
    try:
        with pytest.raises(LockHeld, match=f"install -f child.yaml, on {socket.gethostname()} pid {child.pid},"):
            run(kubeconfig, lambda client: ClusterLock(client, "install").acquire())
        assert child.wait(timeout=30) == 0, child.stderr.read()
    finally:
        child.kill()
    assert run(kubeconfig, read) is None  # the child released it on exit

    async def body(client):
        async with cluster_lock(client, "install") as lock:
            assert (await read(client)).spec.holderIdentity == lock.identity
    run(kubeconfig, body)


def test_a_killed_process_on_this_host_does_not_make_the_next_run_wait(kubeconfig):
    child = start_child(kubeconfig, hold_for=60)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert run(kubeconfig, read).spec.holderIdentity.split("/")[1] == str(child.pid)  # left behind

    async def body(client):
        started = time.monotonic()
        async with cluster_lock(client, "install") as lock:
            assert (await read(client)).spec.holderIdentity == lock.identity
        assert time.monotonic() - started < 2
    run(kubeconfig, body)


def test_renewals_advance_renew_time_while_held(kubeconfig):
    async def body(client):
        async with cluster_lock(client, "install", renew_every=0.3) as lock:
            before = await read(client)
            await asyncio.sleep(1.2)
            after = await read(client)
            assert after.spec.holderIdentity == lock.identity and not lock.lost
            assert after.spec.renewTime - before.spec.renewTime >= timedelta(seconds=0.5)
            assert after.spec.acquireTime == before.spec.acquireTime
            assert int(after.metadata.resourceVersion) > int(before.metadata.resourceVersion)
        assert await read(client) is None
    run(kubeconfig, body)


def test_a_lease_taken_by_someone_else_is_lost_and_not_deleted_on_release(kubeconfig):
    async def body(client):
        async with cluster_lock(client, "install", renew_every=0.2) as lock:
            lease = await read(client)
            lease.spec.holderIdentity = "elsewhere/99/0badf00d"  # e.g. after we failed to renew for 30s
            await client.replace(lease)
            await asyncio.sleep(0.6)
            assert lock.lost
        assert (await read(client)).spec.holderIdentity == "elsewhere/99/0badf00d"
    run(kubeconfig, body)


def test_a_write_of_ours_we_did_not_see_neither_loses_the_lease_nor_blocks_its_release(kubeconfig):
    """What a renewal whose answer never came (timeout, or cancelled by release) leaves: our lease, newer."""
    async def body(client):
        async with cluster_lock(client, "install", renew_every=0.2) as lock:
            lease = await read(client)
            lease.metadata.annotations["unseen"] = "write"
            unseen = await client.replace(lease)
            await asyncio.sleep(0.7)
            assert not lock.lost
            renewed = await read(client)
            assert renewed.spec.holderIdentity == lock.identity and renewed.spec.renewTime > unseen.spec.renewTime
            lease = await read(client)
            lease.metadata.annotations["unseen"] = "again"
            await client.replace(lease)  # the next renewal is at least 0.2s away: release sees a newer version
        assert await read(client) is None
    run(kubeconfig, body)


def test_dry_run_takes_no_lock(kubeconfig):
    async def body(client):
        await client.create(leftover("elsewhere/1234/0badf00d", datetime.now(timezone.utc)))
        async with cluster_lock(client, "install", dry_run=True) as lock:
            assert not lock.lost
        assert (await read(client)).spec.holderIdentity == "elsewhere/1234/0badf00d"
    run(kubeconfig, body)


def test_missing_permissions_name_the_leases_rbac(testbed, kubeconfig, tmp_path):
    namespace = "lock-rbac"
    testbed.kubectl("create", "namespace", namespace)
    testbed.kubectl("create", "serviceaccount", "-n", namespace, "nobody")
    token = testbed.kubectl("create", "token", "-n", namespace, "nobody").stdout.strip()
    restricted = tmp_path / "kubeconfig"
    restricted.write_text(Path(kubeconfig).read_text())
    config = ["config", f"--kubeconfig={restricted}"]
    testbed.kubectl(*config, "set-credentials", "nobody", f"--token={token}")
    context = testbed.kubectl(*config, "current-context").stdout.strip()
    testbed.kubectl(*config, "set-context", context, "--user=nobody")
    with pytest.raises(ClusterError) as refused:
        run(str(restricted), lambda client: ClusterLock(client, "install").acquire())
    assert type(refused.value) is ClusterError
    message = str(refused.value)
    assert message.startswith("not allowed to create lease kube-system/helmgen-lock: "), message
    assert message.endswith("needs get, create, update and delete on leases (coordination.k8s.io) in namespace "
                            "kube-system; ask a cluster admin for a Role and RoleBinding granting them"), message
