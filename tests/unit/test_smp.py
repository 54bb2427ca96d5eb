"""Strategic merge patch (facts 5.2): the rules, each on a small object. test_smp_vs_go*.py compares with Go."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from helmgen.postprocess.smp import SmpError, _meta, strategic_merge

DEP, SVC = "apps/v1/Deployment", "v1/Service"
HPA, PDB = "autoscaling/v2/HorizontalPodAutoscaler", "policy/v1/PodDisruptionBudget"


def pod(**spec: Any) -> dict:
    return {"spec": {"template": {"spec": spec}}}


def container(**fields: Any) -> dict:
    return pod(containers=[{"name": "discovery", **fields}])


def names(items: list) -> list:
    return [i["name"] for i in items]


def env_of(obj: dict, index: int = 0) -> list:
    return obj["spec"]["template"]["spec"]["containers"][index]["env"]


CHART_ENV = ["REVISION", "PILOT_CERT_PROVIDER", "POD_NAME", "POD_NAMESPACE", "SERVICE_ACCOUNT"]
CHART = container(image="pilot", args=["discovery", "--monitoringAddr=:15014"],
                  env=[{"name": n, "value": n.lower()} for n in CHART_ENV],
                  ports=[{"containerPort": 8080, "protocol": "TCP"}, {"containerPort": 15010, "protocol": "TCP"}],
                  resources={"requests": {"cpu": "500m", "memory": "2Gi"}},
                  volumeMounts=[{"name": "a", "mountPath": "/a"}, {"name": "b", "mountPath": "/b"}])
CHART["spec"]["template"]["spec"].update(
    tolerations=[{"key": "cni.istio.io/not-ready", "operator": "Exists"}], nodeSelector={"os": "linux"},
    volumes=[{"name": "a", "emptyDir": {}}, {"name": "b", "secret": {"secretName": "s"}}],
    imagePullSecrets=[{"name": "p1"}])
CHART["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "100%", "maxUnavailable": "25%"}}
CHART["metadata"] = {"name": "istiod", "finalizers": ["a", "b"]}


def merge(patch: dict, original: dict = CHART, kind: str = DEP) -> dict:
    return strategic_merge(original, patch, kind)


# --------------------------------------------------------------------------------------------- keyed lists

def test_env_order_follows_facts_example_pilot_k8s_settings():
    out = merge(container(env=[{"name": "POD_NAME", "value": "x"}, {"name": "GODEBUG", "value": "1"},
                               {"name": "NEW_VAR", "value": "2"}]))
    assert names(env_of(out)) == ["REVISION", "PILOT_CERT_PROVIDER", "POD_NAME", "GODEBUG", "NEW_VAR",
                                  "POD_NAMESPACE", "SERVICE_ACCOUNT"]
    assert env_of(out)[2] == {"name": "POD_NAME", "value": "x"}


def test_patch_of_only_new_items_goes_to_the_front():
    out = merge(container(env=[{"name": "NEW1"}, {"name": "NEW2"}]))
    assert names(env_of(out)) == ["NEW1", "NEW2", *CHART_ENV]


def test_existing_items_follow_the_patch_order_among_themselves():
    out = merge(container(env=[{"name": "POD_NAMESPACE"}, {"name": "REVISION"}]))
    assert names(env_of(out)) == ["PILOT_CERT_PROVIDER", "POD_NAME", "POD_NAMESPACE", "REVISION", "SERVICE_ACCOUNT"]


def test_container_patch_merges_into_the_named_container_and_a_new_name_adds_a_partial_container():
    out = merge(pod(containers=[{"name": "discovery", "imagePullPolicy": "Always"}, {"name": "extra", "image": "x"}]))
    containers = out["spec"]["template"]["spec"]["containers"]
    assert names(containers) == ["discovery", "extra"]
    assert containers[0]["imagePullPolicy"] == "Always" and containers[0]["image"] == "pilot"
    assert containers[1] == {"name": "extra", "image": "x"}


def test_container_ports_merge_by_container_port_compared_as_go_values():
    out = merge(container(ports=[{"containerPort": 8080, "name": "http"}, {"containerPort": "15010"},
                                 {"containerPort": 15010.0}]))
    ports = out["spec"]["template"]["spec"]["containers"][0]["ports"]
    assert ports[0] == {"containerPort": 8080, "protocol": "TCP", "name": "http"}
    # "15010" (string) and 15010.0 (float) are not the int 15010: both are new items.
    assert [p["containerPort"] for p in ports] == [8080, "15010", 15010.0, 15010]


@pytest.mark.parametrize("field,key,item", [
    ("volumeMounts", "mountPath", {"mountPath": "/b", "readOnly": True}),
    ("volumes", "name", {"name": "b", "secret": {"defaultMode": 420}}),
    ("imagePullSecrets", "name", {"name": "p1", "x": 1}),
])
def test_other_keyed_lists_merge_element_wise(field, key, item):
    spec = CHART["spec"]["template"]["spec"]
    where = spec["containers"][0] if field == "volumeMounts" else spec
    patch = container(**{field: [item]}) if field == "volumeMounts" else pod(**{field: [item]})
    out = merge(patch)["spec"]["template"]["spec"]
    merged = (out["containers"][0] if field == "volumeMounts" else out)[field]
    assert len(merged) == len(where[field])
    target = next(m for m in merged if m[key] == item[key])
    assert all(target[k] == v for k, v in item.items() if not isinstance(v, dict))
    if field == "volumes":
        assert target["secret"] == {"secretName": "s", "defaultMode": 420}


def test_service_ports_merge_by_port_and_an_empty_list_changes_nothing():
    svc = {"spec": {"type": "ClusterIP", "ports": [{"port": 15010, "name": "grpc"}, {"port": 443, "name": "https"}]}}
    assert merge({"spec": {"ports": []}}, svc, SVC) == svc
    out = merge({"spec": {"ports": [{"port": 443, "targetPort": 15017}, {"port": 80}]}}, svc, SVC)
    assert out["spec"]["ports"] == [{"port": 15010, "name": "grpc"},
                                    {"port": 443, "name": "https", "targetPort": 15017}, {"port": 80}]


def test_empty_patch_list_on_a_merge_list_changes_nothing():
    assert merge(container(env=[])) == CHART


# ------------------------------------------------------------------------------------------ replaced lists

def test_tolerations_are_replaced():
    out = merge(pod(tolerations=[{"key": "k", "operator": "Exists"}]))
    assert out["spec"]["template"]["spec"]["tolerations"] == [{"key": "k", "operator": "Exists"}]


def test_args_and_affinity_term_lists_are_replaced():
    terms = [{"matchExpressions": [{"key": "b", "operator": "In", "values": ["y"]}]}]
    original = pod(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "a", "operator": "Exists"}]}]}}}, containers=[
        {"name": "discovery", "args": ["a", "b"]}])
    out = merge(pod(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": terms}}}, containers=[{"name": "discovery", "args": ["c"]}]), original)
    spec = out["spec"]["template"]["spec"]
    required = spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert required["nodeSelectorTerms"] == terms
    assert spec["containers"][0]["args"] == ["c"]


def test_hpa_patch_replaces_only_named_fields_and_replaces_metrics():
    cpu = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}
    hpa = {"spec": {"minReplicas": 1, "maxReplicas": 5, "metrics": [cpu], "scaleTargetRef": {
        "apiVersion": "apps/v1", "kind": "Deployment", "name": "istiod"}}}
    memory = [{"type": "Resource", "resource": {"name": "memory"}}]
    out = merge({"spec": {"maxReplicas": 3, "scaleTargetRef": {"name": "istio-pilot"}, "metrics": memory}}, hpa, HPA)
    assert out["spec"] == {"minReplicas": 1, "maxReplicas": 3, "metrics": memory, "scaleTargetRef": {
        "apiVersion": "apps/v1", "kind": "Deployment", "name": "istio-pilot"}}


def test_finalizers_merge_list_of_scalars_is_unioned_and_deduplicated():
    # Patch items in patch order, the original's other items placed by the same walk as keyed lists.
    assert merge({"metadata": {"finalizers": ["c", "a", "c"]}})["metadata"]["finalizers"] == ["c", "a", "b"]


# ------------------------------------------------------------------------------------------------ maps, null

def test_maps_merge_recursively():
    out = merge(container(resources={"requests": {"memory": "1Gi"}, "limits": {"cpu": "1"}}))
    assert out["spec"]["template"]["spec"]["containers"][0]["resources"] == {
        "requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "1"}}


def test_null_deletes_a_key():
    out = merge({"spec": {"template": {"spec": {"nodeSelector": {"os": None, "zone": "a"}, "tolerations": None}}}})
    assert out["spec"]["template"]["spec"]["nodeSelector"] == {"zone": "a"}
    assert "tolerations" not in out["spec"]["template"]["spec"]


def test_pdb_null_removes_min_available():
    pdb = {"spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "istiod"}}}}
    assert merge({"spec": {"minAvailable": None, "maxUnavailable": 1}}, pdb, PDB)["spec"] == {
        "maxUnavailable": 1, "selector": {"matchLabels": {"app": "istiod"}}}


def test_nulls_in_a_new_map_are_dropped_but_a_new_list_item_is_taken_as_is():
    out = merge(container(lifecycle={"preStop": None, "postStart": {"exec": {"command": ["x"]}}},
                          env=[{"name": "NEW", "value": None}]))
    c = out["spec"]["template"]["spec"]["containers"][0]
    assert c["lifecycle"] == {"postStart": {"exec": {"command": ["x"]}}}
    assert c["env"][0] == {"name": "NEW", "value": None}


def test_arguments_are_not_changed():
    patch = container(env=[{"name": "POD_NAME", "$patch": "delete"}], resources={"$patch": "replace"})
    before = copy.deepcopy((CHART, patch))
    merge(patch)
    assert (CHART, patch) == before


# ------------------------------------------------------------------------------------------------ directives

def test_patch_replace_and_delete_on_maps():
    out = merge(container(resources={"$patch": "replace", "limits": {"cpu": "1"}}))
    assert out["spec"]["template"]["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "1"}}
    out = merge(container(resources={"$patch": "delete"}))
    assert out["spec"]["template"]["spec"]["containers"][0]["resources"] == {}


def test_patch_delete_and_replace_on_list_items():
    assert names(env_of(merge(container(env=[{"name": "POD_NAME", "$patch": "delete"}])))) == [
        "REVISION", "PILOT_CERT_PROVIDER", "POD_NAMESPACE", "SERVICE_ACCOUNT"]
    assert env_of(merge(container(env=[{"$patch": "replace"}, {"name": "ONLY"}]))) == [{"name": "ONLY"}]


@pytest.mark.parametrize("patch", [
    {"$patch": "merge"}, container(env=[{"name": "X", "$patch": "merge"}]), container(resources={"$patch": "bogus"}),
    container(env=[{"value": "no merge key"}]), {"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {}}}},
    container(env=[{"name": "NEW"}], **{"$setElementOrder/env": [{"name": "REVISION"}]}),
    {"metadata": {"finalizers": [1]}}, {"spec": {"unknownField": {"a": 1}}},
])
def test_patches_go_rejects_raise(patch):
    original = copy.deepcopy(CHART)
    original["spec"]["unknownField"] = {"b": 2}
    with pytest.raises(SmpError):
        merge(patch, original)


def test_retain_keys_strategy_acts_only_with_the_directive():
    plain = merge({"spec": {"strategy": {"type": "Recreate"}}})
    assert plain["spec"]["strategy"] == {"type": "Recreate",
                                         "rollingUpdate": {"maxSurge": "100%", "maxUnavailable": "25%"}}
    retained = merge({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}})
    assert retained["spec"]["strategy"] == {"type": "Recreate"}


def test_set_element_order():
    out = merge(container(env=[{"name": "POD_NAME", "value": "p"}], **{"$setElementOrder/env": [
        {"name": "SERVICE_ACCOUNT"}, {"name": "POD_NAME"}, {"name": "REVISION"}]}))
    # The listed items take the given order; the unlisted ones are interleaved by their original positions.
    assert names(env_of(out)) == ["PILOT_CERT_PROVIDER", "POD_NAMESPACE", "SERVICE_ACCOUNT", "POD_NAME", "REVISION"]
    out = merge({"metadata": {"$setElementOrder/finalizers": ["b", "a"]}})
    assert out["metadata"]["finalizers"] == ["b", "a"]


def test_delete_from_primitive_list():
    assert merge({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}})["metadata"]["finalizers"] == ["b"]


# ------------------------------------------------------------------------------------------ kinds, metadata

def test_unknown_kind_merges_maps_and_replaces_lists():
    out = merge(container(image="x", env=[{"name": "ONLY"}]), kind="example.com/v1/Widget")
    c = out["spec"]["template"]["spec"]["containers"]
    assert c == [{"name": "discovery", "image": "x", "env": [{"name": "ONLY"}]}]
    assert out["spec"]["strategy"] == CHART["spec"]["strategy"]


def test_patch_metadata_has_the_merge_keys_of_facts_5_2():
    types = _meta()["types"]
    pod_spec, ctr = types["io.k8s.api.core.v1.PodSpec"], types["io.k8s.api.core.v1.Container"]
    for fields, name, key in [(pod_spec, "containers", "name"), (ctr, "env", "name"), (ctr, "ports", "containerPort"),
                              (pod_spec, "volumes", "name"), (ctr, "volumeMounts", "mountPath"),
                              (pod_spec, "imagePullSecrets", "name")]:
        assert fields[name]["key"] == key and fields[name]["strategy"].split(",")[0] == "merge", name
    assert types["io.k8s.api.core.v1.ServiceSpec"]["ports"] == {
        "key": "port", "list": True, "ref": "io.k8s.api.core.v1.ServicePort", "strategy": "merge"}
    assert "strategy" not in pod_spec["tolerations"] and "strategy" not in ctr["args"]
    assert types["io.k8s.api.apps.v1.DeploymentSpec"]["strategy"]["strategy"] == "retainKeys"
    assert set(_meta()["roots"]) == {DEP, "apps/v1/DaemonSet", HPA, PDB, SVC}
