"""The pure part of operator mode: the resource as input, its status, the releases it owns, backoff."""
import yaml

from helmgen.errors import Problem
from helmgen.operator.resource import (ERROR, HEALTHY, RECONCILING, Key, ReleaseRecord, backoff, claims_of,
                                       condition, conflict_text, conflicts,
                                       final_status, input_text, owned_after, problems_text, reconciling_status,
                                       recorded_releases, source_name, stale)

BODY = {"apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator",
        "metadata": {"name": "stable", "namespace": "istio-system", "uid": "u", "generation": 3,
                     "finalizers": ["helmgen.io/releases"], "managedFields": [{"manager": "kubectl"}],
                     "annotations": {"helmgen.io/last-handled-configuration": "{}"}},
        "spec": {"profile": "minimal", "values": {"global": {"hub": "h"}}},
        "status": {"status": "HEALTHY"}}


def test_input_text_keeps_only_what_an_istiooperator_file_has():
    assert yaml.safe_load(input_text(BODY)) == {
        "apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator",
        "metadata": {"name": "stable", "namespace": "istio-system"},
        "spec": {"profile": "minimal", "values": {"global": {"hub": "h"}}}}


def test_input_text_of_a_resource_without_spec_has_no_spec():
    assert "spec" not in yaml.safe_load(input_text({"metadata": {"name": "x"}}))


def test_input_text_is_read_by_helmgen_as_the_file_would_be():
    from helmgen import api

    tr = api.translate(api.Options(("-",), stdin_text=input_text(BODY), stdin_name=source_name(Key("ns", "n"))))
    assert [r.release.name for r in tr.releases] == ["istio-base", "istiod"]


def test_problems_name_the_resource_and_the_path():
    import pytest

    from helmgen import api
    from helmgen.errors import InputError

    bad = {**BODY, "spec": {"components": {"pilot": {"k8s": {"replicas": 2}}}}}
    with pytest.raises(InputError) as e:
        api.translate(api.Options(("-",), stdin_text=input_text(bad), stdin_name=source_name(Key("ns", "n"))))
    text = problems_text(e.value.problems)
    assert "IstioOperator ns/n" in text and "spec.components.pilot.k8s.replicas" in text


def test_problems_text_is_capped():
    problems = [Problem(("spec", f"f{i}"), "bad") for i in range(25)]
    text = problems_text(problems, limit=20)
    assert text.count("\n") == 20 and text.endswith("... and 5 more")


def test_recorded_releases_ignores_malformed_entries():
    status = {"releases": [{"name": "istiod", "namespace": "istio-system", "needs": ["istio-base", 3]},
                           {"name": 1, "namespace": "x"}, "junk", {"name": "a"}]}
    assert recorded_releases(status) == [ReleaseRecord("istiod", "istio-system", ("istio-base",))]
    assert recorded_releases(None) == [] and recorded_releases({"releases": None}) == []


def test_release_record_round_trips_through_status():
    records = [ReleaseRecord("istio-base", "istio-system"), ReleaseRecord("istiod", "istio-system", ("istio-base",))]
    assert recorded_releases({"releases": [r.to_json() for r in records]}) == records


BASE, ISTIOD, GW = (ReleaseRecord("istio-base", "istio-system"), ReleaseRecord("istiod", "istio-system"),
                    ReleaseRecord("gw", "ingress"))


def test_stale_is_what_the_spec_dropped_and_nobody_else_claims():
    assert stale([BASE, ISTIOD, GW], [BASE, ISTIOD], set()) == [GW]
    assert stale([BASE, ISTIOD, GW], [BASE, ISTIOD], {GW.key}) == []          # another resource lists it
    assert stale([BASE, ISTIOD], [BASE, ISTIOD, GW], set()) == []


def test_same_release_name_in_another_namespace_is_another_release():
    other = ReleaseRecord("gw", "elsewhere")
    assert stale([GW], [other], set()) == [GW]


