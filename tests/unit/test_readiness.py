"""Readiness rules (facts 7.4) on hand-written API objects: every kind, every branch, pod reasons, refs."""
from __future__ import annotations

import textwrap

import pytest
import yaml

from helmgen.kube.readiness import (WAITED_KINDS, Ref, Verdict, check, object_id, pod_reason, pod_selector,
                                    refs_in_manifest)


def deployment(status: dict | None = None, replicas=3, generation=2, paused=False) -> dict:
    spec = {"selector": {"matchLabels": {"app": "istiod"}}, "template": {}}
    if replicas is not None:
        spec["replicas"] = replicas
    if paused:
        spec["paused"] = True
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "istiod", "namespace": "istio-system", "generation": generation},
            "spec": spec, "status": status or {}}


def done(replicas=3, **extra) -> dict:
    """A Deployment status after a finished rollout of generation 2."""
    return {"observedGeneration": 2, "replicas": replicas, "updatedReplicas": replicas,
            "readyReplicas": replicas, "availableReplicas": replicas, **extra}


def daemonset(strategy=None, generation=1, **status) -> dict:
    spec = {"selector": {"matchLabels": {"k8s-app": "istio-cni-node"}}}
    if strategy:
        spec["updateStrategy"] = {"type": strategy}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "istio-cni-node", "namespace": "kube-system", "generation": generation},
            "spec": spec, "status": status}


def statefulset(status: dict | None = None, replicas=3, strategy=None, partition=None, generation=1) -> dict:
    spec: dict = {"replicas": replicas} if replicas is not None else {}
    if strategy:
        spec["updateStrategy"] = {"type": strategy}
    if partition is not None:
        spec["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"partition": partition}}
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "db", "namespace": "ns", "generation": generation}, "spec": spec,
            "status": {"observedGeneration": generation, **(status or {})}}


def crd(*conditions) -> dict:
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "gateways.networking.istio.io"},
            "status": {"conditions": [{"type": t, "status": s, **({"message": m} if m else {})}
                                      for t, s, m in conditions]}}


def namespace(phase=None) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "istio-system"},
            "status": {"phase": phase} if phase else {}}


def test_waited_kinds_and_their_groups():
    assert dict(WAITED_KINDS) == {"CustomResourceDefinition": "apiextensions.k8s.io", "Namespace": "",
                                  "Deployment": "apps", "DaemonSet": "apps", "StatefulSet": "apps"}


# --- CustomResourceDefinition, Namespace, other kinds

def test_crd_ready_when_established_true():
    assert check(crd(("NamesAccepted", "True", ""), ("Established", "True", ""))) == Verdict(True, "established")


@pytest.mark.parametrize("obj", [crd(), crd(("Established", "False", "")), crd(("Established", "Unknown", ""))])
def test_crd_not_ready_without_established_true(obj):
    assert check(obj) == Verdict(False, "condition Established not True yet")


def test_crd_not_ready_names_the_names_conflict():
    verdict = check(crd(("NamesAccepted", "False", "\"gateways\" is already in use"), ("Established", "False", "")))
    assert verdict == Verdict(False, 'names not accepted: "gateways" is already in use')


def test_namespace_ready_only_when_active():
    assert check(namespace("Active")) == Verdict(True, "active")
    assert check(namespace("Terminating")) == Verdict(False, "phase Terminating")
    assert check(namespace()) == Verdict(False, "phase not Active yet")


def test_other_kinds_and_other_groups_are_not_checked():
    assert check({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}}) == Verdict(True, "not checked")
    foreign = deployment()  # a "Deployment" of another API group is somebody's custom resource
    foreign["apiVersion"] = "example.com/v1"
    assert check(foreign) == Verdict(True, "not checked")
    assert check(deployment()).ready is False  # the same object in apps/v1 is checked


# --- Deployment

def test_deployment_ready_after_rollout():
    assert check(deployment(done())) == Verdict(True, "3/3 replicas ready")


def test_deployment_replicas_default_to_one():
    assert check(deployment(done(1), replicas=None)) == Verdict(True, "1/1 replicas ready")
    assert check(deployment({"observedGeneration": 2}, replicas=None)) == Verdict(False, "0/1 replicas updated")


def test_deployment_scaled_to_zero_is_ready():
    assert check(deployment({"observedGeneration": 2}, replicas=0)) == Verdict(True, "0/0 replicas ready")


def test_deployment_status_of_an_older_generation_does_not_count():
    verdict = check(deployment(done(), generation=3))
    assert verdict == Verdict(False, "rollout not observed yet (generation 3, observed 2)")


def test_deployment_without_status_is_not_ready():
    assert check(deployment(generation=1)) == Verdict(False, "rollout not observed yet (generation 1, observed 0)")


