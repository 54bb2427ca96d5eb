"""Fixtures of the oracle tier (helpers live in istioctl_oracle.py).

`istioctl` and `istio_manifests` never skip: when istioctl cannot be built, every oracle test FAILS with the build's
output, because an oracle that silently disappears proves nothing.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from istioctl_oracle import BUILD_SCRIPT, TranslateResult, _run_build_script, run_translate


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


@pytest.fixture(scope="session")
def translate(istioctl, istio_manifests):
    """translate(input_file or [files...], args) -> TranslateResult (cached in .cache/oracle/)."""
    def _translate(input_files, args: list[str] | None = None) -> TranslateResult:
        files = [Path(input_files)] if isinstance(input_files, (str, Path)) else [Path(f) for f in input_files]
        return run_translate(istioctl, istio_manifests, files, list(args or []))
    return _translate
