"""helmgen.postprocess.smp against the real Go strategic merge patch (k8s.io/apimachinery, as istioctl calls it).

The oracle is tests/tools/smp-oracle, built once into .cache/smp-oracle/<hash of its sources>/. When it cannot
be built every test here FAILS with go's output: an oracle that silently disappears proves nothing.
Each case checks that both give the same object, or that both reject the patch. Curated cases and the
metadata check are here; test_smp_vs_go_generated.py adds hypothesis-generated ones.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from helmgen.postprocess.smp import SmpError, _meta, strategic_merge

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "tests" / "tools" / "smp-oracle"
CACHE = REPO / ".cache" / "smp-oracle"
DEPLOYMENT, DAEMONSET, SERVICE = "apps/v1/Deployment", "apps/v1/DaemonSet", "v1/Service"
HPA, PDB = "autoscaling/v2/HorizontalPodAutoscaler", "policy/v1/PodDisruptionBudget"


def _go() -> str:
    go = shutil.which("go") or ("/usr/local/go/bin/go" if os.access("/usr/local/go/bin/go", os.X_OK) else None)
    if go is None:
        raise RuntimeError("no `go` on PATH (Go 1.26 is needed to build the oracle)")
    return go


def build_oracle() -> Path:
    """The oracle binary, built if its sources changed; RuntimeError with go's output when it cannot be."""
    go = _go()
    version = subprocess.run([go, "version"], capture_output=True, text=True).stdout
    digest = hashlib.sha256(version.encode())
    for name in ("go.mod", "go.sum", "main.go"):
        digest.update((SOURCE / name).read_bytes())
    binary = CACHE / digest.hexdigest()[:16] / "smp-oracle"
    if binary.is_file():
        return binary
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=CACHE))
    attempts = []
    try:
        for proxy in ("off", None):  # the module cache first, then the configured proxy
            env = {**os.environ, "GOFLAGS": "-mod=readonly -buildvcs=false"}
            env.update({"GOPROXY": proxy} if proxy else {})
            proc = subprocess.run([go, "build", "-o", str(tmp / "smp-oracle"), "."], cwd=SOURCE, env=env,
                                  capture_output=True, text=True, timeout=900)
            attempts.append(f"$ GOPROXY={env.get('GOPROXY', '(default)')} go build\n{proc.stdout}{proc.stderr}")
            if proc.returncode == 0:
                binary.parent.mkdir(exist_ok=True)
                os.replace(tmp / "smp-oracle", binary)
                return binary
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    raise RuntimeError("\n".join(attempts))


