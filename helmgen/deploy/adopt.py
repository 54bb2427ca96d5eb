"""`helmgen adopt`: hand what `istioctl install` created over to the Helm releases, in place.

Every object the releases render is looked up (helmgen.adoption decides what to do with it). When nothing
conflicts, the objects that exist without Helm ownership get the label and annotations Helm reads as "this
object belongs to release X" (and workloads the pod-template labels to keep), under the cluster's run lock.
Nothing else changes: the next `helmgen install` updates the objects in place instead of failing on objects
that already exist. With dry_run only the plan is made.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

from helmgen.adoption import MANAGED_BY, RELEASE_NAME, RELEASE_NAMESPACE, Action, Finding, classify
from helmgen.deploy.install import Prepared
from helmgen.errors import HelmgenError
from helmgen.kube.adoption import KEPT_POD_LABELS
from helmgen.kube.objects import get_live, patch_metadata, placed
from helmgen.kube.client import KubeTarget, async_client
from helmgen.kube.lock import cluster_lock
from helmgen.postprocess.stream import document_object

CONCURRENT_REQUESTS = 8


@dataclass(frozen=True)
class AdoptResult:
    target: KubeTarget
    findings: list[Finding] = field(default_factory=list)
    marked: int = 0
    error: str = ""

    @property
    def conflicts(self) -> list[Finding]:
        return [f for f in self.findings if f.action is Action.CONFLICT]


def _objects(prepared: Prepared) -> list[tuple[str, str, dict]]:
    """(release, release namespace, object) for every rendered object."""
    out = []
    for task in prepared.tasks:
        for doc in prepared.documents.get(task.name, []):
            obj = document_object(doc)
            if isinstance(obj, dict) and obj.get("kind"):
                out.append((task.name, task.namespace, obj))
    return out


async def _finding(client, limit: asyncio.Semaphore, release: str, release_ns: str, obj: dict) -> Finding:
    p = placed(obj, release_ns)
    if not p.known:
        return Finding(p.api_version, p.kind, (obj.get("metadata") or {}).get("namespace", ""), p.name, release,
                       Action.CREATE, ("not checked: helmgen has no client model of this kind",))
    async with limit:
        live = await get_live(client, p.api_version, p.kind, p.namespace, p.name)
    return classify(obj, live, release, release_ns, p.namespace)


async def _mark(client, limit: asyncio.Semaphore, f: Finding, release_namespace: str) -> None:
    annotations = {RELEASE_NAME: f.release, RELEASE_NAMESPACE: release_namespace}
    if f.kept_pod_labels:
        annotations[KEPT_POD_LABELS] = json.dumps(f.kept_pod_labels, sort_keys=True)
    async with limit:
        await patch_metadata(client, f.api_version, f.kind, f.namespace, f.name, {MANAGED_BY: "Helm"}, annotations)


async def adopt_cluster(prepared: Prepared, target: KubeTarget, command: str, dry_run: bool) -> AdoptResult:
    try:
        client = async_client(target)
    except HelmgenError as e:
        return AdoptResult(target, error=str(e))
    limit = asyncio.Semaphore(CONCURRENT_REQUESTS)
    namespaces = {t.name: t.namespace for t in prepared.tasks}
    try:
        async with cluster_lock(client, command, dry_run=dry_run):
            findings = list(await asyncio.gather(*(_finding(client, limit, r, ns, o)
                                                   for r, ns, o in _objects(prepared))))
            todo = [f for f in findings if f.action is Action.ADOPT or (f.action is Action.OWNED and f.kept_pod_labels)]
            if dry_run or any(f.action is Action.CONFLICT for f in findings):
                return AdoptResult(target, findings)
            await asyncio.gather(*(_mark(client, limit, f, namespaces[f.release]) for f in todo))
            return AdoptResult(target, findings, len(todo))
    except HelmgenError as e:
        return AdoptResult(target, error=str(e))
    finally:
        await client.close()
