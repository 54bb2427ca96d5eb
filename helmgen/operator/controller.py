"""The kopf controller: IstioOperator resources in the watched namespaces reconciled through helmgen.

Per resource: create, resume (operator start) and spec updates reconcile it (reconcile.reconcile); every
`resync` seconds a HEALTHY resource is compared with the cluster (`helmgen diff`) and reconciled again when
something drifted; deletion uninstalls its releases (a finalizer, `helmgen.io/releases`, holds the resource
until they are gone; CRDs stay). One reconcile at a time in this process (they would queue on the cluster's run
lock anyway); a failure is retried after 10 s, 20 s, 40 s ... (at most 10 minutes), an invalid spec not until it
changes. Status and Events say what happened; kopf keeps its bookkeeping in `helmgen.io/*` annotations.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import kopf

from helmgen.errors import HelmgenError
from helmgen.kube import iop_resources
from helmgen.kube.client import async_client
from helmgen.operator.connection import connection_fields
from helmgen.operator.reconcile import Config, Result, drift, key_of, reconcile, remove
from helmgen.operator.resource import FINALIZER, GROUP, HEALTHY, PLURAL, VERSION, backoff, final_status, \
    reconciling_status

RESOURCE = (GROUP, VERSION, PLURAL)
log = logging.getLogger("helmgen.operator")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def plain(value: Any) -> Any:
    """kopf's body views as plain dicts and lists."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _event(body: Mapping, result: Result) -> None:
    kopf.event(body, type="Normal" if result.ok else "Warning", reason=result.reason, message=result.message[:1024])


class Controller:
    def __init__(self, config: Config):
        self.config = config
        self._lock: asyncio.Lock | None = None

    @property
    def lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    async def _fresh(self, body: Mapping) -> dict | None:
        key = key_of(body)
        client = async_client(self.config.target)
        try:
            return await iop_resources.get(client, key.namespace, key.name)
        finally:
            await client.close()

    async def _write_status(self, body: Mapping, status: dict) -> None:
        key = key_of(body)
        client = async_client(self.config.target)
        try:
            await iop_resources.patch_status(client, key.namespace, key.name, status)
        finally:
            await client.close()

    async def apply(self, body: Mapping, retry: int, only_if_stale: bool = False) -> None:
        """Reconcile the resource as it is now; status, an Event, and kopf's retry decision. `only_if_stale`:
        only when its status is still about an older generation once this reconcile's turn comes."""
        async with self.lock:
            fresh = await self._fresh(body)
            if fresh is None:
                return
            generation = fresh["metadata"].get("generation", 0)
            if only_if_stale and (fresh.get("status") or {}).get("observedGeneration") == generation:
                return

            async def started(text: str) -> None:
                await self._write_status(fresh, reconciling_status(fresh.get("status"), generation, _now(), text))

            try:
                result = await reconcile(fresh, self.config, started)
            except HelmgenError as e:
                result = Result(False, "ReconcileFailed", str(e))
            except Exception as e:  # noqa: BLE001 - a bug: said in the status and retried, not a silent stop
                log.exception("reconciling IstioOperator %s failed", key_of(fresh))
                result = Result(False, "InternalError", f"helmgen internal error ({type(e).__name__}: {e}); "
                                "please report it")
            await self._write_status(fresh, final_status(fresh.get("status"), generation, _now(), result.ok,
                                                         result.reason, result.message, result.releases,
                                                         result.waiting))
        _event(body, result)
        log.info("IstioOperator %s generation %s: %s: %s", key_of(fresh), generation, result.reason,
                 result.message.replace("\n", "; "))
        if result.ok:
            return
        if result.permanent:
            raise kopf.PermanentError(result.message)
        raise kopf.TemporaryError(result.message, delay=backoff(retry))

    async def check(self, body: Mapping, retry: int, resumed: bool = False) -> None:
        """A HEALTHY resource whose spec was acted on: reconcile only when the cluster drifted from it. A resource
        whose status is about an older generation is reconciled: kopf runs no change handler for an edit that
        puts the spec back to what it last handled (a failed change reverted), and the status must not stay on
        the failure. A failed current generation is left to the change handlers' retries, except on resume."""
        fresh = await self._fresh(body)
        if fresh is None:
            return
        status = fresh.get("status") or {}
        current = status.get("observedGeneration") == fresh["metadata"].get("generation")
        if not current:
            return await self.apply(body, retry, only_if_stale=not resumed)
        if status.get("status") != HEALTHY:
            return await self.apply(body, retry) if resumed else None
        async with self.lock:
            found = await drift(fresh, self.config)
        if found:
            kopf.event(body, type="Warning", reason="Drift", message="; ".join(found)[:1024])
            log.info("IstioOperator %s drifted: %s", key_of(fresh), "; ".join(found))
            await self.apply(body, retry)

    async def delete(self, body: Mapping, retry: int) -> None:
        async with self.lock:
            fresh = await self._fresh(body) or plain(body)
            result = await remove(fresh, self.config)
        log.info("IstioOperator %s deleted: %s: %s", key_of(fresh), result.reason, result.message.replace("\n", "; "))
        if not result.ok:
            _event(body, result)
            raise kopf.TemporaryError(result.message, delay=backoff(retry))


def registry_for(config: Config, resync: float) -> kopf.OperatorRegistry:
    """A registry with every handler of the controller (nothing global: tests build their own)."""
    registry = kopf.OperatorRegistry()
    controller = Controller(config)

    @kopf.on.startup(registry=registry)
    def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
        settings.peering.standalone = True            # one replica (the chart's Deployment: Recreate)
        settings.persistence.finalizer = FINALIZER
        settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix="helmgen.io")
        settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
            prefix="helmgen.io", key="last-handled-configuration")
        settings.posting.reporting_component = "helmgen-operator"
        settings.execution.max_workers = 4

    @kopf.on.login(registry=registry)
    def login(**_: Any) -> kopf.ConnectionInfo:
        return kopf.ConnectionInfo(**connection_fields(config.target))

    @kopf.on.create(*RESOURCE, registry=registry, id="reconcile")
    @kopf.on.update(*RESOURCE, field="spec", registry=registry, id="reconcile")
    async def changed(body: kopf.Body, retry: int, **_: Any) -> None:
        await controller.apply(body, retry)

    @kopf.on.resume(*RESOURCE, registry=registry, id="resume")
    async def resumed(body: kopf.Body, retry: int, **_: Any) -> None:
        await controller.check(body, retry, resumed=True)

    @kopf.timer(*RESOURCE, interval=resync, initial_delay=resync, registry=registry, id="resync")
    async def resynced(body: kopf.Body, retry: int, **_: Any) -> None:
        await controller.check(body, retry)

    @kopf.on.delete(*RESOURCE, registry=registry, id="uninstall")
    async def deleted(body: kopf.Body, retry: int, **_: Any) -> None:
        await controller.delete(body, retry)

    return registry


def run(config: Config, namespaces: list[str], resync: float) -> None:
    """Run in the foreground until SIGINT/SIGTERM; all namespaces when none are given."""
    kopf.configure(verbose=False)
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    kopf.run(registry=registry_for(config, resync), standalone=True, clusterwide=not namespaces,
             namespaces=namespaces)
