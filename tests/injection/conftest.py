"""The injection tier: our istiod chart's injection templates against Istio's (see injection_harness.py).

`istioctl` and `istio_manifests` come from tests/conftest.py and FAIL (never skip) when istioctl cannot be
built; `injrender` builds tests/injection/injrender the same way.
"""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from injection_harness import build_injrender  # noqa: E402


@pytest.fixture(scope="session")
def injrender():
    try:
        return build_injrender()
    except RuntimeError as exc:
        pytest.fail(f"cannot build tests/injection/injrender:\n{exc}", pytrace=False)
