"""Waiting until a release's objects are ready (facts 7.4): the requests; the rules are in kube/readiness.py.

One immediate round, then more, less and less often up to every `interval` seconds, until every object is ready
or `timeout` has passed. A watch on each waited workload (by name, so other objects of its namespace wake nothing)
cuts the pause short whenever it changes, so a Deployment that becomes ready is seen at once, not up to
`interval` later (Helm 4's `--wait=watcher` watches too); the watch only wakes the loop, the verdict is always
the round's. A watch that fails just ends: the rounds go on as before.
A round GETs the objects not yet seen ready (an object seen ready stays counted as ready) and, for a workload
that is not ready, lists its pods to say why. A 404 means the object is not there yet; any other failed
request ends the wait with a ClusterError naming the object.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import httpx2
from lightkube import ApiError, AsyncClient
from lightkube.core.resource_registry import resource_registry
from lightkube.types import on_error_stop

from helmgen.kube.client import ClusterError
from helmgen.kube.objects import get_live, raw_resource
from helmgen.kube.readiness import CLUSTER_SCOPED_KINDS, Ref, check, pod_reason, pod_selector, refs_in_manifest

__all__ = ["NotReady", "ProgressCallback", "Ref", "refs_in_manifest", "wait_ready"]

ProgressCallback = Callable[[int, int, str], None]  # (ready count, total, first not-ready reason or "")

# The version each waited kind is read at, whatever version the manifest used (the rules read fields that
# are the same in every served version), and its plural.
_READ_AT = {
    "CustomResourceDefinition": ("apiextensions.k8s.io/v1", "customresourcedefinitions"),
    "Namespace": ("v1", "namespaces"),
    "Deployment": ("apps/v1", "deployments"),
    "DaemonSet": ("apps/v1", "daemonsets"),
    "StatefulSet": ("apps/v1", "statefulsets"),
}
_WORKLOADS = frozenset({"Deployment", "DaemonSet", "StatefulSet"})
# The waited kinds read as plain dicts (no typed models): a round over base's 15 CRDs costs ~25 ms, not ~80.
_RAW = {kind: raw_resource(api_version, kind, plural, kind not in CLUSTER_SCOPED_KINDS)
        for kind, (api_version, plural) in _READ_AT.items()}
NOT_FOUND = "not found"


@dataclass(frozen=True)
class NotReady:
    ref: Ref
    reason: str

    def __str__(self) -> str:
        return f"{self.ref.id} ({self.reason})"


FIRST_INTERVAL = 0.05  # most objects are ready within a second of being applied: look again soon,
BACKOFF = 1.5          # then less and less often, up to `interval` between rounds


async def wait_ready(client: AsyncClient, refs: list[Ref], timeout: float, interval: float = 0.5,
                     on_progress: ProgressCallback | None = None) -> list[NotReady]:
    """Wait until all `refs` are ready; [] then, else the ones still not ready when `timeout` (seconds) passed.

    Rounds run at once, then after 0.05 s, 0.075 s, 0.11 s, ... (x1.5 each time) up to `interval` between rounds,
    and a last one at the deadline, and also as soon as a waited workload changes (a watch per workload).
    istioctl polls every 2 s, which costs up to 2 s per release; a round is a GET
    per object not yet ready (and a pod list per workload), cheap enough twice a second. `on_progress(ready, total,
    reason)` is called after each round with the first not-ready object's reason ("" when all are ready).
    Refs of kinds that are not waited for count as ready without a request. The deadline bounds the waiting
    between rounds; a round itself is bounded by the client's request timeout.
    Raises ClusterError when a request fails other than with 404.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    pending = list(dict.fromkeys(ref for ref in refs if ref.waited))
    total = len(dict.fromkeys(refs))
    pause = min(FIRST_INTERVAL, interval)
    changed = asyncio.Event()
    watches = [asyncio.create_task(_watch(client, ref, changed)) for ref in pending if ref.kind in _WORKLOADS]
    try:
        while True:
            changed.clear()  # a change seen from here on means another round
            results = await _round(client, pending)
            not_ready = [r for r in results if r is not None]
            pending = [r.ref for r in not_ready]
            if on_progress is not None:
                on_progress(total - len(pending), total, not_ready[0].reason if not_ready else "")
            remaining = deadline - loop.time()
            if not not_ready or remaining <= 0:
                return not_ready
            try:
                await asyncio.wait_for(changed.wait(), min(pause, remaining))
            except TimeoutError:
                pass
            pause = min(pause * BACKOFF, interval)
    finally:
        for watch in watches:
            watch.cancel()
        await asyncio.gather(*watches, return_exceptions=True)


async def _watch(client: AsyncClient, ref: Ref, changed: asyncio.Event) -> None:
    """Set `changed` on every event of the object `ref`, until cancelled or the watch fails."""
    try:
        async for _ in client.watch(_RAW[ref.kind], namespace=ref.namespace, fields={"metadata.name": ref.name},
                                    on_error=on_error_stop):
            changed.set()
    except Exception:  # noqa: BLE001 - a watch only hurries the rounds along; without it they still run
        return


async def _round(client: AsyncClient, refs: list[Ref]) -> list[NotReady | None]:
    """Check `refs` concurrently; the first failure cancels the others and is raised as itself."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_check_one(client, ref)) for ref in refs]
    except* ClusterError as failed:
        raise failed.exceptions[0] from None
    return [task.result() for task in tasks]


async def _check_one(client: AsyncClient, ref: Ref) -> NotReady | None:
    """None when `ref` is ready, else why not (with its pods' reason for a workload, when one is found)."""
    obj = await get_object(client, ref)
    if obj is None:
        return NotReady(ref, NOT_FOUND)
    verdict = check(obj)
    if verdict.ready:
        return None
    reason = verdict.reason
    if ref.kind in _WORKLOADS:
        why = pod_reason(await list_pods(client, ref, pod_selector(obj)))
        reason = f"{reason}; {why}" if why else reason
    return NotReady(ref, reason)


async def get_object(client: AsyncClient, ref: Ref) -> dict[str, Any] | None:
    """The object as the API returns it (a plain dict), or None when it does not exist (404)."""
    return await get_live(client, _READ_AT[ref.kind][0], ref.kind, ref.namespace, ref.name, _RAW[ref.kind])


async def list_pods(client: AsyncClient, ref: Ref, labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """The pods in ref's namespace matching `labels`; [] without labels (a selector of nothing is everything)."""
    if not labels:
        return []
    pod = resource_registry.load("v1", "Pod")
    try:
        return [p.to_dict() async for p in client.list(pod, namespace=ref.namespace, labels=dict(labels))]
    except ApiError as e:
        raise ClusterError(f"cannot list the pods of {ref.id}: {_api_error(e)}") from None
    except httpx2.HTTPError as e:
        raise ClusterError(f"cannot list the pods of {ref.id}: {e}") from None


def _api_error(e: ApiError) -> str:
    code, message = e.status.code, e.status.message
    return f"{code} {message}" if code else str(message or e)
