"""kube.waiter against the testbed: ready objects end the wait, an unschedulable Deployment says why,
a missing object is "not found" and an unreachable cluster is a ClusterError naming the object."""
from __future__ import annotations

import asyncio
import time

import pytest
import yaml

from helpers import workload  # tests/e2e/helpers.py

from helmgen.kube.client import ClusterError, KubeTarget, async_client
from helmgen.kube.waiter import NotReady, Ref, refs_in_manifest, wait_ready

NAMESPACE = "waiter-e2e"

READY = f"""
apiVersion: v1
kind: Namespace
metadata:
  name: {NAMESPACE}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: not-waited-for
data: {{a: b}}
---
{workload("Deployment", "web", replicas=2)}---
{workload("DaemonSet", "agent")}---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.waiter.helmgen.test
spec:
  group: waiter.helmgen.test
  names: {{kind: Gadget, plural: gadgets, singular: gadget}}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {{type: object, x-kubernetes-preserve-unknown-fields: true}}
"""

UNSCHEDULABLE = workload("Deployment", "nowhere", replicas=1, node_selector={"no-such": "label"})


def run_wait(kubeconfig, refs, timeout, interval=2.0, on_progress=None, after_first_round=None) -> list[NotReady]:
    """wait_ready with a fresh client; `after_first_round` (blocking) runs in a thread once round 1 is done."""
    async def main() -> list[NotReady]:
        client = async_client(KubeTarget(str(kubeconfig)))
        first_round = asyncio.Event()

        def progress(ready: int, total: int, reason: str) -> None:
            first_round.set()
            if on_progress is not None:
                on_progress(ready, total, reason)
        try:
            waiting = asyncio.create_task(wait_ready(client, refs, timeout=timeout, interval=interval,
                                                     on_progress=progress))
            if after_first_round is not None:
                await first_round.wait()
                await asyncio.to_thread(after_first_round)
            return await waiting
        finally:
            await client.close()
    return asyncio.run(main())


def apply(testbed, manifest: str) -> None:
    testbed.kubectl("apply", "-n", NAMESPACE, "-f", "-", input=manifest)


def test_objects_that_appear_and_become_ready_end_the_wait(testbed):
    refs = refs_in_manifest(READY, NAMESPACE)
    assert [r.id for r in refs] == [f"Namespace/{NAMESPACE}", f"Deployment/{NAMESPACE}/web",
                                    f"DaemonSet/{NAMESPACE}/agent",
                                    "CustomResourceDefinition/gadgets.waiter.helmgen.test"]
    progress: list[tuple[int, int, str]] = []
    started = time.monotonic()
    not_ready = run_wait(testbed.kubeconfig, refs, timeout=120, interval=0.5,
                         on_progress=lambda *args: progress.append(args),
                         after_first_round=lambda: apply(testbed, READY))  # nothing exists in round 1
    print(f"ready after {time.monotonic() - started:.1f}s and {len(progress)} rounds: {progress}")
    assert not_ready == []
    assert progress[0] == (0, 4, "not found") and progress[-1] == (4, 4, ""), progress
    assert all(total == 4 and (ready < 4) == bool(reason) for ready, total, reason in progress), progress
    # what the waiter accepted really is ready
    web = yaml.safe_load(testbed.kubectl("get", "-n", NAMESPACE, "deployment/web", "-o", "json").stdout)
    assert web["status"].get("readyReplicas") == 2, web["status"]
    agent = yaml.safe_load(testbed.kubectl("get", "-n", NAMESPACE, "daemonset/agent", "-o", "json").stdout)
    assert agent["status"]["numberReady"] == agent["status"]["desiredNumberScheduled"] > 0, agent["status"]


