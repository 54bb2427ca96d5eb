"""`helmgen diff`: per release, what an install would change in the live cluster (no helm plugin needed).

What each release would apply comes from `helm upgrade --install --dry-run=server` (so charts that look the
cluster up, as Istio's istiod chart does for its webhook's failurePolicy, render as on a real upgrade); each
object is compared with the live one as the API server would leave it after the apply (a server-side dry-run
apply), and objects of the release's current revision that the new render no longer has are listed as deleted.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import yaml

from helmgen import helm
from helmgen.adoption import MANAGED_BY, RELEASE_NAME, RELEASE_NAMESPACE
from helmgen.deploy.install import Prepared
from helmgen.deploy.release import ReleaseTask, postrender_for
from helmgen.helm.releases import Releases, Upgrade
from helmgen.kube.objects import get_live, placed
from helmgen.kube.client import KubeTarget, async_client
from helmgen.kube.dryrun import after_apply
from helmgen.objdiff import object_diff
from helmgen.postprocess.stream import GoYamlLoader, load_stream


@dataclass(frozen=True)
class ReleaseDiff:
    release: str
    namespace: str
    changed: dict[str, list[str]] = field(default_factory=dict)   # object id -> unified diff lines
    created: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)            # kinds the client has no model of

    @property
    def empty(self) -> bool:
        return not (self.changed or self.created or self.deleted)


def _as_helm_applies(obj: dict, release: str, release_ns: str, namespace: str) -> dict:
    """The object with the ownership metadata helm adds when it applies it."""
    meta = dict(obj.get("metadata") or {})
    meta["labels"] = {**(meta.get("labels") or {}), MANAGED_BY: "Helm"}
    meta["annotations"] = {**(meta.get("annotations") or {}), RELEASE_NAME: release, RELEASE_NAMESPACE: release_ns}
    if namespace:
        meta["namespace"] = namespace
    return {**obj, "metadata": meta}


async def _compare(client, limit: asyncio.Semaphore, release: str, release_ns: str,
                   obj: dict) -> tuple[str, str, list[str]]:
    """(id, 'create' | 'change' | 'same' | 'unchecked', diff lines)."""
    p = placed(obj, release_ns)
    if not p.known:
        return p.id, "unchecked", []
    async with limit:
        live = await get_live(client, p.api_version, p.kind, p.namespace, p.name)
        if live is None:
            return p.id, "create", []
        after = await after_apply(client, _as_helm_applies(obj, release, release_ns, p.namespace), p.namespace)
    if after is None:
        return p.id, "unchecked", []
    lines = object_diff(live, after, p.id)
    return p.id, "change" if lines else "same", lines


def _manifest_ids(manifest: str, release_ns: str) -> set[str]:
    return {placed(doc, release_ns).id for doc in yaml.load_all(manifest, Loader=GoYamlLoader)
            if isinstance(doc, dict) and doc.get("kind")}


async def _desired(releases: Releases, client, task: ReleaseTask) -> tuple[list[dict], bool]:
    """The release's objects exactly as an install would apply them (a server-side dry run of `helm upgrade
    --install`: chart lookups see the cluster, the post-renderer runs), and whether it is installed."""
    history = await releases.history(task.name, task.namespace)
    out = await releases.upgrade_install(Upgrade(task.name, task.namespace, task.chart, task.values,
                                                 await postrender_for(client, task), dry_run=True,
                                                 first_install=not history))
    return load_stream(out.get("manifest", "")), bool(history)


async def diff_cluster(h: helm.Helm, prepared: Prepared, target: KubeTarget) -> list[ReleaseDiff]:
    client = async_client(target)
    limit = asyncio.Semaphore(8)
    releases = Releases(h, target)
    try:
        desired = await asyncio.gather(*(_desired(releases, client, t) for t in prepared.tasks))
        objects = [(t, o) for t, (objs, _) in zip(prepared.tasks, desired) for o in objs]
        compared = await asyncio.gather(*(_compare(client, limit, t.name, t.namespace, o) for t, o in objects))
        out = []
        for task, (_, installed) in zip(prepared.tasks, desired):
            mine = [c for (t, _), c in zip(objects, compared) if t is task]
            current: set[str] = set()
            if installed:
                current = _manifest_ids(await releases.manifest(task.name, task.namespace), task.namespace)
            out.append(ReleaseDiff(task.name, task.namespace,
                                   changed={i: lines for i, what, lines in mine if what == "change"},
                                   created=[i for i, what, _ in mine if what == "create"],
                                   deleted=sorted(current - {i for i, _, _ in mine}),
                                   unchecked=[i for i, what, _ in mine if what == "unchecked"]))
        return out
    finally:
        await client.close()