class Oracle:
    """One long-running oracle process: a JSON request per line in, a JSON answer per line out."""

    def __init__(self, binary: Path):
        self.proc = subprocess.Popen([str(binary)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, request: dict) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the oracle exited (code {self.proc.poll()})")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def oracle() -> Iterator[Oracle]:
    try:
        binary, problem = build_oracle(), ""
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        binary, problem = None, str(exc)
    if binary is None:
        pytest.fail(f"cannot build the Go strategic-merge oracle in {SOURCE}:\n{problem}", pytrace=False)
    o = Oracle(binary)
    yield o
    o.close()


def canonical(value: Any) -> str:
    """JSON text that tells apart what Go tells apart (true vs 1) and not what it does not (1 vs 1.0)."""
    def norm(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        return [norm(x) for x in v] if isinstance(v, list) else v
    return json.dumps(norm(value), sort_keys=True)


def check(oracle: Oracle, original: dict, patch: dict, kind: str) -> None:
    before = copy.deepcopy((original, patch))
    go = oracle.ask({"kind": kind, "original": original, "patch": patch})
    try:
        ours: Any = strategic_merge(original, patch, kind)
    except SmpError as exc:
        ours = exc
    assert (original, patch) == before, "strategic_merge changed its arguments"
    if "error" in go:
        assert isinstance(ours, SmpError), f"Go rejects the patch ({go['error']}) but helmgen gives {ours}"
    else:
        assert not isinstance(ours, SmpError), f"helmgen rejects the patch ({ours}) but Go gives {go['result']}"
        assert canonical(ours) == canonical(go["result"])


# ------------------------------------------------------------------------------------------ patch metadata

def _meta_paths(definition: str, prefix: str, out: dict, stack: frozenset) -> None:
    """The same flat view of patch_meta.json that the oracle gives of the Go structs."""
    if definition in stack:
        return
    for name, f in _meta()["types"][definition].items():
        path = f"{prefix}.{name}"
        kind = "list" if f.get("list") else "map" if f.get("map") else "object" if "ref" in f else "scalar"
        out[path] = {"kind": kind, **{k: f[k] for k in ("strategy", "key") if k in f}}
        if kind == "list":
            out[path + "[]"] = {"kind": "object" if "ref" in f else "scalar"}
        if "ref" in f:
            _meta_paths(f["ref"], path + ("[]" if kind == "list" else ""), out, stack | {definition})


@pytest.mark.parametrize("kind", sorted(_meta()["roots"]))
def test_patch_metadata_matches_the_go_struct_tags(oracle, kind):
    ours: dict = {}
    _meta_paths(_meta()["roots"][kind], "", ours, frozenset())
    go = oracle.ask({"meta": kind})["meta"]
    assert {p: m for p, m in ours.items() if p in go} == {p: go[p] for p in ours if p in go}
    assert not set(ours) - set(go), "fields the Go structs do not have"
    # Fields newer than the schema version (smp.py rejects them like unknown fields): none may carry metadata.
    assert [p for p in set(go) - set(ours) if go[p].get("strategy") or go[p].get("key")] == []


# ------------------------------------------------------------------------------------------ curated cases

def pod(spec: dict) -> dict:
    return {"spec": {"template": {"spec": spec}}}


def container(**fields: Any) -> dict:
    return pod({"containers": [{"name": "discovery", **fields}]})


ENV = [{"name": n, "value": n.lower()} for n in ("REVISION", "PILOT_CERT_PROVIDER", "POD_NAME", "POD_NAMESPACE")]
BASE = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "istiod", "finalizers": ["a", "b"]},
        "spec": {"replicas": 1, "strategy": {"type": "RollingUpdate",
                                             "rollingUpdate": {"maxSurge": "100%", "maxUnavailable": "25%"}},
                 "template": {"metadata": {"annotations": {"a": "1"}}, "spec": {
                     "containers": [{"name": "discovery", "image": "pilot", "args": ["discovery", "--x"], "env": ENV,
                                     "ports": [{"containerPort": 8080, "protocol": "TCP"},
                                               {"containerPort": 15010, "protocol": "TCP"}],
                                     "resources": {"requests": {"cpu": "500m", "memory": "2Gi"}},
                                     "volumeMounts": [{"name": "a", "mountPath": "/a"},
                                                      {"name": "b", "mountPath": "/b"}]},
                                    {"name": "sidecar", "image": "s"}],
                     "tolerations": [{"key": "cni.istio.io/not-ready", "operator": "Exists"}],
                     "volumes": [{"name": "a", "emptyDir": {}}, {"name": "b", "secret": {"secretName": "s"}}],
                     "imagePullSecrets": [{"name": "p1"}], "nodeSelector": {"os": "linux"}}}}}
