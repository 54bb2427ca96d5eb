"""The order of `istioctl manifest generate` output (facts 8.1).

A stable sort by (kind rank, API group, kind, name); the namespace is not part of the key, so ties keep
the order the objects came in (component order, then render order).
"""
from __future__ import annotations

_RANKS = {
    "apiextensions.k8s.io/CustomResourceDefinition": -1000,
    "/ServiceAccount": 1,
    "rbac.authorization.k8s.io/ClusterRole": 1,
    "rbac.authorization.k8s.io/ClusterRoleBinding": 2,
    "admissionregistration.k8s.io/ValidatingWebhookConfiguration": 3,
    "/ConfigMap": 100,          # istioctl means Secret to rank 100 too but keys it "/Secrets"
    "extensions/Deployment": 1000,
    "apps/Deployment": 1000,
    "autoscaling/HorizontalPodAutoscaler": 1001,
    "/Service": 10000,
}
_DEFAULT_RANK = 1000


def api_group(obj: dict) -> str:
    api_version = obj.get("apiVersion")
    if not isinstance(api_version, str) or "/" not in api_version:
        return ""
    return api_version.split("/", 1)[0]


def _name(obj: dict) -> str:
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else ""


def sort_key(obj: dict) -> tuple[int, str, str, str]:
    group, kind = api_group(obj), str(obj.get("kind") or "")
    return (_RANKS.get(f"{group}/{kind}", _DEFAULT_RANK), group, kind, _name(obj))


def sort_objects(objects: list[dict]) -> list[dict]:
    """The objects in `istioctl manifest generate` order (stable)."""
    return sorted(objects, key=sort_key)
