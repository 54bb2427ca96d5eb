"""Oracle: helmgen's per-component values trees == what `istioctl manifest translate` writes.

For every case (an IstioOperator file plus optional --set flags / --revision):
  * istioctl (built by scripts/build-istioctl from the pinned istio.io/istio module) runs
    `manifest translate -f INPUT --manifests <module>/manifests [--set ...] [-r REV] -o TMP`;
  * if istioctl accepts the input, each `<name>-values.yaml` it wrote must equal
    `helmgen.api.values_trees(files=[INPUT], sets=[...], revision=...)[name]` as parsed objects
    (numbers compare by value, every other type strictly: `"2"` != `2`, `true` != `1`);
    and helmgen's set of components must be the set istioctl lists in its README;
  * if istioctl rejects it, helmgen must reject it too (helmgen.errors.InputError with problems).

Gateways: istioctl translate writes NO values file for ingress/egress gateways (README line "migration is NOT
directly supported"), so helmgen's gateway trees are only checked for presence by name here; their content can
be checked only through `istioctl manifest generate` (rendered objects) in a later tier.

Each case runs twice on the helmgen side: with helmgen's own profiles (`own-profiles`) and with the module's
manifests passed as `manifests=` (`module-manifests`), so a profile drift is told apart from a translation bug.

The helmgen imports are inside the tests on purpose: while the API does not exist yet every case FAILS
(ImportError), it is never skipped.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from istioctl_oracle import istio_module_dir  # tests/oracle/istioctl_oracle.py

HERE = Path(__file__).resolve().parent
OWN_INPUTS = HERE / "inputs"
UPSTREAM_INPUTS_REL = "operator/cmd/mesh/testdata/manifest-generate/input"


@dataclass(frozen=True)
class Case:
    id: str
    input: Path | None              # None: the case could not be built (see error)
    more_inputs: tuple[Path, ...] = ()   # further -f files, merged in order after `input`
    sets: tuple[str, ...] = ()
    revision: str | None = None
    error: str = ""

    @property
    def files(self) -> list[Path]:
        return [self.input, *self.more_inputs]

    def istioctl_args(self) -> list[str]:
        args: list[str] = []
        for s in self.sets:
            args += ["--set", s]
        if self.revision is not None:
            args += ["-r", self.revision]
        return args


# (input: "upstream/<name>" or "own/<name>", --set flags, --revision)
SET_CASES: list[tuple[str, str, tuple[str, ...], str | None]] = [
    ("pilot-tag-float", "upstream/minimal", ("values.pilot.tag=1.20",), None),           # -> pilot.tag 1.2 (float)
    ("spec-tag-string", "upstream/minimal", ("tag=1.20",), None),                        # -> global.tag "1.20"
    ("include-ip-ranges-commas", "upstream/minimal",
     ("values.global.proxy.includeIPRanges=10.0.0.0/8,172.16.0.0/12",), None),
    ("pilot-tag-spec-tag-ipranges", "upstream/minimal",
     ("values.pilot.tag=1.20", "tag=1.20", "values.global.proxy.includeIPRanges=10.0.0.0/8,172.16.0.0/12"), None),
    ("autoscale-min-max", "upstream/default", ("values.pilot.autoscaleMin=2", "values.pilot.autoscaleMax=5"), None),
    ("hub-tag", "upstream/minimal", ("hub=foo", "tag=bar"), None),
    ("profile-from-set", "upstream/empty", ("profile=minimal",), None),
    ("revision-set", "upstream/all_on", ("revision=foo",), None),
    ("revision-flag", "upstream/all_on", (), "foo"),
    ("revision-flag-default-ignored", "upstream/minimal", (), "default"),
    ("k8s-cpu-to-values", "upstream/minimal", ("components.pilot.k8s.resources.requests.cpu=0.5",), None),
    ("proxy-metadata-always-string", "upstream/minimal",
     ("meshConfig.defaultConfig.proxyMetadata.FOO=1.10", "values.meshConfig.defaultConfig.proxyMetadata.BAR=true"),
     None),
    ("egress-alt-enablement", "upstream/minimal", ("values.gateways.istio-egressgateway.enabled=true",), None),
    ("gateways-flags", "upstream/gateways",
     ("components.ingressGateways.[0].k8s.resources.requests.memory=999Mi",
      "components.ingressGateways.[name:user-ingressgateway].k8s.resources.requests.cpu=555m",
      "values.gateways.istio-ingressgateway.autoscaleMin=2"), None),
    ("cni-enable-namespace", "upstream/minimal", ("components.cni.enabled=true", "components.cni.namespace=kube-system"),
     None),
    ("escaped-dot-key", "upstream/minimal", (r"values.pilot.podAnnotations.example\.com/owner=team-a",), None),
    ("duration-value", "upstream/minimal", ("values.pilot.keepaliveMaxServerConnectionAge=30m",), None),
    ("unvalidated-values", "upstream/minimal", ("unvalidatedValues.pilot.extraKey=1",), None),
    ("ztunnel-component-tag", "own/profile_ambient_revision_gateways", ("components.ztunnel.tag=1.20",), None),
    ("set-over-file-list", "own/multiple_gateways", ("components.ingressGateways.[1].k8s.hpaSpec.minReplicas=4",),
     None),
    ("invalid-unknown-values-key", "upstream/minimal", ("values.global.badKey=1",), None),
    ("invalid-metadata-via-set", "upstream/minimal", ("metadata.name=x",), None),
    ("invalid-enabled-string", "upstream/minimal", ("components.pilot.enabled=yes",), None),
]


# Several -f files, merged in order (istio's TestMultiICPSFiles uses all_off + helm_values_enablement).
MULTI_FILE_CASES: list[tuple[str, tuple[str, ...]]] = [
    ("all_off+helm_values_enablement", ("upstream/all_off", "upstream/helm_values_enablement")),
    ("minimal+pilot_override_values", ("upstream/minimal", "upstream/pilot_override_values")),
    ("ambient+cni_ns+hub_tag", ("own/profile_ambient_revision_gateways", "own/cni_ztunnel_custom_namespaces",
                                "own/component_hub_tag_k8s")),
    ("gateways+multiple_gateways", ("upstream/gateways", "own/multiple_gateways")),
]


def _cases() -> list[Case]:
    try:
        module = istio_module_dir()
    except RuntimeError as exc:
        return [Case("module-unavailable", None, error=str(exc))]
    upstream_dir = module / UPSTREAM_INPUTS_REL
    upstream = sorted(upstream_dir.glob("*.yaml"))
    own = sorted(OWN_INPUTS.glob("*.yaml"))
    if not upstream:
        return [Case("upstream-inputs-missing", None, error=f"no *.yaml in {upstream_dir}")]
    cases = [Case(f"upstream/{p.stem}", p) for p in upstream] + [Case(f"own/{p.stem}", p) for p in own]
    by_name = {c.id: c.input for c in cases}
    for set_id, base, sets, revision in SET_CASES:
        if base not in by_name:
            cases.append(Case(f"set/{set_id}", None, error=f"base input {base} not found"))
        else:
            cases.append(Case(f"set/{set_id}", by_name[base], sets=sets, revision=revision))
    for multi_id, names in MULTI_FILE_CASES:
        missing = [n for n in names if n not in by_name]
        if missing:
            cases.append(Case(f"multi/{multi_id}", None, error=f"inputs {missing} not found"))
        else:
            cases.append(Case(f"multi/{multi_id}", by_name[names[0]], tuple(by_name[n] for n in names[1:])))
    return cases


CASES = _cases()
PROFILE_SOURCES = ["own-profiles", "module-manifests"]


# ------------------------------------------------------------------------------------------ comparison

def _kind(v) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"     # istioctl goes through JSON (float64): 2 and 2.0 are the same value there
    if v is None:
        return "null"
    if isinstance(v, dict):
        return "map"
    if isinstance(v, list):
        return "list"
    return type(v).__name__


def _fmt_path(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "<root>"


def tree_differences(expected, actual, path: tuple = ()) -> list[str]:
    """Paths where `actual` (helmgen) differs from `expected` (istioctl), type-strict except int/float."""
    ke, ka = _kind(expected), _kind(actual)
    if ke != ka:
        return [f"{_fmt_path(path)}: istioctl {expected!r} ({ke}) != helmgen {actual!r} ({ka})"]
    if ke == "map":
        diffs = []
        for k in sorted(set(expected) | set(actual), key=str):
            if k not in actual:
                diffs.append(f"{_fmt_path(path + (k,))}: missing in helmgen (istioctl: {expected[k]!r})"[:300])
            elif k not in expected:
                diffs.append(f"{_fmt_path(path + (k,))}: extra in helmgen ({actual[k]!r})"[:300])
            else:
                diffs += tree_differences(expected[k], actual[k], path + (k,))
        return diffs
    if ke == "list":
        if len(expected) != len(actual):
            return [f"{_fmt_path(path)}: list length istioctl {len(expected)} != helmgen {len(actual)}"
                    f" (istioctl {expected!r}, helmgen {actual!r})"[:400]]
        diffs = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            diffs += tree_differences(e, a, path + (i,))
        return diffs
    if expected != actual:
        return [f"{_fmt_path(path)}: istioctl {expected!r} != helmgen {actual!r}"]
    return []


def _dump(v) -> list[str]:
    return yaml.safe_dump(v, sort_keys=True, default_flow_style=False, allow_unicode=True).splitlines()


def explain(name: str, expected, actual, limit: int = 60) -> str:
    diffs = tree_differences(expected, actual)
    text = [f"component {name!r}: {len(diffs)} difference(s) (istioctl translate vs helmgen values_trees):"]
    text += ["  " + d for d in diffs[:limit]]
    if len(diffs) > limit:
        text.append(f"  ... and {len(diffs) - limit} more")
    udiff = list(difflib.unified_diff(_dump(expected), _dump(actual), f"istioctl {name}-values.yaml",
                                      f"helmgen values_trees()[{name!r}]", lineterm="", n=2))
    if udiff:
        text.append("unified diff:")
        text += udiff[:200] + (["..."] if len(udiff) > 200 else [])
    return "\n".join(text)


# ------------------------------------------------------------------------------------ known differences
# The only places where helmgen means to differ from istioctl. Each is checked, not skipped.
KNOWN_DIFFERENCES = {
    # helmgen accepts "true"/"false" wherever a boolean is expected (older istioctl did; older guides
    # write them) and normalises them; istioctl rejects them. Compared against istioctl run on the same
    # input with real booleans.
    "own/known_difference_string_booleans": "string booleans",
    # protobuf JSON accepts a quoted integer; istioctl passes the string on, helmgen the integer
    # (our charts' schemas are strict). Renders the same.
    "own/known_difference_quoted_uint": "quoted integers",
}


def _unquote_booleans(value):
    if isinstance(value, dict):
        return {k: _unquote_booleans(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unquote_booleans(v) for v in value]
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value


def _quoted_integer_diff(expected, actual) -> bool:
    return isinstance(expected, str) and expected.isdigit() and isinstance(actual, int) and int(expected) == actual


def _without_quoted_integer_diffs(expected, actual):
    """istioctl's tree with each quoted integer replaced by the integer helmgen wrote in its place."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {k: _without_quoted_integer_diffs(v, actual.get(k)) for k, v in expected.items()}
    return actual if _quoted_integer_diff(expected, actual) else expected


