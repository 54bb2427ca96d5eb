"""Deleting CustomResourceDefinitions (`helmgen uninstall --purge`)."""
from __future__ import annotations

import asyncio

from lightkube import AsyncClient
from lightkube.core.exceptions import ApiError
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition

from helmgen.kube.client import ClusterError
from helmgen.kube.objects import get_live


async def _exists(client: AsyncClient, name: str) -> bool:
    return await get_live(client, "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", name) is not None


async def delete_crds(client: AsyncClient, names: list[str], timeout: float = 120.0) -> None:
    """Delete each CRD (already gone is fine) and wait until the API server has removed them (it first deletes
    their custom resources); ClusterError naming what cannot be deleted or is still there at the deadline."""
    names = list(dict.fromkeys(names))
    for name in names:
        try:
            await client.delete(CustomResourceDefinition, name)
        except ApiError as e:
            if e.status.code != 404:
                raise ClusterError(f"cannot delete CustomResourceDefinition {name}: {e.status.message}") from None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while names:
        names = [n for n, there in zip(names, await asyncio.gather(*(_exists(client, n) for n in names))) if there]
        if names and loop.time() > deadline:
            raise ClusterError(f"CustomResourceDefinitions still there {timeout:g}s after their deletion: "
                               f"{', '.join(names)}")
        if names:
            await asyncio.sleep(0.2)
