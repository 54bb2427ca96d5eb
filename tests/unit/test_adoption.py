"""helmgen adopt's decisions, and helmgen diff's view of a change."""
from __future__ import annotations

import copy

from helmgen.adoption import Action, classify
from helmgen.objdiff import object_diff

DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "istiod", "namespace": "istio-system"},
              "spec": {"selector": {"matchLabels": {"istio": "pilot"}},
                       "template": {"metadata": {"labels": {"app": "istiod", "app.kubernetes.io/instance": "istiod"}},
                                    "spec": {"containers": [{"name": "discovery"}]}}}}


def live_from_istioctl() -> dict:
    live = copy.deepcopy(DEPLOYMENT)
    live["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/instance"] = "istio"
    live["metadata"]["managedFields"] = [{"manager": "istio-operator"}, {"manager": "kube-controller-manager"}]
    live["status"] = {"readyReplicas": 1}
    return live


def test_missing_object_is_created():
    assert classify(DEPLOYMENT, None, "istiod", "istio-system", "istio-system").action is Action.CREATE


def test_istioctl_object_is_adopted_keeping_the_release_name_label():
    f = classify(DEPLOYMENT, live_from_istioctl(), "istiod", "istio-system", "istio-system")
    assert f.action is Action.ADOPT
    assert f.kept_pod_labels == {"app.kubernetes.io/instance": "istio"}
    assert "field managers: istio-operator, kube-controller-manager" in f.notes


def test_labels_that_do_not_name_the_release_are_not_kept():
    live = live_from_istioctl()
    live["spec"]["template"]["metadata"]["labels"]["app"] = "old"
    assert classify(DEPLOYMENT, live, "istiod", "istio-system", "istio-system").kept_pod_labels == \
        {"app.kubernetes.io/instance": "istio"}


def test_object_of_another_release_is_a_conflict():
    live = live_from_istioctl()
    live["metadata"]["annotations"] = {"meta.helm.sh/release-name": "istio", "meta.helm.sh/release-namespace": "x"}
    f = classify(DEPLOYMENT, live, "istiod", "istio-system", "istio-system")
    assert f.action is Action.CONFLICT and "owned by Helm release x/istio" in f.notes[0]


def test_already_ours_is_owned():
    live = live_from_istioctl()
    live["metadata"]["annotations"] = {"meta.helm.sh/release-name": "istiod",
                                       "meta.helm.sh/release-namespace": "istio-system"}
    assert classify(DEPLOYMENT, live, "istiod", "istio-system", "istio-system").action is Action.OWNED


def test_selector_change_is_refused():
    live = live_from_istioctl()
    live["spec"]["selector"] = {"matchLabels": {"app": "istiod"}}
    f = classify(DEPLOYMENT, live, "istiod", "istio-system", "istio-system")
    assert f.action is Action.CONFLICT and "spec.selector would change" in f.notes[0]


def test_role_binding_role_ref_change_is_refused():
    want = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "b"},
            "roleRef": {"kind": "Role", "name": "new"}}
    live = {**want, "roleRef": {"kind": "Role", "name": "old"}}
    assert classify(want, live, "istiod", "istio-system", "istio-system").action is Action.CONFLICT


def test_diff_ignores_what_the_server_keeps_about_an_object():
    live = live_from_istioctl()
    after = copy.deepcopy(live)
    after["metadata"]["resourceVersion"] = "99"
    after["status"] = {"readyReplicas": 0}
    assert object_diff(live, after, "x") == []


def test_diff_shows_a_changed_field_and_multiline_strings_by_line():
    live = {"kind": "ConfigMap", "metadata": {"name": "istio"}, "data": {"mesh": "a: 1\nb: 2\n"}}
    after = {"kind": "ConfigMap", "metadata": {"name": "istio"}, "data": {"mesh": "a: 1\nb: 3\n"}}
    lines = object_diff(live, after, "ConfigMap/istio")
    assert "-    b: 2\n" in lines and "+    b: 3\n" in lines


def test_labels_that_name_istios_chart_are_kept_when_our_chart_names_itself():
    desired = copy.deepcopy(DEPLOYMENT)
    desired["spec"]["template"]["metadata"]["labels"].update({"helm.sh/chart": "istiod-0.1.0",
                                                              "app.kubernetes.io/version": "1.31.0"})
    live = live_from_istioctl()
    live["spec"]["template"]["metadata"]["labels"].update({"helm.sh/chart": "istiod-1.28.0",
                                                           "app.kubernetes.io/version": "1.28.0"})
    assert classify(desired, live, "istiod", "istio-system", "istio-system").kept_pod_labels == {
        "app.kubernetes.io/instance": "istio", "helm.sh/chart": "istiod-1.28.0", "app.kubernetes.io/version": "1.28.0"}
    del desired["spec"]["template"]["metadata"]["labels"]["helm.sh/chart"]   # our charts put none on pod templates
    assert classify(desired, live, "istiod", "istio-system", "istio-system").kept_pod_labels["helm.sh/chart"] == \
        "istiod-1.28.0"
    live["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/version"] = "1.31.0"   # the same: nothing kept
    assert "app.kubernetes.io/version" not in classify(desired, live, "istiod", "istio-system",
                                                       "istio-system").kept_pod_labels
