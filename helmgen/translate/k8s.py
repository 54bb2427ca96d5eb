"""A component's `k8s` block as the value `k8s` of our chart (facts 5.1): the chart applies it itself, through the
shared helper `helmgen.k8s.apply` (charts/_lib/_helmgen_k8s.tpl), exactly as istioctl's post-processing does.

What stays out: `overlays` (patches by path into any rendered object: only helmgen's post-renderer applies them)
and `volumes`/`volumeMounts` (istioctl drops them; helmgen warns). Explicit nulls stay: a null deletes the
chart's field, and Helm keeps them under the chart default `k8s: {}` (tests/helm/test_k8s_helper.py).
"""
from __future__ import annotations

import copy
from typing import Any

from helmgen.postprocess.k8s_patches import with_gateway_ports_emptied

LEFT_OUT = ("overlays", "volumes", "volumeMounts")


def chart_k8s(k8s: Any, gateway: bool) -> dict | None:
    """The chart value `k8s` for a component's raw k8s map (None when it has none).

    A gateway's `service.ports` already went into the chart values (facts 4.3.1), so istioctl patches the Service
    with `ports: []` in their place, whenever the gateway has a k8s block; so does the chart, from this value.
    """
    if not isinstance(k8s, dict):
        return None
    out = {key: value for key, value in k8s.items() if key not in LEFT_OUT}
    return with_gateway_ports_emptied(out) if gateway else copy.deepcopy(out)


def overlays_of(k8s: Any) -> list | None:
    """The k8s block's overlays when there are any (what our charts still need the post-renderer for)."""
    overlays = k8s.get("overlays") if isinstance(k8s, dict) else None
    return overlays if isinstance(overlays, list) and overlays else None
