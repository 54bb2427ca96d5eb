"""Our injection templates (charts/istiod/files/inject-*.yaml) give the same injected pods and the same gateway
objects as Istio's, for the corpus in injection_cases.py and for seeded random combinations (injection_random.py).

Each case runs Istio's code twice on the same inputs (Istio's rendered injector config, values, mesh config):
once with Istio's templates, once with ours; the parsed results must be equal (injection_harness.differences).
"""
from __future__ import annotations

import json
import random

import pytest

from injection_cases import GATEWAY_CASES, INJECT_CASES, WEBHOOK_CASES, deployment, gateway, namespace
from injection_harness import (TEMPLATE_NAMES, differences, gateway_render, istio_injector, kube_inject,
                               our_chart_injector, our_templates, webhook_inject)
import injection_random

RANDOM_INJECT = 36       # per seeded batch below
RANDOM_WEBHOOK = 4
RANDOM_GATEWAY = 14


def _stream(docs) -> str:
    return "".join(json.dumps(d) + "\n---\n" for d in docs)


def _injected(docs) -> bool:
    """True when kube-inject injected something into every workload (the comparison is not vacuous)."""
    def meta(doc):
        spec = doc["spec"]
        if "jobTemplate" in spec:   # kube-inject works on a CronJob's job template metadata
            return spec["jobTemplate"].get("metadata") or {}
        return spec["template"]["metadata"] if "template" in spec else doc["metadata"]
    return all("sidecar.istio.io/status" in (meta(d).get("annotations") or {}) for d in docs)


def _assert_same(theirs, ours, what: str):
    diff = differences(theirs, ours)
    assert not diff, f"{what}: our templates differ from Istio's:\n  " + "\n  ".join(diff[:40])


def test_the_corpus_covers_every_template_and_enough_cases():
    assert len(INJECT_CASES) >= 30 and len(WEBHOOK_CASES) >= 6 and len(GATEWAY_CASES) >= 12
    for cases in (INJECT_CASES, WEBHOOK_CASES, GATEWAY_CASES):
        ids = [c.id for c in cases]
        assert len(ids) == len(set(ids)), "case ids must be unique"
    text = json.dumps([c.workloads for c in INJECT_CASES])
    for name in ("gateway", "grpc-simple", "grpc-agent"):
        assert f'"inject.istio.io/templates": "{name}"' in text
    classes = json.dumps([c.objects for c in GATEWAY_CASES])
    assert '"istio-waypoint"' in classes and '"gatewayClassName": "istio"' in classes
    assert set(our_templates()) == set(TEMPLATE_NAMES)


# ------------------------------------------------------------------------------------------------ kube-inject

@pytest.mark.parametrize("case", INJECT_CASES, ids=[c.id for c in INJECT_CASES])
def test_kube_inject(case, istioctl, istio_manifests):
    injector = istio_injector(case.iop, istio_manifests, case.revision).with_values(case.values).with_mesh(case.mesh)
    workloads = _stream(case.workloads)
    rev = case.revision or "default"
    theirs = kube_inject(istioctl, injector.config_for("istio"), injector.values, injector.mesh, workloads,
                         case.env, rev)
    assert theirs.returncode == 0, f"Istio's templates fail on this case:\n{theirs.stderr[-2000:]}"
    assert _injected(theirs.docs), "Istio's templates injected nothing: the case proves nothing"
    ours = kube_inject(istioctl, injector.config_for("ours"), injector.values, injector.mesh, workloads,
                       case.env, rev)
    _assert_same(theirs.outcome(), ours.outcome(), case.id)


@pytest.mark.parametrize("template", [None, "gateway", "grpc-agent", "grpc-simple"],
                         ids=["sidecar", "gateway", "grpc-agent", "grpc-simple"])
