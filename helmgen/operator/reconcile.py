"""One IstioOperator resource through the CLI's own path: translate, plan, install (deploy.install), uninstall
(deploy.remove), drift (deploy.diff).

Nothing here decides what kopf does next; each function returns a Result the controller turns into status,
Events, and a retry (or none). Invalid input is found before the cluster is touched, as with `helmgen install`:
the releases stay as they were and the Result says which IstioOperator path is wrong.
"""
from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helmgen import api, helm
from helmgen.deploy.install import ClusterResult, Prepared, install_cluster, prepare
from helmgen.deploy.model import Outcome, Settings, Status
from helmgen.deploy.progress import PlainProgress
from helmgen.deploy.release import ReleaseTask
from helmgen.deploy.remove import uninstall_cluster
from helmgen.errors import HelmgenError, InputError
from helmgen.kube.client import KubeTarget, async_client
from helmgen.kube.iop_resources import list_all
from helmgen.operator.resource import Claims, Key, ReleaseRecord, claims_of, conflict_text, conflicts, \
    input_text, owned_after, problems_text, recorded_releases, source_name, stale

LEFT = (Status.INSTALLED, Status.UPGRADED, Status.UNCHANGED, Status.ROLLED_BACK, Status.FAILED,
        Status.INTERRUPTED)   # after these a release is (or may still be) in the cluster


@dataclass(frozen=True)
class Config:
    """What every reconcile of this controller shares."""

    target: KubeTarget
    settings: Settings = Settings()
    manifests: str | None = None     # Istio's charts (`--manifests`) instead of helmgen's
    helm_path: str | None = None


@dataclass(frozen=True)
class Result:
    ok: bool
    reason: str                      # Installed, Uninstalled, InvalidSpec, InstallFailed, ClusterUnavailable, ...
    message: str
    releases: list[ReleaseRecord] = field(default_factory=list)   # what the resource owns now
    permanent: bool = False          # the same spec can never succeed: no retry until it changes
    waiting: list[ReleaseRecord] = field(default_factory=list)    # planned releases another resource owns


def key_of(body: Mapping[str, Any]) -> Key:
    meta = body.get("metadata") or {}
    return Key(meta.get("namespace") or "", meta.get("name") or "")


def options_for(body: Mapping[str, Any], config: Config) -> api.Options:
    return api.Options(files=("-",), manifests=config.manifests, stdin_text=input_text(body),
                       stdin_name=source_name(key_of(body)))


async def _prepare(body: Mapping[str, Any], config: Config, workdir: Path) -> Prepared:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, prepare, options_for(body, config), workdir, False, config.helm_path)


def _releases(n: int) -> str:
    return f"{n} release{'s' if n != 1 else ''}"


def _outcome_line(o: Outcome) -> str:
    revision = f", revision {o.revision}" if o.revision else ""
    why = f": {o.message}" if o.message and not o.status.ok else ""
    return f"{o.release} ({o.namespace}): {o.status.value}{revision}{why}"


def _summary(result: ClusterResult) -> str:
    failed = [o for o in result.outcomes if not o.status.ok]
    lines = ([result.error] if result.error else []) + [_outcome_line(o) for o in failed or result.outcomes]
    return "\n".join(lines)


async def claims_of_others(config: Config, me: Key) -> Claims:
    """What the other IstioOperator resources in the cluster own and wait for."""
    client = async_client(config.target)
    try:
        found = await list_all(client)
    finally:
        await client.close()
    return claims_of((key_of(o), o.get("status")) for o in found if key_of(o) != me)


async def _uninstall(h: helm.Helm, config: Config, records: list[ReleaseRecord], command: str,
                     prefix: str) -> ClusterResult:
    tasks = [ReleaseTask(r.name, r.namespace, "", {}, None, r.needs) for r in records]
    return await uninstall_cluster(h, config.target, tasks, command, purge=False, timeout=config.settings.timeout,
                                   progress=PlainProgress(prefix=prefix))


