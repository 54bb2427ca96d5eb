"""`helmgen status`: each release's helm state and the health of its workloads (one readiness round)."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from helmgen.deploy.release import ReleaseTask
from helmgen.helm import Helm
from helmgen.helm.releases import Releases
from helmgen.kube.client import KubeTarget, async_client
from helmgen.kube.readiness import refs_in_manifest
from helmgen.kube.waiter import wait_ready

ISTIO_CHARTS = ("base", "istiod", "istio-discovery", "istio-ingress", "istio-egress", "gateway", "cni", "ztunnel",
                "istio-base", "gateways", "istio-cni", "istiod-remote", "istio-revision-tag")


@dataclass(frozen=True)
class ReleaseStatus:
    name: str
    namespace: str
    state: str            # helm's: deployed, failed, pending-upgrade, ... or "not installed"
    revision: int
    chart: str
    updated: str
    workloads: int        # waited objects (CRDs, Deployments, DaemonSets, ...)
    ready: int
    not_ready: list[str]  # "Deployment/ns/name (reason)"

    @property
    def healthy(self) -> bool:
        return self.state == "deployed" and self.ready == self.workloads

    def to_json(self) -> dict:
        return {**asdict(self), "healthy": self.healthy}


async def release_status(releases: Releases, client, name: str, namespace: str) -> ReleaseStatus:
    history = await releases.history(name, namespace)
    if not history:
        return ReleaseStatus(name, namespace, "not installed", 0, "", "", 0, 0, [])
    last = history[-1]
    manifest = await releases.manifest(name, namespace)
    refs = [r for r in refs_in_manifest(manifest, namespace) if r.waited]
    not_ready = await wait_ready(client, refs, timeout=0)
    return ReleaseStatus(name, namespace, last.get("status", ""), int(last.get("revision", 0)),
                         last.get("chart", ""), str(last.get("updated", "")), len(refs), len(refs) - len(not_ready),
                         [str(n) for n in not_ready])


async def cluster_status(h: Helm, target: KubeTarget, tasks: list[ReleaseTask] | None) -> list[ReleaseStatus]:
    """The releases of the plan (`tasks`), or without one every release of an Istio chart on the cluster."""
    releases = Releases(h, target)
    if tasks is None:
        found = await releases.list_all()
        wanted = [(r["name"], r["namespace"]) for r in found
                  if str(r.get("chart", "")).rsplit("-", 1)[0] in ISTIO_CHARTS]
    else:
        wanted = [(t.name, t.namespace) for t in tasks]
    client = async_client(target)
    try:
        return [await release_status(releases, client, n, ns) for n, ns in wanted]
    finally:
        await client.close()
