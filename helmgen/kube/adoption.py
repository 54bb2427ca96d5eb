"""The pod labels `helmgen adopt` records on workloads, read back by every install."""
from __future__ import annotations

import asyncio
import json

from lightkube import AsyncClient

from helmgen.kube.objects import get_live

KEPT_POD_LABELS = "helmgen.io/kept-pod-labels"   # annotation on an adopted workload: pod-template labels to keep


async def kept_pod_labels(client: AsyncClient, namespace: str,
                          workloads: tuple[tuple[str, str], ...]) -> dict[str, dict[str, str]]:
    """"Kind/name" -> the pod-template labels `helmgen adopt` recorded on the live workload (none: absent)."""
    found = await asyncio.gather(*(get_live(client, "apps/v1", kind, namespace, name) for kind, name in workloads))
    out = {}
    for (kind, name), obj in zip(workloads, found):
        text = ((obj or {}).get("metadata", {}).get("annotations") or {}).get(KEPT_POD_LABELS)
        try:
            labels = json.loads(text) if text else None
        except ValueError:
            labels = None
        if isinstance(labels, dict) and labels:
            out[f"{kind}/{name}"] = {str(k): str(v) for k, v in labels.items()}
    return out
