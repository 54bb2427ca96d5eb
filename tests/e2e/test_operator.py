"""Operator mode on a real control plane, Helm 3.18 and Helm 4.1 (one testbed each): `helmgen operator init`
installs charts/istio-operator (the IstioOperator CRD, the controller's Deployment and RBAC), and the controller,
run as a local process (`helmgen operator run`), reconciles IstioOperator resources: apply installs and sets Ready,
an edit upgrades, an invalid edit sets Error with the path and changes nothing, a dropped gateway is uninstalled,
drift is repaired by the resync and nothing else makes a new revision, a canary revision as a second resource
installs beside the first, and deleting a resource uninstalls its releases. Last, a reconcile runs with the
chart's ServiceAccount token, which shows its RBAC is enough (and the testbed's apiserver enforces RBAC)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from testbeds import started_testbed  # tests/e2e/testbeds.py
from helpers import INPUTS, Cluster

RESYNC = "6s"
TIMEOUT = "20s"   # per release; kwok makes schedulable pods ready in a second or two
STABLE = {"apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator",
          "metadata": {"name": "stable", "namespace": "istio-system"},
          "spec": {"profile": "minimal",
                   "components": {"ingressGateways": [{"name": "istio-ingressgateway", "enabled": True}]}}}
CANARY = {"apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator",
          "metadata": {"name": "canary", "namespace": "istio-system"},
          "spec": {"profile": "minimal", "revision": "1-1", "components": {"base": {"enabled": False}}}}


class Operated:
    """A testbed, the helm the controller uses, and the controller process."""

    def __init__(self, cluster: Cluster, workdir: Path):
        self.cluster, self.workdir = cluster, workdir
        self.proc: subprocess.Popen | None = None
        self.log = workdir / "operator.log"

    def start(self, kubeconfig: Path | None = None) -> None:
        env = {**self.cluster.env(), "KUBECONFIG": str(kubeconfig or self.cluster.kubeconfig)}
        self.proc = subprocess.Popen([sys.executable, "-m", "helmgen.cli", "operator", "run", "--namespace",
                                      "istio-system", "--resync", RESYNC, "--timeout", TIMEOUT], env=env,
                                     stdout=self.log.open("a"), stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""

    def kubectl(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        return self.cluster.bed.kubectl(*args, input=input, check=check)

    def apply(self, obj: dict) -> None:
        self.kubectl("apply", "-f", "-", input=yaml.safe_dump(obj))

    def patch(self, name: str, patch: dict | list, kind: str = "merge") -> None:
        self.kubectl("patch", "istiooperator", name, "-n", "istio-system", "--type", kind, "-p",
                     json.dumps(patch))

    def iop(self, name: str) -> dict | None:
        proc = self.kubectl("get", "istiooperator", name, "-n", "istio-system", "-o", "yaml", check=False)
        return yaml.safe_load(proc.stdout) if proc.returncode == 0 else None

    def wait_for(self, what: str, check, timeout: float = 180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            assert self.proc is None or self.proc.poll() is None, f"the controller exited:\n{self.log_tail()}"
            time.sleep(0.5)
        pytest.fail(f"timed out waiting for {what}; the controller's log:\n{self.log_tail()}", pytrace=False)

    def settled(self, name: str, generation: int, status: str = "HEALTHY") -> dict:
        """The resource once its status is about `generation` and says `status`."""
        def check():
            obj = self.iop(name)
            st = (obj or {}).get("status") or {}
            return obj if st.get("observedGeneration") == generation and st.get("status") == status else None
        return self.wait_for(f"IstioOperator {name} generation {generation} {status}", check)

    def revisions(self) -> dict[str, int]:
        return {n: int(r["revision"]) for n, r in self.cluster.releases().items() if n != "istio-operator"}

    def replicas(self, name: str, namespace: str = "istio-system") -> int | None:
        proc = self.kubectl("get", "deployment", name, "-n", namespace, "-o", "yaml", check=False)
        return yaml.safe_load(proc.stdout)["spec"]["replicas"] if proc.returncode == 0 else None

    def events(self, name: str) -> list[dict]:
        found = yaml.safe_load(self.kubectl("get", "events", "-n", "istio-system", "-o", "yaml").stdout)["items"]
        return [e for e in found if e["involvedObject"].get("name") == name
                and e["involvedObject"].get("kind") == "IstioOperator"]


def conditions(obj: dict) -> dict[str, dict]:
    return {c["type"]: c for c in obj["status"]["conditions"]}


@pytest.fixture(scope="module", params=["HELMGEN_HELM3", "HELMGEN_HELM4"], ids=["helm3", "helm4"])
def operated(request, tmp_path_factory):
    helm = os.environ.get(request.param)
    assert helm and Path(helm).is_file(), f"{request.param} must name a helm binary (make test sets it up)"
    with started_testbed(f"pytest-{os.getpid()}-op-{request.param[-5:].lower()}") as bed:
        op = Operated(Cluster(bed, helm, Path("/nonexistent")), tmp_path_factory.mktemp("operator"))
        try:
            yield op
        finally:
            op.stop()


def ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_operator_run_refuses_a_cluster_without_the_crd(operated):
    proc = operated.cluster.helmgen("operator", "run", "--namespace", "istio-system", timeout=60)
    assert proc.returncode == 3 and "no IstioOperator CRD" in proc.stderr and "helmgen operator init" in proc.stderr, \
        proc


OLD_CRD = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "istiooperators.install.istio.io"},
           "spec": {"group": "install.istio.io", "scope": "Namespaced",
                    "names": {"kind": "IstioOperator", "plural": "istiooperators", "singular": "istiooperator"},
                    "versions": [{"name": "v1alpha1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object",
                                                                 "x-kubernetes-preserve-unknown-fields": True}}}]}}
LEGACY = {"apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator",
          "metadata": {"name": "legacy", "namespace": "legacy"}, "spec": {"profile": "minimal"}}


def test_operator_init_installs_the_crd_and_the_controller(operated):
    """Over the CRD Istio's old operator left (no Helm owner), whose resources are kept."""
    operated.apply(OLD_CRD)
    operated.kubectl("wait", "--for=condition=Established", "crd/istiooperators.install.istio.io", "--timeout=60s")
    operated.kubectl("create", "namespace", "legacy")
    operated.apply(LEGACY)
    out = ok(operated.cluster.helmgen("operator", "init", "--watch", "istio-system", "--timeout", "120s"))
    assert "istio-operator" in out and "installed" in out, out
    release = operated.cluster.releases()["istio-operator"]
    assert (release["namespace"], release["status"]) == ("istio-operator", "deployed")
    crd = operated.cluster.get("crd", "istiooperators.install.istio.io")
    assert {c["type"]: c["status"] for c in crd["status"]["conditions"]}["Established"] == "True"
    assert crd["metadata"]["annotations"]["meta.helm.sh/release-name"] == "istio-operator"
    assert crd["spec"]["versions"][0]["subresources"] == {"status": {}}      # the chart's CRD now
    assert operated.kubectl("get", "iop", "legacy", "-n", "legacy").returncode == 0
    deployment = operated.cluster.get("deployment", "istio-operator", "-n", "istio-operator")
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[:2] == ["operator", "run"] and "istio-system" in args
    assert deployment["status"].get("readyReplicas") == 1
    operated.start()


