"""Helpers of the oracle tier (tests/oracle), which compares helmgen with a real `istioctl` built from the pinned
Go module istio.io/istio (version in scripts/istio-version).

`scripts/build-istioctl` builds (once, cached under .cache/istioctl/<version>/) and prints the binary; with
`--manifests` it prints the module's `manifests/` directory, with `--module-dir` the module's source dir.

`run_translate` runs `istioctl manifest translate` and caches the result in .cache/oracle/<hash>.json, keyed by the
istio version, the manifests dir, the input text and the arguments, so reruns do not call istioctl again.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = REPO / "scripts" / "build-istioctl"
ORACLE_CACHE = REPO / ".cache" / "oracle"
CACHE_FORMAT = "translate-v1"   # bump when the cached record's shape changes


def istio_version() -> str:
    return (REPO / "scripts" / "istio-version").read_text().strip()


def _run_build_script(*args: str, timeout: float = 3600) -> str:
    """Last stdout line of scripts/build-istioctl; raises RuntimeError with its output on failure."""
    try:
        proc = subprocess.run([str(BUILD_SCRIPT), *args], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(f"{BUILD_SCRIPT} {' '.join(args)} could not run: {exc}") from exc
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"{BUILD_SCRIPT} {' '.join(args)} failed (exit {proc.returncode}).\n"
            f"--- stdout (tail) ---\n{proc.stdout[-3000:]}\n--- stderr (tail) ---\n{proc.stderr[-6000:]}")
    return lines[-1]


def istio_module_dir() -> Path:
    """The module's source dir (go mod download). Used at collection time to list upstream test inputs."""
    path = Path(_run_build_script("--module-dir", timeout=1800))
    if not path.is_dir():
        raise RuntimeError(f"{BUILD_SCRIPT} --module-dir printed {path}, which is not a directory")
    return path


# --------------------------------------------------------------------------------------------- YAML loading

class _GoYamlLoader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: istioctl (Go) keeps `2024-01-01` as a string."""


_GoYamlLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_go_yaml(text: str):
    return yaml.load(text, Loader=_GoYamlLoader)


# --------------------------------------------------------------------------------------- istioctl translate

_README_COMPONENT = re.compile(r"^\* (✅|❌) \*\*Component `([^`]*)`\*\*")


@dataclass
class IstioctlRun:
    """One istioctl command's exit code and output (what `manifest generate` records)."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def error(self) -> str:
        return (self.stderr.strip() or self.stdout.strip())[-4000:]


@dataclass
class TranslateResult(IstioctlRun):
    values_text: dict[str, str] = field(default_factory=dict)   # component name -> <name>-values.yaml text
    supported: list[str] = field(default_factory=list)          # README ✅ components (values written)
    unsupported: list[str] = field(default_factory=list)        # README ❌ components (gateways: nothing written)
    cached: bool = False

    def values(self) -> dict[str, object]:
        return {name: load_go_yaml(text) for name, text in self.values_text.items()}


def cache_key(fmt: str, input_texts: list[str], args: list[str], manifests: Path) -> str:
    """The key of one istioctl run: record format, istio version, manifests dir, inputs and arguments."""
    h = hashlib.sha256()
    for part in (fmt, istio_version(), str(manifests), *input_texts, "\0".join(args)):
        h.update(part.encode())
        h.update(b"\0\1\0")
    return h.hexdigest()[:32]


def translate_cache_key(input_texts: list[str], args: list[str], manifests: Path) -> str:
    return cache_key(CACHE_FORMAT, input_texts, args, manifests)


def read_record(key: str) -> dict | None:
    """A cached istioctl run (.cache/oracle/<key>.json), or None when absent or unreadable."""
    try:
        record = json.loads((ORACLE_CACHE / f"{key}.json").read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def write_record(key: str, record: dict) -> None:
    ORACLE_CACHE.mkdir(parents=True, exist_ok=True)
    target = ORACLE_CACHE / f"{key}.json"
    tmp_file = target.with_suffix(f".{os.getpid()}.tmp")
    tmp_file.write_text(json.dumps(record, indent=1, ensure_ascii=False))
    tmp_file.replace(target)


def strict_data(value):
    """Data with types made visible, so that 1 != 1.0 != True != "1" when compared (numbers by value)."""
    if isinstance(value, dict):
        return {k: strict_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strict_data(v) for v in value]
    return (type(value).__name__ if not isinstance(value, (int, float)) or isinstance(value, bool) else "num",
            value)


def run_translate(istioctl: Path, manifests: Path, input_files: list[Path], args: list[str]) -> TranslateResult:
    """`istioctl manifest translate -f IN1 [-f IN2...] --manifests M ARGS -o TMP`, cached per inputs+args+version."""
    key = translate_cache_key([f"{f.name}\0{f.read_text()}" for f in input_files], args, manifests)
    record = read_record(key)
    if record is not None:
        try:
            return TranslateResult(**record, cached=True)
        except TypeError:
            pass  # old record: recompute
    with tempfile.TemporaryDirectory(prefix="oracle-translate-") as tmp:
        out = Path(tmp) / "out"
        out.mkdir()   # translate -o does not create the directory
        files = [a for f in input_files for a in ("-f", str(f))]
        cmd = [str(istioctl), "manifest", "translate", *files, "--manifests", str(manifests), *args, "-o", str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        result = TranslateResult(proc.returncode, proc.stdout, proc.stderr)
        if proc.returncode == 0:
            for f in sorted(out.glob("*-values.yaml")):
                result.values_text[f.name[: -len("-values.yaml")]] = f.read_text()
            readme = out / "README.md"
            for line in (readme.read_text().splitlines() if readme.is_file() else []):
                m = _README_COMPONENT.match(line)
                if m:
                    (result.supported if m.group(1) == "✅" else result.unsupported).append(m.group(2))
    write_record(key, {k: v for k, v in result.__dict__.items() if k != "cached"})
    return result
