"""Deprecated and removed settings (facts 6.3, 6.4) found in what the user wrote (pure).

6.3: spec.values fields Istio keeps but deprecates (istioctl accepts them silently); 6.4: chart keys Istio's istiod
chart warns about (deprecated) or refuses to render (removed), reachable through spec.values or
spec.unvalidatedValues. Each entry names its replacement, or says there is none.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from helmgen.paths import Path

_GATEWAY_FIELDS = {
    "memory": "components.{x}Gateways[].k8s.hpaSpec (memory target)",
    "cpu": "components.{x}Gateways[].k8s.hpaSpec (cpu target)",
    "nodeSelector": "components.{x}Gateways[].k8s.nodeSelector",
    "podAnnotations": "components.{x}Gateways[].k8s.podAnnotations",
    "podAntiAffinityLabelSelector": "components.{x}Gateways[].k8s.affinity",
    "podAntiAffinityTermLabelSelector": "components.{x}Gateways[].k8s.affinity",
    "resources": "components.{x}Gateways[].k8s.resources",
    "tolerations": "components.{x}Gateways[].k8s.tolerations",
    "rollingMaxSurge": "components.{x}Gateways[].k8s.strategy.rollingUpdate.maxSurge",
    "rollingMaxUnavailable": "components.{x}Gateways[].k8s.strategy.rollingUpdate.maxUnavailable",
}

# spec.values path -> replacement ("" when there is none)
DEPRECATED_VALUES: dict[tuple[str, ...], str] = {
    ("cni", "podAnnotations"): "components.cni.k8s.podAnnotations",
    ("cni", "logLevel"): "values.cni.logging.level",
    ("cni", "privileged"): "",
    ("cni", "repair", "createEvents"): "",
    ("pilot", "cni", "chained"): "values.cni.chained",
    **{("gateways", f"istio-{x}gateway", k): v.format(x=x) for x in ("ingress", "egress")
       for k, v in _GATEWAY_FIELDS.items()},
    ("gateways", "istio-ingressgateway", "replicaCount"): "components.ingressGateways[].k8s.replicaCount",
    ("global", "arch"): "components.*.k8s.affinity (node affinity on kubernetes.io/arch)",
    ("global", "defaultNodeSelector"): "components.*.k8s.nodeSelector",
    ("global", "defaultResources"): "components.*.k8s.resources",
    ("global", "defaultTolerations"): "components.*.k8s.tolerations",
    ("global", "priorityClassName"): "components.*.k8s.priorityClassName",
    ("global", "jwtPolicy"): "",
    ("global", "proxy", "enableCoreDump"): "",
    ("global", "proxy", "resources"): "the sidecar.istio.io/proxyCPU and proxyMemory annotations, or "
                                      "values.global.proxy.resources in a ProxyConfig",
    ("global", "proxy", "holdApplicationUntilProxyStarts"): "meshConfig.defaultConfig.holdApplicationUntilProxyStarts",
    ("global", "proxy_init", "resources"): "",
    ("global", "sds", "token"): "",
    ("pilot", "replicaCount"): "components.pilot.k8s.replicaCount",
    ("pilot", "resources"): "components.pilot.k8s.resources",
    ("pilot", "cpu"): "components.pilot.k8s.hpaSpec (cpu target)",
    ("pilot", "memory"): "components.pilot.k8s.hpaSpec (memory target)",
    ("pilot", "nodeSelector"): "components.pilot.k8s.nodeSelector",
    ("pilot", "rollingMaxSurge"): "components.pilot.k8s.strategy.rollingUpdate.maxSurge",
    ("pilot", "rollingMaxUnavailable"): "components.pilot.k8s.strategy.rollingUpdate.maxUnavailable",
    ("pilot", "tolerations"): "components.pilot.k8s.tolerations",
    ("pilot", "podAnnotations"): "components.pilot.k8s.podAnnotations",
    ("istio_cni",): "components.cni and values.cni",
    ("istiodRemote",): "the istiod chart with values.istiodRemote.enabled (profile remote)",
}

# chart keys (istio-discovery NOTES.txt) -> replacement
DEPRECATED_CHART_KEYS: dict[tuple[str, ...], str] = {
    ("global", "outboundTrafficPolicy"): "meshConfig.outboundTrafficPolicy",
    ("global", "certificates"): "meshConfig.certificates",
    ("global", "localityLbSetting"): "meshConfig.localityLbSetting",
    ("global", "policyCheckFailOpen"): "meshConfig.policyCheckFailOpen",
    ("global", "enableTracing"): "meshConfig.enableTracing",
    ("global", "proxy", "accessLogFormat"): "meshConfig.accessLogFormat",
    ("global", "proxy", "accessLogFile"): "meshConfig.accessLogFile",
    ("global", "proxy", "concurrency"): "meshConfig.defaultConfig.concurrency",
    ("global", "proxy", "envoyAccessLogService"): "meshConfig.defaultConfig.envoyAccessLogService",
    ("global", "proxy", "envoyAccessLogService", "enabled"): "meshConfig.enableEnvoyAccessLogService",
    ("global", "proxy", "envoyMetricsService"): "meshConfig.defaultConfig.envoyMetricsService",
    ("global", "proxy", "protocolDetectionTimeout"): "meshConfig.protocolDetectionTimeout",
    ("pilot", "ingress"): "meshConfig.ingressService, meshConfig.ingressControllerMode, meshConfig.ingressClass",
    ("global", "mtls", "enabled"): "a PeerAuthentication resource",
    ("global", "mtls", "auto"): "meshConfig.enableAutoMtls",
    ("global", "tracer", "lightstep", "address"): "meshConfig.defaultConfig.tracing.lightstep",
    ("global", "tracer", "lightstep", "accessToken"): "meshConfig.defaultConfig.tracing.lightstep",
    ("global", "tracer", "zipkin", "address"): "meshConfig.defaultConfig.tracing.zipkin",
    ("global", "tracer", "datadog", "address"): "meshConfig.defaultConfig.tracing.datadog",
    ("global", "meshExpansion", "enabled"): "Gateway resources",
    ("istiocoredns", "enabled"): "the ISTIO_META_DNS_CAPTURE proxy setting",
}

REMOVED_CHART_KEYS: tuple[tuple[str, ...], ...] = (
    ("telemetry", "v2", "prometheus", "configOverride"),
    ("telemetry", "v2", "stackdriver", "configOverride"),
    ("telemetry", "v2", "stackdriver", "disableOutbound"),
    ("telemetry", "v2", "stackdriver", "outboundAccessLogging"),
    *(("global", "tracer", "stackdriver", k) for k in ("debug", "maxNumberOfAttributes", "maxNumberOfAnnotations",
                                                         "maxNumberOfMessageEvents")),
    *(("meshConfig", "defaultConfig", "tracing", "stackdriver", k)
      for k in ("debug", "maxNumberOfAttributes", "maxNumberOfAnnotations", "maxNumberOfMessageEvents")),
)


def _present(tree: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
    node = tree
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False, None
        node = node[key]
    return True, node


def _set(value: Any) -> bool:
    """Istio's chart warns only when the old key renders non-empty."""
    return value not in (None, "", {}, [], False)


def found(spec: Any) -> Iterator[tuple[str, Path, str]]:
    """(rule, IstioOperator path, replacement or '') for every deprecated or removed setting in a spec."""
    if not isinstance(spec, dict):
        return
    for root in ("values", "unvalidatedValues"):
        tree = spec.get(root)
        if not isinstance(tree, dict):
            continue
        for key, replacement in DEPRECATED_VALUES.items():
            there, _ = _present(tree, key)
            if there:
                yield "HG010", ("spec", root, *key), replacement
        for key, replacement in DEPRECATED_CHART_KEYS.items():
            there, value = _present(tree, key)
            if there and _set(value) and key not in DEPRECATED_VALUES:
                yield "HG011", ("spec", root, *key), replacement
        for key in REMOVED_CHART_KEYS:
            there, _ = _present(tree, key)
            if there:
                yield "HG012", ("spec", root, *key), ""