def test_kube_inject_random_combinations(template, istioctl, istio_manifests):
    rng = random.Random(f"inject-{template}")
    base = istio_injector({}, istio_manifests)
    failures = []
    for i in range(RANDOM_INJECT):
        case = injection_random.inject_case(rng, template)
        injector = base.with_values(case["values"]).with_mesh(case["mesh"])
        workload = _stream([case["workload"]])
        runs = [kube_inject(istioctl, injector.config_for(side), injector.values, injector.mesh, workload,
                            case["env"]) for side in ("istio", "ours")]
        diff = differences(runs[0].outcome(), runs[1].outcome())
        if diff:
            failures.append(f"#{i} {json.dumps(case)[:1500]}\n    " + "\n    ".join(diff[:12]))
    assert not failures, f"{len(failures)}/{RANDOM_INJECT} random cases differ:\n" + "\n".join(failures[:5])


# Our whole chart: its own injector ConfigMap (our templates, the values and mesh config our chart writes)
# injects as Istio's chart's does. Cases whose inputs an IstioOperator cannot carry (values/mesh patches) are left out.
CHART_CASES = [c for c in INJECT_CASES if c.id in (
    "deployment", "pod-of-replicaset", "native-sidecars-env", "traffic-values", "hold-meshconfig", "cni",
    "cni-multus", "openshift", "ambient-profile", "revision-canary", "multicluster-values", "pull-secrets-and-policy",
    "grpc-agent", "grpc-simple", "gateway-template-values", "mesh-inputs")]


@pytest.mark.parametrize("case", CHART_CASES, ids=[c.id for c in CHART_CASES])
def test_our_chart_configmap_injects_as_istios(case, istioctl, istio_manifests):
    assert case.values is None and case.mesh is None
    theirs_injector = istio_injector(case.iop, istio_manifests, case.revision)
    ours_injector = our_chart_injector(case.iop, case.revision)
    workloads = _stream(case.workloads)
    rev = case.revision or "default"
    theirs = kube_inject(istioctl, theirs_injector.config, theirs_injector.values, theirs_injector.mesh, workloads,
                         case.env, rev)
    ours = kube_inject(istioctl, ours_injector.config, ours_injector.values, ours_injector.mesh, workloads,
                       case.env, rev)
    assert theirs.returncode == 0 and _injected(theirs.docs), theirs.stderr[-2000:]
    _assert_same(theirs.outcome(), ours.outcome(), f"{case.id} (our chart's ConfigMap)")


CHART_GATEWAY_CASES = [c for c in GATEWAY_CASES if c.id in (
    "kube-gateway", "kube-gateway-ambient-copied-metadata", "kube-gateway-values", "waypoint", "waypoint-revision",
    "east-west-gateway")]


@pytest.mark.parametrize("case", CHART_GATEWAY_CASES, ids=[c.id for c in CHART_GATEWAY_CASES])
def test_our_chart_configmap_renders_gateways_as_istios(case, injrender, istio_manifests):
    """As above, for the Gateway API deployment controller: each side with its own chart's ConfigMaps."""
    istios = istio_injector(case.iop, istio_manifests, case.revision).with_values(case.values)
    theirs = gateway_render(injrender, istios, list(case.objects), case.gateway, case.env, case.revision,
                            cluster_id=case.cluster_id, kube_minor=case.kube_minor)["istio"]
    ours = gateway_render(injrender, our_chart_injector(case.iop, case.revision).with_values(case.values),
                          list(case.objects), case.gateway, case.env, case.revision, ours={},
                          cluster_id=case.cluster_id, kube_minor=case.kube_minor)["ours"]
    assert not theirs["error"] and theirs["applied"], theirs
    _assert_same(theirs, ours, f"{case.id} (our chart's ConfigMaps)")


# ---------------------------------------------------------------------------------------------------- webhook

