"""`helmgen operator init`: charts/istio-operator installed as the release `istio-operator` (the counterpart of
`istioctl operator init`), through the same install path as every other release (run lock, recovery, readiness,
rollback)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from helmgen import api, helm
from helmgen.deploy.install import ClusterResult, Prepared, install_cluster
from helmgen.deploy.model import Settings
from helmgen.deploy.release import ReleaseTask
from helmgen.errors import HelmgenError
from helmgen.kube.client import KubeTarget, async_client
from helmgen.kube.namespaces import ensure_namespaces

RELEASE = "istio-operator"


@dataclass(frozen=True)
class InitOptions:
    namespace: str = "istio-operator"
    watched: tuple[str, ...] = ("istio-system",)
    hub: str | None = None
    tag: str | None = None
    resync: str | None = None
    pull_secrets: tuple[str, ...] = ()


def chart_values(opts: InitOptions) -> dict:
    """The chart values the options set (the chart's own defaults for the rest)."""
    values: dict = {"watchedNamespaces": list(opts.watched)}
    for key, value in (("hub", opts.hub), ("tag", opts.tag), ("resync", opts.resync)):
        if value:
            values[key] = value
    if opts.pull_secrets:
        values["imagePullSecrets"] = [{"name": s} for s in opts.pull_secrets]
    return values


def task_for(opts: InitOptions) -> ReleaseTask:
    return ReleaseTask(RELEASE, opts.namespace, str(api.charts_dir() / "istio-operator"), chart_values(opts), None,
                       (), None, (("Deployment", "istio-operator"),))


async def init(opts: InitOptions, target: KubeTarget, settings: Settings, command: str,
               helm_path: str | None = None) -> ClusterResult:
    """The release, then the watched namespaces (made outside the release, as `istioctl operator init` made
    istio-system, so that `kubectl apply -f` of an IstioOperator works at once and uninstalling the controller
    never deletes them)."""
    prepared = asyncio.get_running_loop().create_future()
    prepared.set_result(Prepared([task_for(opts)], []))
    # An IstioOperator CRD (Istio's old operator's, an old istio-base's) has no Helm owner: the release takes it
    # over, as it takes over the old operator's objects of the same names, instead of stopping on them.
    settings = replace(settings, take_ownership=True)
    result = await install_cluster(helm.find_helm(helm_path), target, prepared, settings, command)
    if result.ok and not settings.dry_run:
        client = async_client(target)
        try:
            await ensure_namespaces(client, list(opts.watched))
        except HelmgenError as e:
            return replace(result, error=str(e))
        finally:
            await client.close()
    return result
