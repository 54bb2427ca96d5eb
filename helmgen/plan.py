"""Releases, their order and needs (PRODUCT.md): pure data built from the enabled component specs."""
from __future__ import annotations

from dataclasses import dataclass

from helmgen.components import PARENT, Component
from helmgen.errors import Problem
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
    if cs.info.component is Component.PILOT and revision and revision != "default":
        return f"istiod-{revision}"
    if cs.info.multi:
        return cs.gateway_name
    return cs.info.release


def build_plan(specs: list[ComponentSpec], revision: str, iop_namespace: str) -> tuple[list[Release], list[Problem]]:
    names = {cs.info.component: release_name(cs, revision) for cs in specs if not cs.info.multi}
    releases: list[Release] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], ComponentSpec] = {}
    for cs in specs:
        name = release_name(cs, revision)
        namespace = iop_namespace if cs.info.component is Component.BASE else cs.namespace
        parent = PARENT[cs.info.component]
        needs = (names[parent],) if parent in names else ()
        order = 1 if parent is None else 2 if PARENT[parent] is None else 3
        key = (name, namespace)
        if key in seen:
            problems.append(Problem(cs.iop_path + (("name",) if cs.info.multi else ()),
                                    f"release {name!r} in namespace {namespace!r} is also produced by "
                                    f"{_where(seen[key])}; Helm release names must be unique per namespace",
                                    fix="give the gateway another name or namespace"))
            continue
        seen[key] = cs
        releases.append(Release(name, cs.info.component, cs.info.chart, namespace, needs, order, cs))
    return releases, problems


def _where(cs: ComponentSpec) -> str:
    from helmgen.paths import format_path
    return format_path(cs.iop_path)
