"""Finding helm and `helm template`.

Which helm: `$HELMGEN_HELM`, else `helm` on PATH; its version is checked once (3.14 or newer, or 4.x).
`helm template` is run directly (argv, no shell, values as JSON on stdin) because it is read-only and runs
once per release, in parallel; release operations go through pyhelm3 in releases.py.
"""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path as FsPath
from typing import Any

import yaml

from helmgen.errors import HelmgenError
from helmgen.helm import render_cache

MIN_VERSION = (3, 14, 0)


class HelmError(HelmgenError):
    """helm could not be found, is too old, or failed (exit code 3)."""

    exit_code = 3


class ChartRejected(HelmgenError):
    """The chart itself refused the values (a `fail` or `required` in a template): bad input, exit code 1,
    as istioctl rejects the same IstioOperator."""

    exit_code = 1


_EXECUTION_ERROR = re.compile(r"execution error at \(([^)]*)\): (.*)")


@dataclass(frozen=True)
class Helm:
    path: str
    version: tuple[int, int, int]

    @property
    def major(self) -> int:
        return self.version[0]

    def __str__(self) -> str:
        return f"helm {'.'.join(map(str, self.version))} ({self.path})"


def _version_of(path: str) -> tuple[int, int, int]:
    try:
        proc = subprocess.run([path, "version", "--template", "{{.Version}}"], capture_output=True, text=True,
                              timeout=60, env=helm_env())
    except OSError as e:
        raise HelmError(f"cannot run it: {e.strerror or e}") from None
    except subprocess.TimeoutExpired:
        raise HelmError("`helm version` did not answer in 60 s") from None
    m = re.match(r"v?(\d+)\.(\d+)\.(\d+)", proc.stdout.strip())
    if proc.returncode != 0 or not m:
        said = " ".join((proc.stderr or proc.stdout).split())[:300]
        raise HelmError(f"`helm version` exited {proc.returncode} and printed {said!r}, not a version" if said else
                        f"`helm version` exited {proc.returncode} and printed no version")
    return int(m[1]), int(m[2]), int(m[3])


def _cache_file() -> FsPath:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return FsPath(base) / "helmgen" / "helm-versions.json"


def _cached_version(path: str) -> tuple[int, int, int]:
    """`helm version` costs a process start (~30 ms); remember it per binary (path, size, mtime)."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise HelmError(e.strerror or str(e)) from None
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise HelmError("not an executable file")
    key = f"{os.path.realpath(path)}|{st.st_size}|{st.st_mtime_ns}"
    cache = _cache_file()
    try:
        known = json.loads(cache.read_text())
    except (OSError, ValueError):
        known = {}
    if isinstance(known, dict) and isinstance(known.get(key), list) and len(known[key]) == 3:
        return tuple(int(x) for x in known[key])  # type: ignore[return-value]
    version = _version_of(path)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".helm-versions.")
        with os.fdopen(fd, "w") as f:
            json.dump({**(known if isinstance(known, dict) else {}), key: list(version)}, f)
        os.replace(tmp, cache)
    except OSError:
        pass  # a cache that cannot be written only costs time
    return version


NEEDS = "helmgen needs Helm 3.14 or newer, or 4.x"


@lru_cache(maxsize=None)
def find_helm(explicit: str | None = None) -> Helm:
    """helm from `explicit`, else $HELMGEN_HELM, else PATH; HelmError if missing or older than 3.14.

    Every message is one line naming the helm tried, where it came from, and the versions helmgen takes."""
    if explicit:
        chosen, where = explicit, "given to helmgen"
    elif os.environ.get("HELMGEN_HELM"):
        chosen, where = os.environ["HELMGEN_HELM"], "from $HELMGEN_HELM"
    else:
        chosen, where = shutil.which("helm"), "found on PATH"
        if not chosen:
            searched = os.environ.get("PATH", "")
            searched = searched if len(searched) <= 300 else searched[:300] + "..."
            raise HelmError(f"helm was not found: $HELMGEN_HELM is not set and there is no helm on PATH "
                            f"({searched or 'empty'}); {NEEDS}: install it, or point HELMGEN_HELM at it")
    if os.sep not in chosen:  # HELMGEN_HELM=helm3: a name, looked up on PATH
        chosen = shutil.which(chosen) or chosen
    try:
        version = _cached_version(chosen)
    except HelmError as e:
        raise HelmError(f"cannot use helm {chosen} ({where}): {e}; {NEEDS}") from None
    if version < MIN_VERSION:
        raise HelmError(f"helm {chosen} ({where}) is Helm {'.'.join(map(str, version))}; {NEEDS}: upgrade it, or "
                        f"point HELMGEN_HELM at a newer one")
    return Helm(chosen, version)


def helm_env(extra: dict[str, str] | None = None, render: bool = False) -> dict[str, str]:
    """helm's environment; for a `render` (short-lived, one of several side by side) Go runs on one thread:
    idle threads cost a small chart's render a quarter of its CPU time (gateway: 31 -> 23 ms user)."""
    env = dict(os.environ)
    env.setdefault("HELM_DEBUG", "false")
    if "GOGC" not in env and "GOMEMLIMIT" not in env:  # short-lived renders: collect garbage only near 1 GiB
        env.update({"GOGC": "off", "GOMEMLIMIT": "1GiB"})  # (~20% faster on Istio's base chart)
    if render:
        env.setdefault("GOMAXPROCS", "1")
    env.update(extra or {})
    return env


def template_argv(helm: Helm, chart: str, release: str, namespace: str, kube_version: str | None,
                  extra: list[str] | None = None) -> list[str]:
    """argv of `helm template` with values read from stdin (JSON is YAML)."""
    argv = [helm.path, "template", release, chart, "--namespace", namespace, "--values", "-"]
    if kube_version:
        argv += ["--kube-version", kube_version]
    return argv + list(extra or [])


