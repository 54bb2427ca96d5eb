import os
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "oracle"))  # istioctl_oracle: shared by the oracle and parity tiers

from istioctl_oracle import BUILD_SCRIPT, _run_build_script  # noqa: E402



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


@pytest.fixture(scope="session")
def istioctl() -> Path:
    try:
        path = Path(_run_build_script())
    except RuntimeError as exc:
        pytest.fail(f"cannot build istioctl for the oracle tests:\n{exc}", pytrace=False)
    if not os.access(path, os.X_OK):
        pytest.fail(f"{BUILD_SCRIPT} printed {path}, which is not an executable istioctl", pytrace=False)
    return path


@pytest.fixture(scope="session")
def istio_manifests() -> Path:
    try:
        path = Path(_run_build_script("--manifests", timeout=1800))
    except RuntimeError as exc:
        pytest.fail(f"cannot locate the istio module's manifests/ dir:\n{exc}", pytrace=False)
    if not (path / "profiles" / "default.yaml").is_file():
        pytest.fail(f"{path} does not look like an Istio manifests/ dir (no profiles/default.yaml)", pytrace=False)
    return path
