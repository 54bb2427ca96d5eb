"""The shared chart helpers in charts/_lib/: each workload chart carries an identical copy of the k8s helper, and each
layered chart one of the values helper (scripts/sync-chart-lib); the strategic-merge metadata the k8s helper reads is
generated from helmgen/data/patch_meta.json."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIB = sorted((ROOT / "charts" / "_lib").glob("*.tpl"))
K8S_LIB = [p for p in LIB if p.name.startswith("_helmgen_k8s")]
VALUES_LIB = [p for p in LIB if p.name == "_helmgen_values.tpl"]
WORKLOAD_CHARTS = ["istiod", "gateways", "istio-cni", "ztunnel"]
LAYERED_CHARTS = ["istio-base", "istiod", "gateways", "istio-cni", "ztunnel"]   # defaults in files/defaults.yaml


def test_the_helpers_and_the_k8s_metadata_are_there():
    assert {p.name for p in LIB} >= {"_helmgen_k8s.tpl", "_helmgen_k8s_meta.tpl", "_helmgen_values.tpl"}


def _stale(chart: str, lib: list[Path]) -> list[str]:
    return [p.name for p in lib if not (ROOT / "charts" / chart / "templates" / p.name).is_file()
            or (ROOT / "charts" / chart / "templates" / p.name).read_bytes() != p.read_bytes()]


@pytest.mark.parametrize("chart", ["istio-base", "istiod", "gateways", "istio-cni", "ztunnel"])
def test_each_chart_carries_the_current_copies(chart):
    lib = (K8S_LIB if chart in WORKLOAD_CHARTS else []) + (VALUES_LIB if chart in LAYERED_CHARTS else [])
    stale = _stale(chart, lib)
    assert not stale, f"charts/{chart}/templates: {stale} differ from charts/_lib; run scripts/sync-chart-lib"
    if chart in LAYERED_CHARTS:
        assert (ROOT / "charts" / chart / "files" / "defaults.yaml").is_file()
        assert (ROOT / "charts" / chart / "files" / "layers.yaml").is_file()


def test_istio_base_has_no_workload_and_no_copy():
    assert not (ROOT / "charts" / "istio-base" / "templates" / "_helmgen_k8s.tpl").exists()


def test_metadata_is_generated_from_patch_meta():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_k8s_helper_meta.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
