"""Release operations on a cluster, through pyhelm3: upgrade --install, history, rollback, uninstall, list.

pyhelm3 builds each verb's argv and reads helm's JSON; helmgen replaces how it runs helm (`_Command.run`):
argv straight to exec (pyhelm3 goes through a shell), helmgen's environment (the private HELM_PLUGINS of the
post-renderer on Helm 4), the kube flags of one KubeTarget, and helm's own message in the error. Values go to
helm as one dict on stdin, merged by helmgen (never pyhelm3's list concatenation), and no
`disable_validation` (pyhelm3 passes that flag one character at a time).

Helm 3 / Helm 4 differences handled here:
  * the post-renderer: an executable (Helm 3) or a `postrenderer/v1` plugin found through HELM_PLUGINS (Helm 4);
  * waiting is not helm's: helmgen waits itself (facts 7.4: CRDs, Deployments, DaemonSets, StatefulSets), so
    neither Helm 3's `--wait` (which also waits for LoadBalancer addresses, forever where there is no load
    balancer) nor Helm 4's `--wait=watcher` is used, and so neither `--atomic` (Helm 3, implies --wait) nor
    `--rollback-on-failure` (Helm 4): helmgen rolls back itself, the same way on both;
  * `--dry-run=server` (both accept it; plain `--dry-run` means client-side on Helm 3);
  * apply: Helm 3 patches client-side, Helm 4 applies server-side (its default, `--server-side=auto`); a first
    install on Helm 4 passes `--force-conflicts`, so objects being adopted (helmgen adopt) are taken over from
    istioctl's field manager; `--take-ownership` (both, 3.17+) is there for adopting without annotations.
"""
from __future__ import annotations

import asyncio
import importlib
import importlib.util
import json
import re
import sys
import tempfile
import types
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any


def _pyhelm3_parts() -> tuple[types.ModuleType, types.ModuleType]:
    """pyhelm3's `command` and `errors` modules, without running its package `__init__`: that imports its client
    and pydantic models, which helmgen never uses, for ~60 ms of every cluster command's start. The package is
    stood in for while the two load and then taken out again, so a later `import pyhelm3` runs the real
    `__init__` (which then finds these two modules loaded: the same classes)."""
    if "pyhelm3.command" not in sys.modules and "pyhelm3" not in sys.modules:
        spec = importlib.util.find_spec("pyhelm3")
        if spec is not None and spec.submodule_search_locations is not None:
            stand_in = types.ModuleType("pyhelm3")
            stand_in.__path__ = list(spec.submodule_search_locations)
            sys.modules["pyhelm3"] = stand_in
            try:
                importlib.import_module("pyhelm3.command")
            finally:
                del sys.modules["pyhelm3"]
    return importlib.import_module("pyhelm3.command"), importlib.import_module("pyhelm3.errors")


_command_module, _errors = _pyhelm3_parts()

from helmgen.helm.template import ChartRejected, Helm, HelmError, helm_env, values_for
from helmgen.kube.client import KubeTarget

PENDING = ("pending-install", "pending-upgrade", "pending-rollback")
_EXECUTION_ERROR = re.compile(r"execution error at \(([^)]*)\): (.*)")


class ReleaseBusy(HelmError):
    """helm refuses: another operation on the release is in progress (a run killed mid-way leaves that)."""


class ReleaseNotFound(HelmError):
    pass


def _message(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode(errors="replace").splitlines()
             if ln.strip() and not ln.startswith("Use --debug flag") and not ln.startswith("WARNING: Kubernetes")]
    return " ".join(lines)[-1500:] or "(no message)"


class _Command(_command_module.Command):
    """pyhelm3's argv builders, run without a shell, with helmgen's environment and extra flags."""

    def __init__(self, helm: Helm, target: KubeTarget, history_max: int, extra: list[str] | None = None,
                 env: dict[str, str] | None = None):
        super().__init__(executable=helm.path, history_max_revisions=history_max)
        self._target, self._extra, self._env = target, list(extra or []), env

    async def run(self, command: list, input: bytes | None = None) -> bytes:  # noqa: A002 - pyhelm3's name
        argv = [self._executable, *(str(c) for c in command), *self._target.helm_flags(), *self._extra]
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.PIPE if input is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=helm_env(self._env))
        except OSError as e:
            raise HelmError(f"cannot run {self._executable}: {e}") from None
        try:
            stdout, stderr = await proc.communicate(input)
        except asyncio.CancelledError:
            try:  # let helm stop cleanly (it marks the release failed rather than leaving it pending)
                proc.terminate()
                await proc.communicate()
            except ProcessLookupError:
                pass
            raise
        if proc.returncode != 0:
            raise _errors.Error(proc.returncode, stdout, stderr)
        return stdout


def _error(verb: str, release: str, e: _errors.Error) -> HelmError:
    text = _message(e.stderr)
    rejected = _EXECUTION_ERROR.search(text)
    if rejected:
        return ChartRejected(f"the chart of release {release} refused its values: {rejected.group(2)} "
                             f"(at {rejected.group(1)})")
    if "another operation (install/upgrade/rollback) is in progress" in text:
        return ReleaseBusy(f"helm {verb} {release}: {text}")
    if "release: not found" in text.lower():
        return ReleaseNotFound(f"helm {verb} {release}: {text}")
    return HelmError(f"helm {verb} {release} failed: {text}")