def test_owned_after_keeps_earlier_releases_still_there():
    assert owned_after([BASE, GW], [BASE, ISTIOD], {GW.key}) == [BASE, ISTIOD, GW]
    assert owned_after([BASE, GW], [BASE, ISTIOD], set()) == [BASE, ISTIOD]


def test_backoff_doubles_from_ten_seconds_to_ten_minutes():
    assert [backoff(r) for r in range(8)] == [10, 20, 40, 80, 160, 320, 600, 600]
    assert backoff(10_000) == 600 and backoff(-1) == 10


def test_condition_transition_time_moves_only_when_status_changes():
    old = [{"type": "Ready", "status": "True", "lastTransitionTime": "T0"}]
    assert condition("Ready", True, "Installed", "", 2, "T1", old)["lastTransitionTime"] == "T0"
    assert condition("Ready", False, "InvalidSpec", "", 2, "T1", old)["lastTransitionTime"] == "T1"
    assert condition("Error", True, "X", "", 2, "T1", old)["lastTransitionTime"] == "T1"


def _by_type(status):
    return {c["type"]: c for c in status["conditions"]}


def test_reconciling_status_keeps_ready_and_error_as_they_were():
    current = final_status(None, 1, "T0", True, "Installed", "ok", [BASE])
    status = reconciling_status(current, 2, "T1", "installing 2 releases")
    conditions = _by_type(status)
    assert status["status"] == RECONCILING and "releases" not in status and "observedGeneration" not in status
    assert conditions["Reconciling"]["status"] == "True" and conditions["Reconciling"]["observedGeneration"] == 2
    assert conditions["Ready"] == _by_type(current)["Ready"]


def test_final_status_healthy_and_error():
    ok = final_status(None, 4, "T", True, "Installed", "2 releases ready", [BASE, ISTIOD])
    assert ok["status"] == HEALTHY and ok["observedGeneration"] == 4
    assert {t: c["status"] for t, c in _by_type(ok).items()} == {"Reconciling": "False", "Ready": "True",
                                                                 "Error": "False"}
    assert ok["releases"] == [{"name": "istio-base", "namespace": "istio-system"},
                              {"name": "istiod", "namespace": "istio-system"}]
    bad = final_status(ok, 5, "T2", False, "InvalidSpec", "fix it:\nspec.x: bad", [BASE, ISTIOD])
    conditions = _by_type(bad)
    assert bad["status"] == ERROR and conditions["Error"]["message"] == "fix it:\nspec.x: bad"
    assert conditions["Ready"]["status"] == "False" and conditions["Ready"]["message"] == "not ready: fix it:"
    assert conditions["Error"]["reason"] == "InvalidSpec" and bad["releases"] == ok["releases"]


def test_claims_name_the_first_owner_and_what_others_wait_for():
    stable, canary, other = Key("istio-system", "stable"), Key("istio-system", "canary"), Key("x", "y")
    claims = claims_of([(stable, {"releases": [BASE.to_json(), ISTIOD.to_json()]}),
                        (canary, {"releases": [{"name": "istiod-1-1", "namespace": "istio-system"}],
                                  "conflicts": [GW.to_json()]}),
                        (other, {"releases": [BASE.to_json()]}), (Key("a", "b"), None)])
    assert claims.owners[BASE.key] == stable and GW.key in claims.wanted
    assert claims.held == {BASE.key, ISTIOD.key, Key("istio-system", "istiod-1-1"), GW.key}
    found = conflicts([BASE, GW], claims)
    assert found == [(BASE, stable)]
    assert "release istio-base (istio-system) belongs to IstioOperator istio-system/stable" in conflict_text(found)


def test_final_status_lists_what_the_resource_waits_for_and_clears_it_after():
    waiting = final_status(None, 2, "T", False, "ReleaseConflict", "x", [ISTIOD], [BASE])
    assert waiting["conflicts"] == [BASE.to_json()]
    assert final_status(waiting, 2, "T", True, "Installed", "ok", [BASE, ISTIOD])["conflicts"] == []
