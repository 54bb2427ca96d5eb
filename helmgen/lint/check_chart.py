"""A chart folder: `helm lint --strict` on the helm helmgen finds (HG050)."""
from __future__ import annotations

import time

from helmgen.helm import find_helm
from helmgen.helm.lint import lint_chart
from helmgen.lint.findings import FileResult, Finding, Level


def lint_chart_folder(folder: str, strict: bool = True, helm_path: str | None = None) -> FileResult:
    started = time.monotonic()
    found = lint_chart(find_helm(helm_path), folder, strict=True)
    findings = [Finding("HG050", Level.ERROR if level == "ERROR" else Level.WARNING, f"helm lint: {text}", folder)
                for level, text in found if level in ("ERROR", "WARNING")]
    return FileResult(folder, "chart", findings, ("HG050",), time.monotonic() - started)
