"""`helm lint --strict` is clean for each of our charts on Helm 3.18 and Helm 4.1: with the chart's defaults and
with the values helmgen writes for the example IstioOperator and for the ambient profile."""
import os
import subprocess
from pathlib import Path

import pytest

from helmgen import api
from helmgen.output import dump_yaml

ROOT = Path(__file__).resolve().parents[2]
CHARTS = ("istio-base", "istiod", "gateways", "istio-cni", "ztunnel")


@pytest.fixture(params=["HELMGEN_HELM3", "HELMGEN_HELM4"], ids=["helm3", "helm4"])
def helm(request):
    path = os.environ.get(request.param)
    assert path and Path(path).is_file(), f"{request.param} must name a helm binary (make test sets it up)"
    return path


def _lint(helm: str, chart: Path, values: Path | None = None, namespace: str = "istio-system") -> None:
    args = [helm, "lint", "--strict", str(chart), "--namespace", namespace] + (["-f", str(values)] if values else [])
    proc = subprocess.run(args, capture_output=True, text=True)
    assert proc.returncode == 0 and "[WARNING]" not in proc.stdout and "[ERROR]" not in proc.stdout, \
        proc.stdout + proc.stderr


@pytest.mark.parametrize("chart", CHARTS)
def test_lint_strict_with_the_charts_defaults(helm, chart):
    _lint(helm, api.charts_dir() / chart)


@pytest.mark.parametrize("source", ["example", "ambient"])
def test_lint_strict_with_translated_values(helm, source, tmp_path):
    iop = ROOT / "examples" / "istio-operator.yaml"
    if source == "ambient":
        iop = tmp_path / "iop.yaml"
        iop.write_text("apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: ambient\n")
    tr = api.translate(api.Options((str(iop),)))
    for rv in tr.releases:
        values = tmp_path / rv.release.values_file
        values.write_text(dump_yaml(rv.values))
        _lint(helm, api.charts_dir() / rv.release.chart, values, rv.release.namespace)
