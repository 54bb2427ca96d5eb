"""`istioctl manifest generate`, run once per input and cached in .cache/oracle/ (keyed by istio version,
manifests dir, input texts and arguments), for the parity tier."""
from __future__ import annotations

import subprocess
from pathlib import Path

from istioctl_oracle import IstioctlRun, cache_key, read_record, write_record  # tests/oracle/istioctl_oracle.py

CACHE_FORMAT = "generate-v1"


def run_generate(istioctl: Path, manifests: Path, files: list[Path], args: list[str]) -> IstioctlRun:
    key = cache_key(CACHE_FORMAT, [f"{f.name}\0{f.read_text()}" for f in files], args, manifests)
    record = read_record(key)
    if record is not None:
        try:
            return IstioctlRun(**record)
        except TypeError:
            pass  # old record: recompute
    cmd = [str(istioctl), "manifest", "generate", *[a for f in files for a in ("-f", str(f))],
           "--manifests", str(manifests), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    result = IstioctlRun(proc.returncode, proc.stdout, proc.stderr)
    write_record(key, result.__dict__)
    return result
