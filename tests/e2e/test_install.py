"""helmgen install, upgrade, rollback, recovery, locking and uninstall on a real control plane, with Helm 3.18
and Helm 4.1 (one testbed each). The tests of one helm run in file order and build on each other, as a
platform team's week would: install, re-run, scale, a bad upgrade, two runs at once, a killed run, removal."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from testbeds import started_testbed  # tests/e2e/testbeds.py
from helpers import INPUTS, Cluster, merged_kubeconfig, outcome_lines

RELEASES = {"istio-base", "istiod", "istio-ingressgateway"}  # the default profile
ISTIO_NS = "istio-system"


@pytest.fixture(scope="module", params=["HELMGEN_HELM3", "HELMGEN_HELM4"], ids=["helm3", "helm4"])
def cluster(request, istio_manifests):
    helm = os.environ.get(request.param)
    assert helm and Path(helm).is_file(), f"{request.param} must name a helm binary (make test sets it up)"
    with started_testbed(f"pytest-{os.getpid()}-{request.param[-5:].lower()}") as bed:
        yield Cluster(bed, helm, istio_manifests)


def ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def deployments(cluster: Cluster) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in cluster.get("deployments", "-n", ISTIO_NS)["items"]}


def pods(cluster: Cluster) -> dict[str, str]:
    return {p["metadata"]["name"]: p["metadata"]["uid"] for p in cluster.get("pods", "-n", ISTIO_NS)["items"]}


def assert_all_ready(cluster: Cluster) -> None:
    for name, d in deployments(cluster).items():
        want = d["spec"].get("replicas", 1)
        assert d["status"].get("readyReplicas", 0) == want == d["status"].get("updatedReplicas"), (name, d["status"])


def test_default_profile_installs_and_every_workload_is_ready(cluster):
    out = ok(cluster.install())
    assert outcome_lines(out) == {r: "installed" for r in RELEASES}, out
    listed = cluster.releases()
    assert {n: (r["status"], r["revision"], r["namespace"]) for n, r in listed.items()} == \
        {n: ("deployed", "1", ISTIO_NS) for n in RELEASES}
    assert set(deployments(cluster)) == {"istiod", "istio-ingressgateway"}
    assert_all_ready(cluster)
    crds = [c for c in cluster.get("crds")["items"] if c["spec"]["group"].endswith("istio.io")]
    assert len(crds) >= 10
    assert all(any(x["type"] == "Established" and x["status"] == "True" for x in c["status"]["conditions"])
               for c in crds)


def test_rerun_changes_nothing(cluster):
    before = {n: (d["metadata"]["generation"], d["spec"]) for n, d in deployments(cluster).items()}
    pods_before = pods(cluster)
    out = ok(cluster.install())
    # Istio's istiod chart renders its validating webhook's failurePolicy only on a first install (it looks the
    # webhook up and leaves the field to istiod afterwards), so helm stores a different manifest once.
    assert outcome_lines(out) == {**{r: "unchanged" for r in RELEASES}, "istiod": "upgraded"}, out
    out = ok(cluster.install())
    assert outcome_lines(out) == {r: "unchanged" for r in RELEASES}, out
    assert {n: (d["metadata"]["generation"], d["spec"]) for n, d in deployments(cluster).items()} == before
    assert pods(cluster) == pods_before  # no pod restarted or replaced


def test_upgrade_changes_replicas(cluster):
    out = ok(cluster.install("--set", "components.pilot.k8s.replicaCount=3"))
    assert outcome_lines(out)["istiod"] == "upgraded", out
    istiod = deployments(cluster)["istiod"]
    assert istiod["spec"]["replicas"] == 3 and istiod["status"]["readyReplicas"] == 3, istiod["status"]
    assert cluster.releases()["istiod"]["revision"] == "4"


def test_status_diff_and_dry_run_change_nothing(cluster):
    status = json.loads(ok(cluster.helmgen("status", "-f", str(INPUTS / "default.yaml"), "--manifests",
                                           str(cluster.manifests), "-o", "json")))
    assert {s["name"]: (s["state"], s["healthy"]) for s in status} == {r: ("deployed", True) for r in RELEASES}
    history = {r: len(cluster.history(r)) for r in RELEASES}

    same = ok(cluster.helmgen("diff", "-f", str(INPUTS / "default.yaml"), "--manifests", str(cluster.manifests),
                              "--set", "components.pilot.k8s.replicaCount=3", "--exit-code"))
    assert same.count("no changes") == len(RELEASES), same
    changed = cluster.helmgen("diff", "-f", str(INPUTS / "default.yaml"), "--manifests", str(cluster.manifests),
                              "--set", "components.pilot.k8s.replicaCount=4", "--exit-code")
    assert changed.returncode == 2, changed.stdout + changed.stderr
    assert "-  replicas: 3\n+  replicas: 4" in changed.stdout, changed.stdout

    out = ok(cluster.install("--dry-run", "--set", "components.pilot.k8s.replicaCount=4"))
    assert set(outcome_lines(out).values()) == {"checked"}, out
    assert deployments(cluster)["istiod"]["spec"]["replicas"] == 3
    assert {r: len(cluster.history(r)) for r in RELEASES} == history


def test_upgrade_whose_pods_cannot_schedule_times_out_and_rolls_back(cluster):
    proc = cluster.install("--set", "components.pilot.k8s.replicaCount=3",
                           "--set", "components.pilot.k8s.nodeSelector.e2e/no-such-node=x", timeout="10s")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    rows = outcome_lines(proc.stdout)
    assert rows["istiod"] == "rolled back" and rows["istio-ingressgateway"] == "not started", proc.stdout
    assert "didn't match Pod's node affinity/selector" in proc.stdout, proc.stdout
    last = cluster.history("istiod")[-1]
    assert (last["status"], last["description"]) == ("deployed", "Rollback to 4"), last
    istiod = deployments(cluster)["istiod"]
    assert "e2e/no-such-node" not in (istiod["spec"]["template"]["spec"].get("nodeSelector") or {})
    assert_all_ready(cluster)


def test_second_concurrent_run_is_refused(cluster):
    first = subprocess.Popen([sys.executable, "-m", "helmgen.cli", "install", "-f", str(INPUTS / "default.yaml"),
                              "--manifests", str(cluster.manifests), "--timeout", "15s",
                              "--set", "components.pilot.k8s.nodeSelector.e2e/no-such-node=x"],
                             env=cluster.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while cluster.bed.kubectl("get", "lease", "-n", "kube-system", "helmgen-lock", check=False).returncode:
            assert time.monotonic() < deadline and first.poll() is None, "the first run never took the lock"
            time.sleep(0.2)
        second = cluster.install()
        assert second.returncode == 3, second.stdout + second.stderr
        assert "another helmgen run holds the lock" in second.stdout + second.stderr
        assert f"pid {first.pid}" in second.stdout + second.stderr
    finally:
        out, err = first.communicate(timeout=180)
    assert first.returncode == 3 and "rolled back" in out, out + err
    assert cluster.bed.kubectl("get", "lease", "-n", "kube-system", "helmgen-lock", check=False).returncode != 0


def test_sigterm_stops_the_run_and_releases_the_lock(cluster):
    run = subprocess.Popen([sys.executable, "-m", "helmgen.cli", "install", "-f", str(INPUTS / "default.yaml"),
                            "--manifests", str(cluster.manifests), "--timeout", "60s",
                            "--set", "components.pilot.k8s.nodeSelector.e2e/no-such-node=x"],
                           env=cluster.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while cluster.bed.kubectl("get", "lease", "-n", "kube-system", "helmgen-lock", check=False).returncode:
        assert time.monotonic() < deadline and run.poll() is None, "the run never took the lock"
        time.sleep(0.2)
    time.sleep(1)
    run.send_signal(signal.SIGTERM)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 130 and "interrupted" in err, out + err
    assert cluster.bed.kubectl("get", "lease", "-n", "kube-system", "helmgen-lock", check=False).returncode != 0
    assert ok(cluster.install())  # and the next run converges


def _kill_when_pending(cluster: Cluster, run: subprocess.Popen, stop: threading.Event) -> None:
    """Watch helm's release records; the moment one is written pending-*, SIGKILL the run's process group
    (helmgen and the helm it runs, as a killed CI job): helm is then mid-apply."""
    from lightkube import Client, KubeConfig
    from lightkube.resources.core_v1 import Secret

    client = Client(KubeConfig.from_file(str(cluster.kubeconfig)), trust_env=False)
    for _, secret in client.watch(Secret, namespace=ISTIO_NS, labels={"owner": "helm"}):
        if stop.is_set():
            return
        if (secret.metadata.labels or {}).get("status", "").startswith("pending-"):
            os.killpg(run.pid, signal.SIGKILL)
            return


def test_run_killed_mid_install_is_recovered_by_the_next_run(cluster):
    pending = []
    for attempt in range(3):
        run = subprocess.Popen([sys.executable, "-m", "helmgen.cli", "install", "-f", str(INPUTS / "default.yaml"),
                                "--manifests", str(cluster.manifests), "--set",
                                f"values.pilot.env.E2E_ATTEMPT=a{attempt}", "--set",
                                f"values.global.proxy.resources.requests.cpu={100 + attempt}m"],
                               env=cluster.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
        stop = threading.Event()
        killer = threading.Thread(target=_kill_when_pending, args=(cluster, run, stop), daemon=True)
        killer.start()
        run.wait(timeout=300)
        stop.set()
        pending = [n for n, r in cluster.releases().items() if r["status"].startswith("pending-")]
        if pending:
            break
    assert pending, "no kill caught helm mid-apply in 3 attempts"
    out = ok(cluster.install())
    assert "left pending" in out, out
    listed = cluster.releases()
    assert {n: r["status"] for n, r in listed.items()} == {n: "deployed" for n in RELEASES}, listed
    assert_all_ready(cluster)


def test_uninstall_removes_releases_in_reverse_order_and_keeps_crds(cluster):
    out = ok(cluster.helmgen("uninstall", "-f", str(INPUTS / "default.yaml"), "--manifests", str(cluster.manifests)))
    assert outcome_lines(out) == {r: "uninstalled" for r in RELEASES}, out
    assert cluster.releases() == {}
    assert deployments(cluster) == {}
    assert [c for c in cluster.get("crds")["items"] if c["spec"]["group"].endswith("istio.io")]


def test_adopt_an_istioctl_install_without_restarting_pods(cluster, istioctl, tmp_path):
    """What `istioctl install` leaves (the objects of `istioctl manifest generate`, server-side applied by field
    manager istio-operator, with its install labels) becomes the Helm releases in place."""
    generated = subprocess.run([str(istioctl), "manifest", "generate", "-f", str(INPUTS / "default.yaml"),
                                "--manifests", str(cluster.manifests)], capture_output=True, text=True, timeout=300)
    assert generated.returncode == 0, generated.stderr
    docs = [d for d in yaml.safe_load_all(generated.stdout) if d]
    for d in docs:  # facts 7.3: the labels istioctl install adds to every object
        d["metadata"].setdefault("labels", {}).update({
            "operator.istio.io/managed": "Reconcile", "install.operator.istio.io/owning-resource": "e2e",
            "install.operator.istio.io/owning-resource-namespace": ISTIO_NS, "istio.io/rev": "default"})
    (tmp_path / "istioctl.yaml").write_text(yaml.safe_dump_all(docs))
    cluster.bed.kubectl("create", "namespace", ISTIO_NS, check=False)
    cluster.bed.kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=istio-operator",
                        "-f", str(tmp_path / "istioctl.yaml"))
    cluster.bed.kubectl("rollout", "status", "-n", ISTIO_NS, "deployment/istiod", "--timeout=120s")
    cluster.bed.kubectl("rollout", "status", "-n", ISTIO_NS, "deployment/istio-ingressgateway", "--timeout=120s")
    assert cluster.releases() == {}
    pods_before = pods(cluster)
    replicasets = {r["metadata"]["name"] for r in cluster.get("replicasets", "-n", ISTIO_NS)["items"]}

    args = ["-f", str(INPUTS / "default.yaml"), "--manifests", str(cluster.manifests)]
    plan = ok(cluster.helmgen("adopt", *args, "--dry-run"))
    assert "Deployment/istio-system/istiod" in plan and "dry run: nothing changed" in plan, plan
    assert "app.kubernetes.io/instance=istio" in plan, plan  # the pod label istioctl's release name put there
    assert cluster.get("deployment", "-n", ISTIO_NS, "istiod")["metadata"].get("annotations", {}).get(
        "meta.helm.sh/release-name") is None
    out = ok(cluster.helmgen("adopt", *args))
    assert "now run: helmgen install" in out, out
    out = ok(cluster.install())
    assert outcome_lines(out) == {r: "installed" for r in RELEASES}, out
    time.sleep(3)  # a restart would show as new pods by now (kwok starts pods within a second)
    assert pods(cluster) == pods_before
    assert {r["metadata"]["name"] for r in cluster.get("replicasets", "-n", ISTIO_NS)["items"]} == replicasets
    out = ok(cluster.install())
    assert pods(cluster) == pods_before, out
    ok(cluster.helmgen("uninstall", *args))


def test_two_clusters_at_once(cluster, tmp_path):
    with started_testbed(f"pytest-{os.getpid()}-second") as second:
        kubeconfig = merged_kubeconfig(tmp_path / "kubeconfig", {"one": cluster.kubeconfig,
                                                                  "two": second.kubeconfig})
        out = ok(cluster.helmgen("install", "-f", str(INPUTS / "default.yaml"), "--manifests",
                                 str(cluster.manifests), "--kubeconfig", str(kubeconfig),
                                 "--context", "one", "--context", "two"))
        assert "cluster one:" in out and "cluster two:" in out, out
        for bed in (cluster.bed, second):
            listed = Cluster(bed, cluster.helm, cluster.manifests).releases()
            assert {n: r["status"] for n, r in listed.items()} == {n: "deployed" for n in RELEASES}
        ok(cluster.helmgen("uninstall", "-f", str(INPUTS / "default.yaml"), "--manifests", str(cluster.manifests),
                           "--kubeconfig", str(kubeconfig), "--context", "one", "--context", "two"))


def test_canary_revision_beside_stable_tag_switch_and_removal_of_the_old_revision(cluster):
    """docs/migration.md's canary flow: 1-0 (default revision, tag prod), 1-1 beside it, then the default
    revision, prod and the gateway moved to 1-1 in place, 1-0 removed (refused while something points at it)."""
    def install(name: str) -> str:
        return ok(cluster.helmgen("install", "-f", str(INPUTS / name), "--manifests", str(cluster.manifests)))

    def tag_service() -> str:
        hooks = cluster.get("mutatingwebhookconfiguration", "istio-revision-tag-prod")["webhooks"]
        return {h["clientConfig"]["service"]["name"] for h in hooks}.pop()

    def default_validator() -> str:
        hooks = cluster.get("validatingwebhookconfiguration", "istiod-default-validator")["webhooks"]
        return {h["clientConfig"]["service"]["name"] for h in hooks}.pop()

    out = install("canary-1-0.yaml")
    assert outcome_lines(out)["istio-revision-tag-prod"] == "installed", out
    assert tag_service() == "istiod-1-0" and default_validator() == "istiod-1-0"
    out = install("canary-1-1.yaml")
    assert set(outcome_lines(out)) == {"istiod-1-1"}, out
    assert {"istiod-1-0", "istiod-1-1", "istio-ingressgateway"} <= set(deployments(cluster))
    assert_all_ready(cluster)

    refused = cluster.helmgen("uninstall", "--revision", "1-0")
    assert refused.returncode == 3 and "still used by" in refused.stdout + refused.stderr, refused
    assert "istiod-1-0" in deployments(cluster)

    webhook_uid = cluster.get("mutatingwebhookconfiguration", "istio-revision-tag-prod")["metadata"]["uid"]
    out = install("canary-1-1-prod.yaml")
    assert outcome_lines(out)["istio-revision-tag-prod"] == "upgraded", out
    assert tag_service() == "istiod-1-1"  # moved in place: the same object, never absent
    assert default_validator() == "istiod-1-1"  # defaultRevision switched with istio-base
    assert cluster.get("mutatingwebhookconfiguration", "istio-revision-tag-prod")["metadata"]["uid"] == webhook_uid
    gateway = deployments(cluster)["istio-ingressgateway"]
    assert gateway["spec"]["template"]["metadata"]["labels"]["istio.io/rev"] == "1-1"

    out = ok(cluster.helmgen("uninstall", "--revision", "1-0"))
    assert outcome_lines(out) == {"istiod-1-0": "uninstalled"}, out
    assert "istiod-1-0" not in deployments(cluster) and "istiod-1-1" in deployments(cluster)
    assert_all_ready(cluster)

    out = ok(cluster.helmgen("uninstall", "-f", str(INPUTS / "canary-1-1-prod.yaml"), "--manifests",
                             str(cluster.manifests), "--purge"))
    assert cluster.releases() == {}, out
    assert not [c for c in cluster.get("crds")["items"] if c["spec"]["group"].endswith("istio.io")], out