def test_applying_an_istiooperator_installs_its_releases_and_sets_ready(operated):
    operated.apply(STABLE)
    obj = operated.settled("stable", 1)
    assert conditions(obj)["Ready"]["status"] == "True" and conditions(obj)["Error"]["status"] == "False"
    assert {r["name"] for r in obj["status"]["releases"]} == {"istio-base", "istiod", "istio-ingressgateway"}
    assert operated.revisions() == {"istio-base": 1, "istiod": 1, "istio-ingressgateway": 1}
    assert {n: r["status"] for n, r in operated.cluster.releases().items()} == \
        {n: "deployed" for n in ("istio-base", "istiod", "istio-ingressgateway", "istio-operator")}
    assert obj["metadata"]["finalizers"] == ["helmgen.io/releases"]
    assert any(e["reason"] == "Installed" and e["type"] == "Normal" for e in operated.events("stable"))
    printed = operated.kubectl("get", "iop", "stable", "-n", "istio-system").stdout
    assert "HEALTHY" in printed and "True" in printed, printed   # the CRD's printer columns


def test_editing_it_upgrades_the_releases(operated):
    operated.patch("stable", {"spec": {"components": {"pilot": {"k8s": {"replicaCount": 2}}}}})
    operated.settled("stable", 2)
    assert operated.replicas("istiod") == 2
    assert operated.revisions()["istiod"] == 2


