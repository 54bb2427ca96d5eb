"""helmgen.postprocess.smp against the real Go strategic merge patch on hypothesis-generated objects and patches
(derandomised): workloads (containers, env, ports, volumeMounts, args, resources, tolerations, volumes, pull secrets,
strategy, finalizers), Services, HPAs and PDBs, with nulls and every directive. The oracle: test_smp_vs_go.py.
"""
from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helmgen.postprocess.smp import SmpError, strategic_merge
from test_smp_vs_go import DAEMONSET, DEPLOYMENT, HPA, PDB, SERVICE, check, oracle  # noqa: F401 (fixture)

S = st.sampled_from
STR = S(["1", "2", "x", ""])
NAME = S(["A", "B", "C", "D", "E"])


def nullable(s: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(s, s, s, st.none())


def keyed(item: st.SearchStrategy, key: str, size: int = 4) -> st.SearchStrategy:
    return st.lists(item, max_size=size, unique_by=lambda v: v[key])


def opt(**fields: st.SearchStrategy) -> st.SearchStrategy:
    return st.fixed_dictionaries({}, optional=fields)


def with_directives(item: st.SearchStrategy, key: str, keys: st.SearchStrategy) -> st.SearchStrategy:
    """Patch list items: mostly plain, some `$patch: delete`, rarely `$patch: replace`."""
    return st.one_of(item, item, item, keys.map(lambda k: {key: k, "$patch": "delete"}), st.just({"$patch": "replace"}))


@st.composite
def set_order(draw: st.DrawFn, patch_items: list, key: str, universe: st.SearchStrategy) -> list:
    """A `$setElementOrder` list: the patch's keys in order with others inserted (sometimes shuffled)."""
    order = [i[key] if key else i for i in patch_items if not (isinstance(i, dict) and "$patch" in i)]
    for extra in draw(st.lists(universe, max_size=3)):
        order.insert(draw(st.integers(0, len(order))), extra)
    if draw(st.integers(0, 5)) == 0:
        order = draw(st.permutations(order))
    return [{key: k} for k in order] if key else order


@st.composite
def with_order(draw: st.DrawFn, base: st.SearchStrategy, field: str, key: str, universe: st.SearchStrategy) -> dict:
    """`base` with, sometimes, a `$setElementOrder/<field>` for its `field` list."""
    value = draw(base)
    if isinstance(value.get(field), list) and draw(st.booleans()):
        value[f"$setElementOrder/{field}"] = draw(set_order(value[field], key, universe))
    return value


PORT_NO = S([80, 8080, 15010, 8080.0, "8080"])
ENV = keyed(st.fixed_dictionaries({"name": NAME}, optional={"value": STR, "valueFrom": st.just({"fieldRef": {
    "fieldPath": "metadata.name"}})}), "name", 5)
ENV_P = st.lists(with_directives(st.fixed_dictionaries({"name": NAME}, optional={
    "value": nullable(STR), "valueFrom": nullable(opt(fieldRef=nullable(st.just({"fieldPath": "x"}))))}),
    "name", NAME), max_size=4)
PORT = st.fixed_dictionaries({"containerPort": PORT_NO}, optional={"name": STR, "protocol": S(["TCP", "UDP"])})
PORT_P = st.lists(with_directives(st.fixed_dictionaries({"containerPort": PORT_NO}, optional={
    "name": nullable(STR), "protocol": S(["TCP", "UDP"])}), "containerPort", PORT_NO), max_size=3)
MOUNT = st.fixed_dictionaries({"mountPath": S(["/a", "/b", "/c"]), "name": S(["v1", "v2"])},
                              optional={"readOnly": st.booleans()})
RES = opt(requests=st.dictionaries(S(["cpu", "memory"]), S(["1", "2Gi"]), max_size=2),
          limits=st.dictionaries(S(["cpu", "memory"]), S(["1", "2Gi"]), max_size=2))
RES_P = st.one_of(opt(requests=nullable(st.dictionaries(S(["cpu", "memory"]), nullable(S(["3", "1Gi"])), max_size=2)),
                      limits=nullable(st.dictionaries(S(["cpu"]), S(["4"]), max_size=1))),
                  opt(limits=st.dictionaries(S(["cpu"]), S(["4"]))).map(lambda r: {**r, "$patch": "replace"}))
ARGS = st.lists(S(["a", "b", "c", "30m"]), max_size=3)
CONTAINER = st.fixed_dictionaries({"name": S(["c1", "c2", "c3"])}, optional={
    "image": STR, "env": ENV, "ports": keyed(PORT, "containerPort", 3), "args": ARGS, "resources": RES,
    "volumeMounts": keyed(MOUNT, "mountPath", 3)})


def delete_list(d: dict, field: str, use: bool) -> dict:
    """Turn `field` into `$deleteFromPrimitiveList/<field>` (not both: Go's result would depend on map order)."""
    return {(f"$deleteFromPrimitiveList/{k}" if use and k == field else k): v for k, v in d.items()}


CONTAINER_P = with_order(st.builds(delete_list, st.fixed_dictionaries({"name": S(["c1", "c2", "c4"])}, optional={
    "image": nullable(STR), "env": ENV_P, "ports": PORT_P, "args": nullable(ARGS), "resources": nullable(RES_P),
    "volumeMounts": st.lists(MOUNT, max_size=2)}), st.just("args"), st.booleans()), "env", "name", NAME)
TOLERATION = st.fixed_dictionaries({"key": S(["a", "b"]), "operator": S(["Exists", "Equal"])},
                                   optional={"effect": nullable(S(["NoSchedule"]))})
SOURCE_KEYS = {"emptyDir": st.just({}), "secret": opt(secretName=STR), "configMap": opt(name=STR)}


@st.composite
def volume(draw: st.DrawFn, patch: bool = False) -> dict:
    source = draw(S(sorted(SOURCE_KEYS)))
    v = {"name": draw(S(["v1", "v2", "v3"])), source: draw(SOURCE_KEYS[source])}
    if patch and draw(st.integers(0, 2)) == 0:
        v["$retainKeys"] = ["name", source] + draw(st.lists(S(["secret", "projected"]), max_size=1))
    if patch and draw(st.integers(0, 5)) == 0:
        v = {"name": v["name"], "$patch": "delete"}
    return v


POD = st.fixed_dictionaries({"containers": keyed(CONTAINER, "name", 3).filter(bool)}, optional={
    "tolerations": st.lists(TOLERATION, max_size=3), "volumes": keyed(volume(), "name", 3),
    "nodeSelector": st.dictionaries(S(["os", "zone"]), STR, max_size=2),
    "imagePullSecrets": keyed(st.fixed_dictionaries({"name": S(["p1", "p2"])}), "name", 2),
    "securityContext": opt(runAsUser=st.integers(0, 3), fsGroup=st.integers(0, 3)), "priorityClassName": STR})
POD_P = with_order(opt(
    containers=st.lists(CONTAINER_P, max_size=3), tolerations=nullable(st.lists(TOLERATION, max_size=2)),
    volumes=st.lists(volume(patch=True), max_size=3),
    nodeSelector=nullable(st.dictionaries(S(["os", "x"]), nullable(STR))),
    imagePullSecrets=st.lists(with_directives(st.fixed_dictionaries({"name": S(["p1", "p3"])}), "name", S(["p1"]))),
    securityContext=nullable(opt(runAsUser=nullable(st.integers(0, 3)), runAsGroup=st.integers(0, 3))),
    priorityClassName=nullable(STR)), "containers", "name", S(["c1", "c2", "c3"]))
FINALIZERS = st.lists(S(["f1", "f2", "f3"]), max_size=3)
META = opt(finalizers=FINALIZERS, annotations=st.dictionaries(S(["a", "b"]), STR, max_size=2))
META_P = with_order(st.one_of(
    opt(finalizers=FINALIZERS, annotations=nullable(st.dictionaries(S(["a", "c"]), nullable(STR)))),
    opt(**{"$deleteFromPrimitiveList/finalizers": FINALIZERS})), "finalizers", "", S(["f1", "f2", "f3"]))
STRATEGY = opt(type=S(["RollingUpdate", "Recreate"]),
               rollingUpdate=opt(maxSurge=S([1, "100%"]), maxUnavailable=S([0, "25%"])))
STRATEGY_P = st.one_of(
    nullable(opt(type=S(["Recreate"]), rollingUpdate=nullable(opt(maxSurge=nullable(S([2, "50%"])))))),
    st.just({"$retainKeys": ["type"], "type": "Recreate"}), st.just({"$patch": "replace"}))
SETTINGS = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def workload(pod: st.SearchStrategy, meta: st.SearchStrategy, extra: dict) -> st.SearchStrategy:
    return st.fixed_dictionaries({}, optional={"metadata": meta, "spec": st.fixed_dictionaries({}, optional={
        "template": opt(metadata=meta, spec=pod), **extra})})


@SETTINGS
@given(original=workload(POD, META, {"strategy": STRATEGY, "replicas": st.integers(1, 3)}),
       patch=workload(POD_P, META_P, {"strategy": STRATEGY_P, "replicas": nullable(st.integers(1, 3))}),
       kind=S([DEPLOYMENT, DAEMONSET]))
def test_generated_workload_patches(oracle, original, patch, kind):
    check(oracle, original, patch, kind)


SVC_PORT = st.fixed_dictionaries({"port": S([80, 443, 15010])}, optional={
    "name": STR, "targetPort": S([8080, "http"]), "protocol": S(["TCP", "UDP"])})
SERVICE_SPEC = opt(type=S(["ClusterIP", "LoadBalancer"]), ports=keyed(SVC_PORT, "port", 3),
                   selector=st.dictionaries(S(["app", "istio"]), STR, max_size=2),
                   loadBalancerSourceRanges=st.lists(S(["1.0.0.0/8", "2.0.0.0/8"]), max_size=2))
SERVICE_SPEC_P = with_order(opt(
    type=nullable(S(["NodePort"])), ports=st.lists(with_directives(SVC_PORT, "port", S([80, 443])), max_size=3),
    selector=nullable(st.dictionaries(S(["app", "x"]), nullable(STR))), externalTrafficPolicy=S(["Local"]),
    loadBalancerSourceRanges=nullable(st.lists(S(["3.0.0.0/8"]), max_size=1))), "ports", "port", S([80, 443, 15010]))
HPA_SPEC = opt(minReplicas=st.integers(1, 3), maxReplicas=st.integers(3, 9),
               scaleTargetRef=opt(apiVersion=S(["apps/v1"]), kind=S(["Deployment"]), name=STR),
               metrics=st.lists(st.fixed_dictionaries({"type": S(["Resource"]), "resource": opt(
                   name=S(["cpu", "memory"]),
                   target=opt(type=S(["Utilization"]), averageUtilization=st.integers(50, 90)))}), max_size=2),
               behavior=opt(scaleDown=opt(policies=st.lists(opt(type=S(["Pods"]), value=st.integers(1, 3)),
                                                            max_size=2))))
PDB_SPEC = opt(minAvailable=S([1, "50%"]), maxUnavailable=S([1, "25%"]),
               selector=opt(matchLabels=st.dictionaries(S(["app"]), STR, max_size=1)))


def nulled(spec: st.SearchStrategy) -> st.SearchStrategy:
    """Patches for `spec`: its values, and maps whose values may be null."""
    return st.one_of(spec, spec.map(lambda d: {k: None for k in d}), spec.map(lambda d: {**d, "$patch": "replace"}))


@SETTINGS
@given(data=st.one_of(
    st.tuples(st.just(SERVICE), SERVICE_SPEC, SERVICE_SPEC_P), st.tuples(st.just(HPA), HPA_SPEC, nulled(HPA_SPEC)),
    st.tuples(st.just(PDB), PDB_SPEC, nulled(PDB_SPEC))))
def test_generated_service_hpa_pdb_patches(oracle, data):
    kind, spec, patch = data
    check(oracle, {"metadata": {"name": "x", "annotations": {"a": "1"}}, "spec": spec},
          {"metadata": {"annotations": {"b": "2"}}, "spec": patch}, kind)


# Random trees inside containers: odd shapes, misplaced directives and type clashes, mostly rejected by both.
TREE_KEYS = S(["name", "env", "value", "valueFrom", "ports", "containerPort", "volumeMounts", "mountPath", "args",
               "resources", "limits", "cpu", "image", "securityContext", "$patch", "$retainKeys",
               "$setElementOrder/env", "$setElementOrder/ports", "$deleteFromPrimitiveList/args"])
SCALAR = st.one_of(st.none(), st.booleans(), S([0, 1, 80, 1.0, 80.0, "a", "replace", "delete", "merge", "name", "80"]))
TREE = st.recursive(SCALAR, lambda c: st.one_of(st.lists(c, max_size=4), st.dictionaries(TREE_KEYS, c, max_size=4)),
                    max_leaves=12)
TREE_CONTAINER = st.fixed_dictionaries({"name": S(["c1", "c2"])}, optional={
    k: TREE for k in ("env", "ports", "volumeMounts", "args", "resources", "securityContext")})


def pod_of(containers: list) -> dict:
    return {"spec": {"template": {"spec": {"containers": containers}}}}


def one_go_answer(patch: object) -> bool:
    """False for patches whose Go result depends on map order (`<f>` next to `$deleteFromPrimitiveList/<f>`)."""
    if isinstance(patch, dict):
        clash = any(k.startswith("$deleteFromPrimitiveList/") and k.split("/", 1)[1] in patch for k in patch)
        return not clash and all(map(one_go_answer, patch.values()))
    return all(map(one_go_answer, patch)) if isinstance(patch, list) else True


@SETTINGS
@given(original=st.lists(TREE_CONTAINER, max_size=3),
       patch=st.lists(st.one_of(TREE_CONTAINER, st.dictionaries(TREE_KEYS, TREE, max_size=5)), max_size=3))
def test_generated_odd_container_patches(oracle, original, patch):
    original, patch = pod_of(original), pod_of(patch)
    assume(one_go_answer(patch))
    try:
        strategic_merge(original, patch, DEPLOYMENT)
    except SmpError as exc:  # a list where the type has a pointer field: Go replaces, helmgen rejects (smp.py)
        assume("is not a list in the Kubernetes type" not in str(exc))
    check(oracle, original, patch, DEPLOYMENT)
