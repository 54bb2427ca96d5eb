"""`helmgen install`: every release of the plan on one or more clusters.

Per run, before any cluster is touched: the inputs are resolved and every release is rendered once
(`helm template` plus post-processing, as `helmgen template` does), so bad input and values a chart refuses
stop the run with exit 1 while every cluster is still as it was. Then, per cluster and concurrently across
clusters: the cluster's run lock (helmgen.kube.lock), and the releases as a dependency graph (base first;
istiod and cni beside each other; gateways after istiod, ztunnel after cni), each one recovered, upgraded,
waited for and, on failure, put back (deploy.release). Releases that need a failed one are not started; the
others go on, as istioctl's install does.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path as FsPath

from helmgen import api, helm, render
from helmgen.adoption import WORKLOADS
from helmgen.deploy.graph import run_graph
from helmgen.deploy.model import Outcome, Settings, Status
from helmgen.deploy.progress import progress_for
from helmgen.deploy.release import ReleaseTask, apply_release
from helmgen.deploy.tags import split_tags, tag_keys
from helmgen.errors import HelmgenError, InputError, Problem
from helmgen.helm.releases import Releases
from helmgen.istio_charts import target_of
from helmgen.kube.client import KubeTarget, async_client
from helmgen.kube.lock import cluster_lock


@dataclass(frozen=True)
class Prepared:
    tasks: list[ReleaseTask]
    warnings: list[Problem]
    documents: dict[str, list] = field(default_factory=dict)   # release -> its rendered Docs (helmgen adopt)


@dataclass(frozen=True)
class ClusterResult:
    target: KubeTarget
    outcomes: list[Outcome] = field(default_factory=list)
    error: str = ""                  # the cluster could not be worked on at all (unreachable, locked, ...)

    @property
    def ok(self) -> bool:
        return not self.error and all(o.status.ok for o in self.outcomes)


def prepare(opts: api.Options, workdir: FsPath, strict: bool = False, helm_path: str | None = None) -> Prepared:
    """The releases to install, rendered once to check them; InputError (exit 1) for anything refused.
    Generated charts (revision tags, deploy.tags) are written under workdir, which must outlive the install."""
    resolved, jobs = render.release_jobs(opts)
    rendered = render.render_jobs(resolved, jobs, strict, helm_path=helm_path)
    workloads = [tuple((d.kind, d.name) for d in docs if d.kind in WORKLOADS) for docs in rendered.per_job]
    jobs, tags = split_tags(jobs, list(rendered.per_job), resolved.revision, workdir)
    tasks = [ReleaseTask(j.release, j.namespace, j.chart, j.values, render.postrender_spec(j, resolved.revision,
                                                                                             strict), j.needs,
                         target_of(j.spec, resolved.revision).to_json(), found)
             for j, found in zip(jobs, workloads)]
    tasks += [ReleaseTask(folder.name, job.namespace, str(folder), {"revision": resolved.revision or "default",
                                                                    "tag": tag}, None, (job.release,))
              for job, tag, folder in tags]
    documents = {t.name: docs for t, docs in zip(tasks, rendered.per_job)}
    for job, tag, folder in tags:  # the tag's objects belong to its own release, not istiod's
        mine = tag_keys(tag)
        documents[folder.name] = [d for d in documents[job.release] if (d.kind, d.name) in mine]
        documents[job.release] = [d for d in documents[job.release] if (d.kind, d.name) not in mine]
    return Prepared(tasks, rendered.warnings, documents)


async def install_cluster(h: helm.Helm, target: KubeTarget, preparing: Awaitable[Prepared], settings: Settings,
                          command: str, prefix: str = "", live: bool | None = None) -> ClusterResult:
    """One cluster: connect and take its lock while the releases are still being rendered (`preparing`),
    then run them. Bad input (preparing raises InputError) wins over any cluster error."""
    outcomes: dict[str, Outcome] = {}
    tasks: list[ReleaseTask] = []
    progress = None
    try:
        client = async_client(target)
    except HelmgenError as e:
        await preparing
        return ClusterResult(target, error=str(e))
    try:
        async with cluster_lock(client, command, dry_run=settings.dry_run) as lock:
            tasks = (await preparing).tasks
            by_name = {t.name: t for t in tasks}
            progress = progress_for([t.name for t in tasks], prefix, live)
            releases = Releases(h, target, settings.history_max)

            def record(outcome: Outcome) -> bool:
                outcomes[outcome.release] = outcome
                progress.done(outcome)
                return outcome.status.ok

            async def run(name: str) -> bool:
                if lock.lost:  # another run took the cluster over (ours stopped renewing): start nothing more
                    return record(Outcome(name, by_name[name].namespace, Status.SKIPPED,
                                          message="not started: this run lost the cluster lock to another run"))
                return record(await apply_release(releases, client, by_name[name], settings, progress))

            def skip(name: str, need: str) -> None:
                record(Outcome(name, by_name[name].namespace, Status.SKIPPED,
                               message=f"needs {need}, which did not succeed"))

            await run_graph({t.name: t.needs for t in tasks}, run, skip)
    except InputError:
        raise
    except HelmgenError as e:
        tasks = (await preparing).tasks
        return ClusterResult(target, _ordered(tasks, outcomes, "left as it was"), error=str(e))
    except asyncio.CancelledError:
        for t in tasks:
            outcomes.setdefault(t.name, Outcome(t.name, t.namespace, Status.INTERRUPTED,
                                                message="the run was interrupted"))
        raise
    finally:
        if progress is not None:
            progress.close()
        await client.close()
    return ClusterResult(target, _ordered(tasks, outcomes, ""))


def _ordered(tasks: list[ReleaseTask], outcomes: dict[str, Outcome], missing: str) -> list[Outcome]:
    return [outcomes.get(t.name) or Outcome(t.name, t.namespace, Status.SKIPPED, message=missing) for t in tasks
            if t.name in outcomes or missing]


async def install(opts: api.Options, workdir: FsPath, targets: list[KubeTarget], settings: Settings,
                  command: str, strict: bool = False, helm_path: str | None = None, live: bool | None = None,
                  on_prepared: Callable[[Prepared], None] | None = None) -> list[ClusterResult]:
    """Install on every target concurrently; one result per target, in the order given. The releases are
    rendered (`prepare`, in a thread) while the clusters are connected and locked; InputError when the input
    is bad, before any release is touched."""
    h = helm.find_helm(helm_path)
    preparing = asyncio.get_running_loop().run_in_executor(None, prepare, opts, workdir, strict, helm_path)
    if on_prepared is not None:
        preparing.add_done_callback(lambda f: f.cancelled() or f.exception() or on_prepared(f.result()))
    several = len(targets) > 1
    runs = [install_cluster(h, t, preparing, settings, command,
                            f"{t.context or t.kubeconfig_path}: " if several else "", False if several else live)
            for t in targets]
    return list(await asyncio.gather(*runs))
