"""Fixtures of the oracle tier (helpers live in istioctl_oracle.py; `istioctl` and `istio_manifests` are in
tests/conftest.py, shared with the parity tier).

`istioctl` and `istio_manifests` never skip: when istioctl cannot be built, every oracle test FAILS with the build's
output, because an oracle that silently disappears proves nothing.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from istioctl_oracle import TranslateResult, run_translate


@pytest.fixture(scope="session")
def translate(istioctl, istio_manifests):
    """translate(input_file or [files...], args) -> TranslateResult (cached in .cache/oracle/)."""
    def _translate(input_files, args: list[str] | None = None) -> TranslateResult:
        files = [Path(input_files)] if isinstance(input_files, (str, Path)) else [Path(f) for f in input_files]
        return run_translate(istioctl, istio_manifests, files, list(args or []))
    return _translate
