"""The file format of the post-processing golden cases, shared by their test and by
scripts/regen_postprocess_golden.py (one place that knows how a case folder is read and written).

A case folder holds:
  input.yaml     the IstioOperator (line 1: `# <what the case covers>`)
  rendered.yaml  the objects Helm rendered for the component, only those its k8s block can touch
  expected.yaml  the same objects (same order) as `istioctl manifest generate` printed them: the oracle
  target.json    whom the k8s block patches and with what: `component`, `target` (Target fields), `base`
                 (IstioOperator path of the k8s block), `k8s` (the raw map), `warnings` (IstioOperator paths
                 helmgen must warn about), `noop` (why istioctl changes nothing, or "" when it must change)
"""
from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from helmgen.postprocess.stream import dump_objects, load_stream

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "oracle"))  # also when the regeneration script imports this module
from istioctl_oracle import strict_data  # noqa: E402  (comparison shared with the oracle and parity tiers)
FILES = ("input.yaml", "rendered.yaml", "expected.yaml", "target.json")
TARGET_KEYS = ("about", "component", "target", "base", "k8s", "warnings", "noop")


def case_dirs(root: Path = HERE) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "target.json").is_file())


def same(a: Any, b: Any) -> bool:
    """Equal as data, every type strictly, lists (and so object order) included."""
    return strict_data(a) == strict_data(b)


def objects_text(objects: list[dict], header: str) -> str:
    lines = "".join(f"# {line}\n" for line in header.splitlines())
    return lines + dump_objects(objects)


def read_objects(path: Path) -> list[dict]:
    return load_stream(path.read_text())


def target_text(data: dict) -> str:
    return json.dumps({k: data[k] for k in TARGET_KEYS}, indent=2, ensure_ascii=False) + "\n"


def read_target(path: Path) -> dict:
    data = json.loads(path.read_text())
    missing = [k for k in TARGET_KEYS if k not in data]
    assert not missing, f"{path}: missing keys {missing}"
    return data


def ident(obj: dict) -> tuple:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return (obj.get("apiVersion"), obj.get("kind"), meta.get("namespace") or "", meta.get("name"))


def diff(expected: list[dict], actual: list[dict], a: str = "istioctl", b: str = "helmgen") -> str:
    """A unified diff of two object lists, object by object, keys sorted."""
    left = dump_objects(expected).splitlines()
    right = dump_objects(actual).splitlines()
    return "\n".join(difflib.unified_diff(left, right, a, b, lineterm="", n=4))
