"""The run lock's pure decision: when a Lease left by another run may be taken over, and what a refusal says."""
from datetime import datetime, timedelta, timezone

import pytest

from helmgen.kube.lock import COMMAND, PID_NAMESPACE, STARTED, held_message, lease_is_free, parse_holder

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
HOST = "build-7"
PIDNS = "pid:[4026531836]"


def lease(holder: str | None = f"{HOST}/4242/0badf00d", renewed_ago: float | None = 1.0, duration: int = 30,
          pid_namespace: str | None = PIDNS) -> dict:
    """A Lease as helmgen writes it (and as lightkube's to_dict gives it back: times as RFC3339 strings)."""
    spec: dict = {"leaseDurationSeconds": duration}
    if holder is not None:
        spec["holderIdentity"] = holder
    if renewed_ago is not None:
        spec["renewTime"] = (NOW - timedelta(seconds=renewed_ago)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    annotations = {COMMAND: "install -f iop.yaml", STARTED: "2025-03-01T11:58:00Z"}
    if pid_namespace is not None:
        annotations[PID_NAMESPACE] = pid_namespace
    return {"metadata": {"name": "helmgen-lock", "namespace": "kube-system", "annotations": annotations},
            "spec": spec}


class Pids:
    """pid_alive for tests: the pids it was asked about, and a fixed answer."""

    def __init__(self, alive: bool):
        self.alive, self.asked = alive, []

    def __call__(self, pid: int) -> bool:
        self.asked.append(pid)
        return self.alive


def free(lease_: dict, host: str = HOST, alive: bool = True, pid_namespace: str | None = PIDNS) -> bool:
    return lease_is_free(lease_, NOW, host, Pids(alive), pid_namespace)


def test_expired_lease_is_free():
    assert free(lease(holder="elsewhere/1/aaaaaaaa", renewed_ago=31)) is True


def test_unexpired_lease_of_another_host_is_held():
    assert free(lease(holder="elsewhere/1/aaaaaaaa", renewed_ago=29)) is False


def test_expiry_follows_the_leases_own_duration():
    assert free(lease(holder="elsewhere/1/aaaaaaaa", renewed_ago=6, duration=5)) is True
    assert free(lease(holder="elsewhere/1/aaaaaaaa", renewed_ago=4, duration=5)) is False


def test_without_renew_time_acquire_time_counts():
    held = lease(holder="elsewhere/1/aaaaaaaa", renewed_ago=None)
    held["spec"]["acquireTime"] = (NOW - timedelta(seconds=2)).isoformat()
    assert free(held) is False
    held["spec"]["acquireTime"] = (NOW - timedelta(seconds=40)).isoformat()
    assert free(held) is True


@pytest.mark.parametrize("holder", [None, ""])
def test_lease_without_holder_is_free(holder):
    assert free(lease(holder=holder, renewed_ago=0)) is True


def test_same_host_dead_pid_is_free_at_once():
    pids = Pids(alive=False)
    assert lease_is_free(lease(renewed_ago=0), NOW, HOST, pids, PIDNS) is True
    assert pids.asked == [4242]


def test_same_host_live_pid_is_held():
    pids = Pids(alive=True)
    assert lease_is_free(lease(renewed_ago=0), NOW, HOST, pids, PIDNS) is False
    assert pids.asked == [4242]


def test_other_host_is_held_whatever_its_pid():
    pids = Pids(alive=False)  # the pid is dead *here*, which says nothing about the other host
    assert lease_is_free(lease(holder="elsewhere/4242/0badf00d", renewed_ago=0), NOW, HOST, pids, PIDNS) is False
    assert pids.asked == []


def test_same_hostname_in_another_pid_namespace_is_held():
    """Containers sharing the host's hostname (host network) each have their own pids."""
    assert free(lease(renewed_ago=0, pid_namespace="pid:[4026532999]"), alive=False) is False
    assert free(lease(renewed_ago=0, pid_namespace=None), alive=False) is False
    assert free(lease(renewed_ago=0, pid_namespace=None), alive=False, pid_namespace=None) is True


def test_holder_not_written_by_helmgen_is_held_until_it_expires():
    assert free(lease(holder=HOST, renewed_ago=0), alive=False) is False
    assert free(lease(holder=f"{HOST}/x/y", renewed_ago=0), alive=False) is False


def test_parse_holder():
    assert parse_holder("build-7/4242/0badf00d") == ("build-7", 4242)
    assert parse_holder("build-7") == ("build-7", None)
    assert parse_holder("build-7/me/0badf00d") == ("build-7", None)


def test_held_message_names_the_holder_and_what_to_do():
    assert held_message(lease(renewed_ago=7.2), NOW) == (
        "another helmgen run holds the lock on this cluster (lease kube-system/helmgen-lock): "
        "install -f iop.yaml, on build-7 pid 4242, since 2025-03-01T11:58:00Z, last renewed 7s ago; "
        "wait for it to finish (the lock expires 30s after its holder stops renewing it)")


def test_held_message_for_a_lease_helmgen_did_not_write():
    message = held_message({"spec": {"holderIdentity": "kubectl", "leaseDurationSeconds": 60}}, NOW)
    assert "unknown command, held by kubectl, since ?, last renewed never" in message
    assert "expires 60s after" in message
