"""The intended differences between our charts and Istio's: tests/equivalence/intended/<chart>.yaml, each entry
{kind, name, path, reason}; docs/charts.md lists them (a test keeps the two in sync)."""
from __future__ import annotations

from pathlib import Path

import yaml

from behaviour import Intended, load_intended

FOLDER = Path(__file__).resolve().parent / "intended"


def intended_for(chart: str) -> list[Intended]:
    path = FOLDER / f"{chart}.yaml"
    return load_intended([yaml.safe_load(path.read_text())]) if path.is_file() else []
