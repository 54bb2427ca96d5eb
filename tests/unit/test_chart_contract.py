"""Values contract of helmgen's five charts (values.schema.json, the defaults in files/defaults.yaml or values.yaml,
the helm-side layers in files/layers.yaml).

Istio's official charts (from the Go module cache) are the oracle for key names and defaults;
helmgen/data/values_types.json is the oracle for the IstioOperator Values protobuf.
Both helm binaries are required: HELMGEN_HELM3 and HELMGEN_HELM4 (see scripts/fetch-helm).
"""
from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHARTS_DIR = ROOT / "charts"
CHARTS = ["istio-base", "istiod", "gateways", "istio-cni", "ztunnel"]
DRAFT7 = "http://json-schema.org/draft-07/schema#"
ISTIO_CHARTS = Path(os.environ.get(
    "HELMGEN_ISTIO_CHARTS",
    "/root/go/pkg/mod/istio.io/istio@v0.0.0-20260827124520-eed52ebb66ad/manifests/charts",
))
# our chart -> official chart directories (relative to ISTIO_CHARTS)
OFFICIAL = {
    "istio-base": ["base"],
    "istiod": ["istio-control/istio-discovery"],
    "gateways": ["gateways/istio-ingress", "gateways/istio-egress"],
    "istio-cni": ["istio-cni"],
    "ztunnel": ["ztunnel"],
}
TYPES = json.loads((ROOT / "helmgen/data/values_types.json").read_text())["messages"]


def schema(chart: str) -> dict:
    return json.loads((CHARTS_DIR / chart / "values.schema.json").read_text())


def values(chart: str) -> dict:
    return yaml.safe_load((CHARTS_DIR / chart / "values.yaml").read_text())


LAYERED = CHARTS  # defaults in files/defaults.yaml, layered at render time


def defaults(chart: str) -> dict:
    """The chart defaults: files/defaults.yaml (layered charts), else values.yaml."""
    if chart in LAYERED:
        return yaml.safe_load((CHARTS_DIR / chart / "files" / "defaults.yaml").read_text())
    return values(chart)


def layers(chart: str) -> dict:
    path = CHARTS_DIR / chart / "files" / "layers.yaml"
    return yaml.safe_load(path.read_text()) if path.is_file() else {}


def official_dir(rel: str) -> Path:
    d = ISTIO_CHARTS / rel
    if not d.is_dir():
        pytest.fail(f"Istio's official chart {rel!r} not found under {ISTIO_CHARTS}; the contract tests need the "
                    f"istio.io/istio module in the Go module cache (or HELMGEN_ISTIO_CHARTS pointing at manifests/charts)")
    return d


def official_defaults(rel: str) -> dict:
    data = yaml.safe_load((official_dir(rel) / "values.yaml").read_text())
    return data["_internal_defaults_do_not_set"]


def flatten_gateway(rel: str) -> dict:
    """What helmgen writes for a legacy gateway: the per-gateway block at top level plus the shared keys."""
    d = official_defaults(rel)
    (gw_name, gw), = d["gateways"].items()
    out = {k: v for k, v in d.items() if k != "gateways"}
    out.update(gw)
    out["gatewayType"] = "ingress" if "ingress" in gw_name else "egress"
    return out


def official_trees(chart: str) -> list[dict]:
    if chart == "gateways":
        return [flatten_gateway(rel) for rel in OFFICIAL[chart]]
    return [official_defaults(rel) for rel in OFFICIAL[chart]]


def walk(node: dict, path: str = ""):
    """Yield (path, subschema) for every schema node reachable through keywords."""
    if not isinstance(node, dict):
        return
    yield path, node
    for name, sub in node.get("properties", {}).items():
        yield from walk(sub, f"{path}.{name}" if path else name)
    for name, sub in node.get("definitions", {}).items():
        yield from walk(sub, f"#definitions/{name}")
    if isinstance(node.get("items"), dict):
        yield from walk(node["items"], path + "[]")
    if isinstance(node.get("additionalProperties"), dict):
        yield from walk(node["additionalProperties"], path + ".*")
    for kw in ("allOf", "anyOf", "oneOf"):
        for n, sub in enumerate(node.get(kw, [])):
            yield from walk(sub, f"{path}<{kw}{n}>")