@pytest.mark.parametrize("case", WEBHOOK_CASES, ids=[c.id for c in WEBHOOK_CASES])
def test_webhook(case, injrender, istio_manifests):
    injector = istio_injector(case.iop, istio_manifests, case.revision)
    result = webhook_inject(injrender, injector, list(case.pods), list(case.objects), case.env, case.path,
                            case.revision)
    assert not [p for p in result["istio"] if "error" in p], result["istio"]
    assert all("sidecar.istio.io/status" in p["metadata"].get("annotations", {}) for p in result["istio"])
    _assert_same(result["istio"], result["ours"], case.id)


def test_webhook_random_combinations(injrender, istio_manifests):
    rng = random.Random("webhook")
    base = istio_injector({}, istio_manifests)
    failures = []
    for i in range(RANDOM_WEBHOOK):
        case = injection_random.webhook_case(rng)
        result = webhook_inject(injrender, base.with_values(case["values"]), case["pods"], case["objects"],
                                case["env"], case["path"])
        diff = differences(result["istio"], result["ours"])
        if diff:
            failures.append(f"#{i} {json.dumps(case)[:1500]}\n    " + "\n    ".join(diff[:12]))
    assert not failures, "\n".join(failures[:3])


# ------------------------------------------------------------------------------------------ gateway controller

@pytest.mark.parametrize("case", GATEWAY_CASES, ids=[c.id for c in GATEWAY_CASES])
def test_gateway_controller(case, injrender, istio_manifests):
    injector = istio_injector(case.iop, istio_manifests, case.revision).with_values(case.values)
    result = gateway_render(injrender, injector, list(case.objects), case.gateway, case.env, case.revision,
                            cluster_id=case.cluster_id, kube_minor=case.kube_minor)
    assert not result["istio"]["error"], result["istio"]["error"]
    kinds = [o.get("kind") for o in result["istio"]["applied"]]
    assert "Deployment" in kinds and "Service" in kinds, f"Istio's controller applied only {kinds}"
    _assert_same(result["istio"], result["ours"], case.id)


def test_gateway_controller_random_combinations(injrender, istio_manifests):
    rng = random.Random("gateway")
    failures = []
    for i in range(RANDOM_GATEWAY):
        case = injection_random.gateway_case(rng)
        injector = istio_injector(case["iop"], istio_manifests).with_values(case["values"]).with_mesh(case["mesh"])
        result = gateway_render(injrender, injector, case["objects"], case["gateway"], case["env"],
                                cluster_id=case["cluster_id"], kube_minor=case["kube_minor"])
        diff = differences(result["istio"], result["ours"])
        if diff:
            failures.append(f"#{i} {json.dumps(case)[:1500]}\n    " + "\n    ".join(diff[:12]))
    assert not failures, "\n".join(failures[:3])


# ------------------------------------------------------------------------------------- the tier can fail

def test_a_changed_sidecar_template_is_caught(istioctl, istio_manifests):
    changed = our_templates()
    assert '"--proxyLogLevel=%s"' in changed["sidecar"]
    changed["sidecar"] = changed["sidecar"].replace('"--proxyLogLevel=%s"', '"--proxyLogLevel %s"')
    injector = istio_injector({}, istio_manifests)
    workload = _stream([deployment()])
    runs = [kube_inject(istioctl, injector.config_for(side, changed), injector.values, injector.mesh, workload)
            for side in ("istio", "ours")]
    diff = differences(runs[0].outcome(), runs[1].outcome())
    assert any("istio-proxy].args" in d for d in diff), diff


def test_a_changed_waypoint_template_is_caught(injrender, istio_manifests):
    changed = our_templates()
    assert '"go-proxy-data"' in changed["waypoint"]
    changed["waypoint"] = changed["waypoint"].replace('"go-proxy-data"', '"go-proxy-cache"')
    injector = istio_injector({"profile": "ambient"}, istio_manifests)
    objects = [namespace(), gateway(name="waypoint", cls="istio-waypoint")]
    result = gateway_render(injrender, injector, objects, ("shop", "waypoint"), {"PILOT_ENABLE_AMBIENT": "true"},
                            ours=changed)
    diff = differences(result["istio"], result["ours"])
    assert any("volumes" in d for d in diff), diff