async def reconcile(body: Mapping[str, Any], config: Config, on_started=None) -> Result:
    """Install or upgrade the resource's releases, then prune the ones an edit dropped. `on_started(text)` is
    awaited once the input is known to be valid, before the cluster is changed (the Reconciling status)."""
    key = key_of(body)
    before = recorded_releases(body.get("status"))
    generation = (body.get("metadata") or {}).get("generation", 0)
    command = f"helmgen operator: IstioOperator {key} generation {generation}"
    with tempfile.TemporaryDirectory(prefix="helmgen-operator-") as workdir:
        try:
            h = helm.find_helm(config.helm_path)
            prepared = await _prepare(body, config, Path(workdir))
        except InputError as e:
            listed = problems_text(p.located(p.source, 0) for p in e.problems)   # lines of our text, not theirs
            return Result(False, "InvalidSpec", f"the releases were left as they were; fix the IstioOperator:\n"
                          f"{listed}", before, permanent=True)
        except HelmgenError as e:
            return Result(False, "RenderFailed", str(e), before)
        planned = [ReleaseRecord(t.name, t.namespace, t.needs) for t in prepared.tasks]
        try:
            claims = await claims_of_others(config, key)
        except HelmgenError as e:
            return Result(False, "ClusterUnavailable", str(e), before)
        taken = conflicts(planned, claims)
        if taken:
            return Result(False, "ReleaseConflict", conflict_text(taken), before, waiting=[r for r, _ in taken])
        if on_started is not None:
            await on_started(f"installing {_releases(len(planned))}: {', '.join(r.name for r in planned)}")
        done = asyncio.get_running_loop().create_future()
        done.set_result(prepared)
        result = await install_cluster(h, config.target, done, config.settings, command, prefix=f"{key}: ",
                                       live=False)
    if not result.ok:
        had = {b.key for b in before}
        there = had | {Key(o.namespace, o.release) for o in result.outcomes if o.status in LEFT}
        owned = owned_after(before, [r for r in planned if r.key in there], had)
        reason = "ClusterUnavailable" if result.error and not result.outcomes else "InstallFailed"
        return Result(False, reason, _summary(result), owned)
    try:
        dropped = stale(before, planned, (await claims_of_others(config, key)).held)
    except HelmgenError as e:
        return Result(False, "PruneFailed", f"installed, but could not check what to prune: {e}",
                      owned_after(before, planned, {b.key for b in before}))
    pruned = await _uninstall(h, config, dropped, command, f"{key}: ") if dropped else None
    gone = {Key(o.namespace, o.release) for o in (pruned.outcomes if pruned else []) if o.status.ok}
    handed = {r.key for r in before} - {r.key for r in planned} - {r.key for r in dropped}
    owned = owned_after(before, planned, {r.key for r in before} - gone - handed)
    ready = ", ".join(f"{o.release} ({o.status.value}, revision {o.revision})" for o in result.outcomes)
    if pruned is not None and not pruned.ok:
        return Result(False, "PruneFailed", f"installed ({ready}), but removing releases the spec no longer has "
                      f"failed:\n{_summary(pruned)}", owned)
    removed = f"; removed {', '.join(sorted(k.name for k in gone))}" if gone else ""
    removed += f"; handed over {', '.join(sorted(k.name for k in handed))}" if handed else ""
    return Result(True, "Installed", f"{_releases(len(planned))} ready: {ready}{removed}", owned)


async def remove(body: Mapping[str, Any], config: Config) -> Result:
    """The resource is being deleted: uninstall its releases (reverse order, CRDs kept), except releases another
    IstioOperator owns or waits for (handed over)."""
    key = key_of(body)
    before = recorded_releases(body.get("status"))
    try:
        h = helm.find_helm(config.helm_path)
        shared = (await claims_of_others(config, key)).held
    except HelmgenError as e:
        return Result(False, "UninstallFailed", str(e), before)
    mine = [r for r in before if r.key not in shared]
    handed = " (handed over to the IstioOperator that waits for them)"
    if not mine:
        return Result(True, "Uninstalled", "no release to remove" + (handed if before else ""))
    result = await _uninstall(h, config, mine, f"helmgen operator: delete IstioOperator {key}", f"{key}: ")
    if not result.ok:
        gone = {Key(o.namespace, o.release) for o in result.outcomes if o.status.ok}
        return Result(False, "UninstallFailed", _summary(result), [r for r in before if r.key not in gone])
    kept = sorted(r.name for r in before if r.key in shared)
    return Result(True, "Uninstalled", f"uninstalled {', '.join(r.name for r in mine)}"
                  + (f"; kept {', '.join(kept)}{handed}" if kept else ""))


async def drift(body: Mapping[str, Any], config: Config) -> list[str]:
    """What differs between the cluster and the resource's releases (`helmgen diff`); empty when nothing does.
    A release helm cannot even dry-run (gone, stuck pending) counts as drift too."""
    from helmgen.deploy.diff import diff_cluster

    with tempfile.TemporaryDirectory(prefix="helmgen-operator-") as workdir:
        try:
            h = helm.find_helm(config.helm_path)
            prepared = await _prepare(body, config, Path(workdir))
        except InputError:
            return []   # invalid specs are the change handlers' business
        try:
            diffs = await diff_cluster(h, prepared, config.target)
        except HelmgenError as e:
            return [f"cannot compare with the cluster: {e}"]
    found = []
    for d in diffs:
        parts = [f"{len(d.changed)} changed"] * bool(d.changed) + [f"missing {', '.join(d.created)}"] * bool(
            d.created) + [f"{len(d.deleted)} extra"] * bool(d.deleted)
        if parts:
            found.append(f"{d.release}: {'; '.join(parts)}")
    return found