def resolve(sch: dict, node: dict) -> dict:
    ref = node.get("$ref")
    if ref:
        assert ref.startswith("#/definitions/"), ref
        return resolve(sch, sch["definitions"][ref.split("/")[-1]])
    if len(node.get("allOf", [])) == 1 and "properties" not in node:
        return resolve(sch, node["allOf"][0])
    return node


def types_of(node: dict) -> set:
    t = node.get("type")
    if t is None:
        return set()
    return {t} if isinstance(t, str) else set(t)


def sub(sch: dict, node: dict, key: str) -> dict | None:
    """The subschema of property `key`, or None if the node is free-form (anything accepted)."""
    node = resolve(sch, node)
    props = node.get("properties")
    if props is None:
        return None
    assert key in props, f"missing key {key!r}"
    return resolve(sch, props[key])


# ------------------------------------------------------------------------------- schema shape

@pytest.mark.parametrize("chart", CHARTS)
def test_schema_is_draft07_and_strict(chart):
    sch = schema(chart)
    assert sch.get("$schema") == DRAFT7
    jsonschema.Draft7Validator.check_schema(sch)
    assert sch.get("type") == "object"
    assert sch.get("additionalProperties") is False
    for path, node in walk(sch):
        if "properties" in node:
            assert node.get("additionalProperties") is False, f"{chart}: object {path or '<root>'} with known keys is not closed"
        for kw in ("$defs", "prefixItems", "dependentRequired", "unevaluatedProperties"):
            assert kw not in node, f"{chart}: {path}: {kw} is not draft-07"


@pytest.mark.parametrize("chart", CHARTS)
def test_every_property_has_a_description(chart):
    missing = []
    for path, node in walk(schema(chart)):
        for name, prop in node.get("properties", {}).items():
            desc = prop.get("description")
            if not isinstance(desc, str) or not desc.strip():
                missing.append(f"{path}.{name}" if path else name)
    assert not missing, f"{chart}: properties without description: {missing}"


@pytest.mark.parametrize("chart", CHARTS)
def test_common_keys(chart):
    props = schema(chart)["properties"]
    for key in ("global", "profile", "compatibilityVersion", "platform"):
        assert key in props, f"{chart}: {key} missing"
    for key in ("profile", "compatibilityVersion", "platform"):
        assert "string" in types_of(props[key])
    # the official charts' internal keys must not be accepted
    for key in ("_internal_defaults_do_not_set", "defaults", "_original"):
        assert key not in props


def test_global_schema_identical_in_all_charts():
    first = schema(CHARTS[0])["properties"]["global"]
    for chart in CHARTS[1:]:
        assert schema(chart)["properties"]["global"] == first, f"{chart}: global differs from {CHARTS[0]}"


