"""`istioctl manifest generate`, run once per input and cached in .cache/oracle/ (keyed by istio version,
manifests dir, input texts and arguments), for the parity tier."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from istioctl_oracle import ORACLE_CACHE, istio_version  # tests/oracle/istioctl_oracle.py

CACHE_FORMAT = "generate-v1"


@dataclass
class GenerateResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def error(self) -> str:
        return (self.stderr.strip() or self.stdout.strip())[-3000:]


def _key(texts: list[str], args: list[str], manifests: Path) -> str:
    h = hashlib.sha256()
    for part in (CACHE_FORMAT, istio_version(), str(manifests), *texts, "\0".join(args)):
        h.update(part.encode())
        h.update(b"\0\1\0")
    return h.hexdigest()[:32]


def run_generate(istioctl: Path, manifests: Path, files: list[Path], args: list[str]) -> GenerateResult:
    key = _key([f"{f.name}\0{f.read_text()}" for f in files], args, manifests)
    cache_file = ORACLE_CACHE / f"{key}.json"
    if cache_file.is_file():
        try:
            return GenerateResult(**json.loads(cache_file.read_text()))
        except (ValueError, TypeError):
            pass
    cmd = [str(istioctl), "manifest", "generate", *[a for f in files for a in ("-f", str(f))],
           "--manifests", str(manifests), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    result = GenerateResult(proc.returncode, proc.stdout, proc.stderr)
    ORACLE_CACHE.mkdir(parents=True, exist_ok=True)
    tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(result.__dict__, ensure_ascii=False))
    tmp.replace(cache_file)
    return result