@dataclass(frozen=True)
class Upgrade:
    """What to hand `helm upgrade --install` for one release."""

    release: str
    namespace: str
    chart: str                     # a local chart folder
    values: dict
    postrender: dict | None = None  # helmgen's post-processing spec for this release
    dry_run: bool = False
    take_ownership: bool = False
    timeout: str = "5m"            # helm's own timeout (hooks); readiness is waited for by helmgen
    first_install: bool = False    # no revision yet: objects that exist are being adopted


class Releases:
    """helm release operations against one cluster (one KubeTarget), with one helm."""

    def __init__(self, helm: Helm, target: KubeTarget, history_max: int = 10):
        self.helm, self.target, self.history_max = helm, target, history_max

    def _command(self, extra: list[str] | None = None, env: dict[str, str] | None = None) -> _Command:
        return _Command(self.helm, self.target, self.history_max, extra, env)

    async def upgrade_install(self, up: Upgrade) -> dict[str, Any]:
        """`helm upgrade --install`; the release as helm reports it (`-o json`: name, version, info, manifest)."""
        extra = ["--dry-run=server"] if up.dry_run else []
        if up.take_ownership:
            extra += ["--take-ownership"]
        if self.helm.major >= 4 and (up.take_ownership or up.first_install):
            # Helm 4 applies server-side: objects it adopts carry fields of their previous field manager
            # (istioctl's `istio-operator`), which a first apply takes over instead of failing on conflicts.
            extra += ["--force-conflicts"]
        values = values_for(self.helm, up.chart, up.values)
        if up.postrender is None:
            return await self._upgrade(up, values, extra, None)
        from helmgen.postrenderer import PostRendererError, post_renderer, read_messages

        with tempfile.TemporaryDirectory(prefix="helmgen-postrender-") as tmp:
            try:
                with post_renderer(self.helm.major, up.postrender, FsPath(tmp)) as (argv, env):
                    try:
                        return await self._upgrade(up, values, extra + argv, env)
                    except HelmError as e:
                        said = [m for m in read_messages(FsPath(tmp)) if m not in str(e)]
                        raise type(e)("; ".join([str(e), *said])) from None
            except PostRendererError as e:
                raise HelmError(f"cannot set up helmgen's post-renderer: {e}") from None

    async def _upgrade(self, up: Upgrade, values: dict, extra: list[str], env: dict[str, str] | None) -> dict:
        try:
            out = await self._command(extra, env).install_or_upgrade(
                up.release, up.chart, values, namespace=up.namespace, create_namespace=True, timeout=up.timeout)
        except _errors.Error as e:
            raise _error("upgrade --install", up.release, e) from None
        except (ValueError, json.JSONDecodeError) as e:
            raise HelmError(f"helm upgrade --install {up.release}: unreadable output ({e})") from None
        return out if isinstance(out, dict) else {}

    async def history(self, release: str, namespace: str) -> list[dict]:
        """The release's revisions, oldest first; [] when there is no such release."""
        try:
            found = await self._command().history(release, namespace=namespace)
        except _errors.Error as e:
            err = _error("history", release, e)
            if isinstance(err, ReleaseNotFound):
                return []
            raise err from None
        return sorted(found or [], key=lambda r: r.get("revision", 0))

    async def rollback(self, release: str, namespace: str, revision: int, timeout: str = "5m") -> None:
        try:
            await self._command().rollback(release, revision, namespace=namespace, timeout=timeout)
        except _errors.Error as e:
            raise _error("rollback", release, e) from None

    async def uninstall(self, release: str, namespace: str, timeout: str = "5m", wait: bool = False) -> None:
        try:
            await self._command().uninstall(release, namespace=namespace, timeout=timeout, wait=wait)
        except _errors.Error as e:
            err = _error("uninstall", release, e)
            if not isinstance(err, ReleaseNotFound):
                raise err from None

    async def manifest(self, release: str, namespace: str, revision: int | None = None) -> str:
        """The manifest helm stored for the release (its latest revision unless given)."""
        command = ["get", "manifest", release, "--namespace", namespace]
        if revision is not None:
            command += ["--revision", revision]
        try:
            return (await self._command().run(command)).decode()
        except _errors.Error as e:
            raise _error("get manifest", release, e) from None

    async def user_values(self, release: str, namespace: str) -> dict:
        """The values the release was installed with (`helm get values -o json`)."""
        try:
            found = await self._command().get_values(release, namespace=namespace)
        except _errors.Error as e:
            raise _error("get values", release, e) from None
        return found if isinstance(found, dict) else {}

    async def list_all(self) -> list[dict]:
        """Every release in every namespace, whatever its state (`helm list -A -o json` with every state flag:
        Helm 4 has no `--all`)."""
        try:
            found = await self._command().run(["list", "--all-namespaces", "--deployed", "--failed", "--pending",
                                               "--uninstalling", "--output", "json", "--max", "0"])
        except _errors.Error as e:
            raise _error("list", "(all)", e) from None
        try:
            parsed = json.loads(found or b"[]")
        except ValueError as e:
            raise HelmError(f"helm list: unreadable output ({e})") from None
        return parsed if isinstance(parsed, list) else []
