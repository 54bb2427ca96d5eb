"""Reading and patching any object of a kind lightkube has a model of (built-in kinds)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx2
from lightkube import ApiError, AsyncClient
from lightkube.core.resource import NamespacedResource
from lightkube.core.resource_registry import resource_registry
from lightkube.generic_resource import GenericGlobalResource, GenericNamespacedResource, create_api_info
from lightkube.types import PatchType

from helmgen.kube.client import ClusterError
from helmgen.kube.readiness import format_id


def _resource(api_version: str, kind: str):
    try:
        return resource_registry.load(api_version, kind)
    except Exception:  # noqa: BLE001 - lightkube raises several types for kinds it has no model of
        return None


def raw_resource(api_version: str, kind: str, plural: str, namespaced: bool) -> type:
    """A lightkube resource class of `kind` whose objects stay the plain dicts the API sent, for readers of a few
    fields: lightkube's typed models cost ~4 ms per CustomResourceDefinition to build (its schema is a deep tree).
    Not registered with lightkube, so other code still gets the typed model of the kind."""
    group, _, version = api_version.rpartition("/")
    base = GenericNamespacedResource if namespaced else GenericGlobalResource
    return type(kind, (base,), {"_api_info": create_api_info(group, version, kind, plural)})


async def get_live(client: AsyncClient, api_version: str, kind: str, namespace: str, name: str,
                   resource: Any = None) -> dict | None:
    """The live object as a dict, None when absent; ClusterError for a kind helmgen cannot read. `resource`: the
    lightkube class to read it with (a raw_resource), else the kind's typed model."""
    resource = resource or _resource(api_version, kind)
    if resource is None:
        raise ClusterError(f"cannot read {format_id(kind, namespace, name)}: no client model for {api_version} {kind}")
    try:
        obj = await (client.get(resource, name, namespace=namespace) if namespace and _namespaced(resource)
                     else client.get(resource, name))
    except ApiError as e:
        if e.status.code == 404:
            return None
        raise ClusterError(f"cannot read {format_id(kind, namespace, name)}: {e.status.message}") from None
    except httpx2.HTTPError as e:
        raise ClusterError(f"cannot read {format_id(kind, namespace, name)}: {e}") from None
    return obj.to_dict()


@dataclass(frozen=True)
class Placed:
    """Where a rendered object lands in the cluster."""

    api_version: str
    kind: str
    namespace: str      # '' for cluster-scoped kinds
    name: str
    known: bool         # False: lightkube has no model of the kind (it is then taken as namespaced)

    @property
    def id(self) -> str:
        return format_id(self.kind, self.namespace, self.name)


def placed(obj: dict, release_namespace: str) -> Placed:
    """A rendered object's place: namespaced kinds without a namespace go to the release's, as helm puts them."""
    meta = obj.get("metadata") or {}
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    namespaced = is_namespaced(api_version, kind)
    namespace = (meta.get("namespace") or release_namespace) if namespaced is not False else ""
    return Placed(api_version, kind, namespace, str(meta.get("name", "")), namespaced is not None)


def is_namespaced(api_version: str, kind: str) -> bool | None:
    """Whether objects of this kind live in a namespace; None for a kind lightkube has no model of."""
    resource = _resource(api_version, kind)
    return None if resource is None else _namespaced(resource)


def _namespaced(resource: Any) -> bool:
    return isinstance(resource, type) and issubclass(resource, NamespacedResource)


async def patch_metadata(client: AsyncClient, api_version: str, kind: str, namespace: str, name: str,
                         labels: dict[str, str], annotations: dict[str, str]) -> None:
    """Merge-patch labels and annotations onto a live object (nothing else is touched)."""
    resource = _resource(api_version, kind)
    body = {"metadata": {"labels": labels, "annotations": annotations}}
    try:
        if namespace and _namespaced(resource):
            await client.patch(resource, name, body, namespace=namespace, patch_type=PatchType.MERGE)
        else:
            await client.patch(resource, name, body, patch_type=PatchType.MERGE)
    except ApiError as e:
        raise ClusterError(f"cannot mark {format_id(kind, namespace, name)} for Helm: {e.status.message}") from None
    except httpx2.HTTPError as e:
        raise ClusterError(f"cannot mark {format_id(kind, namespace, name)} for Helm: {e}") from None
