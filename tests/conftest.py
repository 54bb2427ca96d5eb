import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def iop_file(tmp_path):
    """Write an IstioOperator (YAML text, dedented) to a file and return its path."""
    counter = {"n": 0}

    def make(text: str, name: str | None = None) -> Path:
        counter["n"] += 1
        path = tmp_path / (name or f"iop{counter['n']}.yaml")
        path.write_text(textwrap.dedent(text))
        return path
    return make