def test_generator_is_in_sync():
    r = subprocess.run([sys.executable, str(ROOT / "scripts/gen_chart_schemas.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, f"charts/*/values.schema.json out of date; run scripts/gen_chart_schemas.py\n{r.stderr}"


# ------------------------------------------------------------------------------- defaults and values.yaml

@pytest.mark.parametrize("chart", CHARTS)
def test_defaults_validate(chart):
    for tree in (defaults(chart), values(chart)):
        errors = sorted(jsonschema.Draft7Validator(schema(chart)).iter_errors(tree), key=str)
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


@pytest.mark.parametrize("chart", CHARTS)
def test_defaults_are_at_top_level(chart):
    vals = defaults(chart)
    assert "_internal_defaults_do_not_set" not in vals
    assert "defaults" not in vals


WORKLOAD_CHARTS = ["istiod", "gateways", "istio-cni", "ztunnel"]  # they carry helmgen's own value `k8s`


@pytest.mark.parametrize("chart", CHARTS)
def test_defaults_match_official_defaults(chart):
    expected = official_trees(chart)[0]  # gateways: the ingress defaults
    if chart in WORKLOAD_CHARTS and chart not in LAYERED:
        expected = {**expected, "k8s": {}}  # must stay empty: Helm drops a user's null that meets a default
    assert defaults(chart) == expected


@pytest.mark.parametrize("chart", LAYERED)
def test_values_yaml_of_a_layered_chart_holds_no_defaults(chart):
    """Helm merges values.yaml under the release's values before templates run; whatever is there could not be
    told from a value the release gave. Only `k8s: {}` is (it must stay empty: Helm keeps nulls under it)."""
    assert values(chart) == ({"k8s": {}} if chart in WORKLOAD_CHARTS else {})


# ------------------------------------------------------------------------------- layers

HELM_PROFILE = re.compile(r"profile-(?:(compatibility-version)-|(platform)-)?(.+)\.yaml$")


def official_layer_names(chart: str) -> dict[str, set[str]]:
    """The helm-side profiles, compatibility versions and platforms Istio's chart(s) carry (files/profile-*.yaml)."""
    out: dict[str, set[str]] = {"profile": set(), "compatibilityVersion": set(), "platform": set()}
    for rel in OFFICIAL[chart]:
        for f in (official_dir(rel) / "files").glob("profile-*.yaml"):
            compat, platform, name = HELM_PROFILE.match(f.name).groups()
            out["compatibilityVersion" if compat else "platform" if platform else "profile"].add(name)
    return out


@pytest.mark.parametrize("chart", LAYERED)
def test_layers_name_what_istios_charts_accept(chart):
    data = layers(chart)
    assert set(data) <= {"kinds", "profile", "compatibilityVersion", "platform"}
    for table, names in official_layer_names(chart).items():
        ours = set(data[table])
        if chart == "istio-base" and table == "profile":
            ours.discard("default")  # accepted here as "no helm-side profile"
        assert ours == names, f"{chart}: {table}"


def layer_trees(chart: str) -> list[tuple[str, dict]]:
    data = layers(chart)
    out = [(f"kinds.{k}", v) for k, v in (data.get("kinds") or {}).items()]
    for table in ("profile", "compatibilityVersion", "platform"):
        for name, entry in (data.get(table) or {}).items():
            entry = entry or {}
            out.append((f"{table}.{name}", {k: v for k, v in entry.items() if k != "kinds"}))
            out += [(f"{table}.{name}.kinds.{k}", v) for k, v in (entry.get("kinds") or {}).items()]
    return out


# istiod's layers also carry the CNI chart's settings under `cni` (as Istio's helm profiles set them), which the chart
# only passes on to the injector's values as pilot.cni; they are not values of the istiod chart.
PASSED_ON = {"istiod": {"cni"}}


def declared(sch: dict, path: tuple) -> bool:
    node = sch
    for key in path:
        try:
            node = sub(sch, node, key)
        except AssertionError:
            return False
        if node is None:
            return True
    return True


@pytest.mark.parametrize("chart", LAYERED)
def test_layers_are_values_of_the_chart(chart):
    sch = schema(chart)
    validator = jsonschema.Draft7Validator(sch)
    for where, tree in layer_trees(chart):
        tree = copy.deepcopy(tree)
        for path in key_paths(tree):   # parents come before their keys: a dropped parent takes its keys along
            if path[0] in PASSED_ON.get(chart, ()) and not declared(sch, path):
                parent = tree
                for key in path[:-1]:
                    parent = parent.get(key, {}) if isinstance(parent, dict) else {}
                if isinstance(parent, dict):
                    parent.pop(path[-1], None)
        errors = list(validator.iter_errors(tree))
        assert not errors, f"{chart} {where}: " + "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def key_paths(tree: dict, prefix: tuple = ()) -> list[tuple]:
    out = []
    for key, value in tree.items():
        out.append(prefix + (key,))
        if isinstance(value, dict):
            out += key_paths(value, prefix + (key,))
    return out


def with_null_at(path: tuple) -> dict:
    tree: dict = {}
    node = tree
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = None
    return tree


@pytest.mark.parametrize("chart", CHARTS)
def test_a_null_is_accepted_wherever_it_clears_a_default_or_a_layer_value(chart):
    """helmgen keeps exactly the nulls the schema accepts (they remove the default or layer value beneath)."""
    validator = jsonschema.Draft7Validator(schema(chart))
    paths = key_paths(defaults(chart))
    for _, tree in layer_trees(chart) if chart in LAYERED else []:
        paths += key_paths(tree)
    sch = schema(chart)
    paths = [p for p in paths if declared(sch, p)]   # not values of the chart (PASSED_ON): cannot be given
    refused = sorted({".".join(p) for p in paths if p != ("k8s",) and list(validator.iter_errors(with_null_at(p)))})
    assert not refused, f"{chart}: null refused at {refused}"


def test_a_null_that_clears_nothing_is_refused():
    """e.g. istio-base base.validationFailurePolicy (no default, no layer): the schema still says string."""
    assert list(jsonschema.Draft7Validator(schema("istio-base")).iter_errors({"base": {"validationFailurePolicy": None}}))
    assert list(jsonschema.Draft7Validator(schema("gateways")).iter_errors({"gatewayType": "sideways"}))


# ------------------------------------------------------------------------------- official charts

@pytest.mark.parametrize("chart", CHARTS)
def test_official_top_level_keys_are_accepted(chart):
    props = schema(chart)["properties"]
    for rel in OFFICIAL[chart]:
        defaults = official_defaults(rel)
        keys = set(defaults)
        if chart == "gateways":
            keys.discard("gateways")
            for gw in defaults["gateways"].values():
                keys |= set(gw)
        missing = sorted(keys - set(props))
        assert not missing, f"{chart}: keys of {rel} defaults not in schema: {missing}"


@pytest.mark.parametrize("chart", CHARTS)
def test_official_defaults_validate(chart):
    """The official defaults (whole tree, nested keys included) are accepted."""
    validator = jsonschema.Draft7Validator(schema(chart))
    for tree in official_trees(chart):
        errors = list(validator.iter_errors(tree))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


VALUES_REF = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
GATEWAY_REF = re.compile(r"\$gateway((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
INTERNAL = {"_internal_defaults_do_not_set", "defaults", "_original"}


def official_reads(chart: str) -> set[tuple[str, ...]]:
    """Value paths the official chart's templates read (.Values.a.b, and $gateway.x for gateways)."""
    paths = set()
    for rel in OFFICIAL[chart]:
        d = official_dir(rel)
        # templates, plus the injection templates istiod renders at runtime from the same values
        files = list((d / "templates").rglob("*")) + list((d / "files").glob("*"))
        for f in files:
            if not f.is_file() or f.name.startswith(("profile-", "crd-")):
                continue
            text = f.read_text()
            for m in VALUES_REF.finditer(text):
                paths.add(tuple(m.group(1).split(".")[1:]))
            if chart == "gateways":
                for m in GATEWAY_REF.finditer(text):
                    paths.add(tuple(m.group(1).split(".")[1:]))
    return {p for p in paths if p[0] not in INTERNAL and not (chart == "gateways" and p[0] == "gateways")}


@pytest.mark.parametrize("chart", CHARTS)
def test_keys_read_by_official_templates_are_accepted(chart):
    sch = schema(chart)
    problems = []
    for path in sorted(official_reads(chart)):
        node = sch
        for n, key in enumerate(path):
            try:
                node = sub(sch, node, key)
            except AssertionError:
                problems.append(".".join(path[: n + 1]))
                break
            if node is None:
                break
    assert not problems, f"{chart}: value paths read by official templates but rejected: {problems}"


# ------------------------------------------------------------------------------- protobuf coverage

SCALAR_TYPES = {"bool": "boolean", "string": "string", "int32": "integer", "uint32": "integer",
                "int64": "integer", "double": "number", "duration": "string"}


def check_message(sch: dict, node: dict, message: str, where: str, problems: list):
    node = resolve(sch, node)
    props = node.get("properties")
    if props is None:
        return  # free-form: accepts everything
    for field, spec in TYPES[message].items():
        p = f"{where}.{field}"
        if field not in props:
            problems.append(f"{p}: missing")
            continue
        fs = resolve(sch, props[field])
        if spec.get("deprecated") and "deprecated" not in props[field].get("description", "").lower():
            problems.append(f"{p}: deprecated field without 'deprecated' in its description")
        kind = spec["type"]
        t = types_of(fs)
        if spec.get("repeated"):
            if "array" not in t:
                problems.append(f"{p}: expected an array, got {t}")
            continue
        if spec.get("map"):
            if "object" not in t:
                problems.append(f"{p}: expected a map, got {t}")
            continue
        if kind in SCALAR_TYPES and SCALAR_TYPES[kind] not in t:
            problems.append(f"{p}: expected {SCALAR_TYPES[kind]}, got {t}")
        elif kind == "intOrString" and not {"integer", "string"} <= t:
            problems.append(f"{p}: expected integer|string, got {t}")
        elif kind == "struct" and t and "object" not in t:
            problems.append(f"{p}: expected free-form object, got {t}")
        elif kind == "enum" and set(spec["enum"]) - set(fs.get("enum", spec["enum"])):
            problems.append(f"{p}: enum values missing")
        elif kind in TYPES and kind != "Resources":
            check_message(sch, fs, kind, p, problems)


# (chart, schema path ('' = top level), proto message)
PROTO_COVERAGE = [
    *[(c, "global", "GlobalConfig") for c in CHARTS],
    ("istio-base", "base", "BaseConfig"),
    ("istio-base", "experimental", "ExperimentalConfig"),
    ("istiod", "", "PilotConfig"),
    ("istiod", "pilot", "PilotConfig"),
    ("istiod", "base", "BaseConfig"),
    ("istiod", "sidecarInjectorWebhook", "SidecarInjectorConfig"),
    ("istiod", "telemetry", "TelemetryConfig"),
    ("istiod", "istiodRemote", "IstiodRemoteConfig"),
    ("istiod", "experimental", "ExperimentalConfig"),
    ("gateways", "", "IngressGatewayConfig"),
    ("gateways", "", "EgressGatewayConfig"),
    ("istio-cni", "", "CNIConfig"),
    ("istio-cni", "cni", "CNIConfig"),
]


@pytest.mark.parametrize("chart,where,message", PROTO_COVERAGE)
def test_proto_fields_are_covered(chart, where, message):
    sch = schema(chart)
    node = sch
    for key in filter(None, where.split(".")):
        node = sub(sch, node, key)
    problems: list = []
    check_message(sch, node, message, where or "<top>", problems)
    assert not problems, f"{chart}: " + "\n".join(problems)


# ------------------------------------------------------------------------------- contract samples

CONTRACT_SAMPLES = {
    "istio-base": {"global": {"istioNamespace": "istio-system", "imagePullSecrets": ["regcred"]},
                   "base": {"enableCRDTemplates": True, "validationFailurePolicy": "Fail"},
                   "defaultRevision": "canary", "experimental": {"stableValidationPolicy": False},
                   "profile": "default", "compatibilityVersion": "1.28", "platform": "gke"},
    "istiod": {"autoscaleMin": 2, "autoscaleMax": 4, "replicaCount": 2, "hub": "docker.io/istio", "tag": 1.2,
               "env": {"PILOT_TRACE_SAMPLING": "1"}, "cni": {"enabled": True, "provider": "multus", "chained": True},
               "resources": {"requests": {"cpu": "1"}, "limits": {"cpu": 2, "memory": "4Gi"}},
               "cpu": {"targetAverageUtilization": 70}, "traceSampling": 0.5, "keepaliveMaxServerConnectionAge": "1h",
               "rollingMaxSurge": 1, "rollingMaxUnavailable": "50%", "meshConfig": {"accessLogFile": "/dev/stdout"},
               "revision": "1-31", "revisionTags": ["prod"], "ownerName": "installed-state",
               "gateways": {"securityContext": {}, "seccompProfile": None}, "gatewayClasses": {},
               "pdb": {"minAvailable": 1, "maxUnavailable": "25%", "unhealthyPodEvictionPolicy": "AlwaysAllow"},
               "global": {"proxy": {"tracer": "zipkin", "capNetBindService": True}, "resourceScope": "namespace",
                          "tag": "1.31.0", "waypoint": {"tolerations": []}},
               "terminationMessagePolicy": "FallbackToLogsOnError", "affinity": None, "tolerations": None},
    "gateways": {"gatewayType": "egress", "name": "istio-egressgateway",
                 "labels": {"app": "istio-egressgateway", "istio": "egressgateway"},
                 "ports": [{"name": "http2", "port": 80, "targetPort": 8080, "protocol": "TCP"},
                           {"name": "https", "port": 443, "targetPort": 0, "nodePort": 30443, "appProtocol": "https"}],
                 "type": "ClusterIP", "autoscaleMin": 0, "replicaCount": 3, "tag": "1.31.0",
                 "revision": "", "ownerName": "x", "meshConfig": {}, "global": {"defaultTolerations": []},
                 "pilot": {"env": {"ENABLE_CLUSTER_TRUST_BUNDLE_API": True}}},
    "istio-cni": {"cniBinDir": "/home/kubernetes/bin", "chained": False, "provider": "multus",
                  "ambient": {"enabled": True, "reconcileIptablesOnStartup": False, "shareHostNetworkNamespace": True},
                  "resourceQuotas": {"enabled": True, "pods": 64}, "resources": {"requests": {"cpu": "200m"}},
                  "tag": "1.31.0", "revision": "", "global": {"platform": "gke"}, "env": {"X": "1"}},
    "ztunnel": {"global": {"hub": "docker.io/istio"}, "revision": "1-31", "profile": "ambient",
                "compatibilityVersion": "1.29", "defaultRevision": "", "ownerName": "x", "revisionTags": ["a"],
                "hub": "docker.io/istio", "tag": "1.31.0", "resources": {"requests": {"cpu": "500m"}},
                "affinity": {}, "nodeSelector": {"kubernetes.io/os": "linux"}, "env": {"A": "b"}},
}

BAD_SAMPLES = {
    "istio-base": [{"defaultRevision": 5}, {"base": {"enableCRDTemplates": "yes"}}],
    "istiod": [{"autoscaleMin": "x"}, {"pilot": {"autoscaleMin": -1}}, {"cni": {"unknown": True}},
               {"global": {"proxy": {"tracer": "nope"}}}],
    "gateways": [{"gatewayType": "sideways"}, {"ports": [{"port": 80, "bogus": 1}]}],
    "istio-cni": [{"ambient": {"enabled": "true"}}, {"resourceQuotas": {"pods": "many"}}],
    "ztunnel": [{"logAsJson": "no"}, {"peerCaCrl": {"enabled": True, "other": 1}}],
}


@pytest.mark.parametrize("chart", CHARTS)
def test_contract_samples(chart):
    validator = jsonschema.Draft7Validator(schema(chart))
    errors = list(validator.iter_errors(CONTRACT_SAMPLES[chart]))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    for bad in BAD_SAMPLES[chart] + [{"notAValue": 1}]:
        assert list(validator.iter_errors(bad)), f"{chart}: {bad} should be rejected"


# ------------------------------------------------------------------------------- real helm

def helm_binaries() -> list[tuple[str, str]]:
    out = []
    for var, major in (("HELMGEN_HELM3", "3"), ("HELMGEN_HELM4", "4")):
        path = os.environ.get(var)
        if not path:
            pytest.fail(f"{var} is not set; run: export {var}=$(scripts/fetch-helm {major})")
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            pytest.fail(f"{var}={path} is not an executable helm binary; run scripts/fetch-helm {major}")
        r = subprocess.run([path, "version", "--short"], capture_output=True, text=True)
        assert r.stdout.strip().startswith(f"v{major}."), f"{var}: expected helm {major}, got {r.stdout!r}"
        out.append((var, path))
    return out


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_yaml(chart):
    meta = yaml.safe_load((CHARTS_DIR / chart / "Chart.yaml").read_text())
    assert meta["apiVersion"] == "v2"
    assert meta["name"] == chart
    assert meta["type"] == "application"
    assert meta["version"] == "0.1.0"
    assert meta["appVersion"] == "1.31.0"
    assert meta["kubeVersion"] == ">=1.28.0-0"
    assert meta.get("description")


@pytest.mark.parametrize("chart", CHARTS)
def test_helm_lint_strict(chart):
    for var, helm in helm_binaries():
        r = subprocess.run([helm, "lint", "--strict", str(CHARTS_DIR / chart)], capture_output=True, text=True)
        assert r.returncode == 0, f"{var} lint {chart}:\n{r.stdout}\n{r.stderr}"


def helm_template(helm: str, chart: str, vals: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    f = tmp_path / "values.yaml"
    f.write_text(yaml.safe_dump(vals))
    return subprocess.run([helm, "template", "r", str(CHARTS_DIR / chart), "-f", str(f)],
                          capture_output=True, text=True)


@pytest.mark.parametrize("chart", CHARTS)
def test_helm_enforces_schema(chart, tmp_path):
    for var, helm in helm_binaries():
        ok = helm_template(helm, chart, CONTRACT_SAMPLES[chart], tmp_path)
        assert ok.returncode == 0, f"{var} rejected a valid {chart} values file:\n{ok.stderr}"
        for bad in [BAD_SAMPLES[chart][0], {"notAValue": 1}]:
            r = helm_template(helm, chart, bad, tmp_path)
            assert r.returncode != 0, f"{var} accepted invalid {chart} values {bad}"
            assert "schema" in r.stderr, f"{var}: {chart} {bad} failed for another reason:\n{r.stderr}"


# ------------------------------------------------------------------------------- the k8s value

def test_k8s_value_declares_the_k8s_block_of_a_component():
    """Our charts with a workload take a component's k8s block as the value `k8s` (what helmgen.k8s.apply reads):
    every field istioctl patches, none of overlays/volumes/volumeMounts; istio-base has no workload and no `k8s`."""
    from helmgen.typecheck import K8S_BLOCK
    expected = set(K8S_BLOCK["fields"]) - {"overlays", "volumes", "volumeMounts"}
    for chart in WORKLOAD_CHARTS:
        node = schema(chart)["properties"]["k8s"]
        assert set(node["properties"]) == expected, chart
        assert "null" in types_of(node)
        assert values(chart)["k8s"] == {}
    assert "k8s" not in schema("istio-base")["properties"]


K8S_GOOD = {"k8s": {"readinessProbe": None, "strategy": {"rollingUpdate": {"maxSurge": None, "maxUnavailable": 0}},
                    "resources": {"limits": None, "requests": {"memory": "1Gi", "cpu": 0.5}}, "replicaCount": 3,
                    "env": [{"name": "A", "value": None}, {"name": "B", "valueFrom": {"fieldRef": {"fieldPath": "x"}}}],
                    "podAnnotations": {"$patch": "replace", "a": "b"}, "nodeSelector": None, "tolerations": [],
                    "service": {"ports": [], "type": "NodePort"}, "hpaSpec": {"minReplicas": 2, "metrics": None},
                    "podDisruptionBudget": {"maxUnavailable": "25%"}, "affinity": {"podAntiAffinity": None},
                    "securityContext": {"runAsUser": 1337}, "serviceAnnotations": {"x": None},
                    "imagePullPolicy": "Always", "priorityClassName": None}}
K8S_BAD = [{"k8s": {"overlays": []}}, {"k8s": {"volumes": []}}, {"k8s": {"replicaCount": "3"}},
           {"k8s": {"replicaCount": -1}}, {"k8s": {"env": {"A": "b"}}}, {"k8s": {"resources": {"request": {}}}},
           {"k8s": {"readinessProbe": {"periodSeconds": "5"}}}, {"k8s": {"podAnnotations": {"a": 1}}},
           {"k8s": {"strategy": {"rollingUpdate": {"maxSurge": 1.5}}}}]


@pytest.mark.parametrize("chart", WORKLOAD_CHARTS)
def test_k8s_value_types_and_nulls(chart):
    validator = jsonschema.Draft7Validator(schema(chart))
    errors = list(validator.iter_errors(K8S_GOOD))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    for bad in K8S_BAD:
        assert list(validator.iter_errors(bad)), f"{chart}: {bad} should be rejected"
