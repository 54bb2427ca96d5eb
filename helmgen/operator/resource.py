"""An IstioOperator resource as helmgen sees it (pure): its input text, its status, the releases it owns.

Status (what `kubectl get iop` shows): `status.status` is RECONCILING, HEALTHY or ERROR (the values Istio's
operator used); `observedGeneration` the generation last acted on; `conditions` Reconciling, Ready and Error
(Kubernetes condition shape, each with observedGeneration); `releases` the Helm releases the resource installed
({name, namespace, needs}): what deleting it uninstalls and what an edit that drops a component prunes;
`conflicts` the releases it plans that another resource owns (it waits for them, see `Claims`).

A release belongs to one resource: the one that installed it first. Another resource planning it does not touch
it (two owners would undo each other's values at every resync); it reports the conflict and retries, and takes
the release over once the owner lets go of it (its spec drops it, or it is deleted). A release that another
resource owns or waits for is never uninstalled by a prune or a delete, only handed over.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from helmgen.errors import Problem

GROUP, VERSION, PLURAL, KIND = "install.istio.io", "v1alpha1", "istiooperators", "IstioOperator"
FINALIZER = "helmgen.io/releases"
RECONCILING, HEALTHY, ERROR = "RECONCILING", "HEALTHY", "ERROR"
BACKOFF_FIRST, BACKOFF_MAX = 10.0, 600.0   # seconds: 10, 20, 40, ... at most 10 minutes


@dataclass(frozen=True)
class Key:
    """A resource (namespace/name) or a release (namespace/name)."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class ReleaseRecord:
    name: str
    namespace: str
    needs: tuple[str, ...] = ()

    @property
    def key(self) -> Key:
        return Key(self.namespace, self.name)

    def to_json(self) -> dict:
        return {"name": self.name, "namespace": self.namespace, **({"needs": list(self.needs)} if self.needs else {})}


def source_name(key: Key) -> str:
    """How problems name the resource (in place of a file name)."""
    return f"IstioOperator {key}"


def input_text(body: Mapping[str, Any]) -> str:
    """The resource as an IstioOperator file: apiVersion, kind, name, namespace and spec; the metadata the cluster
    and the controller add (uid, managedFields, annotations, finalizers) and the status are not input."""
    meta = body.get("metadata") or {}
    doc = {"apiVersion": body.get("apiVersion") or f"{GROUP}/{VERSION}", "kind": body.get("kind") or KIND,
           "metadata": {k: meta[k] for k in ("name", "namespace") if meta.get(k)}}
    if body.get("spec") is not None:
        doc["spec"] = body["spec"]
    return yaml.safe_dump(doc, sort_keys=False)


def recorded_releases(status: Mapping[str, Any] | None) -> list[ReleaseRecord]:
    """The releases a status lists (entries that are not well formed are ignored)."""
    out = []
    for item in (status or {}).get("releases") or []:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str) and isinstance(item.get("namespace"), str):
            needs = tuple(n for n in item.get("needs") or [] if isinstance(n, str))
            out.append(ReleaseRecord(item["name"], item["namespace"], needs))
    return out


def owned_after(before: Iterable[ReleaseRecord], planned: Iterable[ReleaseRecord],
                left: Iterable[Key]) -> list[ReleaseRecord]:
    """What the resource owns after a reconcile: the planned releases, then the earlier ones still in the
    cluster (`left`: not pruned, or a prune that failed)."""
    planned = list(planned)
    names = {r.key for r in planned}
    left = set(left)
    return planned + [r for r in before if r.key not in names and r.key in left]


@dataclass(frozen=True)
class Claims:
    """What the other IstioOperator resources hold: release -> owning resource, and the releases they wait for."""

    owners: dict[Key, Key]
    wanted: frozenset[Key]

    @property
    def held(self) -> set[Key]:
        return set(self.owners) | set(self.wanted)


