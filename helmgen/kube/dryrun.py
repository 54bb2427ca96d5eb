"""The object as an apply would leave it: a server-side apply with dryRun=All (defaults and other field
managers' fields included), so a diff against the live object shows only what would really change."""
from __future__ import annotations

import httpx2
from lightkube import ApiError, AsyncClient, codecs
from lightkube.core.exceptions import LoadResourceError

from helmgen.kube.client import ClusterError

FIELD_MANAGER = "helm"   # the manager Helm 4 applies with; with force, conflicts do not hide a change


async def after_apply(client: AsyncClient, obj: dict, namespace: str) -> dict | None:
    """The dry-run result of applying obj, or None for a kind the client has no model of."""
    try:
        resource = codecs.from_dict(obj)
    except (LoadResourceError, ValueError, TypeError, AttributeError):
        return None
    meta = obj.get("metadata") or {}
    try:
        applied = await client.apply(resource, namespace=namespace or None, field_manager=FIELD_MANAGER, force=True,
                                     dry_run=True)
    except ApiError as e:
        raise ClusterError(f"the API server refuses {obj.get('kind')}/{meta.get('name')}: {e.status.message}") \
            from None
    except httpx2.HTTPError as e:
        raise ClusterError(f"cannot reach the API server: {e}") from None
    return applied.to_dict()
