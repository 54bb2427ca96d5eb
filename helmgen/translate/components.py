"""Which component specs are enabled (facts 3.2) and each one's values tree (facts 4.3)."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from helmgen.components import COMPONENTS, ComponentInfo
from helmgen.goformat import go_format
from helmgen.paths import Path, parse_set_path
from helmgen.quantity import QuantityError, canonical
from helmgen.setflags import parse_value
from helmgen.values import get_path, set_path

DEFAULT_NAMESPACE = "istio-system"


@dataclass(frozen=True)
class ComponentSpec:
    info: ComponentInfo
    namespace: str
    name: str = ""               # gateways only
    index: int | None = None     # position in the gateway list, when listed
    raw: dict = field(default_factory=dict, compare=False)  # the user's map for this component

    @property
    def iop_path(self) -> Path:
        base: Path = ("spec", "components", self.info.spec_key)
        return base + ((self.index,) if self.index is not None else ())

    @property
    def k8s(self) -> dict | None:
        k8s = self.raw.get("k8s")
        return k8s if isinstance(k8s, dict) else None

    @property
    def gateway_name(self) -> str:
        return self.name or self.info.resource_name


def _enabled(raw: Any) -> bool:
    value = raw.get("enabled") if isinstance(raw, dict) else None
    return value is None or value is True


def component_specs(merged: dict) -> list[ComponentSpec]:
    """Enabled component specs in the fixed component order (gateways in list order)."""
    spec = merged.get("spec") if isinstance(merged.get("spec"), dict) else {}
    metadata = merged.get("metadata") if isinstance(merged.get("metadata"), dict) else {}
    default_ns = metadata.get("namespace") or ""
    components = spec.get("components") if isinstance(spec.get("components"), dict) else {}
    out: list[ComponentSpec] = []
    for info in COMPONENTS:
        present = info.spec_key in components and components[info.spec_key] is not None
        if info.multi:
            alt = get_path(spec, ("values", *info.alt_enablement)) is True
            if not present:
                if info.default_enabled or alt:
                    out.append(ComponentSpec(info, default_ns or DEFAULT_NAMESPACE))
                continue
            for i, raw in enumerate(components[info.spec_key]):
                raw = raw if isinstance(raw, dict) else {}
                if _enabled(raw) or alt:
                    out.append(ComponentSpec(info, raw.get("namespace") or default_ns or DEFAULT_NAMESPACE,
                                             raw.get("name") or "", i, raw))
            continue
        raw = components.get(info.spec_key)
        if not isinstance(raw, dict):
            if info.default_enabled:
                out.append(ComponentSpec(info, default_ns or DEFAULT_NAMESPACE))
            continue
        if _enabled(raw):
            out.append(ComponentSpec(info, raw.get("namespace") or default_ns or DEFAULT_NAMESPACE, raw=raw))
    return out


def _dotted(parts: tuple[str, ...]) -> str:
    """Keys as one --set path text, their own dots escaped."""
    return ".".join(p.replace(".", "\\.") for p in parts)


def _set(values: dict, root: tuple[str, ...], key: str, value: Any) -> None:
    """--set style write of values.<root>.<key>."""
    set_path(values, parse_set_path(_dotted((*root, key))), value)


def service_ports(ports: list) -> list[dict]:
    """k8s.service.ports as Kubernetes ServicePort JSON (empty fields dropped, targetPort always set)."""
    out = []
    for port in ports:
        port = port if isinstance(port, dict) else {}
        item: dict[str, Any] = {}
        for key in ("name", "protocol", "appProtocol"):
            if port.get(key):
                item[key] = port[key]
        item["port"] = port.get("port") or 0
        item["targetPort"] = port.get("targetPort") if port.get("targetPort") not in (None, "") else 0
        if port.get("nodePort"):
            item["nodePort"] = port["nodePort"]
        out.append(item)
    return out


def component_values(spec_values: Any, cs: ComponentSpec) -> Any:
    """This component's copy of spec.values with its own settings applied (facts 4.3)."""
    values = copy.deepcopy(spec_values)
    if not isinstance(values, dict):
        return values
    root = cs.info.values_root
    k8s = cs.k8s
    if cs.info.multi:
        _set(values, root, "name", cs.name)
        label = cs.raw.get("label")
        _set(values, root, "labels", dict(label) if isinstance(label, dict) else {})
        ports = get_path(k8s or {}, ("service", "ports"))
        if isinstance(ports, list) and ports:
            _set(values, root, "ports", service_ports(ports))
    if k8s is not None and cs.info.resource_kind == "Deployment":
        hpa = k8s.get("hpaSpec") if isinstance(k8s.get("hpaSpec"), dict) else {}
        if hpa.get("minReplicas") is not None:
            _set(values, root, "autoscaleMin", int(hpa["minReplicas"]))
        if isinstance(hpa.get("maxReplicas"), int) and hpa["maxReplicas"] > 0:
            _set(values, root, "autoscaleMax", int(hpa["maxReplicas"]))
        if isinstance(k8s.get("replicaCount"), int) and k8s["replicaCount"] > 0:
            _set(values, root, "replicaCount", int(k8s["replicaCount"]))
    resources = (k8s or {}).get("resources")
    if isinstance(resources, dict):
        for kind in ("limits", "requests"):
            cpu = get_path(resources, (kind, "cpu"))
            if cpu is None:
                continue
            try:
                text = canonical(cpu)
            except QuantityError:
                continue  # reported by validation
            if text != "0":
                _set(values, (*root, "resources", kind), "cpu", text)
    if cs.info.spec_key != "base":
        hub, tag = cs.raw.get("hub"), cs.raw.get("tag")
        dotted = _dotted(root)
        if hub:
            _set(values, root, "hub", parse_value(f"spec.values.{dotted}.hub", go_format(hub)))
        if tag not in (None, ""):
            _set(values, root, "tag", parse_value(f"spec.values.{dotted}.tag", go_format(tag)))
    if cs.info.flatten:
        values = flatten(values, root[0])
    return values


def flatten(values: dict, key: str) -> dict:
    """ztunnel: `global`, the non-map top-level values, then every key of values.<key> on top."""
    inner = values.get(key)
    if not isinstance(inner, dict):
        return values
    out: dict[str, Any] = {}
    if "global" in values:
        out["global"] = values["global"]
    for k, v in values.items():
        if not isinstance(v, dict):
            out[k] = v
    out.update(inner)
    return out
