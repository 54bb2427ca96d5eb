"""IstioOperator resources (install.istio.io/v1alpha1) through lightkube: list them, write their status."""
from __future__ import annotations

from typing import Any

import httpx2
from lightkube import ApiError, AsyncClient
from lightkube.generic_resource import create_namespaced_resource
from lightkube.types import PatchType

from helmgen.kube.client import ClusterError
from helmgen.kube.objects import get_live  # reads IstioOperator too: creating it below registers it in lightkube

API_VERSION = "install.istio.io/v1alpha1"
IstioOperator = create_namespaced_resource("install.istio.io", "v1alpha1", "IstioOperator", "istiooperators")


async def list_all(client: AsyncClient) -> list[dict[str, Any]]:
    """Every IstioOperator in the cluster, as dicts."""
    try:
        return [dict(o) async for o in client.list(IstioOperator, namespace="*")]
    except ApiError as e:
        raise ClusterError(f"cannot list IstioOperators: {e.status.message}") from None
    except httpx2.HTTPError as e:
        raise ClusterError(f"cannot list IstioOperators: {e}") from None


async def patch_status(client: AsyncClient, namespace: str, name: str, status: dict[str, Any]) -> None:
    """Merge `status` into the resource's status subresource; a resource already gone is no error."""
    try:
        await client.patch(IstioOperator.Status, name, {"status": status}, namespace=namespace,
                           patch_type=PatchType.MERGE)
    except ApiError as e:
        if e.status.code != 404:
            raise ClusterError(f"cannot write the status of IstioOperator {namespace}/{name}: "
                               f"{e.status.message}") from None
    except httpx2.HTTPError as e:
        raise ClusterError(f"cannot write the status of IstioOperator {namespace}/{name}: {e}") from None



async def get(client: AsyncClient, namespace: str, name: str) -> dict[str, Any] | None:
    """The resource as it is now, None when it is gone."""
    return await get_live(client, API_VERSION, "IstioOperator", namespace, name)


async def crd_present(client: AsyncClient) -> bool:
    """Whether the cluster serves IstioOperator resources (charts/istio-operator installs the CRD)."""
    return await get_live(client, "apiextensions.k8s.io/v1", "CustomResourceDefinition", "",
                          "istiooperators.install.istio.io") is not None
