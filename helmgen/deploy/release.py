"""One release: recover what a killed run left, `helm upgrade --install`, wait for readiness, put it back on
failure.

A release is never left half-way by helmgen:
  * before the upgrade, a release left `pending-install`/`pending-upgrade`/`pending-rollback` by a run that was
    killed (helm refuses to touch such a release) is rolled back to its last deployed revision, or uninstalled
    when it never had one; a release whose only revisions failed is uninstalled (nothing of it works);
  * when helm fails or the release does not become ready in time, it is rolled back to the revision it was on
    (and that revision waited for), or, on a first install, uninstalled.
Readiness is helmgen's (facts 7.4), not helm's --wait: see helmgen.helm.releases.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from helmgen.deploy.model import Outcome, Settings, Status
from helmgen.errors import HelmgenError
from helmgen.helm import HelmError
from helmgen.helm.releases import PENDING, Releases, Upgrade
from helmgen.kube import helm_storage
from helmgen.kube.adoption import kept_pod_labels
from helmgen.kube.readiness import refs_in_manifest
from helmgen.postprocess.stream import release_spec
from helmgen.kube.waiter import wait_ready


@dataclass(frozen=True)
class ReleaseTask:
    name: str
    namespace: str
    chart: str                   # local chart folder
    values: dict
    postrender: dict | None      # helmgen's post-processing for this release, or None
    needs: tuple[str, ...] = ()
    target: dict | None = None   # the object its k8s settings patch (postprocess Target as JSON)
    workloads: tuple[tuple[str, str], ...] = ()  # (kind, name) of its Deployments, DaemonSets, StatefulSets


class Reporter(Protocol):
    def phase(self, release: str, text: str) -> None: ...


def _deployed(history: list[dict]) -> int:
    """The revision the release is on: the newest `deployed` one (0 when none)."""
    return max((r.get("revision", 0) for r in history if r.get("status") == "deployed"), default=0)


def _timeout(settings: Settings) -> str:
    return f"{max(1, int(settings.timeout))}s"


async def _recover(releases: Releases, task: ReleaseTask, history: list[dict], report: Reporter) -> tuple[
        list[dict], str]:
    """Make the release upgradable again after an interrupted or failed run; (new history, what was done)."""
    if not history:
        return history, ""
    last = history[-1]
    state, revision = last.get("status", ""), last.get("revision", 0)
    deployed = _deployed(history)
    if state in PENDING and deployed:
        report.phase(task.name, f"revision {revision} was left {state}: rolling back to {deployed}")
        await releases.rollback(task.name, task.namespace, deployed, "120s")
        note = f"revision {revision} was left {state} by an interrupted run; rolled back to revision {deployed} first"
    elif state in PENDING or (not deployed and state == "failed"):
        report.phase(task.name, f"revision {revision} was left {state}: removing it")
        await releases.uninstall(task.name, task.namespace, "120s")
        note = f"revision {revision} was left {state} and never deployed; removed it first"
    else:
        return history, ""
    return await releases.history(task.name, task.namespace), note


async def _history(releases: Releases, client: Any, task: ReleaseTask) -> list[dict]:
    """The release's revisions and states: from Helm's storage Secrets (one API call), else `helm history`."""
    found = await helm_storage.revisions(client, task.name, task.namespace) if client is not None else None
    return found if found is not None else await releases.history(task.name, task.namespace)


async def _wait(client: Any, manifest: str, namespace: str, settings: Settings, report: Reporter,
                name: str, what: str) -> list:
    refs = refs_in_manifest(manifest, namespace)

    def progress(ready: int, total: int, reason: str) -> None:
        report.phase(name, f"{what}: {ready}/{total} ready" + (f" ({reason})" if reason and ready < total else ""))

    return await wait_ready(client, refs, settings.timeout, on_progress=progress)


def _not_ready_text(not_ready: list, timeout: float) -> str:
    return f"not ready after {timeout:g}s: " + "; ".join(map(str, not_ready))


async def _put_back(releases: Releases, client: Any, task: ReleaseTask, before: int, cause: str,
                    settings: Settings, report: Reporter) -> tuple[Status, int, str]:
    """Undo a failed upgrade: back to revision `before`, or uninstalled when there was none."""
    history = await releases.history(task.name, task.namespace)
    latest = history[-1].get("revision", 0) if history else 0
    if latest <= before and (not history or history[-1].get("status") == "deployed" or not latest):
        return Status.FAILED, before, f"{cause}; nothing was applied, the release was left as it was"
    if before == 0:
        report.phase(task.name, "first install failed: uninstalling")
        await releases.uninstall(task.name, task.namespace, _timeout(settings))
        return Status.REMOVED, 0, f"{cause}; uninstalled again (it was a first install), nothing is left"
    report.phase(task.name, f"failed: rolling back to revision {before}")
    await releases.rollback(task.name, task.namespace, before, _timeout(settings))
    now = _deployed(await releases.history(task.name, task.namespace))
    text = f"{cause}; rolled back to revision {before} (now revision {now})"
    if settings.wait:
        manifest = await releases.manifest(task.name, task.namespace)
        still = await _wait(client, manifest, task.namespace, settings, report, task.name, "rollback")
        if still:
            return Status.FAILED, now, f"{text}, which is not ready either: {_not_ready_text(still, settings.timeout)}"
    return Status.ROLLED_BACK, now, text


async def postrender_for(client: Any, task: ReleaseTask) -> dict | None:
    """The task's post-processing, plus the pod labels `helmgen adopt` recorded on its live workloads."""
    kept = await kept_pod_labels(client, task.namespace, task.workloads) if task.workloads else {}
    if kept and task.target is not None:
        return {**(task.postrender or release_spec(None, task.target, ())), "podLabels": kept}
    return task.postrender