CURATED: list[tuple[str, dict]] = [
    ("env_merge_order", container(env=[{"name": "POD_NAME", "value": "x"}, {"name": "GODEBUG"}, {"name": "NEW"}])),
    ("env_only_new", container(env=[{"name": "NEW1", "value": "1"}, {"name": "NEW2"}])),
    ("env_reversed", container(env=[{"name": "POD_NAMESPACE"}, {"name": "REVISION", "value": "r"}])),
    ("env_empty", container(env=[])),
    ("env_delete", container(env=[{"name": "POD_NAME", "$patch": "delete"}])),
    ("env_replace", container(env=[{"$patch": "replace"}, {"name": "ONLY", "value": "1"}])),
    ("env_merge_directive", container(env=[{"name": "X", "$patch": "merge"}])),
    ("env_bad_directive", container(env=[{"name": "X", "$patch": "bogus"}])),
    ("env_no_key", container(env=[{"value": "x"}])),
    ("env_null_value", container(env=[{"name": "REVISION", "value": None}, {"name": "NEW", "value": None}])),
    ("env_value_from", container(env=[{"name": "REVISION", "valueFrom": {"fieldRef": {"fieldPath": "x"}}}])),
    ("env_dup_in_patch", container(env=[{"name": "N", "value": "1"}, {"name": "N", "valueFrom": {}}])),
    ("env_set_order", container(env=[{"name": "POD_NAME", "value": "p"}], **{"$setElementOrder/env": [
        {"name": "POD_NAME"}, {"name": "REVISION"}, {"name": "PILOT_CERT_PROVIDER"}, {"name": "POD_NAMESPACE"}]})),
    ("env_set_order_bad", container(env=[{"name": "NEW"}], **{"$setElementOrder/env": [{"name": "REVISION"}]})),
    ("env_set_order_only", container(**{"$setElementOrder/env": [{"name": "POD_NAMESPACE"}, {"name": "REVISION"}]})),
    ("ports_merge", container(ports=[{"containerPort": 8080, "name": "http"}, {"containerPort": 9090}])),
    ("ports_string_key", container(ports=[{"containerPort": "8080", "name": "s"}])),
    ("ports_float_key", container(ports=[{"containerPort": 8080.0, "name": "f"}])),
    ("args_replaced", container(args=["--only"])),
    ("args_delete_list", container(**{"$deleteFromPrimitiveList/args": ["--x"]})),
    ("resources_merge", container(resources={"requests": {"memory": "1Gi"}, "limits": {"cpu": "1"}})),
    ("resources_null", container(resources={"requests": {"cpu": None}})),
    ("resources_replace", container(resources={"$patch": "replace", "limits": {"cpu": "1"}})),
    ("resources_delete", container(resources={"$patch": "delete"})),
    ("probe_new_with_directive", container(readinessProbe={"$patch": "replace", "httpGet": {"port": 1}})),
    ("new_with_nulls", container(lifecycle={"preStop": None, "postStart": {"exec": {"command": ["a"]}}})),
    ("mounts_merge", container(volumeMounts=[{"mountPath": "/c", "name": "c"}, {"mountPath": "/a", "readOnly": True}])),
    ("new_container", pod({"containers": [{"name": "extra", "image": "x", "env": [{"name": "A", "value": None}]}]})),
    ("containers_order", pod({"containers": [{"name": "sidecar"}, {"name": "discovery", "image": "p2"}]})),
    ("tolerations_replaced", pod({"tolerations": [{"key": "k", "operator": "Exists", "effect": None}]})),
    ("tolerations_set_order", pod({"tolerations": [{"key": "k"}], "$setElementOrder/tolerations": [{"key": "k"}]})),
    ("volumes_merge", pod({"volumes": [{"name": "b", "configMap": {"name": "c"}}, {"name": "z", "emptyDir": {}}]})),
    ("volumes_retain_keys", pod({"volumes": [{"name": "b", "$retainKeys": ["name", "configMap"],
                                              "configMap": {"name": "c"}}]})),
    ("volumes_retain_keys_bad", pod({"volumes": [{"name": "b", "$retainKeys": ["name"], "configMap": {}}]})),
    ("pull_secrets", pod({"imagePullSecrets": [{"name": "p2"}, {"name": "p1"}]})),
    ("node_selector", pod({"nodeSelector": {"zone": "a", "os": None}})),
    ("affinity_new", pod({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "a", "operator": "In", "values": ["x"]}]}]}}}})),
    ("strategy_merge", {"spec": {"strategy": {"rollingUpdate": {"maxSurge": 1}}}}),
    ("strategy_retain", {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
    ("strategy_retain_with_null", {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate",
                                                         "rollingUpdate": None}}}),
    ("replicas", {"spec": {"replicas": 3}}),
    ("replicas_map", {"spec": {"replicas": {"a": 1}}}),
    ("annotations", {"spec": {"template": {"metadata": {"annotations": {"b": "2", "a": None}}}}}),
    ("finalizers_union", {"metadata": {"finalizers": ["c", "a", "c"]}}),
    ("finalizers_delete", {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}),
    ("finalizers_delete_null", {"metadata": {"$deleteFromPrimitiveList/finalizers": None}}),
    ("finalizers_set_order", {"metadata": {"$setElementOrder/finalizers": ["b", "a"]}}),
    ("finalizers_type_mix", {"metadata": {"finalizers": [1]}}),
    ("bad_delete_prefix", {"metadata": {"$deleteFromPrimitiveListX/finalizers": ["a"]}}),
    ("top_replace", {"$patch": "replace", "kind": "Deployment"}),
    ("top_delete", {"$patch": "delete"}),
    ("top_merge", {"$patch": "merge"}),
    ("spec_null", {"spec": None}),
    ("new_key_retain_keys_kept", pod({"securityContext": {"$retainKeys": ["a"], "runAsUser": 1}})),
    ("list_of_lists", pod({"containers": [["x"]]})),
    ("unknown_field_maps", {"spec": {"unknown": {"a": 1}}}),
]


