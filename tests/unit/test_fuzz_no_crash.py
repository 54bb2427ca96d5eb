"""Any IstioOperator-shaped input ends in a result or in InputError with problems: never a crash."""
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helmgen.api import Options, translate
from helmgen.errors import InputError

KEYS = ["profile", "hub", "tag", "revision", "namespace", "components", "values", "meshConfig", "unvalidatedValues",
        "base", "pilot", "cni", "ztunnel", "ingressGateways", "egressGateways", "enabled", "k8s", "name", "label",
        "global", "gateways", "istio-ingressgateway", "istio-egressgateway", "service", "ports", "port", "targetPort",
        "hpaSpec", "minReplicas", "maxReplicas", "replicaCount", "resources", "requests", "cpu", "autoscaleMin",
        "proxy", "includeIPRanges", "runAsRoot", "tolerations", "overlays", "istioNamespace", "defaultRevision",
        "compatibilityVersion", "installPackagePath", "x"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.floats(allow_nan=False, width=32),
                    st.sampled_from(["true", "false", "default", "minimal", "ambient", "1.10.0", "a/b", "", "80",
                                     "500m", "10.0.0.0/8", "*", "Istio_X", "docker.io/istio"]))
trees = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=3),
    st.dictionaries(st.sampled_from(KEYS), children, max_size=4)), max_leaves=25)


@settings(max_examples=600, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=st.dictionaries(st.sampled_from(KEYS), trees, max_size=5),
       sets=st.lists(st.sampled_from(["values.pilot.autoscaleMin=2", "components.cni.enabled=true",
                                      "components.ingressGateways[0].name=gw", "profile=demo", "revision=r1",
                                      "x.[a:b].c=1", "values.global.proxy.excludeInboundPorts=-1"]), max_size=2),
       force=st.booleans())
def test_translate_never_crashes(tmp_path_factory, spec, sets, force):
    path = tmp_path_factory.mktemp("fuzz") / "iop.yaml"
    path.write_text(yaml.safe_dump({"apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator", "spec": spec}))
    try:
        translate(Options((str(path),), tuple(sets), force=force))
    except InputError as e:
        assert e.problems and all(str(p) for p in e.problems)
