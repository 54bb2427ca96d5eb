"""Semantic checks of facts 6.2: each rule fires on an input made for it."""
import pytest

from helmgen.errors import Severity
from helmgen.validate import validate


def errors(spec):
    return [str(p) for p in validate({"spec": spec}) if p.severity is Severity.ERROR]


def warnings(spec):
    return [str(p) for p in validate({"spec": spec}) if p.severity is Severity.WARNING]


def test_hub_must_be_a_lowercase_repository():
    assert errors({"hub": "Docker.IO/ISTIO"}) == [
        "spec.hub: bad hub 'Docker.IO/ISTIO': repository 'ISTIO' may only contain lowercase letters, digits, "
        "'_', '-', '.' and '/'; write it in lowercase, e.g. 'docker.io/istio'"]
    assert errors({"hub": "docker.io/istio"}) == []
    assert errors({"hub": "localhost:5000/istio"}) == []


def test_tag_must_be_a_valid_image_tag():
    assert errors({"tag": "1.20.1"}) == []
    assert errors({"tag": 1.2}) == []
    assert "bad tag" in errors({"tag": "-bad"})[0]


def test_revision_must_be_a_dns_label():
    assert errors({"revision": "1.10.0"}) == [
        "spec.revision: invalid revision '1.10.0': a revision must be a DNS-1123 label (lowercase letters, "
        "digits and '-', at most 63 characters); use '1-10-0'"]
    assert errors({"revision": "canary"}) == []


def test_gateway_names():
    spec = {"components": {"ingressGateways": [{"name": "Istio_Ingress"}], "egressGateways": [{"name": "ok-gw"}]}}
    assert errors(spec) == ["spec.components.ingressGateways[0].name: invalid gateway name 'Istio_Ingress': only "
                            "lowercase letters, digits, '-' and '.' are allowed; use 'istio-ingress'"]


def _gw_ports(*ports, run_as_root=None):
    spec = {"components": {"ingressGateways": [{"name": "gw", "k8s": {"service": {"ports": list(ports)}}}]}}
    if run_as_root is not None:
        spec["values"] = {"gateways": {"istio-ingressgateway": {"runAsRoot": run_as_root}}}
    return spec


def test_privileged_target_port_needs_run_as_root():
    msgs = errors(_gw_ports({"name": "http", "port": 80, "targetPort": 80}))
    assert msgs == ["spec.components.ingressGateways[0].k8s.service.ports[0].targetPort: port http/80 in gateway gw "
                    "invalid: targetPort is set to 80, which requires root; set targetPort above 1024 or set "
                    "values.gateways.istio-ingressgateway.runAsRoot=true"]
    assert errors(_gw_ports({"name": "http", "port": 80, "targetPort": 80}, run_as_root=True)) == []
    assert errors(_gw_ports({"name": "http", "port": 80, "targetPort": 8080})) == []
    assert errors(_gw_ports({"name": "https", "port": 8443})) == [], "no targetPort, port above 1024"
    assert len(errors(_gw_ports({"name": "http", "port": 80}))) == 1, "no targetPort, privileged port"
    assert errors(_gw_ports({"name": "http", "port": 80, "targetPort": "http"})) == [], "named target ports skipped"


def test_legacy_ingress_ports():
    spec = {"values": {"gateways": {"istio-ingressgateway": {"ingressPorts": [{"port": 80, "targetPort": 80}]}}}}
    assert "port 80 is invalid" in errors(spec)[0]


@pytest.mark.parametrize("ranges,ok", [("10.0.0.0/8,172.16.0.0/12", True), ("*", True), ("", True),
                                       ("10.0.0.0", False), ("10.0.0.0/33", False), ("bogus", False)])
def test_ip_ranges(ranges, ok):
    assert (errors({"values": {"global": {"proxy": {"includeIPRanges": ranges}}}}) == []) is ok


@pytest.mark.parametrize("ports,ok", [("80,443", True), ("*", True), ("-1", False), ("70000", False), ("x", False)])
def test_port_lists(ports, ok):
    assert (errors({"values": {"global": {"proxy": {"excludeInboundPorts": ports}}}}) == []) is ok


def test_kubernetes_typed_values_are_checked_against_their_types():
    spec = {"values": {"global": {"defaultTolerations": [{"key": "a", "effectt": "NoSchedule"}]},
                       "pilot": {"affinity": {"nodeAffinity": {"required": {}}}}}}
    assert errors(spec) == [
        "spec.values.global.defaultTolerations[0].effectt: unknown field; did you mean effect?",
        "spec.values.pilot.affinity.nodeAffinity.required: unknown field"]


def test_replica_count_with_autoscaling_warns():
    spec = {"components": {"pilot": {"k8s": {"replicaCount": 3}}}, "values": {"pilot": {"autoscaleEnabled": True}}}
    assert warnings(spec) == ["spec.components.pilot.k8s.replicaCount: should not be set when "
                              "values.pilot.autoscaleEnabled is true (the autoscaler overrides it)"]
