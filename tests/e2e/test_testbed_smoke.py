"""Smoke test of scripts/testbed: the control plane really runs workloads (on kwok's fake nodes) and CRDs."""
from __future__ import annotations

import json
import time

from helpers import workload  # tests/e2e/helpers.py

NAMESPACE = "testbed-smoke"
NODES = 3  # scripts/testbed up's default

WORKLOADS = "---\n".join([
    f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {NAMESPACE}\n",
    workload("Deployment", "web", NAMESPACE, replicas=2, readiness_probe=True),
    workload("DaemonSet", "agent", NAMESPACE),
])

CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.smoke.helmgen.test
spec:
  group: smoke.helmgen.test
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
"""


def get(testbed, *args) -> dict:
    return json.loads(testbed.kubectl("get", *args, "-o", "json").stdout)


def test_nodes_are_ready(testbed):
    nodes = get(testbed, "nodes")["items"]
    ready = [n["metadata"]["name"] for n in nodes
             if any(c["type"] == "Ready" and c["status"] == "True" for c in n["status"]["conditions"])]
    assert len(ready) == NODES, f"ready nodes: {ready}"


def test_deployment_and_daemonset_become_ready(testbed):
    started = time.monotonic()
    testbed.kubectl("apply", "-f", "-", input=WORKLOADS)
    testbed.kubectl("rollout", "status", "-n", NAMESPACE, "deployment/web", "--timeout=120s")
    testbed.kubectl("rollout", "status", "-n", NAMESPACE, "daemonset/agent", "--timeout=120s")
    print(f"deployment and daemonset ready after {time.monotonic() - started:.1f}s")

    deployment = get(testbed, "-n", NAMESPACE, "deployment/web")["status"]
    assert (deployment.get("readyReplicas"), deployment.get("availableReplicas")) == (2, 2), deployment
    assert any(c["type"] == "Available" and c["status"] == "True" for c in deployment["conditions"]), deployment
    daemonset = get(testbed, "-n", NAMESPACE, "daemonset/agent")["status"]
    assert daemonset["desiredNumberScheduled"] == NODES, daemonset
    assert daemonset["numberReady"] == daemonset["numberAvailable"] == NODES, daemonset

    pods = get(testbed, "-n", NAMESPACE, "pods")["items"]
    assert len(pods) == 2 + NODES
    for pod in pods:  # scheduled onto a kwok node, and Running/Ready as kwok reports it
        assert pod["spec"]["nodeName"].startswith("kwok-node-"), pod["metadata"]["name"]
        assert pod["status"]["phase"] == "Running", pod["status"]
    assert {p["spec"]["nodeName"] for p in pods if p["metadata"]["name"].startswith("agent-")} == \
        {f"kwok-node-{i}" for i in range(NODES)}


def test_crd_becomes_established_and_serves(testbed):
    testbed.kubectl("apply", "-f", "-", input=CRD)
    testbed.kubectl("wait", "--for=condition=Established", "crd/widgets.smoke.helmgen.test", "--timeout=60s")
    testbed.kubectl("create", "namespace", "testbed-smoke-crd")
    widget = {"apiVersion": "smoke.helmgen.test/v1", "kind": "Widget",
              "metadata": {"name": "w", "namespace": "testbed-smoke-crd"}, "spec": {"size": 3}}
    testbed.kubectl("apply", "-f", "-", input=json.dumps(widget))
    assert get(testbed, "-n", "testbed-smoke-crd", "widget/w")["spec"] == {"size": 3}
    invalid = dict(widget, spec={"size": "three"})  # the structural schema is enforced
    proc = testbed.kubectl("apply", "-f", "-", input=json.dumps(invalid), check=False)
    assert proc.returncode != 0 and "size" in proc.stderr, proc.stderr
