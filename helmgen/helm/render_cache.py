"""A cache of `helm template` output, keyed by everything the output depends on.

`helm template` of a local chart is a pure function of the helm binary (its version), the chart's files, the
release name, namespace, kube version and flags, and the values. Istio's base chart spends a quarter of a second
re-parsing its 1 MB of CRDs on every render, the same for every IstioOperator that leaves base alone; the cache
keeps such renders under $XDG_CACHE_HOME/helmgen/renders (HELMGEN_RENDER_CACHE=DIR elsewhere, `off` to disable).

A chart whose templates call something not determined by those inputs (random values, the clock, generated
keys, cluster lookups) is never cached. Entries are written atomically; a damaged or unreadable entry is a
miss; when the folder passes MAX_BYTES the oldest entries go.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

MAX_BYTES = 256 << 20
# a call of a function whose result the inputs do not determine: after `{{`, `(` or `|` (not `.Values.now`)
_IMPURE = re.compile(r"(\{\{-?|\(|\|)\s*(rand(Alpha|Numeric|AlphaNum|Ascii|Int|Bytes)|now|genCA\w*|genSelfSignedCert\w*|"
                     r"genSignedCert\w*|genPrivateKey|derivePassword|uuidv4|lookup|getHostByName)\b")
_SKIP = {".git", "__pycache__"}


def cache_dir() -> Path | None:
    setting = os.environ.get("HELMGEN_RENDER_CACHE", "")
    if setting.lower() in ("off", "0", "false", "no"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "helmgen" / "renders"


_digests: dict[tuple, str | None] = {}


def _chart_files(root: Path) -> list[tuple[str, Path, int, int]]:
    """(relative name, path, size, mtime) of the chart's files, in a stable order."""
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP)
        for name in sorted(files):
            path = Path(folder) / name
            st = path.stat()
            out.append((path.relative_to(root).as_posix(), path, st.st_size, st.st_mtime_ns))
    return out


def chart_digest(chart: str) -> str | None:
    """sha256 of the chart's files (names and contents), or None when a template is not a pure function.

    Remembered per process while no file's size or mtime changes (50 gateways share one chart)."""
    root = Path(chart)
    try:
        files = _chart_files(root)
        seen = (str(root.resolve()), tuple((rel, size, mtime) for rel, _, size, mtime in files))
        if seen in _digests:
            return _digests[seen]
        h = hashlib.sha256()
        digest: str | None = None
        for rel, path, _, _ in files:
            data = path.read_bytes()
            if rel.startswith("templates/") and _IMPURE.search(data.decode("utf-8", "replace")):
                break
            h.update(rel.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
        else:
            digest = h.hexdigest()
    except OSError:
        return None
    _digests[seen] = digest
    return digest


def render_key(helm_version: tuple[int, int, int], helm_path: str, chart: str, argv_tail: list[str],
               values: dict) -> str | None:
    """The cache key of one render, or None when it is not cached (cache off, impure chart, helm unreadable)."""
    if cache_dir() is None:
        return None
    digest = chart_digest(chart)
    if digest is None:
        return None
    try:
        st = os.stat(helm_path)
    except OSError:
        return None
    material = json.dumps([list(helm_version), os.path.realpath(helm_path), st.st_size, st.st_mtime_ns, digest,
                           argv_tail, values], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(material.encode()).hexdigest()


def get(key: str | None) -> str | None:
    folder = cache_dir()
    if key is None or folder is None:
        return None
    path = folder / f"{key}.yaml"
    try:
        text = path.read_text(encoding="utf-8")
        os.utime(path)   # recently used: pruned last
    except (OSError, UnicodeDecodeError):
        return None
    return text


def put(key: str | None, text: str) -> None:
    folder = cache_dir()
    if key is None or folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".render.")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, folder / f"{key}.yaml")
        _prune(folder)
    except OSError:
        pass   # a cache that cannot be written only costs time


def _prune(folder: Path) -> None:
    entries = []
    for path in folder.glob("*.yaml"):
        try:
            st = path.stat()
        except OSError:
            continue
        entries.append((st.st_mtime, st.st_size, path))
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= MAX_BYTES:
            break
        try:
            path.unlink()
            total -= size
        except OSError:
            pass
