"""docs/charts.md is what scripts/gen-chart-docs writes from the schemas and the intended differences."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_docs_charts_md_is_up_to_date():
    fresh = subprocess.run([sys.executable, str(ROOT / "tests" / "equivalence" / "chart_docs.py")], check=True,
                           capture_output=True, text=True).stdout
    assert (ROOT / "docs" / "charts.md").read_text() == fresh, "run scripts/gen-chart-docs"


def test_every_value_of_every_chart_has_a_description():
    from helmgen.chartdocs import values_reference
    from helmgen import api
    for chart in ("istio-base", "istiod", "gateways", "istio-cni", "ztunnel"):
        rows = [r for r in values_reference(chart, api.chart_schema(chart), api.chart_defaults(chart))
                if r.startswith("| `")]
        assert rows and all(not r.rstrip().endswith("|  |") for r in rows), [r for r in rows if r.endswith("|  |")][:3]