def test_an_invalid_edit_sets_error_with_the_path_and_leaves_the_releases(operated):
    before = operated.revisions()
    operated.patch("stable", {"spec": {"components": {"pilot": {"k8s": {"replicas": 3}}}}})
    obj = operated.settled("stable", 3, "ERROR")
    error = conditions(obj)["Error"]
    assert error["status"] == "True" and error["reason"] == "InvalidSpec"
    assert "IstioOperator istio-system/stable: spec.components.pilot.k8s.replicas: unknown field" in error["message"]
    assert conditions(obj)["Ready"]["status"] == "False"
    assert any(e["reason"] == "InvalidSpec" and e["type"] == "Warning" for e in operated.events("stable"))
    time.sleep(2 * float(RESYNC[:-1]))  # resyncs leave an invalid resource alone too
    assert operated.revisions() == before and operated.replicas("istiod") == 2
    operated.patch("stable", [{"op": "remove", "path": "/spec/components/pilot/k8s/replicas"}], kind="json")
    obj = operated.settled("stable", 4)
    assert conditions(obj)["Error"]["status"] == "False" and operated.replicas("istiod") == 2


def test_a_release_that_never_becomes_ready_is_rolled_back_and_the_error_names_it(operated):
    generation = operated.iop("stable")["metadata"]["generation"]
    deployed = operated.revisions()["istiod"]
    operated.patch("stable", {"spec": {"components": {"pilot": {"k8s": {
        "nodeSelector": {"helmgen.io/pool": "nowhere"}}}}}})
    obj = operated.settled("stable", generation + 1, "ERROR")
    error = conditions(obj)["Error"]
    assert error["reason"] == "InstallFailed", error
    assert "istiod (istio-system): rolled back" in error["message"], error
    assert "istio-ingressgateway (istio-system): not started" in error["message"], error
    spec = operated.cluster.get("deployment", "istiod", "-n", "istio-system")["spec"]["template"]["spec"]
    assert "helmgen.io/pool" not in (spec.get("nodeSelector") or {})          # back on the revision it was on
    history = operated.cluster.history("istiod")
    assert history[-1]["status"] == "deployed" and history[-1]["description"] == f"Rollback to {deployed}"
    assert any(e["reason"] == "InstallFailed" and e["type"] == "Warning" for e in operated.events("stable"))
    operated.patch("stable", [{"op": "remove", "path": "/spec/components/pilot/k8s/nodeSelector"}], kind="json")
    operated.settled("stable", generation + 2)


def test_resync_repairs_drift_and_makes_no_revision_when_nothing_drifted(operated):
    before = operated.revisions()
    time.sleep(2.5 * float(RESYNC[:-1]))
    assert operated.revisions() == before       # resyncs compared, found nothing, changed nothing
    operated.kubectl("delete", "deployment", "istiod", "-n", "istio-system")
    operated.wait_for("istiod to be recreated", lambda: operated.replicas("istiod") == 2, timeout=90)
    assert any(e["reason"] == "Drift" for e in operated.events("stable"))


def test_dropping_a_gateway_from_the_spec_uninstalls_its_release(operated):
    generation = operated.iop("stable")["metadata"]["generation"]
    operated.patch("stable", {"spec": {"components": {"ingressGateways": [
        {"name": "istio-ingressgateway", "enabled": False}]}}})
    obj = operated.settled("stable", generation + 1)
    assert "istio-ingressgateway" not in operated.cluster.releases()
    assert {r["name"] for r in obj["status"]["releases"]} == {"istio-base", "istiod"}
    assert operated.replicas("istio-ingressgateway") is None


def test_a_canary_revision_as_a_second_resource_installs_beside_the_first(operated):
    operated.apply(CANARY)
    obj = operated.settled("canary", 1)
    assert [r["name"] for r in obj["status"]["releases"]] == ["istiod-1-1"]
    assert operated.replicas("istiod-1-1") == 1 and operated.replicas("istiod") == 2
    assert operated.iop("stable")["status"]["status"] == "HEALTHY"


