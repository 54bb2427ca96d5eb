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


def object_name(obj: dict) -> str:
    """metadata.name, or "" when there is none (as Go's GetName)."""
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else ""


def rank_key(api_version: str, kind: str, name: str) -> tuple[int, str, str, str]:
    group = api_version.split("/", 1)[0] if "/" in api_version else ""
    return (_RANKS.get(f"{group}/{kind}", _DEFAULT_RANK), group, kind, name)


def sort_key(obj: dict) -> tuple[int, str, str, str]:
    return rank_key(str(obj.get("apiVersion") or ""), str(obj.get("kind") or ""), object_name(obj))