async def apply_release(releases: Releases, client: Any, task: ReleaseTask, settings: Settings,
                        report: Reporter) -> Outcome:
    """Install or upgrade one release and wait for it; every failure ends in a known state (see above).

    Never raises for helm or the cluster failing: the other releases of the run go on (a raise would cancel
    them mid-helm). When even putting the release back fails, the outcome is FAILED and says so; the next run
    recovers what is left pending."""
    started = time.monotonic()

    def outcome(status: Status, revision: int, message: str = "") -> Outcome:
        return Outcome(task.name, task.namespace, status, revision, message, time.monotonic() - started)

    try:
        return await _apply(releases, client, task, settings, report, outcome)
    except HelmgenError as e:
        return outcome(Status.FAILED, 0, f"{e}; the release may be part-way: run the install again, which "
                       "recovers it")


async def _apply(releases: Releases, client: Any, task: ReleaseTask, settings: Settings, report: Reporter,
                 outcome: Callable[..., Outcome]) -> Outcome:
    report.phase(task.name, "reading history")
    history, note = await _recover(releases, task, await _history(releases, client, task), report)
    before = _deployed(history)
    postrender = await postrender_for(client, task)
    up = Upgrade(task.name, task.namespace, task.chart, task.values, postrender, settings.dry_run,
                 settings.take_ownership, _timeout(settings), first_install=not history)
    report.phase(task.name, "helm upgrade --install" + (" --dry-run=server" if settings.dry_run else ""))
    try:
        out = await releases.upgrade_install(up)
    except HelmError as e:
        if settings.dry_run:
            return outcome(Status.FAILED, before, str(e))
        status, revision, text = await _put_back(releases, client, task, before, str(e), settings, report)
        return outcome(status, revision, "; ".join(filter(None, [note, text])))
    revision = int(out.get("version") or 0)
    if settings.dry_run:
        return outcome(Status.DRY_RUN, before, note)
    if settings.wait:
        not_ready = await _wait(client, out.get("manifest", ""), task.namespace, settings, report, task.name,
                                "waiting")
        if not_ready:
            status, revision, text = await _put_back(releases, client, task, before,
                                                     _not_ready_text(not_ready, settings.timeout), settings, report)
            return outcome(status, revision, "; ".join(filter(None, [note, text])))
    if not before:
        return outcome(Status.INSTALLED, revision, note)
    previous = await releases.manifest(task.name, task.namespace, before)
    same = out.get("manifest", "").strip() == previous.strip()  # helm get adds a newline
    return outcome(Status.UNCHANGED if same else Status.UPGRADED, revision, note)
