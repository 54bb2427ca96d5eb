"""A release's revisions and their states, read from Helm's own storage instead of by starting `helm history`.

Helm 3 and 4 with the default `secret` storage driver keep each revision of a release as a Secret of type
`helm.sh/release.v1` in the release's namespace, labelled `owner=helm`, `name=<release>`, `status=<state>` and
`version=<revision>` (the labels are rewritten whenever the state changes). One labelled list is one API call of
a few milliseconds; `helm history` is a process of 50-80 ms before each release of an install, on its critical
path. Only revision and state come from here; what else `helm history` tells (chart, description, time) still
comes from helm. With another driver ($HELM_DRIVER), or when the list fails (no right to list Secrets, say),
the answer is None and the caller asks helm.
"""
from __future__ import annotations

import os

import httpx2
from lightkube import ApiError, AsyncClient
from lightkube.resources.core_v1 import Secret

RELEASE_TYPE = "helm.sh/release.v1"
_SECRET_DRIVERS = ("", "secret", "secrets")


def readable() -> bool:
    """Whether helm keeps releases in Secrets here (its default driver)."""
    return os.environ.get("HELM_DRIVER", "").strip().lower() in _SECRET_DRIVERS


async def revisions(client: AsyncClient, release: str, namespace: str) -> list[dict] | None:
    """[{"revision": N, "status": S}, ...] oldest first ([] for no release), or None: ask helm instead."""
    if not readable():
        return None
    found = []
    try:
        async for secret in client.list(Secret, namespace=namespace, labels={"owner": "helm", "name": release}):
            labels = (secret.metadata.labels if secret.metadata else None) or {}
            if secret.type != RELEASE_TYPE or labels.get("name") != release:
                continue
            try:
                found.append({"revision": int(labels.get("version", "")), "status": labels.get("status", "")})
            except ValueError:
                return None   # not as helm writes it: let helm read it
    except (ApiError, httpx2.HTTPError):
        return None
    return sorted(found, key=lambda r: r["revision"])