def test_unschedulable_deployment_is_not_ready_with_the_scheduling_failure(testbed):
    testbed.kubectl("create", "namespace", NAMESPACE, check=False)  # when run alone
    apply(testbed, UNSCHEDULABLE)
    refs = refs_in_manifest(UNSCHEDULABLE, NAMESPACE)
    progress: list[tuple[int, int, str]] = []
    started = time.monotonic()
    not_ready = run_wait(testbed.kubeconfig, refs, timeout=6, on_progress=lambda *args: progress.append(args))
    elapsed = time.monotonic() - started
    assert 6 <= elapsed < 15, elapsed
    assert [n.ref for n in not_ready] == [Ref("apps/v1", "Deployment", NAMESPACE, "nowhere")]
    reason = not_ready[0].reason
    assert "didn't match" in reason or "node affinity/selector" in reason, reason
    assert reason.startswith("0/1 replicas ready; "), reason
    assert str(not_ready[0]).startswith(f"Deployment/{NAMESPACE}/nowhere (0/1 replicas ready; "), str(not_ready[0])
    # rounds at 0, 0.05, 0.125, 0.24, 0.41, 0.66, 1.04, 1.61, 2.89, 4.81 s (x1.5 up to 2 s apart) and at 6 s
    assert 9 <= len(progress) <= 13 and progress[-1] == (0, 1, reason), progress


def test_missing_object_is_not_found(testbed):
    ref = Ref("apps/v1", "Deployment", "default", "no-such-deployment")
    assert run_wait(testbed.kubeconfig, [ref], timeout=0) == [NotReady(ref, "not found")]


def test_unreachable_cluster_is_a_cluster_error_naming_the_object(testbed, tmp_path):
    config = yaml.safe_load(testbed.kubeconfig.read_text())
    for cluster in config["clusters"]:
        cluster["cluster"]["server"] = "https://127.0.0.1:1"  # nothing listens on port 1
    broken = tmp_path / "kubeconfig"
    broken.write_text(yaml.safe_dump(config))
    ref = Ref("apps/v1", "Deployment", "default", "web")
    with pytest.raises(ClusterError, match="cannot read Deployment/default/web: "):
        run_wait(broken, [ref], timeout=0)


def test_a_workload_that_becomes_ready_ends_the_wait_at_once_not_at_the_next_round(testbed, monkeypatch):
    """Rounds 4 s apart: only the watch on Deployments can end the wait within ~1 s of the Deployment being applied
    (kwok's pods are ready at once); without it the wait would end at the 4 s round."""
    import helmgen.kube.waiter as waiter

    monkeypatch.setattr(waiter, "FIRST_INTERVAL", 4.0)
    testbed.kubectl("create", "namespace", NAMESPACE, check=False)
    manifest = workload("Deployment", "prompt", replicas=1)
    refs = refs_in_manifest(manifest, NAMESPACE)
    applied: list[float] = []

    def apply_now() -> None:
        apply(testbed, manifest)
        applied.append(time.monotonic())

    progress: list[tuple[int, int, str]] = []
    not_ready = run_wait(testbed.kubeconfig, refs, timeout=60, interval=4.0,
                         on_progress=lambda *args: progress.append(args), after_first_round=apply_now)
    ended = time.monotonic()
    assert not_ready == [] and progress[0] == (0, 1, "not found"), progress
    assert ended - applied[0] < 2.5, f"ready {ended - applied[0]:.2f}s after the apply; rounds: {progress}"


def test_other_objects_of_the_namespace_do_not_wake_the_wait(testbed, monkeypatch):
    """The watch is on the waited workload by name: Deployments created and changed beside it start no rounds.
    Rounds 4 s apart, a 3 s timeout: the first round, at most one more for the watch's first event of the waited
    (unschedulable) Deployment, and the last one at the deadline."""
    import helmgen.kube.waiter as waiter

    monkeypatch.setattr(waiter, "FIRST_INTERVAL", 4.0)
    testbed.kubectl("create", "namespace", NAMESPACE, check=False)
    apply(testbed, UNSCHEDULABLE)
    time.sleep(1)  # its controller's first status updates are done

    def busy_neighbours() -> None:
        for i in range(3):
            apply(testbed, workload("Deployment", f"neighbour-{i}", replicas=1))

    progress: list[tuple[int, int, str]] = []
    not_ready = run_wait(testbed.kubeconfig, refs_in_manifest(UNSCHEDULABLE, NAMESPACE), timeout=3, interval=4.0,
                         on_progress=lambda *args: progress.append(args), after_first_round=busy_neighbours)
    assert [n.ref.name for n in not_ready] == ["nowhere"]
    assert 2 <= len(progress) <= 3, progress
