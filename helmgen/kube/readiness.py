"""What "ready" means for the objects an install waits for (facts 7.4), applied to plain dicts.

Objects are dicts as the Kubernetes API returns them as JSON. Nothing here does I/O: the waiter (kube/waiter.py)
fetches the objects and their pods and asks these rules. Only the kinds of WAITED_KINDS are checked; any other
kind counts as ready, as istioctl ignores them.

The rules (a missing number counts as 0 unless said otherwise):
- CustomResourceDefinition: condition Established is True.
- Namespace: status.phase is Active.
- Deployment: the rollout of the current spec is done, judged from the Deployment's own status as
  `kubectl rollout status` does (see check_deployment).
- DaemonSet: as facts 7.4, by update strategy (see check_daemonset).
- StatefulSet: as facts 7.4, by update strategy, plus: the controller has seen the current spec
  (see check_statefulset).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import yaml

from helmgen.postprocess.documents import cut, scan_head

# kind -> its API group ("" is the core group); only objects of these kinds (and groups) are waited for
WAITED_KINDS: Mapping[str, str] = {
    "CustomResourceDefinition": "apiextensions.k8s.io",
    "Namespace": "",
    "Deployment": "apps",
    "DaemonSet": "apps",
    "StatefulSet": "apps",
}
CLUSTER_SCOPED_KINDS = frozenset({"CustomResourceDefinition", "Namespace"})
PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded"

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present


@dataclass(frozen=True)
class Verdict:
    ready: bool
    reason: str  # short human text: why not ready ("2/3 replicas ready"), or what was seen when ready


def format_id(kind: str, namespace: str, name: str) -> str:
    """`Kind/namespace/name`, or `Kind/name` without a namespace (cluster-scoped objects)."""
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"


def object_id(obj: Mapping[str, Any]) -> str:
    """How messages name an object: `Deployment/istio-system/istiod`, `CustomResourceDefinition/<name>`."""
    meta = _map(obj.get("metadata"))
    return format_id(str(obj.get("kind") or "?"), str(meta.get("namespace") or ""), str(meta.get("name") or "?"))


def api_group(api_version: str) -> str:
    """The group of an apiVersion: `apps/v1` -> `apps`, `v1` -> `` (core)."""
    return api_version.rpartition("/")[0]


def is_waited(api_version: str, kind: str) -> bool:
    """Whether objects of this apiVersion and kind are waited for (a `Deployment` of another group is not)."""
    return kind in WAITED_KINDS and WAITED_KINDS[kind] == api_group(api_version)


@dataclass(frozen=True)
class Ref:
    """Which object to wait for. `namespace` is "" for cluster-scoped kinds."""
    api_version: str
    kind: str
    namespace: str
    name: str

    @classmethod
    def from_object(cls, obj: Mapping[str, Any], default_namespace: str) -> "Ref":
        """The object's reference; a namespaced object without metadata.namespace gets `default_namespace`
        (as helm does with its release namespace). Scope is known for the waited kinds: every other kind
        is taken as namespaced."""
        meta = _map(obj.get("metadata"))
        kind = str(obj.get("kind") or "")
        namespace = "" if kind in CLUSTER_SCOPED_KINDS else str(meta.get("namespace") or default_namespace)
        return cls(str(obj.get("apiVersion") or ""), kind, namespace, str(meta.get("name") or ""))

    @property
    def waited(self) -> bool:
        return is_waited(self.api_version, self.kind)

    @property
    def id(self) -> str:
        return format_id(self.kind, self.namespace, self.name)


def refs_in_manifest(manifest: str, namespace: str) -> list[Ref]:
    """The objects of a multi-document YAML stream (helm's `manifest`) that are waited for, in stream order,
    each once. Empty documents and non-objects are skipped; `kind: ...List` documents contribute their items.
    Namespaced objects without a namespace get `namespace`. Raises yaml.YAMLError on unparsable text."""
    refs: list[Ref] = []
    for part in cut(manifest):
        head = scan_head(part)  # a CRD's head, not its 60 kB of schema: base's manifest in 5 ms, not 90
        if head is not None and not head[1].endswith("List"):
            api_version, kind, name, ns = head
            objects: list[Mapping[str, Any]] = [{"apiVersion": api_version, "kind": kind,
                                                  "metadata": {"name": name, "namespace": ns}}]
        else:
            objects = _objects(yaml.load(part, Loader=_Loader))
        for obj in objects:
            ref = Ref.from_object(obj, namespace)
            if ref.waited and ref.name and ref not in refs:
                refs.append(ref)
    return refs


def _objects(doc: Any) -> list[Mapping[str, Any]]:
    if not isinstance(doc, dict):
        return []
    if str(doc.get("kind") or "").endswith("List") and isinstance(doc.get("items"), list):
        return [item for item in doc["items"] if isinstance(item, dict)]
    return [doc]


def check(obj: Mapping[str, Any]) -> Verdict:
    """The readiness of one object (rules in the module docstring); kinds not waited for are ready."""
    rule = _RULES.get(str(obj.get("kind") or ""))
    if rule is None or not is_waited(str(obj.get("apiVersion") or ""), str(obj.get("kind"))):
        return Verdict(True, "not checked")
    return rule(obj)


def check_crd(obj: Mapping[str, Any]) -> Verdict:
    """Ready when condition Established is True. While not, a NamesAccepted=False message is the reason."""
    if _condition(obj, "Established").get("status") == "True":
        return Verdict(True, "established")
    names = _condition(obj, "NamesAccepted")
    if names.get("status") == "False" and names.get("message"):
        return Verdict(False, f"names not accepted: {_one_line(names['message'])}")
    return Verdict(False, "condition Established not True yet")


def check_namespace(obj: Mapping[str, Any]) -> Verdict:
    """Ready when status.phase is Active (a Terminating namespace never becomes ready)."""
    phase = _map(obj.get("status")).get("phase")
    if phase == "Active":
        return Verdict(True, "active")
    return Verdict(False, f"phase {phase}" if phase else "phase not Active yet")


def check_deployment(obj: Mapping[str, Any]) -> Verdict:
    """Ready when the current spec has rolled out, read from the Deployment's status, in this order:

    1. status.observedGeneration >= metadata.generation: the controller has seen the current spec, so the
       counts below describe its ReplicaSet (a stale status would describe the previous one);
    2. condition Progressing does not have reason ProgressDeadlineExceeded (then the reason is its message);
    3. status.updatedReplicas >= spec.replicas (default 1): the newest ReplicaSet exists and has all its pods;
    4. status.replicas <= status.updatedReplicas: no pods of older ReplicaSets are left;
    5. status.readyReplicas >= spec.replicas.

    Why: istioctl looks up the newest ReplicaSet and needs its readyReplicas >= spec.replicas. With 3 and 4
    every ready pod belongs to the newest ReplicaSet, so 5 is that same test without fetching ReplicaSets;
    it is `kubectl rollout status` except that it counts ready pods, not available ones (minReadySeconds is
    not waited for, as in istioctl). It is stricter than istioctl in one way: old pods must be gone.
    Updated replicas above spec.replicas (a scale-down in progress) are fine, as in both. A paused
    rollout is only named in the reason; it is not ready until it is resumed and done.
    """
    spec, status, meta = _map(obj.get("spec")), _map(obj.get("status")), _map(obj.get("metadata"))
    want = _int(spec.get("replicas"), default=1)
    generation, observed = _int(meta.get("generation")), _int(status.get("observedGeneration"))
    paused = " (rollout paused)" if spec.get("paused") else ""
    if observed < generation:
        return Verdict(False, f"rollout not observed yet (generation {generation}, observed {observed})")
    progressing = _condition(obj, "Progressing")
    if progressing.get("reason") == PROGRESS_DEADLINE_EXCEEDED:
        message = _one_line(str(progressing.get("message") or "progress deadline exceeded"))
        return Verdict(False, f"{PROGRESS_DEADLINE_EXCEEDED}: {message}")
    updated, total = _int(status.get("updatedReplicas")), _int(status.get("replicas"))
    ready = _int(status.get("readyReplicas"))
    if updated < want:
        return Verdict(False, f"{updated}/{want} replicas updated{paused}")
    if total > updated:
        old = total - updated
        return Verdict(False, f"{old} old replica{'s' if old != 1 else ''} pending termination{paused}")
    if ready < want:
        return Verdict(False, f"{ready}/{want} replicas ready")
    return Verdict(True, f"{ready}/{want} replicas ready")


def check_daemonset(obj: Mapping[str, Any]) -> Verdict:
    """Ready when status.observedGeneration == metadata.generation and, by spec.updateStrategy.type:
    - OnDelete: status.updatedNumberScheduled == status.desiredNumberScheduled;
    - RollingUpdate (the default): desiredNumberScheduled > 0, numberReady >= desiredNumberScheduled and
      updatedNumberScheduled == desiredNumberScheduled.
    So a rolling DaemonSet that matches no node is never ready (as in istioctl).
    """
    spec, status, meta = _map(obj.get("spec")), _map(obj.get("status")), _map(obj.get("metadata"))
    generation, observed = _int(meta.get("generation")), _int(status.get("observedGeneration"))
    if observed != generation:
        return Verdict(False, f"rollout not observed yet (generation {generation}, observed {observed})")
    desired = _int(status.get("desiredNumberScheduled"))
    updated, ready = _int(status.get("updatedNumberScheduled")), _int(status.get("numberReady"))
    if _map(spec.get("updateStrategy")).get("type") == "OnDelete":
        if updated != desired:
            return Verdict(False, f"{updated}/{desired} pods updated (OnDelete: old pods must be deleted)")
        return Verdict(True, f"{updated}/{desired} pods updated")
    if desired <= 0:
        return Verdict(False, "no node to run on (desiredNumberScheduled 0)")
    if ready < desired:
        return Verdict(False, f"{ready}/{desired} pods ready")
    if updated != desired:
        return Verdict(False, f"{updated}/{desired} pods updated")
    return Verdict(True, f"{ready}/{desired} pods ready")


def check_statefulset(obj: Mapping[str, Any]) -> Verdict:
    """Ready when, by spec.updateStrategy.type:
    - OnDelete: status.updatedReplicas == status.replicas;
    - RollingUpdate (the default): status.updatedReplicas == spec.replicas (default 1) minus
      spec.updateStrategy.rollingUpdate.partition (default 0), taken as 0 when the partition is larger.
    Pod readiness is not part of it (as in istioctl). Added to facts 7.4: status.observedGeneration >=
    metadata.generation first, so a status left from the previous spec does not count as done.
    """
    spec, status, meta = _map(obj.get("spec")), _map(obj.get("status")), _map(obj.get("metadata"))
    generation, observed = _int(meta.get("generation")), _int(status.get("observedGeneration"))
    if observed < generation:
        return Verdict(False, f"rollout not observed yet (generation {generation}, observed {observed})")
    strategy = _map(spec.get("updateStrategy"))
    updated = _int(status.get("updatedReplicas"))
    if strategy.get("type") == "OnDelete":
        expected = _int(status.get("replicas"))
        if updated != expected:
            return Verdict(False, f"{updated}/{expected} replicas updated (OnDelete: old pods must be deleted)")
        return Verdict(True, f"{updated}/{expected} replicas updated")
    partition = _int(_map(strategy.get("rollingUpdate")).get("partition"))
    expected = max(0, _int(spec.get("replicas"), default=1) - partition)
    if updated != expected:
        return Verdict(False, f"{updated}/{expected} replicas updated")
    return Verdict(True, f"{updated}/{expected} replicas updated")


_RULES = {
    "CustomResourceDefinition": check_crd,
    "Namespace": check_namespace,
    "Deployment": check_deployment,
    "DaemonSet": check_daemonset,
    "StatefulSet": check_statefulset,
}


def pod_selector(obj: Mapping[str, Any]) -> Mapping[str, str]:
    """The workload's spec.selector.matchLabels (what the waiter lists its pods by); {} when it has none."""
    labels = _map(_map(_map(obj.get("spec")).get("selector")).get("matchLabels"))
    return {str(k): str(v) for k, v in labels.items()}


def pod_reason(pods: list[Mapping[str, Any]]) -> str:
    """Why a workload's pods are not ready, from its newest pods; "" when nothing is found.

    Pods are read newest first (metadata.creationTimestamp; pods being deleted are skipped). The first pod with a
    strong reason gives it: a waiting container (init containers first) as `Reason: message`
    ("ImagePullBackOff: Back-off pulling image ..."), or condition PodScheduled=False as its message
    ("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."). Only when no pod has one,
    the newest pod's condition Ready=False message ("containers with unready status: [web]") is used.
    """
    live = [p for p in pods if not _map(p.get("metadata")).get("deletionTimestamp")]
    newest = sorted(live, key=lambda p: str(_map(p.get("metadata")).get("creationTimestamp") or ""), reverse=True)
    for pod in newest:
        reason = _waiting_reason(pod) or _condition_message(pod, "PodScheduled")
        if reason:
            return reason
    for pod in newest:
        reason = _condition_message(pod, "Ready")
        if reason:
            return reason
    return ""


def _waiting_reason(pod: Mapping[str, Any]) -> str:
    status = _map(pod.get("status"))
    for key in ("initContainerStatuses", "containerStatuses"):
        for container in _list(status.get(key)):
            waiting = _map(_map(_map(container).get("state")).get("waiting"))
            reason, message = waiting.get("reason"), waiting.get("message")
            if reason or message:
                return ": ".join(_one_line(str(part)) for part in (reason, message) if part)
    return ""


def _condition_message(obj: Mapping[str, Any], kind: str) -> str:
    cond = _condition(obj, kind)
    if cond.get("status") != "False":
        return ""
    return _one_line(str(cond.get("message") or cond.get("reason") or ""))


def _condition(obj: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
    for cond in _list(_map(obj.get("status")).get("conditions")):
        if isinstance(cond, dict) and cond.get("type") == kind:
            return cond
    return {}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
