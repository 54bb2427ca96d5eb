"""Releases, their order and needs (PRODUCT.md): pure data built from the enabled component specs."""
from __future__ import annotations

from dataclasses import dataclass

from helmgen.components import PARENT, Component
from helmgen.errors import Problem
from helmgen.paths import format_path
from helmgen.translate.components import ComponentSpec


@dataclass(frozen=True)
class Release:
    name: str
    component: Component
    chart: str
    namespace: str
    needs: tuple[str, ...]
    order: int                 # 1 = first wave; releases of one wave may run in parallel
    spec: ComponentSpec

    @property
    def values_file(self) -> str:
        return f"{self.name}.values.yaml"


def release_name(cs: ComponentSpec, revision: str) -> str:
    """istiod-<revision> whenever values.revision is set (also "default": the chart then names its
    objects istiod-default); gateways by their name; the others by the component table."""
    if cs.info.component is Component.PILOT and revision:
        return f"istiod-{revision}"
    if cs.info.multi:
        return cs.gateway_name
    return cs.info.release


def build_plan(specs: list[ComponentSpec], revision: str, iop_namespace: str) -> tuple[list[Release], list[Problem]]:
    """Releases in component order. A release needs its nearest enabled ancestor in the install graph
    (a gateway without istiod needs istio-base); its order is one more than what it needs."""
    names = {cs.info.component: release_name(cs, revision) for cs in specs if not cs.info.multi}
    releases: list[Release] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], ComponentSpec] = {}
    orders: dict[str, int] = {}
    for cs in specs:
        name = release_name(cs, revision)
        namespace = iop_namespace if cs.info.component is Component.BASE else cs.namespace
        parent = PARENT[cs.info.component]
        while parent is not None and parent not in names:
            parent = PARENT[parent]
        needs = (names[parent],) if parent is not None else ()
        order = 1 + max((orders[n] for n in needs), default=0)
        key = (name, namespace)
        if key in seen:
            problems.append(Problem(cs.iop_path + (("name",) if cs.info.multi else ()),
                                    f"release {name!r} in namespace {namespace!r} is also produced by "
                                    f"{format_path(seen[key].iop_path)}; Helm release names must be unique per "
                                    "namespace", fix="give the gateway another name or namespace"))
            continue
        seen[key] = cs
        orders[name] = order
        releases.append(Release(name, cs.info.component, cs.info.chart, namespace, needs, order, cs))
    return releases, problems
