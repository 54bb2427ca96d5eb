"""Namespaces made outside any Helm release (so uninstalling a release never deletes them)."""
from __future__ import annotations

import httpx2
from lightkube import ApiError, AsyncClient
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace

from helmgen.kube.client import ClusterError


async def ensure_namespaces(client: AsyncClient, names: list[str]) -> list[str]:
    """Create the namespaces that are not there; the ones created."""
    made = []
    for name in names:
        try:
            await client.create(Namespace(metadata=ObjectMeta(name=name)))
            made.append(name)
        except ApiError as e:
            if e.status.code != 409:
                raise ClusterError(f"cannot create namespace {name}: {e.status.message}") from None
        except httpx2.HTTPError as e:
            raise ClusterError(f"cannot create namespace {name}: {e}") from None
    return made