def _number_defaults(chart_values: Any, given: Any) -> Any:
    """The numbers of a chart's values.yaml (whole lists holding numbers) that `given` does not set."""
    if isinstance(chart_values, dict):
        if given is None:
            given = {}
        if not isinstance(given, dict):
            return None  # the user's value replaces this whole map
        out = {}
        for key, default in chart_values.items():
            if key in given and not isinstance(given[key], dict):
                continue
            found = _number_defaults(default, given.get(key))
            if found not in (None, {}):
                out[key] = found
        return out
    if isinstance(chart_values, (int, float)) and not isinstance(chart_values, bool):
        return chart_values
    if isinstance(chart_values, list) and _holds_number(chart_values):
        return chart_values
    return None


def _holds_number(node: Any) -> bool:
    if isinstance(node, dict):
        return any(_holds_number(v) for v in node.values())
    if isinstance(node, list):
        return any(_holds_number(v) for v in node)
    return isinstance(node, (int, float)) and not isinstance(node, bool)


def _merge_missing(values: dict, extra: dict) -> dict:
    out = dict(values)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge_missing(out[key], value)
        elif key not in out:
            out[key] = value
    return out


_defaults: dict[tuple[str, int, int], Any] = {}
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present


def _chart_defaults(path: FsPath) -> Any:
    """A chart's parsed values.yaml (None if unreadable), remembered while its size and mtime stay."""
    try:
        st = path.stat()
        seen = (str(path), st.st_size, st.st_mtime_ns)
        if seen not in _defaults:
            _defaults[seen] = yaml.load(path.read_text(), Loader=FAST_LOADER)
        return copy.deepcopy(_defaults[seen])
    except (OSError, yaml.YAMLError):
        return None


def _helm_3_18_0_numbers(chart: str, values: dict) -> dict:
    """Helm 3.18.0 (only) reads a chart's values.yaml numbers as json.Number, so `{{ if 0 }}` is true there
    (helm/helm#30880, fixed in 3.18.1). Handing the same numbers in as user values, which it reads as
    numbers, makes the chart render as every other Helm does."""
    values = values if isinstance(values, dict) else {}
    defaults = _chart_defaults(FsPath(chart) / "values.yaml")
    if defaults is None:
        return values
    extra = _number_defaults(defaults, values) if isinstance(defaults, dict) else None
    return _merge_missing(values, extra) if extra else values


def values_for(helm: Helm, chart: str, values: dict) -> dict:
    """The values to hand `helm` for a local `chart` (the Helm 3.18.0 workaround above where needed)."""
    return _helm_3_18_0_numbers(chart, values) if helm.version == (3, 18, 0) else values


def cache_key(helm: Helm, chart: str, argv: list[str], values: dict) -> str | None:
    """The render cache's key of `helm template` argv (values as handed to helm), or None: not cached."""
    return render_cache.render_key(helm.version, helm.path, chart, argv[2:3] + argv[4:], values)


def run_template(argv: list[str], values: dict, chart: str, release: str, env: dict[str, str] | None = None) -> str:
    """Run `helm template` argv with `values` on stdin; its output, or HelmError / ChartRejected."""
    try:
        proc = subprocess.run(argv, input=json.dumps(values), capture_output=True, text=True, timeout=600,
                              env=helm_env(env, render=True))
    except (OSError, subprocess.TimeoutExpired) as e:
        raise HelmError(f"helm template {release} ({chart}) could not run: {e}") from None
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr or proc.stdout[-2000:]).strip().splitlines()
                 if ln.strip() and not ln.startswith("Use --debug flag")]
        rejected = next((m for m in map(_EXECUTION_ERROR.search, lines) if m), None)
        if rejected:
            raise ChartRejected(f"chart {FsPath(chart).name} refused the values of release {release}: "
                                f"{rejected.group(2)} (at {rejected.group(1)})")
        raise HelmError(f"helm template {release} ({chart}) failed: {' '.join(lines)}")
    return proc.stdout


def template(helm: Helm, chart: str, release: str, namespace: str, values: dict, kube_version: str | None = None,
             extra: list[str] | None = None, env: dict[str, str] | None = None) -> str:
    """The rendered manifests of one release (`helm template`); HelmError with helm's message on failure."""
    argv = template_argv(helm, chart, release, namespace, kube_version, extra)
    values = values_for(helm, chart, values)
    key = cache_key(helm, chart, argv, values) if not env else None
    cached = render_cache.get(key)
    if cached is not None:
        return cached
    text = run_template(argv, values, chart, release, env)
    render_cache.put(key, text)
    return text


def template_post_rendered(helm: Helm, chart: str, release: str, namespace: str, values: dict, spec: dict,
                           kube_version: str | None = None,
                           extra: list[str] | None = None) -> tuple[str, list[str]]:
    """`helm template` with helmgen's post-renderer applying `spec`; the manifests and its messages."""
    from helmgen.postrenderer import PostRendererError, post_renderer, read_messages

    with tempfile.TemporaryDirectory(prefix="helmgen-postrender-") as tmp:
        workdir = FsPath(tmp)
        try:
            with post_renderer(helm.major, spec, workdir) as (argv, env):
                try:
                    text = template(helm, chart, release, namespace, values, kube_version, [*(extra or []), *argv],
                                    env)
                except HelmError as e:
                    said = [m for m in read_messages(workdir) if m not in str(e)]
                    raise HelmError("; ".join([str(e), *said])) from None
                return text, read_messages(workdir)
        except PostRendererError as e:
            raise HelmError(f"cannot set up helmgen's post-renderer: {e}") from None
