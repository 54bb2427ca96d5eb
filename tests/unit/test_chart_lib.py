"""The shared chart helpers in charts/_lib/: each workload chart carries an identical copy (scripts/sync-chart-lib),
and the strategic-merge metadata the k8s helper reads is generated from helmgen/data/patch_meta.json."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIB = sorted((ROOT / "charts" / "_lib").glob("*.tpl"))


def test_the_k8s_helper_and_its_metadata_are_there():
    assert {p.name for p in LIB} >= {"_helmgen_k8s.tpl", "_helmgen_k8s_meta.tpl"}


@pytest.mark.parametrize("chart", ["istiod", "gateways", "istio-cni", "ztunnel"])
def test_each_workload_chart_carries_the_current_copies(chart):
    stale = [p.name for p in LIB if not (ROOT / "charts" / chart / "templates" / p.name).is_file()
             or (ROOT / "charts" / chart / "templates" / p.name).read_bytes() != p.read_bytes()]
    assert not stale, f"charts/{chart}/templates: {stale} differ from charts/_lib; run scripts/sync-chart-lib"


def test_istio_base_has_no_workload_and_no_copy():
    assert not (ROOT / "charts" / "istio-base" / "templates" / "_helmgen_k8s.tpl").exists()


def test_metadata_is_generated_from_patch_meta():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_k8s_helper_meta.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
