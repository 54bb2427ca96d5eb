"""`helmgen diff`: per release, what an install would change in the live cluster (no helm plugin needed).

Each rendered object is compared with the live one as the API server would leave it after the apply (a
server-side dry run), and objects of the release's current revision that the new render no longer has are
listed as deleted.
"""
from __future__ import annotations

import asyncio
import copy
import json
from dataclasses import dataclass, field

import yaml

from helmgen import helm
from helmgen.adoption import MANAGED_BY, RELEASE_NAME, RELEASE_NAMESPACE
from helmgen.deploy.adopt import _objects
from helmgen.deploy.install import Prepared
from helmgen.helm.releases import Releases
from helmgen.kube.adoption import KEPT_POD_LABELS, get_live, is_namespaced
from helmgen.kube.client import KubeTarget, async_client
from helmgen.kube.dryrun import after_apply
from helmgen.objdiff import object_diff
from helmgen.postprocess.stream import GoYamlLoader


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
        kept = _kept_labels(live)
        if kept:  # an adopted workload: install keeps these pod labels (helmgen.adoption)
            obj = _with_template_labels(obj, kept)
        after = await after_apply(client, _as_helm_applies(obj, release, release_ns, namespace), namespace)
    if after is None:
        return ident, "unchecked", []
    lines = object_diff(live, after, ident)
    return ident, "change" if lines else "same", lines


def _kept_labels(live: dict) -> dict[str, str]:
    text = ((live.get("metadata") or {}).get("annotations") or {}).get(KEPT_POD_LABELS)
    try:
        found = json.loads(text) if text else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _with_template_labels(obj: dict, labels: dict[str, str]) -> dict:
    out = copy.deepcopy(obj)
    meta = out.setdefault("spec", {}).setdefault("template", {}).setdefault("metadata", {})
    meta["labels"] = {**(meta.get("labels") or {}), **labels}
    return out


def _manifest_ids(manifest: str, release_ns: str) -> set[str]:
    ids = set()
    for doc in yaml.load_all(manifest, Loader=GoYamlLoader):
        if isinstance(doc, dict) and doc.get("kind"):
            _, kind, namespace, name = _ident(doc, release_ns)
            ids.add(object_id(kind, namespace, name or str((doc.get("metadata") or {}).get("name", ""))))
    return ids


async def diff_cluster(h: helm.Helm, prepared: Prepared, target: KubeTarget) -> list[ReleaseDiff]:
    client = async_client(target)
    limit = asyncio.Semaphore(8)
    releases = Releases(h, target)
    try:
        objects = _objects(prepared)
        compared = await asyncio.gather(*(_compare(client, limit, r, ns, o) for r, ns, o in objects))
        out = []
        for task in prepared.tasks:
            mine = [c for (release, _, _), c in zip(objects, compared) if release == task.name]
            current: set[str] = set()
            if await releases.history(task.name, task.namespace):
                current = _manifest_ids(await releases.manifest(task.name, task.namespace), task.namespace)
            out.append(ReleaseDiff(task.name, task.namespace,
                                   changed={i: lines for i, what, lines in mine if what == "change"},
                                   created=[i for i, what, _ in mine if what == "create"],
                                   deleted=sorted(current - {i for i, _, _ in mine}),
                                   unchecked=[i for i, what, _ in mine if what == "unchecked"]))
        return out
    finally:
        await client.close()
