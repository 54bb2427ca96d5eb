"""docs/charts.md, generated: how our charts relate to Istio's, the intended differences (from
tests/equivalence/intended/*.yaml) and the values reference (`helmgen docs`). Printed to stdout."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHARTS = ("istio-base", "istiod", "gateways", "istio-cni", "ztunnel")

HEADER = """# helmgen's charts

helmgen installs Istio with five charts of its own, written for helmgen (not copied from Istio's):
`charts/istio-base` (CRDs, reader RBAC, the default validating webhook), `charts/istiod` (one control plane
revision, its injector and webhooks), `charts/gateways` (one ingress or egress gateway per release),
`charts/istio-cni` and `charts/ztunnel` (node agents for the CNI plugin and ambient mode).

They read the same values as Istio's charts (after Istio's own profile flattening), so `helmgen translate` writes
one values file that fits both. They also carry every `components.*.k8s` setting of an IstioOperator as the value
`k8s` (same shape as in the IstioOperator, `overlays` aside), applied to the object it names exactly as istioctl
applies it; only `k8s.overlays` still needs helmgen's post-renderer. So `helm`, Argo CD or Flux can install them
without helmgen: `helmgen translate -o OUTDIR` writes a ready chart per release under `OUTDIR/charts/`.

Their defaults are not in `values.yaml` but in `files/defaults.yaml`, and each chart builds its settings at render
time in layers, as Istio's charts do: chart defaults < (gateways: an egress gateway's own defaults) < helm-side
profile (`profile`, else `global.profile`) < `compatibilityVersion` < platform (`platform`, else
`global.platform`) < the release's values (`files/layers.yaml` holds the profile, compatibility and platform
layers). So every value a release gives wins, even one equal to a default, and a null removes the default or
layer value beneath it.

The equivalence tier (`tests/equivalence`, part of `make test`) renders every IstioOperator of the parity corpus,
the example and every profile with our charts and with Istio's, through helmgen on Helm 3 and Helm 4, and compares
the objects (kind, namespace, name) and everything that decides their behaviour. `scripts/equiv` shows the
differences for one chart or input while working on a chart.

## Intended differences

What differs on purpose between our charts and Istio's for the same values; every other difference fails the
equivalence tier. Not compared at all: the labels `helm.sh/chart`, `app.kubernetes.io/version` and
`app.kubernetes.io/managed-by`, CRD schema text, webhook `caBundle` (istiod writes it), and the text of the
injection templates (their output is compared instead, by `tests/injection`).
"""


def intended_section() -> list[str]:
    lines = ["", "| chart | object | path | why |", "| --- | --- | --- | --- |"]
    count = 0
    for chart in CHARTS:
        path = HERE / "intended" / f"{chart}.yaml"
        for entry in (yaml.safe_load(path.read_text()) or []) if path.is_file() else []:
            count += 1
            lines.append(f"| {chart} | {entry['kind']} `{entry['name']}` | `{entry['path']}` | "
                         f"{' '.join(str(entry['reason']).split())} |")
    return lines if count else ["", "None."]


def main() -> None:
    reference = subprocess.run([str(ROOT / ".venv" / "bin" / "helmgen"), "docs"], check=True, capture_output=True,
                               text=True).stdout
    text = "\n".join([HEADER.rstrip("\n"), *intended_section(), "", "## Values reference", "",
                      "Generated from each chart's `values.schema.json` and defaults (`files/defaults.yaml`) by "
                      "`helmgen docs`.", "",
                      reference.rstrip("\n")]) + "\n"
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
