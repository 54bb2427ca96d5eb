import pytest

from chart_kit import helm_path


@pytest.fixture(params=["3", "4"], ids=["helm3", "helm4"])
def helm(request) -> str:
    """The path of helm 3, then of helm 4 (chart_kit.helm_path)."""
    return helm_path(request.param)
