"""One release's install steps against a recording fake of helm (the real thing runs in tests/e2e)."""
from __future__ import annotations

import asyncio

import pytest

from helmgen.deploy import release as release_module
from helmgen.deploy.model import Settings, Status
from helmgen.deploy.release import ReleaseTask, apply_release
from helmgen.helm import HelmError
from helmgen.kube.readiness import Ref
from helmgen.kube.waiter import NotReady

MANIFEST = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: istiod}\n"


class FakeReleases:
    """Records every call; history is a list of (revision, status) the calls change as helm would."""

    def __init__(self, history=(), fail_upgrade: str | None = None, records_failed_revision: bool = True):
        self.revisions = [{"revision": r, "status": s} for r, s in history]
        self.calls: list[tuple] = []
        self.fail_upgrade, self.records = fail_upgrade, records_failed_revision

    def _add(self, status: str) -> int:
        for r in self.revisions:
            if r["status"] == "deployed":
                r["status"] = "superseded"
        n = len(self.revisions) + 1
        self.revisions.append({"revision": n, "status": status})
        return n

    async def history(self, name, namespace):
        self.calls.append(("history", name))
        return [dict(r) for r in self.revisions]

    async def upgrade_install(self, up):
        self.calls.append(("upgrade", up.release, up.first_install))
        if self.fail_upgrade:
            if self.records:
                self.revisions.append({"revision": len(self.revisions) + 1, "status": "failed"})
            raise HelmError(self.fail_upgrade)
        n = self._add("deployed")
        return {"version": n, "manifest": MANIFEST + f"# revision {n}\n"}

    async def rollback(self, name, namespace, revision, timeout="5m"):
        self.calls.append(("rollback", name, revision))
        self._add("deployed")

    async def uninstall(self, name, namespace, timeout="5m", wait=False):
        self.calls.append(("uninstall", name))
        self.revisions = []

    async def manifest(self, name, namespace, revision=None):
        self.calls.append(("manifest", name, revision))
        return MANIFEST + f"# revision {revision}\n"


class Quiet:
    def phase(self, release, text):
        pass


@pytest.fixture
def ready(monkeypatch):
    """Readiness the test decides: a list of NotReady results, one per wait (default: ready)."""
    answers: list[list] = []

    async def wait_ready(client, refs, timeout, interval=2.0, on_progress=None):
        return answers.pop(0) if answers else []

    async def kept_pod_labels(client, namespace, workloads):
        return {}

    monkeypatch.setattr(release_module, "wait_ready", wait_ready)
    monkeypatch.setattr(release_module, "kept_pod_labels", kept_pod_labels)
    return answers


TASK = ReleaseTask("istiod", "istio-system", "/charts/istiod", {}, None, ("istio-base",))


def run(fake, settings=Settings(timeout=5)):
    return asyncio.run(apply_release(fake, None, TASK, settings, Quiet()))


def test_first_install(ready):
    fake = FakeReleases()
    out = run(fake)
    assert (out.status, out.revision) == (Status.INSTALLED, 1)
    assert [c[0] for c in fake.calls] == ["history", "upgrade"] and fake.calls[1][2] is True


def test_upgrade_reports_whether_objects_changed(ready):
    fake = FakeReleases([(1, "deployed")])
    assert run(fake).status is Status.UPGRADED  # the fake's manifests differ per revision


def test_pending_upgrade_left_by_a_killed_run_is_rolled_back_first(ready):
    fake = FakeReleases([(1, "superseded"), (2, "deployed"), (3, "pending-upgrade")])
    out = run(fake)
    assert ("rollback", "istiod", 2) in fake.calls
    assert fake.calls.index(("rollback", "istiod", 2)) < [c[0] for c in fake.calls].index("upgrade")
    assert out.status.ok and "left pending-upgrade" in out.message


def test_pending_install_that_never_deployed_is_removed_first(ready):
    fake = FakeReleases([(1, "pending-install")])
    out = run(fake)
    assert [c[0] for c in fake.calls][:3] == ["history", "uninstall", "history"]
    assert out.status is Status.INSTALLED and "removed it first" in out.message


def test_failed_upgrade_is_rolled_back_to_the_revision_it_was_on(ready):
    fake = FakeReleases([(1, "superseded"), (2, "deployed")], fail_upgrade="apply failed")
    out = run(fake)
    assert ("rollback", "istiod", 2) in fake.calls
    assert out.status is Status.ROLLED_BACK and "apply failed" in out.message and not out.status.ok


def test_failed_first_install_is_uninstalled(ready):
    fake = FakeReleases([], fail_upgrade="apply failed")
    out = run(fake)
    assert ("uninstall", "istiod") in fake.calls and out.status is Status.REMOVED


def test_helm_failure_before_any_revision_leaves_the_release_as_it_was(ready):
    fake = FakeReleases([(1, "deployed")], fail_upgrade="cannot reach the cluster", records_failed_revision=False)
    out = run(fake)
    assert not [c for c in fake.calls if c[0] in ("rollback", "uninstall")]
    assert out.status is Status.FAILED and "left as it was" in out.message


def test_not_ready_in_time_is_rolled_back_and_says_why(ready):
    ready.append([NotReady(Ref("apps/v1", "Deployment", "istio-system", "istiod"), "0/3 nodes are available")])
    fake = FakeReleases([(1, "deployed")])
    out = run(fake)
    assert ("rollback", "istiod", 1) in fake.calls
    assert out.status is Status.ROLLED_BACK
    assert "Deployment/istio-system/istiod (0/3 nodes are available)" in out.message


def test_dry_run_changes_nothing(ready):
    fake = FakeReleases([(1, "deployed")])
    out = run(fake, Settings(dry_run=True))
    assert out.status is Status.DRY_RUN
    assert not [c for c in fake.calls if c[0] in ("rollback", "uninstall", "manifest")]


def test_without_wait_no_readiness_is_checked(ready):
    ready.append([NotReady(Ref("apps/v1", "Deployment", "istio-system", "istiod"), "never")])
    assert run(FakeReleases(), Settings(wait=False)).status is Status.INSTALLED


def test_a_failing_rollback_is_an_outcome_not_an_exception(ready):
    class RollbackFails(FakeReleases):
        async def rollback(self, name, namespace, revision, timeout="5m"):
            raise HelmError("helm rollback istiod failed: the API server went away")

    out = run(RollbackFails([(1, "deployed")], fail_upgrade="apply failed"))
    assert out.status is Status.FAILED
    assert "the API server went away" in out.message and "run the install again" in out.message
