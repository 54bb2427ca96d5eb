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
from helmgen.kube.objects import get_live, is_namespaced
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


def _ident(obj: dict, release_ns: str) -> tuple[str, str, str, str | None]:
    """(api version, kind, namespace, name) and the id shown; namespace '' for cluster-scoped kinds."""
    meta = obj.get("metadata") or {}
    api_version, kind, name = str(obj.get("apiVersion", "")), str(obj.get("kind", "")), str(meta.get("name", ""))
    namespaced = is_namespaced(api_version, kind)
    namespace = (meta.get("namespace") or release_ns) if namespaced is not False else ""
    return api_version, kind, namespace, name if namespaced is not None else None


def object_id(kind: str, namespace: str, name: str) -> str:
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"


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
    api_version, kind, namespace, name = _ident(obj, release_ns)
    ident = object_id(kind, namespace, name or str((obj.get("metadata") or {}).get("name", "")))
    if name is None:
        return ident, "unchecked", []
    async with limit:
        live = await get_live(client, api_version, kind, namespace, name)
        if live is None:
            return ident, "create", []
        after = await after_apply(client, _as_helm_applies(obj, release, release_ns, namespace), namespace)
    if after is None:
        return ident, "unchecked", []
    lines = object_diff(live, after, ident)
    return ident, "change" if lines else "same", lines


def _manifest_ids(manifest: str, release_ns: str) -> set[str]:
    ids = set()
    for doc in yaml.load_all(manifest, Loader=GoYamlLoader):
        if isinstance(doc, dict) and doc.get("kind"):
            _, kind, namespace, name = _ident(doc, release_ns)
            ids.add(object_id(kind, namespace, name or str((doc.get("metadata") or {}).get("name", ""))))
    return ids


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
