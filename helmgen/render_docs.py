"""The documents translate writes besides values: plan, helmfile, README (pure)."""
from __future__ import annotations

from helmgen.api import ReleaseValues, Translation
from helmgen.plan import Release


def plan_document(tr: Translation) -> dict:
    return {"releases": [plan_entry(rv.release) for rv in tr.releases]}


def plan_entry(rel: Release) -> dict:
    return {
        "name": rel.name,
        "component": rel.component.value,
        "chart": rel.chart,
        "namespace": rel.namespace,
        "values": rel.values_file,
        "needs": list(rel.needs),
        "order": rel.order,
    }


def chart_ref(rel: Release, charts: str) -> str:
    """Our charts live under `charts`; Istio's are an oci:// reference or a folder path already."""
    return rel.chart if rel.chart.startswith(("oci://", "/")) else f"{charts}/{rel.chart}"


def postrender_file(rel: Release) -> str:
    return f"{rel.name}.postrender.json"


def helmfile(tr: Translation, charts: str) -> dict:
    by_name = {rv.release.name: rv.release for rv in tr.releases}
    releases = []
    for rv in tr.releases:
        rel = rv.release
        entry = {
            "name": rel.name,
            "namespace": rel.namespace,
            "chart": chart_ref(rel, charts),
            "values": [rel.values_file],
            "createNamespace": True,
            "wait": True,
        }
        if tr.chart_version and rel.chart.startswith("oci://"):
            entry["version"] = tr.chart_version
        if rv.postrender is not None:
            entry["postRenderer"] = "helmgen-postrender"
            entry["postRendererArgs"] = [postrender_file(rel)]
        if rel.needs:
            entry["needs"] = [f"{by_name[n].namespace}/{n}" for n in rel.needs]
        releases.append(entry)
    return {"releases": releases}


def helm_command(rv: ReleaseValues, charts: str, version: str) -> str:
    rel = rv.release
    command = (f"helm upgrade --install {rel.name} {chart_ref(rel, charts)} --namespace {rel.namespace} "
               f"--create-namespace -f {rel.values_file} --wait")
    if version and rel.chart.startswith("oci://"):
        command += f" --version {version}"
    if rv.postrender is not None:
        command += f" --post-renderer helmgen-postrender --post-renderer-args {postrender_file(rel)}"
    return command


POST_RENDERER_NOTE = [
    "## The post-renderer",
    "",
    "Istio's charts have no values for the `components.*.k8s` settings of this IstioOperator; istioctl",
    "patches them in after rendering, and helmgen's post-renderer does the same from",
    "`<release>.postrender.json`. With Helm 3, `helmgen-postrender` must be on PATH (it comes with helmgen).",
    "With Helm 4, post-renderers are plugins: run the commands with `HELM_PLUGINS=$PWD/helm-plugins` (the",
    "plugin in this folder runs `helmgen-postrender`), or let `helmgen install` do it.",
    "",
]


OVERLAYS_NOTE = [
    "## The post-renderer",
    "",
    "Our charts carry every `components.*.k8s` setting as a value, except `k8s.overlays` (patches by path into",
    "any rendered object), which only a post-renderer can apply: helmgen's, from `<release>.postrender.json`.",
    "With Helm 3, `helmgen-postrender` must be on PATH (it comes with helmgen). With Helm 4, post-renderers are",
    "plugins: run the commands with `HELM_PLUGINS=$PWD/helm-plugins`, or let `helmgen install` do it.",
    "",
]


def generated_charts_section(tr: Translation) -> list[str]:
    """How to install the generated charts under charts/ with plain Helm, Argo CD or Flux."""
    lines = [
        "## Plain Helm and GitOps: the generated charts",
        "",
        "`charts/<release>/` is our chart with this IstioOperator's values as its defaults (its version ends in",
        "`+iop.<hash>` of the IstioOperator), and `charts/<release>-<version>.tgz` the same chart packaged. Installing",
        "them in this order, with no values and no helmgen, gives what `helmgen install` gives. An Argo CD",
        "Application or a Flux HelmRelease can point at the folder (one per release, in the order below).",
        "",
        "```sh",
    ]
    for step in sorted({rv.release.order for rv in tr.releases}):
        lines += [f"helm upgrade --install {rv.release.name} charts/{rv.release.name} --namespace "
                  f"{rv.release.namespace} --create-namespace --wait" for rv in tr.releases if rv.release.order == step]
    lines += ["```", ""]
    overlaid = [rv.release.name for rv in tr.releases if rv.postrender is not None]
    if overlaid:
        lines += [f"Not carried by the generated charts: the `k8s.overlays` of {', '.join(overlaid)}. Plain Helm",
                  "without helmgen's post-renderer (and Argo CD or Flux, which cannot post-render) installs these",
                  "releases without those patches; use the commands above with the post-renderer instead.", ""]
    return lines


def readme(tr: Translation, charts: str) -> str:
    lines = [
        "# Helm releases for this IstioOperator",
        "",
        "Generated by helmgen. Install the releases in this order (releases of the same step may run",
        "in parallel); each step waits for the one before. `helmgen install` or `helmfile apply` do the same.",
        "",
    ]
    for step in sorted({rv.release.order for rv in tr.releases}):
        lines.append(f"## Step {step}")
        lines.append("")
        lines.append("```sh")
        lines += [helm_command(rv, charts, tr.chart_version) for rv in tr.releases if rv.release.order == step]
        lines.append("```")
        lines.append("")
    if any(rv.postrender is not None for rv in tr.releases):
        lines += OVERLAYS_NOTE if not tr.chart_version else POST_RENDERER_NOTE
    if not tr.chart_version:
        lines += generated_charts_section(tr)
    if tr.warnings:
        lines.append("## Warnings")
        lines.append("")
        lines += [f"- {w.without_location()}" for w in tr.warnings]
        lines.append("")
    return "\n".join(lines)