@pytest.mark.parametrize("patch", [c[1] for c in CURATED], ids=[c[0] for c in CURATED])
def test_curated_deployment_patch(oracle, patch):
    check(oracle, BASE, patch, DEPLOYMENT)


SERVICE_OBJ = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "istiod", "annotations": {"a": "1"}},
               "spec": {"type": "ClusterIP", "selector": {"app": "istiod"},
                        "ports": [{"port": 15010, "name": "grpc", "protocol": "TCP"},
                                  {"port": 443, "name": "https", "targetPort": 15017}]}}
HPA_OBJ = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "istiod"},
           "spec": {"minReplicas": 1, "maxReplicas": 5,
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "istiod"},
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                        "type": "Utilization", "averageUtilization": 80}}}]}}
PDB_OBJ = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "istiod"},
           "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "istiod"}}}}
OTHER: list[tuple[str, str, dict, dict]] = [
    ("svc_ports_empty", SERVICE, SERVICE_OBJ, {"spec": {"ports": []}}),
    ("svc_ports_merge", SERVICE, SERVICE_OBJ, {"spec": {"ports": [{"port": 443, "nodePort": 30443}, {"port": 80}]}}),
    ("svc_type", SERVICE, SERVICE_OBJ, {"spec": {"type": "LoadBalancer", "loadBalancerSourceRanges": ["1.2.3.4/32"]}}),
    ("svc_annotations", SERVICE, SERVICE_OBJ, {"metadata": {"annotations": {"b": "2"}}}),
    ("hpa_named_fields", HPA, HPA_OBJ, {"spec": {"maxReplicas": 3, "scaleTargetRef": {"name": "istio-pilot"}}}),
    ("hpa_metrics_replaced", HPA, HPA_OBJ, {"spec": {"metrics": [{"type": "Resource", "resource": {
        "name": "memory"}}]}}),
    ("pdb_both", PDB, PDB_OBJ, {"spec": {"maxUnavailable": "50%"}}),
    ("pdb_null", PDB, PDB_OBJ, {"spec": {"minAvailable": None, "maxUnavailable": 1}}),
    ("opaque_map_lookup", DEPLOYMENT, pod({"nodeSelector": {"a": {"x": 1}}}), pod({"nodeSelector": {"a": {"y": 2}}})),
    ("not_a_list_field", DEPLOYMENT, pod({"nodeSelector": ["a"]}), pod({"nodeSelector": ["b"]})),
    ("unknown_field_both_maps", DEPLOYMENT, {"spec": {"foo": {"a": 1}}}, {"spec": {"foo": {"b": 2}}}),
    ("case_insensitive_field", DEPLOYMENT, {"Spec": {"Template": {"spec": {"containers": [{"name": "a"}]}}}},
     {"Spec": {"Template": {"spec": {"containers": [{"name": "b"}]}}}}),
    ("leading_null_item", DEPLOYMENT, {"metadata": {"finalizers": []}}, {"metadata": {"finalizers": [None]}}),
    ("null_item", DEPLOYMENT, {"metadata": {"finalizers": ["a"]}}, {"metadata": {"finalizers": [None]}}),
    ("bool_items", DEPLOYMENT, {"metadata": {"finalizers": [True]}}, {"metadata": {"finalizers": [1, True]}}),
    ("maps_without_key", DEPLOYMENT, {"metadata": {"finalizers": []}}, {"metadata": {"finalizers": [{"a": 1}]}}),
    ("dup_scalars_aliasing", DEPLOYMENT, {"metadata": {"finalizers": ["f1", "f1", "f1"]}},
     {"metadata": {"finalizers": ["f2"]}}),
    ("dup_scalars_set_order", DEPLOYMENT, {"metadata": {"finalizers": ["b", "a", "b"]}},
     {"metadata": {"finalizers": ["c"], "$setElementOrder/finalizers": ["c", "a"]}}),
    ("retain_keys_not_list", DEPLOYMENT, BASE, {"spec": {"strategy": {"$retainKeys": "type"}}}),
    ("set_order_not_list", DEPLOYMENT, BASE, container(**{"$setElementOrder/env": {"name": "A"}})),
    ("set_order_absent_list", DEPLOYMENT, BASE, pod({"$setElementOrder/initContainers": [{"name": "x"}]})),
    ("set_order_with_replace", DEPLOYMENT, BASE, container(
        env=[{"$patch": "replace"}, {"name": "X"}], **{"$setElementOrder/env": [{"name": "X"}]})),
    ("set_order_scalars_for_maps", DEPLOYMENT, BASE, container(
        env=[{"name": "A"}], **{"$setElementOrder/env": ["A"]})),
    ("set_order_scalars_only", DEPLOYMENT, BASE, container(**{"$setElementOrder/env": ["A"]})),
    ("set_order_items_not_maps", DEPLOYMENT, BASE, container(env=["x"], **{"$setElementOrder/env": [{"name": "x"}]})),
    ("set_order_no_key_list", DEPLOYMENT, BASE, pod({"$setElementOrder/tolerations": [{"key": "k"}]})),
    ("set_order_empty_lists", DEPLOYMENT, container(env=[]), container(**{"$setElementOrder/env": []})),
    ("set_order_empty_reverses", DEPLOYMENT, pod({"containers": [{"name": "x"}]}), pod({"containers": [
        {"name": "x", "env": [{"name": f"E{i}"} for i in range(5)], "$setElementOrder/env": []}]})),
    ("set_order_empty_reverses_25", DEPLOYMENT, pod({"containers": [{"name": "x"}]}), pod({"containers": [
        {"name": "x", "env": [{"name": f"E{i}"} for i in range(25)], "$setElementOrder/env": []}]})),
    ("set_order_delete_and_readd", DEPLOYMENT, container(env=[{"name": n} for n in "abcd"]), container(
        env=[{"name": "b", "$patch": "delete"}, {"name": "b", "value": "x"}],
        **{"$setElementOrder/env": [{"name": "b"}]})),
    ("set_order_delete_and_add", DEPLOYMENT, container(env=[{"name": n} for n in "abcd"]), container(
        env=[{"name": "a", "$patch": "delete"}, {"name": "e"}], **{"$setElementOrder/env": [{"name": "e"}]})),
    ("ds_update_strategy", DAEMONSET, {"spec": {"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {
        "maxUnavailable": 1}}}}, {"spec": {"updateStrategy": {"rollingUpdate": {"maxSurge": 1}}}}),
]


@pytest.mark.parametrize("kind,original,patch", [c[1:] for c in OTHER], ids=[c[0] for c in OTHER])
def test_curated_other_kinds(oracle, kind, original, patch):
    check(oracle, original, patch, kind)

