"""The cluster-wide run lock: two helmgen runs against one cluster never run at once.

The lock is a coordination.k8s.io/v1 Lease, kube-system/helmgen-lock. Its holder is `<host>/<pid>/<8 hex>`;
annotations say what the run does and since when. The holder renews it every 10 s; it is free when it has
no holder, when its renewTime + leaseDurationSeconds has passed (the holder died elsewhere), or when the
holder ran on this host, in this pid namespace, and its pid is gone (a killed run here must not cost 30 s).
Every write carries the resourceVersion last read, so of two runs racing for a free lease one gets 409 and
refuses. The decision (`lease_is_free`, `held_message`) is pure; `ClusterLock` does the requests.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timezone
from typing import TypeVar

import httpx2 as httpx  # lightkube 1.x raises its transport's errors (ApiError is an httpx2.HTTPStatusError)
from lightkube import AsyncClient
from lightkube.models.coordination_v1 import LeaseSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.coordination_v1 import Lease

from helmgen.kube.client import ClusterError

LEASE_NAMESPACE = "kube-system"
LEASE_NAME = "helmgen-lock"
LEASE_DURATION = 30  # seconds without a renewal after which the lease is free
RENEW_EVERY = 10.0   # seconds between renewals
COMMAND = "helmgen.io/command"
STARTED = "helmgen.io/started"
PID_NAMESPACE = "helmgen.io/pid-namespace"  # same hostname, other pid namespace: its pids are not ours to probe
T = TypeVar("T")
WHERE = f"lease {LEASE_NAMESPACE}/{LEASE_NAME}"
RBAC_FIX = (f"helmgen's run lock needs get, create, update and delete on leases (coordination.k8s.io) "
            f"in namespace {LEASE_NAMESPACE}; ask a cluster admin for a Role and RoleBinding granting them")


class LockHeld(ClusterError):
    """Another helmgen run holds the cluster's run lock (exit code 3)."""


def parse_holder(identity: str) -> tuple[str, int | None]:
    """`host/pid/nonce` -> (host, pid); pid is None when the identity is not one helmgen wrote."""
    host, _, rest = identity.partition("/")
    pid = rest.partition("/")[0]
    return host, int(pid) if pid.isdigit() else None


def _renewed(spec: dict) -> datetime | None:
    """renewTime, else acquireTime (as datetimes or the RFC3339 strings of lightkube's to_dict), else None."""
    for value in (spec.get("renewTime"), spec.get("acquireTime")):
        with contextlib.suppress(TypeError, ValueError):
            return value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return None


def lease_is_free(lease: dict, now: datetime, host: str, pid_alive: Callable[[int], bool],
                  pid_namespace: str | None = None) -> bool:
    """Whether a run may take over `lease` (a Lease as a dict) at `now` (timezone-aware): when it has no
    holder; or its renewTime (else acquireTime) plus leaseDurationSeconds is past, or it has no time at all;
    or its holder ran on `host` in `pid_namespace` (the annotation; None on both sides where there are no pid
    namespaces) and `pid_alive(pid)` says that process is gone."""
    spec = lease.get("spec") or {}
    holder = spec.get("holderIdentity")
    if not holder:
        return True
    renewed, duration = _renewed(spec), spec.get("leaseDurationSeconds") or LEASE_DURATION
    if renewed is None or (now - renewed).total_seconds() > duration:
        return True
    holder_host, pid = parse_holder(holder)
    annotations = (lease.get("metadata") or {}).get("annotations") or {}
    same_processes = holder_host == host and annotations.get(PID_NAMESPACE) == pid_namespace
    return same_processes and pid is not None and not pid_alive(pid)


def held_message(lease: dict, now: datetime) -> str:
    """The refusal: who holds the lock, doing what, since when, and what to do."""
    spec = lease.get("spec") or {}
    annotations = (lease.get("metadata") or {}).get("annotations") or {}
    holder = spec.get("holderIdentity") or "?"
    host, pid = parse_holder(holder)
    who = f"on {host} pid {pid}" if pid is not None else f"held by {holder}"
    renewed = _renewed(spec)
    ago = f"{max(0, round((now - renewed).total_seconds()))}s ago" if renewed else "never"
    duration = spec.get("leaseDurationSeconds") or LEASE_DURATION
    return (f"another helmgen run holds the lock on this cluster ({WHERE}): "
            f"{annotations.get(COMMAND, 'unknown command')}, {who}, since {annotations.get(STARTED, '?')}, "
            f"last renewed {ago}; wait for it to finish (the lock expires {duration}s after its holder stops "
            f"renewing it)")


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host."""
    try:
        with contextlib.suppress(PermissionError):  # another user's process is alive too
            os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def local_pid_namespace() -> str | None:
    """This process's pid namespace (`pid:[4026531836]`), None where there are none (macOS)."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


async def _call(doing: str, request: Awaitable[T], allow: tuple[int, ...] = ()) -> T | None:
    """Await a request to the lease: None when it fails with a status in `allow`, else ClusterError (a 403
    naming the permissions the lock needs)."""
    try:
        return await request
    except httpx.HTTPError as e:
        status = e.response.status_code if isinstance(e, httpx.HTTPStatusError) else None
        if status in allow:
            return None
        if status == 403:
            raise ClusterError(f"not allowed to {doing} {WHERE}: {e}; {RBAC_FIX}") from None
        raise ClusterError(f"cannot {doing} {WHERE}: {e or type(e).__name__}") from None


