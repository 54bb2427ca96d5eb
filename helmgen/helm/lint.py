"""`helm lint --strict` of a chart folder, its messages as (level, text) pairs."""
from __future__ import annotations

import re
import subprocess

from helmgen.helm.template import Helm, HelmError, helm_env

_LINE = re.compile(r"^\[(ERROR|WARNING|INFO)\]\s*(.*)$")


def lint_chart(helm: Helm, folder: str, strict: bool = True) -> list[tuple[str, str]]:
    """(level, message) for each [ERROR], [WARNING] and [INFO] line helm prints; an [ERROR] line when helm fails
    without saying why. HelmError when helm cannot run at all."""
    argv = [helm.path, "lint", folder] + (["--strict"] if strict else [])
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, env=helm_env())
    except (OSError, subprocess.TimeoutExpired) as e:
        raise HelmError(f"cannot run {helm.path} lint: {e}") from None
    found: list[tuple[str, str]] = []
    for line in proc.stdout.splitlines():
        m = _LINE.match(line.strip())
        if m:
            found.append((m[1], m[2]))
        elif found and line.startswith(" ") and line.strip():   # Helm 4 continues a message on indented lines
            found[-1] = (found[-1][0], f"{found[-1][1]} {line.strip()}")
    if proc.returncode != 0 and not any(level == "ERROR" for level, _ in found):
        text = (proc.stderr or proc.stdout).strip().splitlines()
        found.append(("ERROR", text[-1] if text else f"helm lint exited {proc.returncode}"))
    return found
