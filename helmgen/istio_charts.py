"""Values for an Istio release's own charts (`--manifests DIR`): what istioctl hands to Helm, per release.

Each release gets its component's full values tree (facts 4.3), so Istio's charts render exactly what
`istioctl manifest generate` renders, except the `components.*.k8s` settings: istioctl applies those after
rendering, and so does helmgen's post-renderer, from the `postrender` spec kept with each release.
base, istiod, cni and ztunnel are published at oci://registry.istio.io/release/charts; the legacy gateway
charts are not, so gateways use the chart folder under DIR.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path as FsPath

from helmgen import iop
from helmgen.api import ReleaseValues, Resolved, Translation
from helmgen.components import Component
from helmgen.errors import InputError, Problem
from helmgen.plan import build_plan
from helmgen.postprocess.k8s_patches import Target
from helmgen.postprocess.stream import release_spec
from helmgen.translate.components import ComponentSpec, component_values
from helmgen.values import get_path

REGISTRY = "oci://registry.istio.io/release/charts"
PUBLISHED = {Component.BASE: "base", Component.PILOT: "istiod", Component.CNI: "cni", Component.ZTUNNEL: "ztunnel"}


def target_of(cs: ComponentSpec, revision: str) -> Target:
    """The objects a component's k8s settings patch (facts 5: pilot's name carries the revision)."""
    name = cs.name or cs.info.resource_name
    if cs.info.component is Component.PILOT and revision not in ("", "default"):
        name = f"{name}-{revision}"
    return Target(cs.info.resource_kind, name, cs.info.container, cs.info.multi)


def chart_folder(package: str, cs: ComponentSpec) -> FsPath:
    """The component's chart under DIR; InputError naming the folder when it is not there."""
    chart = FsPath(package) / "charts" / cs.info.istio_chart
    if not (chart / "Chart.yaml").is_file():
        raise InputError([Problem(("spec", "installPackagePath"), f"{chart} is not a chart: the manifests folder "
                                  f"{package} has no charts/{cs.info.istio_chart}",
                                  fix="point --manifests at an Istio release's manifests/ folder")])
    return chart


def chart_version(chart: FsPath) -> str:
    try:
        meta = iop.parse_yaml((chart / "Chart.yaml").read_text(), str(chart / "Chart.yaml"))
    except (OSError, InputError):
        return ""
    version = meta.get("version") if isinstance(meta, dict) else None
    return str(version) if version is not None else ""


def translate_for_istio_charts(resolved: Resolved, package: str) -> Translation:
    releases, problems = build_plan(resolved.specs, resolved.revision, resolved.namespace)
    if problems:
        raise InputError(problems)
    values = get_path(resolved.merged, ("spec", "values"))
    out, version = [], ""
    for rel in releases:
        folder = chart_folder(package, rel.spec)
        published = PUBLISHED.get(rel.component)
        if published:
            version = version or chart_version(folder)
        ref = f"{REGISTRY}/{published}" if published else str(folder.resolve())
        k8s = rel.spec.k8s
        spec = (release_spec(k8s, target_of(rel.spec, resolved.revision).to_json(), (*rel.spec.iop_path, "k8s"))
                if k8s is not None else None)
        out.append(ReleaseValues(replace(rel, chart=ref), component_values(values, rel.spec), spec))
    return Translation(resolved, out, resolved.warnings, version)
