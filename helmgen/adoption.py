"""What `helmgen adopt` would do with each object a release renders: pure decisions on desired and live objects.

For every rendered object:
  create    not in the cluster: the install creates it;
  owned     already carries this release's Helm annotations;
  adopt     exists without Helm ownership (what `istioctl install` left): it gets the Helm label and annotations,
            and the install then updates it in place;
  conflict  owned by another Helm release, or a field Kubernetes does not let change would change (a workload's
            selector, a binding's roleRef): adopting it would need a delete, so helmgen refuses.
A workload's pod-template labels that only name the Helm release (istioctl renders every chart as release
`istio`, so `app.kubernetes.io/instance: istio`) or the chart that rendered it (`helm.sh/chart`,
`app.kubernetes.io/version`: Istio's chart, where helmgen's own charts name theirs or, for `helm.sh/chart`, put
none on pod templates) are kept at their live values,
so that no pod restarts over a label; the install's post-renderer keeps them from then on (annotation
helmgen.io/kept-pod-labels).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

RELEASE_NAME = "meta.helm.sh/release-name"
RELEASE_NAMESPACE = "meta.helm.sh/release-namespace"
MANAGED_BY = "app.kubernetes.io/managed-by"
WORKLOADS = ("Deployment", "DaemonSet", "StatefulSet")
IMMUTABLE: dict[str, tuple[tuple[str, ...], ...]] = {
    "Deployment": (("spec", "selector"),),
    "DaemonSet": (("spec", "selector"),),
    "StatefulSet": (("spec", "selector"), ("spec", "serviceName"), ("spec", "volumeClaimTemplates")),
    "RoleBinding": (("roleRef",),),
    "ClusterRoleBinding": (("roleRef",),),
}


class Action(enum.Enum):
    CREATE = "create"
    OWNED = "owned"
    ADOPT = "adopt"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Finding:
    api_version: str
    kind: str
    namespace: str
    name: str
    release: str
    action: Action
    notes: tuple[str, ...] = ()
    kept_pod_labels: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else f"{self.kind}/{self.name}"


def _get(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _managers(live: dict) -> list[str]:
    return sorted({m.get("manager", "?") for m in _get(live, ("metadata", "managedFields")) or []
                   if isinstance(m, dict)})


RELEASE_LABELS = ("app.kubernetes.io/instance", "release")   # the labels charts fill with .Release.Name
CHART_LABELS = ("helm.sh/chart", "app.kubernetes.io/version")   # the labels charts fill with their name and version


def kept_labels(desired: dict, live: dict, release: str) -> dict[str, str]:
    """Pod-template labels whose live value the rendered template would change or drop: those that name the
    Helm release (RELEASE_LABELS, rendered as the release name) or the chart (CHART_LABELS)."""
    want = _get(desired, ("spec", "template", "metadata", "labels")) or {}
    have = _get(live, ("spec", "template", "metadata", "labels")) or {}
    names = {k for k in RELEASE_LABELS if want.get(k) == release} | set(CHART_LABELS)
    return {k: str(have[k]) for k in sorted(names) if k in have and have[k] != want.get(k)}


def classify(desired: dict, live: dict | None, release: str, release_namespace: str, namespace: str) -> Finding:
    meta = desired.get("metadata") or {}
    base = dict(api_version=str(desired.get("apiVersion", "")), kind=str(desired.get("kind", "")),
                namespace=namespace, name=str(meta.get("name", "")), release=release)
    if live is None:
        return Finding(**base, action=Action.CREATE)
    annotations = _get(live, ("metadata", "annotations")) or {}
    owner = (annotations.get(RELEASE_NAME), annotations.get(RELEASE_NAMESPACE))
    if owner[0] and owner != (release, release_namespace):
        return Finding(**base, action=Action.CONFLICT,
                       notes=(f"owned by Helm release {owner[1]}/{owner[0]}",))
    changed = [".".join(path) for path in IMMUTABLE.get(base["kind"], ())
               if _get(desired, path) is not None and _get(desired, path) != _get(live, path)]
    if changed:
        return Finding(**base, action=Action.CONFLICT,
                       notes=tuple(f"{p} would change, and Kubernetes does not allow that in place" for p in changed))
    kept = kept_labels(desired, live, release) if base["kind"] in WORKLOADS else {}
    managers = _managers(live)
    notes = (f"field managers: {', '.join(managers)}",) if managers else ()
    if kept:
        notes += (f"pod labels kept as they are: {', '.join(f'{k}={v}' for k, v in sorted(kept.items()))}",)
    if owner[0]:
        return Finding(**base, action=Action.OWNED, notes=notes, kept_pod_labels=kept)
    return Finding(**base, action=Action.ADOPT, notes=notes, kept_pod_labels=kept)
