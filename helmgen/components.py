"""THE component table: every other module reads component facts from here (facts 3.1)."""
from __future__ import annotations

import enum
from dataclasses import dataclass


class Component(enum.Enum):
    BASE = "Base"
    PILOT = "Pilot"
    INGRESS_GATEWAYS = "IngressGateways"
    EGRESS_GATEWAYS = "EgressGateways"
    CNI = "Cni"
    ZTUNNEL = "Ztunnel"


@dataclass(frozen=True)
class ComponentInfo:
    component: Component
    spec_key: str               # key under spec.components
    default_enabled: bool
    multi: bool                 # a list of specs (gateways)
    values_root: tuple[str, ...]  # where this component's settings live under spec.values
    flatten: bool               # ztunnel: values.ztunnel becomes the top level
    chart: str                  # our chart under charts/
    istio_chart: str            # the chart dir under an Istio release's manifests/charts
    release: str                # release name (gateways: the gateway's name; pilot: + -<revision>)
    resource_kind: str          # post-processing target
    resource_name: str
    container: str
    alt_enablement: tuple[str, ...] | None  # spec.values path whose `true` enables every listed gateway
    translate_name: str         # name istioctl manifest translate uses for non-gateway components


COMPONENTS: tuple[ComponentInfo, ...] = (
    ComponentInfo(Component.BASE, "base", True, False, ("global",), False, "istio-base", "base",
                  "istio-base", "", "", "", None, "base"),
    ComponentInfo(Component.PILOT, "pilot", True, False, ("pilot",), False, "istiod",
                  "istio-control/istio-discovery", "istiod", "Deployment", "istiod", "discovery", None, "pilot"),
    ComponentInfo(Component.INGRESS_GATEWAYS, "ingressGateways", True, True, ("gateways", "istio-ingressgateway"),
                  False, "gateways", "gateways/istio-ingress", "", "Deployment", "istio-ingressgateway",
                  "istio-proxy", ("gateways", "istio-ingressgateway", "enabled"), ""),
    ComponentInfo(Component.EGRESS_GATEWAYS, "egressGateways", False, True, ("gateways", "istio-egressgateway"),
                  False, "gateways", "gateways/istio-egress", "", "Deployment", "istio-egressgateway",
                  "istio-proxy", ("gateways", "istio-egressgateway", "enabled"), ""),
    ComponentInfo(Component.CNI, "cni", False, False, ("cni",), False, "istio-cni", "istio-cni", "istio-cni",
                  "DaemonSet", "istio-cni-node", "install-cni", None, "cni"),
    ComponentInfo(Component.ZTUNNEL, "ztunnel", False, False, ("ztunnel",), True, "ztunnel", "ztunnel", "ztunnel",
                  "DaemonSet", "ztunnel", "istio-proxy", None, "ztunnel"),
)

BY_COMPONENT = {c.component: c for c in COMPONENTS}
BY_SPEC_KEY = {c.spec_key: c for c in COMPONENTS}

# Install order as a graph: each component's parent (facts 7.2 / PRODUCT.md).
PARENT: dict[Component, Component | None] = {
    Component.BASE: None,
    Component.PILOT: Component.BASE,
    Component.CNI: Component.BASE,
    Component.INGRESS_GATEWAYS: Component.PILOT,
    Component.EGRESS_GATEWAYS: Component.PILOT,
    Component.ZTUNNEL: Component.CNI,
}
