import pytest

from helmgen.paths import Index, Match, Select, format_path, parse_set_path
from helmgen.setflags import parse_value, split_set
from helmgen.values import SetPathError, deep_merge, get_path, set_path


def test_format_path_uses_brackets_for_indexes_and_escapes_dots():
    assert format_path(("spec", "components", "ingressGateways", 1, "k8s")) == "spec.components.ingressGateways[1].k8s"
    assert format_path(("spec", "values", "gateways", "istio-ingressgateway")) == "spec.values.gateways.istio-ingressgateway"
    assert format_path(("metadata", "annotations", "a.b/c")) == "metadata.annotations.a\\.b/c"


@pytest.mark.parametrize("text,expected", [
    ("a.b.c", ["a", "b", "c"]),
    ("a\\.b.c", ["a.b", "c"]),
    ("a[0].b", ["a", Index(0), "b"]),
    ("a.[0].b", ["a", Index(0), "b"]),
    ("a.[name:x\\.y].b", ["a", Select("name", "x.y"), "b"]),
    ("args.[30m]", ["args", Match("30m")]),
    ("args.[:30m]", ["args", Match("30m")]),
    (".a.b.", ["a", "b"]),
    ("a..b", ["a", "b"]),
])
def test_set_path_grammar(text, expected):
    assert parse_set_path(text) == expected


@pytest.mark.parametrize("path,raw,expected", [
    ("spec.values.pilot.autoscaleMin", "2", 2),
    ("spec.values.pilot.tag", "1.20", 1.2),
    ("spec.tag", "1.20", "1.20"),
    ("spec.values.global.tag", "1.20", "1.20"),
    ("spec.compatibilityVersion", "1.24", "1.24"),
    ("spec.values.meshConfig.defaultConfig.proxyMetadata.X", "true", "true"),
    ("spec.values.x", "true", True),
    ("spec.values.x", "F", False),
    ("spec.values.x", "1e3", 1000.0),
    ("spec.values.x", "a\\,b", "a,b"),
    ("spec.values.global.proxy.includeIPRanges", "10.0.0.0/8,172.16.0.0/12", "10.0.0.0/8,172.16.0.0/12"),
])
def test_set_value_typing(path, raw, expected):
    value = parse_value(path, raw)
    assert value == expected and type(value) is type(expected)


def test_set_splits_at_first_equals_and_trims():
    assert split_set(" a.b = c=d ") == ("a.b", "c=d")
    assert split_set("a.b") == ("a.b", "")


def test_set_index_out_of_range_appends_and_selector_must_match():
    tree = {"spec": {"list": [{"name": "a", "x": 1}]}}
    set_path(tree, ["spec", "list", Index(5), "name"], "b")
    set_path(tree, ["spec", "list", Select("name", "a"), "x"], 2)
    assert tree["spec"]["list"] == [{"name": "a", "x": 2}, {"name": "b"}]
    with pytest.raises(SetPathError, match="not found"):
        set_path(tree, ["spec", "list", Select("name", "zz"), "x"], 1)


def test_set_through_explicit_null_is_dropped_like_istioctl():
    tree = {"spec": {"values": None}}
    set_path(tree, ["spec", "values", "pilot", "enabled"], True)
    assert tree == {"spec": {"values": None}}


def test_deep_merge_maps_merge_lists_and_nulls_replace():
    base = {"a": {"x": 1, "y": [1, 2]}, "b": {"c": 1}}
    out = deep_merge(base, {"a": {"y": [3]}, "b": None})
    assert out == {"a": {"x": 1, "y": [3]}, "b": None}
    assert base == {"a": {"x": 1, "y": [1, 2]}, "b": {"c": 1}}, "inputs are never mutated"


def test_get_path_handles_missing_and_indexes():
    assert get_path({"a": [{"b": 1}]}, ("a", 0, "b")) == 1
    assert get_path({"a": []}, ("a", 0, "b"), "none") == "none"