# ---------------------------------------------------------------------------------------------- the test

@pytest.mark.parametrize("source", PROFILE_SOURCES)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_values_trees_match_istioctl_translate(case: Case, source: str, translate, istio_manifests, tmp_path):
    if case.input is None:
        pytest.fail(f"oracle case {case.id} could not be set up: {case.error}", pytrace=False)

    from helmgen.api import values_trees      # noqa: PLC0415  (fail, never skip, while the API is missing)
    from helmgen.errors import InputError     # noqa: PLC0415

    kwargs = dict(files=case.files, sets=list(case.sets), revision=case.revision)
    if source == "module-manifests":
        kwargs["manifests"] = str(istio_manifests)
    what = "input " + " + ".join(str(f) for f in case.files) + (f" --set {' --set '.join(case.sets)}" if case.sets else "") + \
        (f" --revision {case.revision}" if case.revision is not None else "")

    oracle = translate(case.files, case.istioctl_args())
    difference = KNOWN_DIFFERENCES.get(case.id)
    if difference == "string booleans":
        assert not oracle.ok, f"istioctl now accepts string booleans in {what}; drop the known difference"
        unquoted = Path(tmp_path) / case.input.name
        unquoted.write_text(yaml.safe_dump(_unquote_booleans(yaml.safe_load(case.input.read_text()))))
        oracle = translate((unquoted,), case.istioctl_args())
        assert oracle.ok, oracle.error

    if not oracle.ok:
        with pytest.raises(InputError) as excinfo:
            values_trees(**kwargs)
        assert excinfo.value.problems, f"InputError without problems for {what}"
        return

    try:
        ours = values_trees(**kwargs)
    except InputError as exc:
        problems = "\n  ".join(str(p) for p in getattr(exc, "problems", []) or [exc])
        pytest.fail(f"helmgen rejected {what}, istioctl accepts it.\nhelmgen problems:\n  {problems}", pytrace=False)

    expected = oracle.values()
    if difference == "quoted integers":
        assert any(tree_differences(expected[n], ours[n]) for n in expected), \
            f"istioctl no longer keeps quoted integers in {what}; drop the known difference"
        expected = {n: _without_quoted_integer_diffs(expected[n], ours.get(n)) for n in expected}
    # Component names: the ones istioctl wrote values for, plus gateways it lists as unsupported.
    istioctl_names = set(oracle.supported) | set(oracle.unsupported)
    assert set(expected) == set(oracle.supported), \
        f"oracle inconsistency: files {sorted(expected)} vs README {sorted(oracle.supported)}"
    assert set(ours) == istioctl_names, (
        f"component sets differ for {what}: istioctl {sorted(istioctl_names)} "
        f"(gateways: {sorted(oracle.unsupported)}), helmgen {sorted(ours)}")

    failures = [explain(name, expected[name], ours[name])
                for name in sorted(expected) if tree_differences(expected[name], ours[name])]
    if failures:
        pytest.fail(f"{what}\n\n" + "\n\n".join(failures), pytrace=False)


# ----------------------------------------------------------------------------- self-checks of the oracle

def test_oracle_istioctl_translate_runs(translate):
    """The oracle itself works: the upstream all_on input translates to base + pilot; gateways get no file."""
    cases = {c.id: c for c in CASES}
    assert "upstream/all_on" in cases, f"upstream inputs not found: {[c.id for c in CASES][:5]}"
    result = translate(cases["upstream/all_on"].input)
    assert result.ok, result.error
    assert sorted(result.values_text) == ["base", "pilot"]
    assert sorted(result.unsupported) == ["istio-egressgateway", "istio-ingressgateway"]
    assert result.values()["pilot"]["pilot"]["enabled"] is True


def test_tree_differences_is_type_strict():
    assert tree_differences({"a": 2}, {"a": 2.0}) == []
    assert tree_differences({"a": "2"}, {"a": 2})
    assert tree_differences({"a": True}, {"a": 1})
    assert tree_differences({"a": [1]}, {"a": [1, 2]})
    assert tree_differences({"a": {"b": None}}, {"a": {}})
