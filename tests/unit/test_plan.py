"""Release names, namespaces, needs and order (PRODUCT.md)."""
import pytest

from helmgen.api import Options, translate
from helmgen.errors import InputError
from helmgen.render_docs import plan_document

HEAD = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n"


def plan(iop_file, text, **kw):
    return plan_document(translate(Options((str(iop_file(text)),), **kw)))["releases"]


def test_ambient_with_revision_and_custom_namespaces(iop_file):
    rels = plan(iop_file, HEAD + """spec:
  profile: ambient
  revision: canary
  components:
    ztunnel: {namespace: kube-system}
    ingressGateways:
      - {name: public, namespace: edge, enabled: true}
""")
    got = {(r["name"], r["component"], r["chart"], r["namespace"], tuple(r["needs"]), r["order"]) for r in rels}
    assert got == {
        ("istio-base", "Base", "istio-base", "istio-system", (), 1),
        ("istiod-canary", "Pilot", "istiod", "istio-system", ("istio-base",), 2),
        ("istio-cni", "Cni", "istio-cni", "istio-system", ("istio-base",), 2),
        ("public", "IngressGateways", "gateways", "edge", ("istiod-canary",), 3),
        ("ztunnel", "Ztunnel", "ztunnel", "kube-system", ("istio-cni",), 3),
    }


def test_revision_flag_names_istiod(iop_file):
    rels = plan(iop_file, HEAD + "spec:\n  profile: minimal\n", revision="1-24-0")
    assert [r["name"] for r in rels] == ["istio-base", "istiod-1-24-0"]


def test_base_goes_to_the_iop_namespace(iop_file):
    rels = plan(iop_file, HEAD + "spec:\n  profile: minimal\n  values:\n    global:\n      istioNamespace: mesh\n")
    assert {r["name"]: r["namespace"] for r in rels} == {"istio-base": "mesh", "istiod": "mesh"}


def test_two_gateways_with_one_name_in_one_namespace_are_refused(iop_file):
    with pytest.raises(InputError) as e:
        plan(iop_file, HEAD + "spec:\n  components:\n    ingressGateways:\n      - name: gw\n"
             "    egressGateways:\n      - name: gw\n        enabled: true\n")
    assert "release 'gw' in namespace 'istio-system' is also produced by spec.components.ingressGateways[0]" \
        in str(e.value)


def test_gateways_without_pilot_need_nothing(iop_file):
    rels = plan(iop_file, HEAD + "spec:\n  profile: empty\n  components:\n    ingressGateways:\n      - name: gw\n")
    assert rels == [{"name": "gw", "component": "IngressGateways", "chart": "gateways", "namespace": "istio-system",
                     "values": "gw.values.yaml", "needs": [], "order": 1}]


def test_a_release_needs_its_nearest_enabled_ancestor(iop_file):
    rels = plan(iop_file, HEAD + "spec:\n  profile: ambient\n  components:\n    cni:\n      enabled: false\n")
    assert {r["name"]: (r["needs"], r["order"]) for r in rels} == {
        "istio-base": ([], 1), "istiod": (["istio-base"], 2), "ztunnel": (["istio-base"], 2)}


def test_revision_default_in_the_spec_names_istiod_default(iop_file):
    rels = plan(iop_file, HEAD + "spec:\n  profile: minimal\n  revision: default\n")
    assert [r["name"] for r in rels] == ["istio-base", "istiod-default"]


def test_chart_schema_failure_names_the_values_path_and_the_iop_path(iop_file):
    with pytest.raises(InputError) as e:
        plan(iop_file, HEAD + "spec:\n  profile: minimal\n  unvalidatedValues:\n    autoscaleMin: many\n"
             "    pilot:\n      notAValue: 1\n")
    assert [str(p) for p in e.value.problems] == [
        "spec.unvalidatedValues.autoscaleMin: expected integer or null, found string 'many' (value autoscaleMin of "
        "release istiod, chart schema); correct it in the IstioOperator",
        "spec.unvalidatedValues.pilot.notAValue: is not a value of any chart in the plan; no release reads it, so "
        "it changes nothing; remove it, or check its spelling against the charts' values.schema.json"]
    assert [p.severity.name for p in e.value.problems] == ["ERROR", "WARNING"]


def test_an_unvalidated_value_no_chart_reads_is_a_warning_naming_its_path(iop_file):
    from helmgen.api import Options, translate
    tr = translate(Options((str(iop_file(HEAD + "spec:\n  profile: minimal\n  unvalidatedValues:\n"
                                         "    pilot:\n      notAValue: 1\n")),)))
    assert any("notAValue" in str(p) for p in tr.resolved.warnings), "template and install report it too"
    assert [str(p) for p in tr.warnings if "notAValue" in str(p)] == [
        "spec.unvalidatedValues.pilot.notAValue: is not a value of any chart in the plan; no release reads it, so "
        "it changes nothing; remove it, or check its spelling against the charts' values.schema.json"]
