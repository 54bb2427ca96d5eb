"""Rules for what our charts may contain, from Helm bugs that a render would only show on one helm version."""
from pathlib import Path

CHARTS = Path(__file__).resolve().parents[2] / "charts"


def test_no_chart_file_holds_six_dashes_in_a_row():
    """Helm 4.1.4, whenever a post-renderer runs, re-splits every template's output and takes any "---" that
    follows another "---" for a document start (pkg/action/action.go fixDocSeparators): a line such as
    `{{- /* ------ Service */}}` inside an injection template, embedded in a ConfigMap, then breaks the render
    ("wrong node kind"). Separators of three dashes are fine."""
    found = [f"{p.relative_to(CHARTS)}:{n}" for p in sorted(CHARTS.rglob("*")) if p.is_file()
             for n, line in enumerate(p.read_text(errors="replace").splitlines(), 1) if "------" in line]
    assert not found, found