def test_istio_base_moves_to_the_canary_only_when_the_stable_resource_lets_it_go(operated):
    """One owner per release: the canary planning istio-base (to make 1-1 the default revision) waits, changing
    nothing, until the stable resource stops installing it; istio-base is handed over, never uninstalled."""
    base = operated.revisions()["istio-base"]
    operated.patch("canary", {"spec": {"components": {"base": {"enabled": True}},
                                       "values": {"defaultRevision": "1-1"}}})
    obj = operated.settled("canary", 2, "ERROR")
    assert conditions(obj)["Error"]["reason"] == "ReleaseConflict"
    assert "release istio-base (istio-system) belongs to IstioOperator istio-system/stable" in obj["status"]["message"]
    assert obj["status"]["conflicts"] == [{"name": "istio-base", "namespace": "istio-system"}]
    assert operated.revisions()["istio-base"] == base
    generation = operated.iop("stable")["metadata"]["generation"]
    operated.patch("stable", {"spec": {"components": {"base": {"enabled": False}}}})
    obj = operated.settled("stable", generation + 1)
    assert "handed over istio-base" in obj["status"]["message"]
    assert {r["name"] for r in obj["status"]["releases"]} == {"istiod"}
    assert operated.cluster.releases()["istio-base"]["status"] == "deployed"   # never uninstalled
    obj = operated.settled("canary", 2)
    assert {r["name"] for r in obj["status"]["releases"]} == {"istio-base", "istiod-1-1"}
    assert obj["status"]["conflicts"] == []
    assert operated.revisions()["istio-base"] == base + 1
    validator = operated.cluster.get("validatingwebhookconfiguration", "istiod-default-validator")
    assert {h["clientConfig"]["service"]["name"] for h in validator["webhooks"]} == {"istiod-1-1"}


def test_deleting_a_resource_uninstalls_its_releases_and_keeps_the_crds(operated):
    operated.kubectl("delete", "istiooperator", "canary", "-n", "istio-system", "--timeout", "120s")
    assert set(operated.revisions()) == {"istiod"}
    assert operated.replicas("istiod-1-1") is None and operated.replicas("istiod") == 2
    operated.kubectl("delete", "istiooperator", "stable", "-n", "istio-system", "--timeout", "120s")
    assert operated.revisions() == {}
    crds = {c["metadata"]["name"] for c in operated.cluster.get("crds")["items"]}
    assert {"virtualservices.networking.istio.io", "istiooperators.install.istio.io"} <= crds


def _service_account_kubeconfig(operated: Operated) -> Path:
    token = operated.kubectl("create", "token", "istio-operator", "-n", "istio-operator",
                             "--duration", "2h").stdout.strip()
    admin = yaml.safe_load(operated.cluster.kubeconfig.read_text())
    cluster = admin["clusters"][0]["cluster"]
    if "certificate-authority" in cluster and not Path(cluster["certificate-authority"]).is_absolute():
        cluster["certificate-authority"] = str(operated.cluster.kubeconfig.parent / cluster["certificate-authority"])
    config = {"apiVersion": "v1", "kind": "Config", "current-context": "sa",
              "clusters": [{"name": "bed", "cluster": cluster}],
              "users": [{"name": "sa", "user": {"token": token}}],
              "contexts": [{"name": "sa", "context": {"cluster": "bed", "user": "sa"}}]}
    path = operated.workdir / "service-account.kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return path


def test_a_reconcile_as_the_charts_service_account_installs_and_uninstalls(operated):
    """Ambient (istio-cni, ztunnel), an ingress gateway and an egress gateway in a namespace of its own: every kind
    our charts make, installed and removed with only the permissions charts/istio-operator grants."""
    operated.stop()
    kubeconfig = _service_account_kubeconfig(operated)
    denied = operated.kubectl("--kubeconfig", str(kubeconfig), "auth", "can-i", "create", "pods", "-n", "default",
                              check=False)
    assert denied.stdout.strip() == "no", denied   # the token is the chart's account, not an admin
    operated.start(kubeconfig)
    ours = yaml.safe_load((INPUTS / "ours-ambient-gateways.yaml").read_text())
    operated.apply(ours)
    name = ours["metadata"]["name"]
    obj = operated.settled(name, 1)
    assert {r["name"] for r in obj["status"]["releases"]} == {"istio-base", "istiod", "istio-cni", "ztunnel",
                                                             "istio-ingressgateway", "egress-a"}
    assert operated.replicas("egress-a", "egress") == 2
    operated.kubectl("delete", "istiooperator", name, "-n", "istio-system", "--timeout", "120s")
    assert operated.revisions() == {}
    assert "Forbidden" not in operated.log.read_text(errors="replace"), operated.log_tail()