def claims_of(others: Iterable[tuple[Key, Mapping[str, Any] | None]]) -> Claims:
    """Claims from (resource, its status) of every other resource."""
    owners: dict[Key, Key] = {}
    wanted: set[Key] = set()
    for key, status in others:
        for r in recorded_releases(status):
            owners.setdefault(r.key, key)
        wanted |= {r.key for r in recorded_releases({"releases": (status or {}).get("conflicts")})}
    return Claims(owners, frozenset(wanted))


def conflicts(planned: Iterable[ReleaseRecord], claims: Claims) -> list[tuple[ReleaseRecord, Key]]:
    """Planned releases another resource owns, with their owner."""
    return [(r, claims.owners[r.key]) for r in planned if r.key in claims.owners]


def conflict_text(found: list[tuple[ReleaseRecord, Key]]) -> str:
    lines = [f"release {r.name} ({r.namespace}) belongs to {source_name(owner)}; this resource waits and takes it "
             f"over when that one no longer installs it (edit it so that it does not, or delete it)"
             for r, owner in found]
    return "nothing was changed:\n" + "\n".join(lines)


def stale(before: Iterable[ReleaseRecord], planned: Iterable[ReleaseRecord],
          held_by_others: set[Key]) -> list[ReleaseRecord]:
    """Releases the resource owned that its spec no longer plans and no other IstioOperator owns or waits for:
    to uninstall. (Those others hold are handed over instead.)"""
    names = {r.key for r in planned}
    return [r for r in before if r.key not in names and r.key not in held_by_others]


def backoff(retry: int) -> float:
    """Seconds before the next attempt after `retry` failed ones: 10 s doubling, at most 10 minutes."""
    return min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, min(retry, 16)))


def problems_text(problems: Iterable[Problem], limit: int = 20) -> str:
    """Every problem on its own line (each names its path), at most `limit` of them."""
    problems = list(problems)
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more")
    return "\n".join(lines)


def condition(kind: str, status: bool, reason: str, message: str, generation: int, now: str,
              previous: Iterable[Mapping[str, Any]] = ()) -> dict:
    """One condition; lastTransitionTime moves only when its status changes."""
    old = next((c for c in previous if c.get("type") == kind), None)
    value = "True" if status else "False"
    since = old.get("lastTransitionTime") if old and old.get("status") == value and old.get("lastTransitionTime") \
        else now
    return {"type": kind, "status": value, "reason": reason, "message": message[:4000],
            "observedGeneration": generation, "lastTransitionTime": since}


def reconciling_status(current: Mapping[str, Any] | None, generation: int, now: str, what: str) -> dict:
    """The status while a reconcile runs: Reconciling True; Ready and Error as they were."""
    current = current or {}
    previous = current.get("conditions") or []
    kept = [c for c in previous if c.get("type") in ("Ready", "Error")]
    return {"status": RECONCILING,
            "conditions": [condition("Reconciling", True, "Reconciling", what, generation, now, previous), *kept]}


def final_status(current: Mapping[str, Any] | None, generation: int, now: str, ok: bool, reason: str,
                 message: str, releases: list[ReleaseRecord], waiting: Iterable[ReleaseRecord] = ()) -> dict:
    """The status after a reconcile: HEALTHY with Ready, or ERROR with the Error condition's message."""
    previous = (current or {}).get("conditions") or []
    conditions = [
        condition("Reconciling", False, reason, "", generation, now, previous),
        condition("Ready", ok, reason, message if ok else f"not ready: {message.splitlines()[0] if message else ''}",
                  generation, now, previous),
        condition("Error", not ok, reason, "" if ok else message, generation, now, previous),
    ]
    return {"status": HEALTHY if ok else ERROR, "observedGeneration": generation, "message": message[:4000],
            "conditions": conditions, "releases": [r.to_json() for r in releases],
            "conflicts": [r.to_json() for r in waiting]}
