"""Semantic checks of a merged IstioOperator (facts 6.2): all problems, each with its path.

Runs after typecheck (types and unknown fields) on the merged, normalised tree. Pure.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any, Iterator

from helmgen.errors import Problem, Severity
from helmgen.goformat import go_format
from helmgen.paths import Path
from helmgen.typecheck import Checker
from helmgen.values import get_path

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_REPO_CHARS = re.compile(r"^[a-z0-9_./-]+$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_GATEWAY_NAME = re.compile(r"^[a-z0-9.-]{1,254}$")

# Free-form values that are decoded strictly as Kubernetes types (path under spec.values -> type, is_list).
K8S_TYPED_VALUES: tuple[tuple[tuple[str, ...], str, bool], ...] = (
    (("cni", "affinity"), "Affinity", False),
    (("cni", "seccompProfile"), "SeccompProfile", False),
    (("gateways", "istio-egressgateway", "podAntiAffinityLabelSelector"), "LabelSelector", True),
    (("gateways", "istio-egressgateway", "podAntiAffinityTermLabelSelector"), "LabelSelector", True),
    (("gateways", "istio-egressgateway", "tolerations"), "Toleration", True),
    (("gateways", "istio-ingressgateway", "podAntiAffinityLabelSelector"), "LabelSelector", True),
    (("gateways", "istio-ingressgateway", "podAntiAffinityTermLabelSelector"), "LabelSelector", True),
    (("gateways", "istio-ingressgateway", "tolerations"), "Toleration", True),
    (("global", "defaultTolerations"), "Toleration", True),
    (("pilot", "tolerations"), "Toleration", True),
    (("pilot", "affinity"), "Affinity", False),
    (("pilot", "seccompProfile"), "SeccompProfile", False),
    (("pilot", "topologySpreadConstraints"), "TopologySpreadConstraint", True),
    (("pilot", "volumeMounts"), "VolumeMount", True),
    (("pilot", "volumes"), "Volume", True),
    (("global", "proxy", "seccompProfile"), "SeccompProfile", False),
    (("global", "proxy", "lifecycle"), "Lifecycle", False),
    (("sidecarInjectorWebhook", "neverInjectSelector"), "LabelSelector", True),
    (("sidecarInjectorWebhook", "alwaysInjectSelector"), "LabelSelector", True),
    (("global", "waypoint", "affinity"), "Affinity", False),
    (("global", "waypoint", "topologySpreadConstraints"), "TopologySpreadConstraint", True),
    (("global", "waypoint", "nodeSelector"), "NodeSelector", False),
    (("global", "waypoint", "toleration"), "Toleration", True),
)

_GATEWAY_KINDS = (("egressGateways", "istio-egressgateway"), ("ingressGateways", "istio-ingressgateway"))


def validate(merged: dict) -> list[Problem]:
    spec = merged.get("spec") if isinstance(merged.get("spec"), dict) else {}
    values = spec.get("values") if isinstance(spec.get("values"), dict) else {}
    problems: list[Problem] = []
    problems += _check_hub(spec)
    problems += _check_tag(spec)
    problems += _check_revision(spec)
    problems += _check_gateways(spec, values)
    problems += _check_ingress_ports(values)
    problems += _check_ip_ranges(values)
    problems += _check_port_lists(values)
    problems += _check_k8s_values(values)
    problems += _warnings(spec, values)
    return problems


def _check_hub(spec: dict) -> list[Problem]:
    hub = spec.get("hub")
    if not hub or not isinstance(hub, str):
        return []
    return [Problem(("spec", "hub"), msg, fix=f"write it in lowercase, e.g. {hub.lower()!r}")
            for msg in hub_problems(hub)]


def hub_problems(hub: str) -> list[str]:
    """Why `<hub>/pilot` is not a valid image repository (go-containerregistry rules), if it is not."""
    repo = f"{hub}/pilot"
    first, _, rest = repo.partition("/")
    out = []
    if "." in first or ":" in first or first == "localhost":
        host = first
        if not re.fullmatch(r"[A-Za-z0-9.-]+(:[0-9]+)?|\[[0-9a-fA-F:.]+\](:[0-9]+)?", host):
            out.append(f"bad hub {hub!r}: registry {host!r} is not a valid host[:port]")
    else:
        rest = repo
    if not _REPO_CHARS.match(rest) or "//" in rest or rest.endswith("/"):
        bad = rest.removesuffix("/pilot")
        out.append(f"bad hub {hub!r}: repository {bad!r} may only contain lowercase letters, digits, "
                   "'_', '-', '.' and '/'")
    return out


def _check_tag(spec: dict) -> list[Problem]:
    if "tag" not in spec or spec["tag"] is None:
        return []
    tag = go_format(spec["tag"])
    if _TAG.match(tag):
        return []
    return [Problem(("spec", "tag"), f"bad tag {tag!r}: a tag is 1-128 letters, digits, '_', '.' or '-', "
                    "not starting with '.' or '-'")]


def _check_revision(spec: dict) -> list[Problem]:
    rev = spec.get("revision")
    if not rev or not isinstance(rev, str) or (len(rev) <= 63 and _DNS_LABEL.match(rev)):
        return []
    fixed = re.sub(r"[^a-z0-9-]", "-", rev.lower()).strip("-")[:63]
    return [Problem(("spec", "revision"), f"invalid revision {rev!r}: a revision must be a DNS-1123 label "
                    "(lowercase letters, digits and '-', at most 63 characters)",
                    fix=f"use {fixed!r}" if fixed else "")]


def _listed_gateways(spec: dict) -> Iterator[tuple[str, str, int, dict]]:
    components = spec.get("components") if isinstance(spec.get("components"), dict) else {}
    for key, root in _GATEWAY_KINDS:
        items = components.get(key)
        if isinstance(items, list):
            for i, gw in enumerate(items):
                if isinstance(gw, dict):
                    yield key, root, i, gw


def _check_gateways(spec: dict, values: dict) -> list[Problem]:
    problems = []
    for key, root, i, gw in _listed_gateways(spec):
        path: Path = ("spec", "components", key, i)
        name = gw.get("name")
        if isinstance(name, str) and name and not _GATEWAY_NAME.match(name):
            fixed = re.sub(r"[^a-z0-9.-]", "-", name.lower())
            problems.append(Problem(path + ("name",), f"invalid gateway name {name!r}: only lowercase letters, "
                                    "digits, '-' and '.' are allowed", fix=f"use {fixed!r}"))
        if get_path(values, ("gateways", root, "runAsRoot")) is True:
            continue
        ports = get_path(gw, ("k8s", "service", "ports"))
        for j, port in enumerate(ports if isinstance(ports, list) else []):
            if not isinstance(port, dict):
                continue
            tp = port.get("targetPort")
            if isinstance(tp, str):
                continue
            tp = tp if isinstance(tp, int) else 0
            number = port.get("port") if isinstance(port.get("port"), int) else 0
            if not _needs_root(number, tp):
                continue
            problems.append(Problem(
                path + ("k8s", "service", "ports", j, "targetPort"),
                f"port {port.get('name', '')}/{number} in gateway {gw.get('name', '')} invalid: targetPort is set "
                f"to {tp}, which requires root",
                fix=f"set targetPort above 1024 or set values.gateways.{root}.runAsRoot=true"))
    return problems


def _needs_root(port: int, target_port: int) -> bool:
    """A container port below 1024 (targetPort, or port when no targetPort is set) needs root."""
    return not ((target_port == 0 and port > 1024) or target_port >= 1024)


def _check_ingress_ports(values: dict) -> list[Problem]:
    ports = get_path(values, ("gateways", "istio-ingressgateway", "ingressPorts"))
    problems = []
    for j, port in enumerate(ports if isinstance(ports, list) else []):
        if not isinstance(port, dict):
            continue
        number, tp = port.get("port"), port.get("targetPort", 0)
        if not isinstance(number, int) or not isinstance(tp, int) or not _needs_root(number, tp):
            continue
        problems.append(Problem(("spec", "values", "gateways", "istio-ingressgateway", "ingressPorts", j, "targetPort"),
                                f"port {number} is invalid: targetPort is set to {tp}, which requires root",
                                fix="set targetPort above 1024 or set "
                                    "values.gateways.istio-ingressgateway.runAsRoot=true"))
    return problems


def _check_ip_ranges(values: dict) -> list[Problem]:
    problems = []
    for key in ("includeIPRanges", "excludeIPRanges"):
        text = get_path(values, ("global", "proxy", key))
        if not isinstance(text, str) or text in ("", "*"):
            continue
        for item in text.split(","):
            try:
                if "/" not in item or item != item.strip():
                    raise ValueError("expected address/prefix-length without spaces")
                ipaddress.ip_network(item, strict=False)
            except ValueError as e:
                problems.append(Problem(("spec", "values", "global", "proxy", key),
                                        f"{item!r} is not a CIDR range ({e})",
                                        fix="give a comma-separated list such as 10.0.0.0/8,172.16.0.0/12, or *"))
    return problems


def _check_port_lists(values: dict) -> list[Problem]:
    problems = []
    for key in ("includeInboundPorts", "excludeInboundPorts"):
        text = get_path(values, ("global", "proxy", key))
        if not isinstance(text, str) or text in ("", "*"):
            continue
        for item in text.split(","):
            item = item.strip()
            if item in ("", "*"):
                continue
            if not re.fullmatch(r"[+-]?\d+", item):
                problems.append(Problem(("spec", "values", "global", "proxy", key), f"{item!r} is not a port number"))
            elif not 0 <= int(item) <= 65535:
                problems.append(Problem(("spec", "values", "global", "proxy", key),
                                        f"port {item} falls outside range [0, 65535]"))
    return problems


def _check_k8s_values(values: dict) -> list[Problem]:
    checker = Checker()
    for path, kind, is_list in K8S_TYPED_VALUES:
        value = get_path(values, path)
        if value is None:
            continue
        typ: dict[str, Any] = {"k8s": kind}
        checker.check(value, {"type": "list", "items": typ} if is_list else typ, ("spec", "values", *path))
    return checker.problems


def _warnings(spec: dict, values: dict) -> list[Problem]:
    out = []
    replicas = get_path(spec, ("components", "pilot", "k8s", "replicaCount"))
    if get_path(values, ("pilot", "autoscaleEnabled")) is True and isinstance(replicas, int) and replicas > 1:
        out.append(Problem(("spec", "components", "pilot", "k8s", "replicaCount"),
                           "should not be set when values.pilot.autoscaleEnabled is true (the autoscaler "
                           "overrides it)", Severity.WARNING))
    if isinstance(spec.get("components"), dict):
        for key, root, i, gw in _listed_gateways(spec):
            count = get_path(gw, ("k8s", "replicaCount"))
            if get_path(values, ("gateways", root, "autoscaleEnabled")) is True and count not in (None, 0):
                out.append(Problem(("spec", "components", key, i, "k8s", "replicaCount"),
                                   f"should not be set when values.gateways.{root}.autoscaleEnabled is true",
                                   Severity.WARNING))
    return out