def test_deployment_progress_deadline_exceeded_is_the_reason():
    cond = {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
            "message": 'ReplicaSet "istiod-5d" has timed out\nprogressing.'}
    verdict = check(deployment(done(conditions=[cond], readyReplicas=1)))
    assert verdict == Verdict(False, 'ProgressDeadlineExceeded: ReplicaSet "istiod-5d" has timed out progressing.')


def test_deployment_progressing_normally_is_no_reason():
    cond = {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}
    assert check(deployment(done(conditions=[cond]))).ready is True


def test_deployment_not_ready_while_new_replicaset_incomplete():
    verdict = check(deployment(done(updatedReplicas=1)))
    assert verdict == Verdict(False, "1/3 replicas updated")


def test_deployment_not_ready_while_old_pods_remain():
    # all 3 new pods exist and 3 pods are ready, but 2 of the ready ones may be old: not done yet
    old_left = done(replicas=5, updatedReplicas=3, readyReplicas=3)
    assert check(deployment(old_left)) == Verdict(False, "2 old replicas pending termination")
    assert check(deployment(dict(old_left, replicas=4))) == Verdict(False, "1 old replica pending termination")


def test_deployment_not_ready_until_enough_replicas_ready():
    assert check(deployment(done(readyReplicas=2))) == Verdict(False, "2/3 replicas ready")
    assert check(deployment({k: v for k, v in done().items() if k != "readyReplicas"})) == \
        Verdict(False, "0/3 replicas ready")


def test_deployment_scale_down_in_progress_is_ready():
    assert check(deployment(done(3), replicas=2)) == Verdict(True, "3/2 replicas ready")


def test_deployment_paused_rollout_says_so():
    verdict = check(deployment(done(updatedReplicas=0), paused=True))
    assert verdict == Verdict(False, "0/3 replicas updated (rollout paused)")


# --- DaemonSet

def ds_status(desired=3, ready=3, updated=3, observed=1) -> dict:
    return {"observedGeneration": observed, "desiredNumberScheduled": desired, "numberReady": ready,
            "updatedNumberScheduled": updated, "currentNumberScheduled": desired}


@pytest.mark.parametrize("strategy", [None, "RollingUpdate"])
def test_daemonset_rolling_ready(strategy):
    assert check(daemonset(strategy, **ds_status())) == Verdict(True, "3/3 pods ready")


@pytest.mark.parametrize("strategy", [None, "RollingUpdate", "OnDelete"])
def test_daemonset_generation_must_be_observed(strategy):
    verdict = check(daemonset(strategy, generation=2, **ds_status()))
    assert verdict == Verdict(False, "rollout not observed yet (generation 2, observed 1)")


def test_daemonset_rolling_on_no_node_is_never_ready():
    verdict = check(daemonset(**ds_status(desired=0, ready=0, updated=0)))
    assert verdict == Verdict(False, "no node to run on (desiredNumberScheduled 0)")


def test_daemonset_rolling_needs_every_pod_ready():
    assert check(daemonset(**ds_status(ready=2))) == Verdict(False, "2/3 pods ready")


def test_daemonset_rolling_needs_every_pod_updated():
    assert check(daemonset(**ds_status(updated=1))) == Verdict(False, "1/3 pods updated")


def test_daemonset_on_delete_counts_updated_pods_only():
    assert check(daemonset("OnDelete", **ds_status(ready=0))) == Verdict(True, "3/3 pods updated")
    assert check(daemonset("OnDelete", **ds_status(desired=0, ready=0, updated=0))).ready is True
    verdict = check(daemonset("OnDelete", **ds_status(updated=2)))
    assert verdict == Verdict(False, "2/3 pods updated (OnDelete: old pods must be deleted)")


# --- StatefulSet

@pytest.mark.parametrize("strategy", [None, "RollingUpdate"])
def test_statefulset_rolling_ready_when_all_updated(strategy):
    assert check(statefulset({"updatedReplicas": 3}, strategy=strategy)) == Verdict(True, "3/3 replicas updated")
    assert check(statefulset({"updatedReplicas": 2}, strategy=strategy)) == Verdict(False, "2/3 replicas updated")


def test_statefulset_replicas_default_to_one():
    assert check(statefulset({"updatedReplicas": 1}, replicas=None)).ready is True
    assert check(statefulset(replicas=None)) == Verdict(False, "0/1 replicas updated")


def test_statefulset_partition_lowers_the_count():
    assert check(statefulset({"updatedReplicas": 2}, partition=1)) == Verdict(True, "2/2 replicas updated")
    assert check(statefulset({"updatedReplicas": 3}, partition=1)) == Verdict(False, "3/2 replicas updated")
    assert check(statefulset({"updatedReplicas": 0}, partition=5)) == Verdict(True, "0/0 replicas updated")


