"""Merging (facts 1.4), enablement (3.2) and per-component values (4.3), through the library."""
import pytest

from helmgen.api import Options, resolve, values_trees
from helmgen.errors import InputError


def trees(iop_file, text, sets=(), revision=None):
    return values_trees([iop_file(text)], list(sets), revision)


HEAD = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n"


def test_precedence_profile_files_set_and_flag_alias(iop_file):
    a = iop_file(HEAD + "spec:\n  profile: demo\n  values:\n    pilot:\n      autoscaleMin: 2\n      autoscaleMax: 3\n")
    b = iop_file(HEAD + "spec:\n  values:\n    pilot:\n      autoscaleMin: 4\n")
    r = resolve(Options((str(a), str(b)), ("values.pilot.autoscaleMax=9", "revision=x"), revision="canary"))
    values = r.merged["spec"]["values"]
    assert values["profile"] == "demo"
    assert values["pilot"]["autoscaleMin"] == 4 and values["pilot"]["autoscaleMax"] == 9
    assert values["revision"] == "canary", "flag alias wins over --set"


def test_user_values_win_over_top_level_translation(iop_file):
    t = trees(iop_file, HEAD + "spec:\n  hub: a.io/x\n  values:\n    global:\n      hub: b.io/y\n")
    assert t["pilot"]["global"]["hub"] == "b.io/y"


def test_mesh_config_both_places_merge_and_spec_wins_like_istioctl(iop_file):
    """istioctl's merge shares the user's values.meshConfig map, so spec.meshConfig wins on conflicts."""
    t = trees(iop_file, HEAD + "spec:\n  meshConfig:\n    accessLogFile: /a\n    enableTracing: true\n"
              "  values:\n    meshConfig:\n      accessLogFile: /b\n      trustDomain: x.org\n")
    assert t["pilot"]["meshConfig"] == {"accessLogFile": "/a", "enableTracing": True, "trustDomain": "x.org"}


def test_user_value_overridden_by_istioctl_merge_is_warned_about(iop_file):
    r = resolve(Options((str(iop_file(HEAD + "spec:\n  values:\n    pilot:\n      enabled: false\n")),)))
    assert [str(w.without_location()) for w in r.warnings] == [
        "spec.values.pilot.enabled: your value false is replaced by true, as istioctl does (component enablement "
        "and spec.meshConfig win over these values); set it through spec.components / spec.meshConfig instead"]


def test_component_enablement_is_propagated_to_values(iop_file):
    t = trees(iop_file, HEAD + "spec:\n  components:\n    cni:\n      enabled: true\n")
    assert t["pilot"]["pilot"]["enabled"] is True and t["pilot"]["pilot"]["cni"]["enabled"] is True
    assert set(t) == {"base", "pilot", "istio-ingressgateway", "cni"}


def test_alt_enablement_renders_listed_gateways_even_if_disabled(iop_file):
    t = trees(iop_file, HEAD + "spec:\n  values:\n    gateways:\n      istio-egressgateway:\n        enabled: true\n")
    assert "istio-egressgateway" in t


def test_gateway_values_name_labels_ports(iop_file):
    t = trees(iop_file, HEAD + """spec:
  components:
    ingressGateways:
      - name: gw-a
        namespace: edge
        label: {team: a}
        k8s:
          service:
            ports:
              - {name: https, port: 443, targetPort: 8443}
              - {name: tcp, port: 31400, protocol: TCP}
""")
    gw = t["gw-a"]["gateways"]["istio-ingressgateway"]
    assert gw["name"] == "gw-a" and gw["labels"] == {"team": "a"}
    assert gw["ports"] == [{"name": "https", "port": 443, "targetPort": 8443},
                           {"name": "tcp", "protocol": "TCP", "port": 31400, "targetPort": 0}]


def test_hpa_replicas_and_cpu_flow_into_values(iop_file):
    t = trees(iop_file, HEAD + """spec:
  components:
    pilot:
      k8s:
        hpaSpec: {minReplicas: 0, maxReplicas: 7}
        replicaCount: 3
        resources: {requests: {cpu: 1000m, memory: 1Gi}, limits: {cpu: "0.5"}}
""")
    pilot = t["pilot"]["pilot"]
    assert (pilot["autoscaleMin"], pilot["autoscaleMax"], pilot["replicaCount"]) == (0, 7, 3)
    assert pilot["resources"] == {"requests": {"cpu": "1"}, "limits": {"cpu": "500m"}}


def test_component_hub_and_tag_typing(iop_file):
    t = trees(iop_file, HEAD + "spec:\n  components:\n    pilot:\n      hub: my.io/h\n      tag: 2\n"
              "    cni:\n      enabled: true\n      tag: 1.20\n")
    assert t["pilot"]["pilot"]["hub"] == "my.io/h" and t["pilot"]["pilot"]["tag"] == 2
    assert t["cni"]["cni"]["tag"] == 1.2, "a component tag is --set typed (istioctl quirk)"


def test_ztunnel_values_are_flattened(iop_file):
    t = trees(iop_file, HEAD + "spec:\n  profile: ambient\n  revision: r1\n  values:\n    ztunnel:\n      logLevel: debug\n")
    z = t["ztunnel"]
    assert z["logLevel"] == "debug" and z["revision"] == "r1" and z["resourceName"] == "ztunnel"
    assert "pilot" not in z and "meshConfig" not in z and "global" in z


def test_unvalidated_values_reach_the_tree_unchecked(iop_file):
    t = trees(iop_file, HEAD + "spec:\n  unvalidatedValues:\n    pdb:\n      maxUnavailable: 1\n")
    assert t["pilot"]["pdb"] == {"maxUnavailable": 1}


def test_set_selector_into_a_user_list(iop_file):
    t = trees(iop_file, HEAD + "spec:\n  components:\n    ingressGateways:\n      - name: a\n      - name: b\n",
              sets=["components.ingressGateways.[name:b].namespace=other"])
    assert set(t) >= {"a", "b"}


def test_unknown_profile_lists_the_known_ones(iop_file):
    with pytest.raises(InputError) as e:
        trees(iop_file, HEAD + "spec:\n  profile: bogus\n")
    assert "unknown profile 'bogus'; choose one of ambient, default, demo" in str(e.value)


@pytest.mark.parametrize("profile,expected", [
    ("default", {"base", "pilot", "istio-ingressgateway"}),
    ("demo", {"base", "pilot", "istio-ingressgateway", "istio-egressgateway"}),
    ("minimal", {"base", "pilot"}),
    ("empty", set()),
    ("ambient", {"base", "pilot", "cni", "ztunnel"}),
    ("openshift", {"base", "pilot", "istio-ingressgateway", "cni"}),
    ("openshift-ambient", {"base", "pilot", "cni", "ztunnel"}),
    ("preview", {"base", "pilot", "istio-ingressgateway"}),
    ("remote", {"base", "pilot"}),
    ("stable", {"base", "pilot", "istio-ingressgateway"}),
])
def test_every_profile_enables_what_istio_does(iop_file, profile, expected):
    assert set(trees(iop_file, HEAD + f"spec:\n  profile: {profile}\n")) == expected
