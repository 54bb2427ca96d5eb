"""`helmgen uninstall`: the releases of a plan removed in reverse order (a release goes once every release that
needs it is gone), under the cluster's run lock.

CRDs stay: Istio's base chart marks them `helm.sh/resource-policy: keep`, and helmgen does not delete custom
resources people wrote. `--purge` also deletes the CRDs the base release had (and so every Istio resource).
`--revision R` removes only that revision's control plane, the release `istiod-R` (canary clean-up), and
refuses when that release is what the IstioOperator installs as its own control plane.
"""
from __future__ import annotations

import time
from collections.abc import Sequence

from helmgen.deploy.graph import run_graph
from helmgen.deploy.install import ClusterResult
from helmgen.deploy.model import Outcome, Status
from helmgen.deploy.release import ReleaseTask
from helmgen.deploy.tags import PREFIX
from helmgen.errors import HelmgenError, InputError, Problem
from helmgen.helm import Helm, HelmError
from helmgen.helm.releases import Releases
from helmgen.kube.client import KubeTarget, async_client
from helmgen.kube.crds import delete_crds
from helmgen.kube.lock import cluster_lock
from helmgen.kube.readiness import refs_in_manifest


def reverse_needs(tasks: Sequence[ReleaseTask]) -> dict[str, tuple[str, ...]]:
    """Each release waits for the releases that need it (the install graph turned around)."""
    return {t.name: tuple(o.name for o in tasks if t.name in o.needs) for t in tasks}


async def revision_users(releases: Releases, revision: str) -> list[str]:
    """Releases other than istiod-<revision> whose values point at the revision: tags, gateways, and istio-base
    while the revision is its defaultRevision (its validating webhook would call a control plane that is gone)."""
    import asyncio

    found = [r for r in await releases.list_all() if r.get("name") != f"istiod-{revision}"]
    values = await asyncio.gather(*(releases.user_values(r["name"], r["namespace"]) for r in found))
    return [f"{r['namespace']}/{r['name']}" + (" (its defaultRevision)" if v.get("defaultRevision") == revision
                                               else "")
            for r, v in zip(found, values) if revision in (v.get("revision"), v.get("defaultRevision"))]


async def _remove(releases: Releases, task: ReleaseTask, purge: bool, timeout: float, crds: list[str], progress,
                  started: float) -> Outcome:
    """One release: uninstalled (its CRDs noted for --purge), or kept when it is a tag now pointing elsewhere."""
    name = task.name
    history = await releases.history(task.name, task.namespace)
    pointed = (await releases.user_values(task.name, task.namespace)).get("revision") \
        if history and task.name.startswith(PREFIX) and task.values else None
    if not history:
        return Outcome(name, task.namespace, Status.NOT_INSTALLED)
    if pointed is not None and pointed != task.values.get("revision"):
        return Outcome(name, task.namespace, Status.KEPT, history[-1].get("revision", 0),
                       f"the tag now points at revision {pointed}")
    if purge:
        manifest = await releases.manifest(task.name, task.namespace)
        crds.extend(r.name for r in refs_in_manifest(manifest, task.namespace)
                    if r.kind == "CustomResourceDefinition")
    progress.phase(name, "helm uninstall --wait")
    try:
        await releases.uninstall(task.name, task.namespace, f"{int(timeout)}s", wait=True)
    except HelmError as e:
        return Outcome(name, task.namespace, Status.FAILED, history[-1].get("revision", 0), str(e),
                       time.monotonic() - started)
    return Outcome(name, task.namespace, Status.UNINSTALLED, 0, "", time.monotonic() - started)


async def uninstall_cluster(h: Helm, target: KubeTarget, tasks: list[ReleaseTask], command: str, purge: bool,
                            timeout: float, progress, revision: str | None = None) -> ClusterResult:
    by_name = {t.name: t for t in tasks}
    outcomes: dict[str, Outcome] = {}
    crds: list[str] = []
    try:
        client = async_client(target)
    except HelmgenError as e:
        return ClusterResult(target, error=str(e))
    try:
        async with cluster_lock(client, command):
            releases = Releases(h, target)
            users = await revision_users(releases, revision) if revision else []
            if users:
                return ClusterResult(target, error=f"revision {revision} is still used by {', '.join(users)}: move "
                                     "them to another revision first (install their IstioOperator with the new "
                                     "revision), then remove this one; nothing was removed")

            async def run(name: str) -> bool:
                task, started = by_name[name], time.monotonic()
                try:
                    outcome = await _remove(releases, task, purge, timeout, crds, progress, started)
                except HelmgenError as e:
                    outcome = Outcome(name, task.namespace, Status.FAILED, 0, str(e), time.monotonic() - started)
                outcomes[name] = outcome
                progress.done(outcome)
                return outcome.status.ok

            def skip(name: str, need: str) -> None:
                outcomes[name] = Outcome(name, by_name[name].namespace, Status.SKIPPED,
                                         message=f"kept: {need} needs it and could not be removed")
                progress.done(outcomes[name])

            await run_graph(reverse_needs(tasks), run, skip)
            if purge and crds and all(o.status.ok for o in outcomes.values()):
                progress.phase("CRDs", f"deleting {len(crds)} CustomResourceDefinitions")
                await delete_crds(client, crds, timeout)
                progress.phase("CRDs", f"deleted {len(set(crds))} CustomResourceDefinitions")
    except HelmgenError as e:
        return ClusterResult(target, [outcomes[t.name] for t in tasks if t.name in outcomes], str(e))
    finally:
        progress.close()
        await client.close()
    return ClusterResult(target, [outcomes[t.name] for t in tasks if t.name in outcomes])


def revision_tasks(tasks: list[ReleaseTask], revision: str, from_files: bool) -> list[ReleaseTask]:
    """`uninstall --revision R`: only the release istiod-R. With -f, refused when the IstioOperator's own
    control plane is that release (removing it would leave its gateways without istiod)."""
    name = f"istiod-{revision}"
    if from_files and any(t.name == name for t in tasks):
        raise InputError([Problem(("spec", "revision"), f"{name} is the control plane this IstioOperator installs",
                                  fix="switch to the new revision first (install the new IstioOperator), then "
                                  f"remove {name} with `helmgen uninstall --revision {revision}` alone")])
    namespace = next((t.namespace for t in tasks if t.name.startswith("istiod")), "istio-system")
    return [ReleaseTask(name, namespace, "", {}, None, ())]