class ClusterLock:
    """One run's hold on the lock: `acquire()`, renewed in the background, `release()`.

    `lost` turns True when the lease was taken or deleted by someone else, or could not be renewed for
    longer than its duration; the caller should then stop before its next change to the cluster.
    """

    def __init__(self, client: AsyncClient, command: str, *, renew_every: float = RENEW_EVERY,
                 duration: int = LEASE_DURATION, identity: str | None = None) -> None:
        self.client, self.command, self.renew_every, self.duration = client, command, renew_every, duration
        self.host = socket.gethostname()
        self.identity = identity or f"{self.host}/{os.getpid()}/{secrets.token_hex(4)}"
        self.lost = False
        self._lease: Lease | None = None  # the lease as last written by us
        self._renewed_at = 0.0             # time.monotonic() of the last successful write
        self._task: asyncio.Task[None] | None = None

    def _body(self, transitions: int, resource_version: str | None) -> Lease:
        now = datetime.now(timezone.utc)
        annotations = {COMMAND: self.command, STARTED: now.strftime("%Y-%m-%dT%H:%M:%SZ")}
        if (pid_ns := local_pid_namespace()) is not None:
            annotations[PID_NAMESPACE] = pid_ns
        return Lease(metadata=ObjectMeta(name=LEASE_NAME, namespace=LEASE_NAMESPACE, annotations=annotations,
                                         resourceVersion=resource_version),
                     spec=LeaseSpec(holderIdentity=self.identity, leaseDurationSeconds=self.duration,
                                    acquireTime=now, renewTime=now, leaseTransitions=transitions))

    def _read(self) -> Awaitable[Lease | None]:
        return _call("get", self.client.get(Lease, LEASE_NAME, namespace=LEASE_NAMESPACE), allow=(404,))

    async def acquire(self) -> None:
        """Create the lease, or take over a free one; LockHeld when another run holds it."""
        for _ in range(3):  # a round ends in a decision unless the lease changes under us
            if created := await _call("create", self.client.create(self._body(0, None)), allow=(409,)):
                self._held(created)
                return
            if (current := await self._read()) is None:
                continue  # released between our create and get
            seen, now = current.to_dict(), datetime.now(timezone.utc)
            if not lease_is_free(seen, now, self.host, pid_alive, local_pid_namespace()):
                raise LockHeld(held_message(seen, now))
            transitions = ((current.spec and current.spec.leaseTransitions) or 0) + 1
            taking = self._body(transitions, current.metadata.resourceVersion)
            if taken := await _call("update", self.client.replace(taking), allow=(404, 409)):
                self._held(taken)
                return  # else (409) another run took it first: read it again, and refuse
        raise ClusterError(f"{WHERE} kept changing while helmgen tried to take it; run again")

    def _held(self, lease: Lease) -> None:
        self._lease, self._renewed_at, self.lost = lease, time.monotonic(), False
        self._task = asyncio.create_task(self._renew_loop(), name="helmgen-lock-renew")

    async def _renew_loop(self) -> None:
        while not self.lost:
            await asyncio.sleep(self.renew_every)
            try:
                await self._renew()
            except ClusterError:  # transient: the lease holds until `duration` after the last renewal
                if time.monotonic() - self._renewed_at >= self.duration:
                    self.lost = True

    async def _renew(self) -> None:
        assert self._lease is not None and self._lease.spec is not None
        self._lease.spec.renewTime = datetime.now(timezone.utc)
        if renewed := await _call("update", self.client.replace(self._lease), allow=(404, 409)):
            self._lease, self._renewed_at = renewed, time.monotonic()
            return
        current = await self._read()  # after a 409 it may still be ours (a write that landed unanswered)
        if current is None or current.spec is None or current.spec.holderIdentity != self.identity:
            self.lost = True
        else:
            self._lease = current

    async def release(self) -> None:
        """Stop renewing and delete the lease if it is still the one we wrote (a taken one stays)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        lease, self._lease = self._lease, None
        for _ in range(2):  # 409: taken by another run, or a renewal cancelled in flight landed: read again
            if lease is None or lease.spec is None or lease.spec.holderIdentity != self.identity:
                return
            version = lease.metadata.resourceVersion
            if await _call("delete", _delete_unchanged(self.client, version), allow=(404, 409)):
                return
            lease = await self._read()


async def _delete_unchanged(client: AsyncClient, resource_version: str | None) -> bool:
    """DELETE the lease if its resourceVersion is still this one, else 409. lightkube's `delete()` sends no
    DeleteOptions, so this takes the steps of its generic client's `request()` (tests/e2e/test_lock_e2e.py)."""
    generic = client._client
    request = generic.prepare_request("delete", res=Lease, name=LEASE_NAME, namespace=LEASE_NAMESPACE)
    request.data = {"apiVersion": "v1", "kind": "DeleteOptions",
                    "preconditions": {"resourceVersion": resource_version}}
    generic.handle_response("delete", await generic.send(generic.build_adapter_request(request)), request)
    return True


@contextlib.asynccontextmanager
async def cluster_lock(client: AsyncClient, command: str, dry_run: bool = False, *,
                       renew_every: float = RENEW_EVERY) -> AsyncIterator[ClusterLock]:
    """Hold the cluster's run lock for the block; `command` says what the run does ("install -f iop.yaml").
    LockHeld when another run holds it; with dry_run no lock is taken (the lock yielded is never `lost`).
    Released on leaving the block; a failed release never hides the block's own error."""
    lock = ClusterLock(client, command, renew_every=renew_every)
    if dry_run:
        yield lock
        return
    await lock.acquire()
    try:
        yield lock
    except BaseException:
        with contextlib.suppress(ClusterError):
            await lock.release()
        raise
    await lock.release()
