"""helmgen's own charts on a real control plane, Helm 3.18 and Helm 4.1 (one testbed each): helmgen install with
no --manifests brings istiod, both kinds of gateway, istio-cni and ztunnel to ready; then, from nothing again, the
generated charts of `translate -o OUTDIR` installed by plain helm (no helmgen, no values) do the same."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from testbeds import started_testbed  # tests/e2e/testbeds.py
from helpers import INPUTS, Cluster, outcome_lines

IOP = INPUTS / "ours-ambient-gateways.yaml"
RELEASES = {"istio-base": "istio-system", "istiod": "istio-system", "istio-cni": "istio-system",
            "ztunnel": "istio-system", "istio-ingressgateway": "istio-system", "egress-a": "egress"}
WORKLOADS = {("deployment", "istio-system", "istiod"), ("deployment", "istio-system", "istio-ingressgateway"),
             ("deployment", "egress", "egress-a"), ("daemonset", "istio-system", "istio-cni-node"),
             ("daemonset", "istio-system", "ztunnel")}


@pytest.fixture(scope="module", params=["HELMGEN_HELM3", "HELMGEN_HELM4"], ids=["helm3", "helm4"])
def cluster(request):
    helm = os.environ.get(request.param)
    assert helm and Path(helm).is_file(), f"{request.param} must name a helm binary (make test sets it up)"
    with started_testbed(f"pytest-{os.getpid()}-ours-{request.param[-5:].lower()}") as bed:
        yield Cluster(bed, helm, Path("/nonexistent"))


def ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def assert_ready(cluster: Cluster) -> None:
    for kind, namespace, name in sorted(WORKLOADS):
        obj = cluster.get(kind, name, "-n", namespace)
        status = obj["status"]
        if kind == "deployment":
            want = obj["spec"].get("replicas", 1)
            assert status.get("readyReplicas") == want == status.get("updatedReplicas"), (name, status)
        else:
            want = status.get("desiredNumberScheduled")
            assert want and status.get("numberReady") == want == status.get("updatedNumberScheduled"), (name, status)


def test_helmgen_installs_our_charts_and_every_workload_becomes_ready(cluster):
    out = ok(cluster.helmgen("install", "-f", str(IOP), "--timeout", "180s"))
    assert outcome_lines(out) == {r: "installed" for r in RELEASES}, out
    assert {n: (r["status"], r["namespace"]) for n, r in cluster.releases().items()} == \
        {n: ("deployed", ns) for n, ns in RELEASES.items()}
    assert_ready(cluster)
    assert cluster.get("deployment", "egress-a", "-n", "egress")["spec"]["replicas"] == 2   # k8s as a chart value
    ok(cluster.helmgen("status", "-f", str(IOP)))


def test_the_ingress_gateway_service_is_what_istioctl_install_creates(cluster):
    svc = cluster.get("service", "istio-ingressgateway", "-n", "istio-system")
    labels = svc["metadata"]["labels"]
    assert labels["app"] == "istio-ingressgateway" and labels["istio"] == "ingressgateway"
    ports = {p["name"]: (p["port"], p.get("targetPort")) for p in svc["spec"]["ports"]}
    assert ports["http2"] == (80, 8080) and ports["https"] == (443, 8443) and ports["status-port"][0] == 15021
    assert svc["spec"]["type"] == "LoadBalancer"
    assert svc["spec"]["selector"]["istio"] == "ingressgateway"


def test_rerun_changes_nothing(cluster):
    out = ok(cluster.helmgen("install", "-f", str(IOP), "--timeout", "180s"))
    assert set(outcome_lines(out).values()) == {"unchanged"}, out


def test_uninstall_removes_every_release(cluster):
    ok(cluster.helmgen("uninstall", "-f", str(IOP), "--timeout", "180s"))
    assert cluster.releases() == {}


def test_generated_charts_install_with_plain_helm(cluster, tmp_path):
    out = tmp_path / "out"
    ok(cluster.helmgen("translate", "-f", str(IOP), "-o", str(out)))
    plan = yaml.safe_load((out / "plan.yaml").read_text())["releases"]
    for rel in sorted(plan, key=lambda r: r["order"]):   # one at a time, in plan order, as the README says
        # helm's --wait also waits for a LoadBalancer address, which no testbed hands out: the gateways are
        # waited for by their rollout instead
        wait = ["--wait", "--timeout", "180s"] if rel["chart"] != "gateways" else []
        proc = subprocess.run([cluster.helm, "upgrade", "--install", rel["name"], str(out / "charts" / rel["name"]),
                               "--namespace", rel["namespace"], "--create-namespace", *wait,
                               "--kubeconfig", str(cluster.kubeconfig)], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"{rel['name']}: {proc.stderr}"
        if not wait:
            cluster.bed.kubectl("rollout", "status", "-n", rel["namespace"], f"deployment/{rel['name']}",
                                "--timeout=180s")
    assert {n: (r["status"], r["namespace"]) for n, r in cluster.releases().items()} == \
        {n: ("deployed", ns) for n, ns in RELEASES.items()}
    assert_ready(cluster)
    ok(cluster.helmgen("status", "-f", str(IOP)))
    ok(cluster.helmgen("uninstall", "-f", str(IOP), "--timeout", "180s"))   # helmgen takes plain helm's releases
    assert cluster.releases() == {}


def test_adopting_an_istioctl_install_onto_our_charts_restarts_no_pod(cluster, istioctl, istio_manifests, tmp_path):
    """What `istioctl install` of the default profile leaves (Istio's charts, applied by field manager
    istio-operator with its install labels) is adopted and then upgraded in place by our charts: same pods, same
    ReplicaSets, same gateway Service selector."""
    default = INPUTS / "default.yaml"
    generated = subprocess.run([str(istioctl), "manifest", "generate", "-f", str(default), "--manifests",
                                str(istio_manifests)], capture_output=True, text=True, timeout=300)
    assert generated.returncode == 0, generated.stderr
    docs = [d for d in yaml.safe_load_all(generated.stdout) if d]
    for d in docs:  # facts 7.3: the labels istioctl install adds to every object
        d["metadata"].setdefault("labels", {}).update({
            "operator.istio.io/managed": "Reconcile", "install.operator.istio.io/owning-resource": "e2e",
            "install.operator.istio.io/owning-resource-namespace": "istio-system", "istio.io/rev": "default"})
    (tmp_path / "istioctl.yaml").write_text(yaml.safe_dump_all(docs))
    cluster.bed.kubectl("create", "namespace", "istio-system", check=False)
    cluster.bed.kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=istio-operator",
                        "-f", str(tmp_path / "istioctl.yaml"))
    for name in ("istiod", "istio-ingressgateway"):
        cluster.bed.kubectl("rollout", "status", "-n", "istio-system", f"deployment/{name}", "--timeout=120s")

    def pods() -> dict[str, str]:
        return {p["metadata"]["name"]: p["metadata"]["uid"]
                for p in cluster.get("pods", "-n", "istio-system")["items"]}
    before = pods()
    replicasets = {r["metadata"]["name"] for r in cluster.get("replicasets", "-n", "istio-system")["items"]}
    selector = cluster.get("service", "istio-ingressgateway", "-n", "istio-system")["spec"]["selector"]

    out = ok(cluster.helmgen("adopt", "-f", str(default)))   # no --manifests: our charts
    assert "conflict" not in out.lower(), out
    out = ok(cluster.helmgen("install", "-f", str(default), "--timeout", "180s"))
    assert set(outcome_lines(out).values()) == {"installed"}, out
    import time
    time.sleep(3)  # a restart would show as new pods by now (kwok starts pods within a second)
    assert pods() == before
    assert {r["metadata"]["name"] for r in cluster.get("replicasets", "-n", "istio-system")["items"]} == replicasets
    assert cluster.get("service", "istio-ingressgateway", "-n", "istio-system")["spec"]["selector"] == selector
    ok(cluster.helmgen("uninstall", "-f", str(default), "--timeout", "180s"))
