"""Deleting CustomResourceDefinitions (`helmgen uninstall --purge`)."""
from __future__ import annotations

from lightkube import AsyncClient
from lightkube.core.exceptions import ApiError
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition

from helmgen.kube.client import ClusterError


async def delete_crds(client: AsyncClient, names: list[str]) -> None:
    """Delete each CRD (already gone is fine); ClusterError naming the first that cannot be deleted."""
    for name in dict.fromkeys(names):
        try:
            await client.delete(CustomResourceDefinition, name)
        except ApiError as e:
            if e.status.code != 404:
                raise ClusterError(f"cannot delete CustomResourceDefinition {name}: {e.status.message}") from None
