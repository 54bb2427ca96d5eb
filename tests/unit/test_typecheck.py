"""Strict fields and types at every level, did-you-mean, string booleans normalised."""
from helmgen.typecheck import IOP_TYPE, Checker, values_relocation


def check(tree):
    c = Checker(relocate=values_relocation)
    out = c.check(tree, IOP_TYPE, ())
    return out, [str(p) for p in c.problems]


def test_unknown_k8s_field_suggests_the_right_name():
    _, problems = check({"spec": {"components": {"pilot": {"k8s": {"replicas": 2}}}}})
    assert problems == ["spec.components.pilot.k8s.replicas: unknown field; did you mean replicaCount?"]


def test_unknown_fields_inside_kubernetes_types_are_found():
    _, problems = check({"spec": {"components": {"ztunnel": {"k8s": {"tolerations": [{"keys": "a"}]}}}}})
    assert problems == ["spec.components.ztunnel.k8s.tolerations[0].keys: unknown field; did you mean key?"]


def test_string_where_integer_belongs():
    _, problems = check({"spec": {"components": {"pilot": {"k8s": {"replicaCount": "two"}}}}})
    assert problems == ['spec.components.pilot.k8s.replicaCount: expected an unsigned integer, found string "two"']


def test_quoted_integer_is_accepted_in_values_like_protobuf_json_and_normalised():
    out, problems = check({"spec": {"values": {"pilot": {"autoscaleMin": "2"}}}})
    assert problems == [] and out["spec"]["values"]["pilot"]["autoscaleMin"] == 2


def test_string_booleans_are_normalised_everywhere_a_boolean_is_expected():
    out, problems = check({"spec": {"components": {"base": {"enabled": "true"}},
                                    "values": {"pilot": {"autoscaleEnabled": "false"}}}})
    assert problems == []
    assert out["spec"]["components"]["base"]["enabled"] is True
    assert out["spec"]["values"]["pilot"]["autoscaleEnabled"] is False


def test_gateways_given_as_a_map():
    _, problems = check({"spec": {"components": {"ingressGateways": {"name": "x"}}}})
    assert problems == ["spec.components.ingressGateways: expected a list, found a map"]


def test_proxy_init_at_the_values_top_level_says_where_it_belongs():
    _, problems = check({"spec": {"values": {"proxy_init": {"image": "x"}}}})
    assert problems == ["spec.values.proxy_init: unknown field; it belongs under spec.values.global.proxy_init"]


def test_values_accept_proto_field_names_too():
    _, problems = check({"spec": {"values": {"cni": {"resource_quotas": {"enabled": True}}}}})
    assert problems == []


def test_quantities_are_checked():
    _, problems = check({"spec": {"components": {"pilot": {"k8s": {"resources": {"requests": {"cpu": "lots"}}}}}}})
    assert problems == ['spec.components.pilot.k8s.resources.requests.cpu: expected a Kubernetes quantity such as '
                        '"500m" or "1Gi", found string "lots"']


def test_metadata_is_an_object_meta():
    _, problems = check({"metadata": {"nmae": "x"}})
    assert problems == ["metadata.nmae: unknown field; did you mean name?"]


def test_all_problems_are_reported():
    _, problems = check({"spec": {"foo": 1, "components": {"pilot": {"bar": 1}}, "values": {"global": {"baz": 1}}}})
    assert len(problems) == 3


def test_removed_values_fields_say_what_replaces_them():
    _, problems = check({"spec": {"values": {"pilot": {"enableProtocolSniffingForOutbound": True}}}})
    assert problems == ["spec.values.pilot.enableProtocolSniffingForOutbound: unknown field; Istio removed it from "
                        "the values; set spec.values.pilot.env.PILOT_ENABLE_PROTOCOL_SNIFFING_FOR_OUTBOUND instead"]


def test_mesh_config_types_are_checked_in_both_places():
    _, problems = check({"spec": {"meshConfig": {"enableTracing": "yes", "defaultConfig": {"concurrency": "two"}},
                                  "values": {"meshConfig": {"accessLogEncoding": "XML"}}}})
    assert problems == [
        'spec.meshConfig.enableTracing: expected a boolean, found string "yes"',
        'spec.meshConfig.defaultConfig.concurrency: expected a 32-bit integer, found string "two"',
        'spec.values.meshConfig.accessLogEncoding: expected one of TEXT, JSON, found string "XML"']


def test_unknown_mesh_config_fields_are_warnings_like_istio_tolerates_them():
    c = Checker(relocate=values_relocation)
    c.check({"spec": {"meshConfig": {"acessLogFile": "/dev/stdout"}}}, IOP_TYPE, ())
    assert [(str(p), p.severity.value) for p in c.problems] == [
        ("spec.meshConfig.acessLogFile: unknown field; did you mean accessLogFile? (mesh config tolerates it, "
         "Istio ignores it)", "warning")]


def test_mesh_config_with_real_settings_passes():
    _, problems = check({"spec": {"meshConfig": {
        "accessLogFile": "/dev/stdout", "enableAutoMtls": True, "outboundTrafficPolicy": {"mode": "REGISTRY_ONLY"},
        "defaultConfig": {"holdApplicationUntilProxyStarts": True, "proxyMetadata": {"ISTIO_META_DNS_CAPTURE": "true"},
                          "tracing": {"sampling": 10}},
        "extensionProviders": [{"name": "otel", "envoyOtelAls": {"service": "otel.svc", "port": 4317}}],
        "localityLbSetting": {"enabled": True, "failover": [{"from": "a", "to": "b"}]},
        "connectTimeout": "10s"}}})
    assert problems == []