def test_statefulset_on_delete_compares_with_status_replicas():
    assert check(statefulset({"updatedReplicas": 2, "replicas": 2}, strategy="OnDelete", replicas=3)).ready is True
    verdict = check(statefulset({"updatedReplicas": 1, "replicas": 3}, strategy="OnDelete"))
    assert verdict == Verdict(False, "1/3 replicas updated (OnDelete: old pods must be deleted)")


def test_statefulset_generation_must_be_observed():
    obj = statefulset({"updatedReplicas": 3})
    obj["metadata"]["generation"] = 2
    assert check(obj) == Verdict(False, "rollout not observed yet (generation 2, observed 1)")


# --- pod reasons

def pod(name, created, *, waiting=None, init_waiting=None, scheduled=None, ready=None, deleting=False) -> dict:
    status: dict = {"conditions": []}
    if scheduled is not None:
        status["conditions"].append({"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                     "message": scheduled})
    if ready is not None:
        status["conditions"].append({"type": "Ready", "status": "False", "reason": "ContainersNotReady",
                                     "message": ready})
    if waiting is not None:
        status["containerStatuses"] = [{"name": "ok", "state": {"running": {}}},
                                       {"name": "c", "state": {"waiting": waiting}}]
    if init_waiting is not None:
        status["initContainerStatuses"] = [{"name": "init", "state": {"waiting": init_waiting}}]
    meta = {"name": name, "creationTimestamp": created}
    if deleting:
        meta["deletionTimestamp"] = "2024-05-01T10:10:00Z"
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "status": status}


UNSCHEDULABLE = "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."


def test_pod_reason_unschedulable():
    assert pod_reason([pod("a", "2024-05-01T10:00:00Z", scheduled=UNSCHEDULABLE)]) == UNSCHEDULABLE


def test_pod_reason_waiting_container_with_message():
    waiting = {"reason": "ImagePullBackOff", "message": 'Back-off pulling image "x:1"'}
    assert pod_reason([pod("a", "2024-05-01T10:00:00Z", waiting=waiting)]) == \
        'ImagePullBackOff: Back-off pulling image "x:1"'
    assert pod_reason([pod("a", "2024-05-01T10:00:00Z", waiting={"reason": "ContainerCreating"})]) == \
        "ContainerCreating"


def test_pod_reason_init_containers_first():
    found = pod_reason([pod("a", "2024-05-01T10:00:00Z", waiting={"reason": "PodInitializing"},
                            init_waiting={"reason": "CrashLoopBackOff", "message": "back-off 10s"})])
    assert found == "CrashLoopBackOff: back-off 10s"


def test_pod_reason_newest_pod_wins():
    old = pod("old", "2024-05-01T09:00:00Z", waiting={"reason": "ImagePullBackOff"})
    new = pod("new", "2024-05-01T10:00:00Z", scheduled=UNSCHEDULABLE)
    assert pod_reason([old, new]) == UNSCHEDULABLE
    assert pod_reason([new, old]) == UNSCHEDULABLE
    newer = pod("newer", "2024-05-01T11:00:00Z", waiting={"reason": "ErrImagePull", "message": "nope"})
    assert pod_reason([old, new, newer]) == "ErrImagePull: nope"


def test_pod_reason_skips_pods_being_deleted():
    dying = pod("dying", "2024-05-01T11:00:00Z", waiting={"reason": "ContainerCreating"}, deleting=True)
    alive = pod("alive", "2024-05-01T10:00:00Z", scheduled=UNSCHEDULABLE)
    assert pod_reason([dying, alive]) == UNSCHEDULABLE


def test_pod_reason_ready_false_only_when_nothing_stronger():
    unready_new = pod("new", "2024-05-01T11:00:00Z", ready="containers with unready status: [c]")
    stuck_old = pod("old", "2024-05-01T10:00:00Z", waiting={"reason": "CrashLoopBackOff"})
    assert pod_reason([unready_new, stuck_old]) == "CrashLoopBackOff"
    assert pod_reason([unready_new]) == "containers with unready status: [c]"


def test_pod_reason_empty_when_nothing_found():
    assert pod_reason([]) == ""
    healthy = pod("a", "2024-05-01T10:00:00Z")
    healthy["status"]["conditions"] = [{"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}]
    assert pod_reason([healthy]) == ""


def test_pod_reason_is_one_line():
    assert pod_reason([pod("a", "2024-05-01T10:00:00Z", scheduled="0/3 nodes\n  are available")]) == \
        "0/3 nodes are available"


def test_pod_selector_is_match_labels():
    assert pod_selector(deployment()) == {"app": "istiod"}
    assert pod_selector(namespace()) == {}


# --- ids and refs

def test_object_id():
    assert object_id(deployment()) == "Deployment/istio-system/istiod"
    assert object_id(crd()) == "CustomResourceDefinition/gateways.networking.istio.io"


def test_ref_from_object_fills_namespace_only_for_namespaced_kinds():
    no_ns = deployment()
    del no_ns["metadata"]["namespace"]
    assert Ref.from_object(no_ns, "istio-system") == Ref("apps/v1", "Deployment", "istio-system", "istiod")
    assert Ref.from_object(deployment(), "other") == Ref("apps/v1", "Deployment", "istio-system", "istiod")
    assert Ref.from_object(namespace(), "other").namespace == ""
    assert Ref.from_object(crd(), "other").id == "CustomResourceDefinition/gateways.networking.istio.io"
    assert Ref("v1", "Service", "a", "b").waited is False
    assert Ref("apps/v1", "Deployment", "a", "b").waited is True


MANIFEST = textwrap.dedent("""\
    ---
    # Source: istiod/templates/serviceaccount.yaml
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: istiod
    ---
    # Source: istiod/templates/deployment.yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: istiod
    spec:
      replicas: 1
    ---
    ---
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: istio-cni-node
      namespace: kube-system
    ---
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: gateways.networking.istio.io
    ---
    apiVersion: example.com/v1
    kind: StatefulSet
    metadata:
      name: not-apps
    ---
    apiVersion: v1
    kind: List
    items:
    - apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
    - apiVersion: v1
      kind: Namespace
      metadata: {name: extra}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: istiod
      namespace: istio-system
    """)


def test_refs_in_manifest_keeps_waited_objects_once_in_order():
    assert refs_in_manifest(MANIFEST, "istio-system") == [
        Ref("apps/v1", "Deployment", "istio-system", "istiod"),
        Ref("apps/v1", "DaemonSet", "kube-system", "istio-cni-node"),
        Ref("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "gateways.networking.istio.io"),
        Ref("apps/v1", "StatefulSet", "istio-system", "db"),
        Ref("v1", "Namespace", "", "extra"),
    ]


def test_refs_in_manifest_of_nothing():
    assert refs_in_manifest("", "ns") == []
    assert refs_in_manifest("---\n# only a comment\n", "ns") == []


def _refs_by_full_parse(manifest: str, namespace: str) -> list[Ref]:
    """What refs_in_manifest must return, from every document parsed whole (its line scan only skips work)."""
    refs: list[Ref] = []
    for doc in yaml.safe_load_all(manifest):
        if not isinstance(doc, dict):
            continue
        items = doc["items"] if str(doc.get("kind") or "").endswith("List") and isinstance(doc.get("items"),
                                                                                              list) else [doc]
        for obj in (i for i in items if isinstance(i, dict)):
            ref = Ref.from_object(obj, namespace)
            if ref.waited and ref.name and ref not in refs:
                refs.append(ref)
    return refs


TRICKY = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      labels:
        name: not-the-name
        namespace: not-the-namespace
      name: "quoted"
      namespace: 'single-quoted'   # a comment
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: flow, namespace: flow-ns}
    ---
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: &anchor anchored
    ---
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: "needs \\"escapes\\""
    ---
    apiVersion: v1
    kind: Namespace
    metadata:
        name: deeper-indent
        namespace: ignored-for-a-cluster-scoped-kind
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: 12345
    ---
    "apiVersion": apps/v1
    kind: Deployment
    metadata:
      name: quoted-key
    ---
    apiVersion: apps/v1
    kind: DaemonSetList
    items:
    - apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: in-a-list
    """)


def test_refs_in_manifest_reads_tricky_layouts_as_a_yaml_parser_does():
    assert refs_in_manifest(TRICKY, "ns") == _refs_by_full_parse(TRICKY, "ns")
    assert len(refs_in_manifest(TRICKY, "ns")) == 8


@pytest.mark.parametrize("chart, values", [
    ("base", {}), ("istio-control/istio-discovery", {}), ("gateways/istio-ingress", {}),
    ("istio-cni", {}), ("ztunnel", {}),
])
def test_refs_in_manifest_equals_a_full_parse_on_istio_charts(chart, values):
    from chart_kit import ISTIO_CHARTS, helm_path, helm_run

    proc = helm_run(helm_path("4"), "r", ISTIO_CHARTS / chart, "istio-system", values)
    assert proc.returncode == 0, proc.stderr
    found = refs_in_manifest(proc.stdout, "istio-system")
    assert found and found == _refs_by_full_parse(proc.stdout, "istio-system")


@pytest.mark.parametrize("chart", ["istio-base", "istiod", "gateways", "istio-cni", "ztunnel"])
def test_refs_in_manifest_equals_a_full_parse_on_our_charts(chart):
    from chart_kit import CHARTS, helm_path, helm_run

    proc = helm_run(helm_path("4"), "r", CHARTS / chart, "istio-system", {})
    assert proc.returncode == 0, proc.stderr
    found = refs_in_manifest(proc.stdout, "istio-system")
    assert found and found == _refs_by_full_parse(proc.stdout, "istio-system")
