"""k8s.overlays applied as istioctl applies them (facts 5.3), and the report of what istioctl drops.

Every expected object below is what `istioctl manifest generate` (istioctl v0.0.0-20260827124520-eed52ebb66ad,
run 2026-08) printed for the same overlays on components.base.k8s.overlays, targeting the ServiceAccount
istio-reader-service-account (or, for the golden case, components.pilot on Deployment istiod). A first overlay
often sets up lists or nulls: istioctl re-reads the object after each overlay, so what it wrote then behaves
like chart output. The Dropped expectations are helmgen's own report and are not from istioctl.
"""
import copy

import pytest

from helmgen.postprocess.overlay_path import Element, go_regex_search, parse_overlay_path
from helmgen.postprocess.overlays import Dropped, apply_overlays

BASE = ("spec", "components", "base", "k8s", "overlays")
SA = {
    "apiVersion": "v1",
    "kind": "ServiceAccount",
    "metadata": {
        "labels": {"app": "istio-reader", "app.kubernetes.io/instance": "istio", "app.kubernetes.io/managed-by": "Helm",
                   "app.kubernetes.io/name": "istio-reader", "app.kubernetes.io/part-of": "istio",
                   "app.kubernetes.io/version": "1.0.0", "helm.sh/chart": "base-1.0.0", "release": "istio"},
        "name": "istio-reader-service-account",
        "namespace": "istio-system",
    },
}
CRASH = "istioctl panics"  # istioctl exits 2 with "panic: reflect.Value.Slice: slice index out of bounds"

# set-up patches shared by several cases
NUL = [{"path": "spec.n", "value": {"a": None, "b": None, "c": None, "d": None, "e": None}}]
LISTS = [{"path": "spec.m", "value": [{"name": "a", "port": 8080}, {"name": "b:c"}, {"name": "x.y", "f": 1.5},
                                      {"other": 1}, {"name": True}]},
         {"path": "spec.s", "value": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}]
LL = [{"path": "spec.ll", "value": [[1, 2, 3], [{"k": "a", "v": 1, "lst": [1]}]]}]


def sa_overlays(*patch_lists: list) -> list[dict]:
    return [{"kind": "ServiceAccount", "name": "istio-reader-service-account", "patches": p} for p in patch_lists]


def view(obj: dict) -> dict:
    """What a case can change: top-level keys besides apiVersion/kind, metadata besides labels/name/namespace."""
    out = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
    meta = {k: v for k, v in obj["metadata"].items() if k not in ("labels", "name", "namespace")}
    if meta:
        out["metadata"] = meta
    return out


def assert_dropped(dropped: list[Dropped], expected: list[tuple[tuple, str]], base: tuple = BASE) -> None:
    """Exactly the expected reports, in order: same path, message containing the fragment."""
    got = [(d.path[len(base):], d.message) for d in dropped]
    assert all(d.path[:len(base)] == base for d in dropped), got
    assert [p for p, _ in got] == [p for p, _ in expected], got
    for (_, message), (_, fragment) in zip(got, expected):
        assert fragment in message, (fragment, message)


CASES = [
    # istioctl 2026-08 probe (path grammar: escaped dots, filepath.Clean, one leading/trailing dot stripped,
    #   `name[rest` split, slashes kept):
    pytest.param(
        [[{"path": "spec.a\\.b", "value": 1}]],
        {"spec": {"a.b": 1}},
        [],
        id="escaped_dot_is_part_of_the_key"),
    pytest.param(
        [[{"path": "./spec/../spec.a.", "value": 1}, {"path": "..spec..b", "value": 2}]],
        {"spec": {"a": 1, "b": 2}},
        [],
        id="path_is_cleaned_and_outer_dots_dropped"),
    pytest.param(
        [[{"path": "spec.sidecar\\.istio\\.io/inject", "value": "false"},
          {"path": "spec/x/../y", "value": 1},
          {"path": "/spec.r", "value": 2}]],
        {"/spec": {"r": 2}, "spec": {"sidecar.istio.io/inject": "false"}, "spec/y": 1},
        [],
        id="slashes_stay_in_keys"),
    pytest.param(
        [[{"path": "spec.a\\..", "value": 3}]],
        {"spec": {"a.": 3}},
        [],
        id="trailing_escaped_dot"),
    pytest.param(
        [[{"path": "spec.a[b", "value": 1}, {"path": "spec.c[0]d", "value": 2}]],
        {"spec": {"a": {"[b": 1}, "c": {"[0]d": 2}}},
        [],
        id="bracket_split_needs_no_closing_bracket"),
    # istioctl 2026-08 probe (manifest maps: a missing key becomes an empty map even before [N]; any bracket
    #   element is a literal key):
    pytest.param(
        [[{"path": "spec.a.[0]", "value": 1}, {"path": "spec.b[1].c", "value": 2}]],
        {"spec": {"a": {"[0]": 1}, "b": {"[1]": {"c": 2}}}},
        [((0, "patches", 0, "path"), "is a map, so istioctl uses '[0]'"),
          ((0, "patches", 1, "path"), "is a map, so istioctl uses '[1]'")],
        id="index_on_manifest_map_is_a_literal_key"),
    pytest.param(
        [[{"path": "spec.a.[k:v]", "value": 1}, {"path": "spec.b.[v]", "value": 2}]],
        {"spec": {"a": {"[k:v]": 1}, "b": {"[v]": 2}}},
        [((0, "patches", 0, "path"), "is a map, so istioctl uses '[k:v]'"),
          ((0, "patches", 1, "path"), "is a map, so istioctl uses '[v]'")],
        id="selectors_on_manifest_map_are_literal_keys"),
    pytest.param(
        [[{"path": "spec.x", "value": {"l": [1, 2]}}],
         [{"path": "spec.x.l", "value": 3}]],
        {"spec": {"x": {"l": 3}}},
        [],
        id="scalar_replaces_list_in_manifest_map"),
    pytest.param(
        [[{"path": "spec.x", "value": ""},
          {"path": "spec.y", "value": {}},
          {"path": "spec.z", "value": []},
          {"path": "spec.w", "value": [1, {"a": [2]}]}]],
        {"spec": {"w": [1, {"a": [2]}], "x": "", "y": {}, "z": []}},
        [],
        id="write_map_list_string_empty"),
    # istioctl 2026-08 probe ([N]: -1 or past the end appends, in range replaces; '+1' is an index (Go Atoi), '-2'
    #   is not):
    pytest.param(
        [[{"path": "spec.l", "value": [1, 2, 3]}],
         [{"path": "spec.l.[-1]", "value": "m1"},
          {"path": "spec.l.[9]", "value": "o9"},
          {"path": "spec.l.[0]", "value": "z"},
          {"path": "spec.l.[+1]", "value": "plus1"},
          {"path": "spec.l.[-2]", "value": "m2"}]],
        {"spec": {"l": ["z", "plus1", 3, "m1", "o9"]}},
        [((1, "patches", 4, "path"), "no element of spec.l matches the regular expression '-2'")],
        id="index_forms"),
    pytest.param(
        [[{"path": "spec.l", "value": [1, 2]}],
         [{"path": "spec.l.[0]", "value": [9, 9]}, {"path": "spec.l.[1]", "value": {"m": 1}}]],
        {"spec": {"l": [[9, 9], {"m": 1}]}},
        [],
        id="index_replaces_with_list_or_map"),
    pytest.param(
        [[{"path": "spec.l", "value": [None, 1]}],
         [{"path": "spec.l.[0].a", "value": 1}]],
        {"spec": {"l": [{"a": 1}, 1]}},
        [],
        id="null_element_by_index_becomes_a_map"),
    # istioctl 2026-08 probe ([key:value]: the element's field printed like Go's %v equals value; '\:' is not
    #   unescaped; one ':' only):
    pytest.param(
        [LISTS,
         [{"path": "spec.m.[port:8080].hit", "value": 1}]],
        {"spec": {"m": [{"hit": 1, "name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [],
        id="select_matches_integer_field"),
    pytest.param(
        [LISTS,
         [{"path": "spec.m.[port:<nil>].hit", "value": 1}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"hit": 1, "name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [],
        id="select_missing_field_is_nil"),
    pytest.param(
        [LISTS,
         [{"path": "spec.m.[name:b\\:c].hit", "value": 1}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [((1, "patches", 0, "path"),
           "no element of spec.m has name=b\\:c (values there, as istioctl prints them: a, b:c, x.y, true)")],
        id="select_escaped_colon_keeps_backslash"),
    pytest.param(
        [LISTS,
         [{"path": "spec.m.[name:b:c].hit", "value": 1}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [((1, "patches", 0, "path"), "'[name:b:c]' is not a selector [key:value]")],
        id="select_with_two_colons_is_invalid"),
    pytest.param(
        [LISTS,
         [{"path": "spec.m.[name:x\\.y].hit", "value": 1}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "hit": 1, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [],
        id="select_value_with_escaped_dot"),
    pytest.param(
        [LISTS,
         [{"path": "spec.m.[f:1\\.5].hit", "value": 1}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "hit": 1, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [],
        id="select_float_field"),
    pytest.param(
        [LISTS,
         [{"path": "spec.m.[f:1.5].hit", "value": 1}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [((1, "patches", 0, "path"), "an unescaped '.' split it")],
        id="select_unescaped_dot_splits_the_path"),
    pytest.param(
        [LISTS,
         [{"path": "spec.m.[name:true].hit", "value": 1}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"hit": 1, "name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [],
        id="select_bool_field"),
    pytest.param(
        [LISTS,
         [{"path": "spec.m.[na\\.me:a].hit", "value": 1}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [((1, "patches", 0, "path"), "'[na.me:a]' is not a selector [key:value]")],
        id="select_key_must_be_simple"),
    pytest.param(
        [LISTS,
         [{"path": "spec.m.[name:].hit", "value": 1}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [((1, "patches", 0, "path"), "'[name:]' is not a selector [key:value]")],
        id="select_empty_value_is_invalid"),
    pytest.param(
        [LISTS,
         [{"path": "spec.m.[a].hit", "value": 1}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [((1, "patches", 0, "path"), "'[a]' is not a selector [key:value]")],
        id="plain_value_selector_on_maps_is_invalid"),
    pytest.param(
        [LISTS,
         [{"path": "spec.m.[name:a]", "value": {"z": 1}}]],
        {"spec": {"m": [{"z": 1}, {"name": "b:c"}, {"f": 1.5, "name": "x.y"}, {"other": 1}, {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [],
        id="select_as_last_element_replaces_the_element"),
    pytest.param(
        [LISTS,
         [{"path": "spec.m.[name:a]", "value": "scal"}]],
        {"spec": {"m": ["scal", {"name": "b:c"}, {"f": 1.5, "name": "x.y"}, {"other": 1}, {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [],
        id="select_replaced_by_scalar"),
    pytest.param(
        [[{"path": "spec.m", "value": [{"a-b_1": "v", "nn": {"x": 1}}]}],
         [{"path": "spec.m.[a-b_1:v].hit", "value": 1}, {"path": "spec.m.[nn:map[x:1]].hit2", "value": 2}]],
        {"spec": {"m": [{"a-b_1": "v", "hit": 1, "nn": {"x": 1}}]}},
        [((1, "patches", 1, "path"), "'[nn:map[x:1]]' is not a selector [key:value]")],
        id="select_dash_key_and_map_field"),
    # istioctl 2026-08 probe ([value] / [:value]: unanchored Go regexp over the element printed with %v):
    pytest.param(
        [LISTS,
         [{"path": "spec.s.[m]", "value": "R"}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["R", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [],
        id="match_is_unanchored"),
    pytest.param(
        [LISTS,
         [{"path": "spec.s.[:1m]", "value": "R"}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "R", "abc", 8080, True, 1.5, None, 1000000]}},
        [],
        id="match_colon_form"),
    pytest.param(
        [LISTS,
         [{"path": "spec.s.[^m$]", "value": "R"}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "R", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [],
        id="match_anchored_by_user"),
    pytest.param(
        [LISTS,
         [{"path": "spec.s.[^8080$]", "value": "R"}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", "R", True, 1.5, None, 1000000]}},
        [],
        id="match_integer_element"),
    pytest.param(
        [LISTS,
         [{"path": "spec.s.[^true$]", "value": "R"}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, "R", 1.5, None, 1000000]}},
        [],
        id="match_bool_element"),
    pytest.param(
        [LISTS,
         [{"path": "spec.s.[nil]", "value": "R"}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, "R", 1000000]}},
        [],
        id="match_null_element_as_nil"),
    pytest.param(
        [LISTS,
         [{"path": "spec.s.[e\\.06]", "value": "R"}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, "R"]}},
        [],
        id="match_float_printed_with_exponent"),
    pytest.param(
        [LISTS,
         [{"path": "spec.s.[(]", "value": "R"}, {"path": "spec.s.[abc]", "value": "after"}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "after", 8080, True, 1.5, None, 1000000]}},
        [((1, "patches", 0, "path"), "matches the regular expression '('")],
        id="match_invalid_regex_matches_nothing"),
    pytest.param(
        [LISTS,
         [{"path": "spec.s.[a:b]", "value": "R"}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [((1, "patches", 0, "path"), "matches the regular expression 'a:b'")],
        id="match_key_value_text_on_scalars"),
    pytest.param(
        [LISTS,
         [{"path": "spec.s.[:]", "value": "R"}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [((1, "patches", 0, "path"), "matches the regular expression ':'")],
        id="match_lone_colon_is_a_pattern"),
    pytest.param(
        [LISTS,
         [{"path": "spec.s.[]", "value": "R"}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [((1, "patches", 0, "path"), "'[]' must be an index [N] or a selector")],
        id="match_empty_brackets_invalid"),
    pytest.param(
        [[{"path": "spec.s", "value": ["a.b", "a+b", "ab\n", "x(y)"]}],
         [{"path": "spec.s.[a\\.b]", "value": "1"},
          {"path": "spec.s.[a\\+b]", "value": "2"},
          {"path": "spec.s.[b$]", "value": "3"},
          {"path": "spec.s.[\\(y\\)]", "value": "4"}]],
        {"spec": {"s": ["1", "2", "ab\n", "4"]}},
        [((1, "patches", 2, "path"), "matches the regular expression 'b$'")],
        id="match_regex_specials_and_dollar_at_end_of_text"),
    # istioctl 2026-08 probe (null nodes: a map is made for a key; a list for [N]/[k:v] that cannot be written;
    #   [v] is a literal key):
    pytest.param(
        [NUL,
         [{"path": "spec.n.a.x", "value": 1}]],
        {"spec": {"n": {"a": {"x": 1}, "b": None, "c": None, "d": None, "e": None}}},
        [],
        id="null_then_key"),
    pytest.param(
        [NUL,
         [{"path": "spec.n.b.[0]", "value": 1}]],
        {"spec": {"n": {"a": None, "b": None, "c": None, "d": None, "e": None}}},
        [((1, "patches", 0, "path"),
           "spec.n.b in ServiceAccount istio-reader-service-account is null; istioctl puts an empty list there "
           "that it cannot write into")],
        id="null_then_index_is_dropped"),
    pytest.param(
        [NUL,
         [{"path": "spec.n.b.[0].y", "value": 1}]],
        {"spec": {"n": {"a": None, "b": None, "c": None, "d": None, "e": None}}},
        [((1, "patches", 0, "path"), "spec.n.b in ServiceAccount istio-reader-service-account is null")],
        id="null_then_index_then_key_is_dropped"),
    pytest.param(
        [NUL,
         [{"path": "spec.n.c.[k:v]", "value": 1}]],
        {"spec": {"n": {"a": None, "b": None, "c": None, "d": None, "e": None}}},
        [((1, "patches", 0, "path"),
           "spec.n.c in ServiceAccount istio-reader-service-account is null, so [k:v] finds nothing; "
           "istioctl skips this patch")],
        id="null_then_select_finds_nothing"),
    pytest.param(
        [NUL,
         [{"path": "spec.n.c.[v]", "value": 1}]],
        {"spec": {"n": {"a": None, "b": None, "c": {"[v]": 1}, "d": None, "e": None}}},
        [((1, "patches", 0, "path"), "is a map, so istioctl uses '[v]'")],
        id="null_then_value_selector_is_a_key"),
    pytest.param(
        [NUL,
         [{"path": "spec.n.d.x", "value": "p: q"}]],
        {"spec": {"n": {"a": None, "b": None, "c": None, "d": None, "e": None}}},
        [((1, "patches", 0, "value"), "so the write is lost")],
        id="null_then_yaml_string_is_lost"),
    pytest.param(
        [NUL,
         [{"path": "spec.n.e.x.[0]", "value": 1}]],
        {"spec": {"n": {"a": None, "b": None, "c": None, "d": None, "e": {"x": [1]}}}},
        [],
        id="null_then_key_then_index_makes_a_list"),
    pytest.param(
        [NUL,
         [{"path": "spec.n.e", "value": "v"}]],
        {"spec": {"n": {"a": None, "b": None, "c": None, "d": None, "e": "v"}}},
        [],
        id="null_leaf_is_replaced"),
    pytest.param(
        [NUL,
         [{"path": "spec.n.a.x"}]],
        {"spec": {"n": {"a": None, "b": None, "c": None, "d": None, "e": None}}},
        [((1, "patches", 0, "path"),
           "spec.n.a.x does not exist in ServiceAccount istio-reader-service-account, so there is nothing to delete")],
        id="null_then_delete_changes_nothing"),
    pytest.param(
        [[{"path": "spec.n", "value": {"a": None, "b": None, "c": None, "d": None, "e": None}},
          {"path": "spec.n.a.x", "value": 1},
          {"path": "spec.n.b.[0]", "value": 1}]],
        {"spec": {"n": {"a": {"x": 1}, "b": None, "c": None, "d": None, "e": None}}},
        [((0, "patches", 2, "path"), "spec.n.b in ServiceAccount istio-reader-service-account is null")],
        id="null_inside_patch_value_same_overlay"),
    # istioctl 2026-08 probe (patch-value maps (same overlay): a missing key becomes a list before [N]; lists
    #   under them take appends):
    pytest.param(
        [[{"path": "spec.x", "value": {}},
          {"path": "spec.x.a.[0]", "value": 1},
          {"path": "spec.x.b.[5].c", "value": 2},
          {"path": "spec.x.d.[k:v]", "value": 3}]],
        {"spec": {"x": {"a": [1], "b": [{"c": 2}], "d": {"[k:v]": 3}}}},
        [((0, "patches", 3, "path"), "is a map, so istioctl uses '[k:v]'")],
        id="value_map_missing_key_before_index_is_a_list"),
    pytest.param(
        [[{"path": "spec.x", "value": {"l": [1, 2]}},
          {"path": "spec.x.l", "value": 3},
          {"path": "spec.x.l", "value": {"m": 1}},
          {"path": "spec.x.l", "value": [7, 8]}]],
        {"spec": {"x": {"l": [1, 2, 3, {"m": 1}, [7, 8]]}}},
        [((0, "patches", 1, "value"), "appends the value to that list instead of replacing it"),
          ((0, "patches", 2, "value"), "appends the value to that list instead of replacing it"),
          ((0, "patches", 3, "value"), "appends the value to that list instead of replacing it")],
        id="value_map_list_appends_scalar_map_and_list"),
    pytest.param(
        [[{"path": "spec.x", "value": {"items": [{"nm": "a"}, {"nm": "b"}]}},
          {"path": "spec.x.items.[nm:b].tags.[0]", "value": "t0"},
          {"path": "spec.x.items.[nm:b].tags.[0]", "value": "t1"},
          {"path": "spec.x.items.[nm:b].tags.[-1]", "value": "t2"},
          {"path": "spec.x.items.[9].deep.[3]", "value": "d"},
          {"path": "spec.x.items.[nm:a]"}]],
        {"spec": {"x": {"items": [{"nm": "b", "tags": ["t1", "t2"]}, {"deep": ["d"]}]}}},
        [],
        id="value_map_chain"),
    pytest.param(
        [[{"path": "spec.x", "value": {"keep": 1}}, {"path": "spec.x.k", "value": "p: q"}]],
        {"spec": {"x": {"keep": 1, "p": "q"}}},
        [((0, "patches", 1, "value"), "removes the key 'k' and puts the mapping's root key there instead")],
        id="value_map_yaml_string_replaces_the_key_by_its_root_key"),
    pytest.param(
        [[{"path": "spec.x", "value": {"l": [1]}}, {"path": "spec.x.l", "value": "p: q"}]],
        {"spec": {"x": {"p": "q"}}},
        [((0, "patches", 1, "value"), "removes the key 'l'")],
        id="value_map_yaml_string_beats_list_append"),
    pytest.param(
        [[{"path": "spec.x", "value": {"k": 1, "j": 2}}, {"path": "spec.x.k", "value": "p:\n"}]],
        {"spec": {"x": {"j": 2}}},
        [((0, "patches", 1, "value"), "the key is only removed")],
        id="value_map_yaml_string_with_null_root_only_removes"),
    pytest.param(
        [[{"path": "spec.l", "value": [1]}, {"path": "spec.l.[5].k", "value": "p: q"}]],
        {"spec": {"l": [1]}},
        [((0, "patches", 1, "value"),
           "spec.l.[5] in ServiceAccount istio-reader-service-account was null or is a new list element")],
        id="yaml_string_in_new_list_element_is_lost"),
    pytest.param(
        [[{"path": "spec.x", "value": {"l": [1, 2]}}],
         [{"path": "spec.x.l", "value": [5]},
          {"path": "spec.x.m", "value": {"z": [1]}},
          {"path": "spec.x.m.z", "value": 2}]],
        {"spec": {"x": {"l": [5], "m": {"z": [1, 2]}}}},
        [((1, "patches", 2, "value"), "appends the value")],
        id="manifest_map_after_round_trip_replaces"),
    # istioctl 2026-08 probe (string values read as YAML mappings (yaml.v2 scalars); JSON objects and non-mappings
    #   stay strings):
    pytest.param(
        [[{"path": "metadata.annotations", "value": "p: q"},
          {"path": "spec.k", "value": "a: 1\nb: 2"},
          {"path": "spec.l", "value": "k: [1, {\"z\": 2.50}]"}]],
        {"spec": {"k": {"a": 1, "b": 2}, "l": {"k": [1, {"z": 2.5}]}}, "metadata": {"annotations": {"p": "q"}}},
        [],
        id="yaml_mapping_strings"),
    pytest.param(
        [[{"path": "spec.k", "value": "{\"a\": 1}"}, {"path": "spec.j", "value": "x: {\"a\": 1}"}]],
        {"spec": {"j": {"x": {"a": 1}}, "k": "{\"a\": 1}"}},
        [],
        id="json_object_string_stays_a_string"),
    pytest.param(
        [[{"path": "spec.a", "value": "a:b\nc"},
          {"path": "spec.b", "value": "- a: b"},
          {"path": "spec.c", "value": "a:b"},
          {"path": "spec.d", "value": "x: yes"}]],
        {"spec": {"a": "a:b\nc", "b": "- a: b", "c": "a:b", "d": {"x": True}}},
        [],
        id="non_mapping_strings_stay"),
    pytest.param(
        [[{"path": "spec.a",
           "value": "y: y\nn: n\ne: 1e3\no: 0755\nx: 0x1F\ns: 1:30\nd: 2001-12-14\nu: 1_000\nb: 0b101\nf: .5\n"
                    "q: 09\n1: int-key\nt: True\nnu: ~\nz: 0o17"}]],
        {"spec": {"a": {"1": "int-key",
                        "b": 5,
                        "d": "2001-12-14",
                        "e": 1000,
                        "f": 0.5,
                        "false": False,
                        "nu": None,
                        "o": 493,
                        "q": 9,
                        "s": "1:30",
                        "t": True,
                        "true": True,
                        "u": 1000,
                        "x": 31,
                        "z": 15}}},
        [],
        id="yaml_v2_scalars"),
    pytest.param(
        [[{"path": "spec.a", "value": "i: .inf"}]],
        {"spec": {"a": "i: .inf"}},
        [],
        id="yaml_with_infinity_stays_a_string"),
    pytest.param(
        [[{"path": "spec.a", "value": "# a: b\n# c:"},
          {"path": "spec.x", "value": {"k": 1}},
          {"path": "spec.x.k", "value": "# a: b\n# c:"}]],
        {"spec": {"a": {}, "x": {}}},
        [((0, "patches", 2, "value"), "the key is only removed")],
        id="yaml_comment_only_is_an_empty_map"),
    pytest.param(
        [[{"path": "spec.a", "value": "a: 1\n---\nb: 2"}]],
        {"spec": {"a": {"a": 1}}},
        [],
        id="yaml_first_document_only"),
    pytest.param(
        [[{"path": "spec.l", "value": [1]}],
         [{"path": "spec.l.[3]", "value": "p: q"}, {"path": "spec.l.[0]", "value": "a: {b: c}"}]],
        {"spec": {"l": [{"a": {"b": "c"}}, {"p": "q"}]}},
        [],
        id="yaml_mapping_into_list_elements"),
    # istioctl 2026-08 probe (numbers: values are float64; integral ones print as integers, 1e6 is 1e+06 inside
    #   istioctl):
    pytest.param(
        [[{"path": "spec.a", "value": 1.0},
          {"path": "spec.b", "value": 12345678901234567890},
          {"path": "spec.c", "value": -0.0},
          {"path": "spec.f", "value": 123456789.5},
          {"path": "spec.g", "value": 1234}]],
        {"spec": {"a": 1, "b": 12345678901234567000, "c": 0, "f": 123456789.5, "g": 1234}},
        [],
        id="numbers"),
    pytest.param(
        [[{"path": "spec.l", "value": [{"p": 1000000}, {"p": 8080}]},
          {"path": "spec.l.[p:1e+06].q", "value": "same"},
          {"path": "spec.l.[p:1000000].q2", "value": "never"}]],
        {"spec": {"l": [{"p": 1000000, "q": "same"}, {"p": 8080}]}},
        [((0, "patches", 2, "path"),
           "no element of spec.l has p=1000000 (values there, as istioctl prints them: 1e+06, 8080)")],
        id="million_is_1e06_in_the_same_overlay"),
    pytest.param(
        [[{"path": "spec.l", "value": [{"p": 1000000}]}],
         [{"path": "spec.l.[p:1e+06].r", "value": "next"}, {"path": "spec.l.[p:1000000].s", "value": "never"}]],
        {"spec": {"l": [{"p": 1000000, "r": "next"}]}},
        [((1, "patches", 1, "path"), "has p=1000000 (values there, as istioctl prints them: 1e+06)")],
        id="million_is_1e06_in_the_next_overlay"),
    pytest.param(
        [[{"path": "spec.f", "value": 2.5}, {"path": "spec.g", "value": 3.0}],
         [],
         [{"path": "spec.s", "value": [3.0, 2.5]}],
         [{"path": "spec.s.[^3$]", "value": "three"}]],
        {"spec": {"f": 2.5, "g": 3, "s": ["three", 2.5]}},
        [],
        id="floats_round_trip_between_overlays"),
    # istioctl 2026-08 probe (delete (value omitted or null)):
    pytest.param(
        [[{"path": "spec.x", "value": {"a": 1, "b": 2}}],
         [{"path": "spec.x.a"}]],
        {"spec": {"x": {"b": 2}}},
        [],
        id="delete_key"),
    pytest.param(
        [[{"path": "spec.x", "value": {"a": 1}}],
         [{"path": "spec.x.a", "value": None}]],
        {"spec": {"x": {}}},
        [],
        id="delete_with_explicit_null"),
    pytest.param(
        [[{"path": "spec.a.b.c"}]],
        {"spec": {"a": {"b": {}}}},
        [((0, "patches", 0, "path"),
           "nothing to delete; istioctl still leaves the empty maps it made on the way (spec.a.b: {})")],
        id="delete_missing_key_leaves_made_maps"),
    pytest.param(
        [LISTS,
         [{"path": "spec.m.[name:a]"}]],
        {"spec": {"m": [{"name": "b:c"}, {"f": 1.5, "name": "x.y"}, {"other": 1}, {"name": True}],
                  "s": ["30m", "m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [],
        id="delete_by_select"),
    pytest.param(
        [LISTS,
         [{"path": "spec.s.[abc]"}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["30m", "m", "1m5", 8080, True, 1.5, None, 1000000]}},
        [],
        id="delete_by_match"),
    pytest.param(
        [LISTS,
         [{"path": "spec.s.[0]"}]],
        {"spec": {"m": [{"name": "a", "port": 8080},
                        {"name": "b:c"},
                        {"f": 1.5, "name": "x.y"},
                        {"other": 1},
                        {"name": True}],
                  "s": ["m", "1m5", "abc", 8080, True, 1.5, None, 1000000]}},
        [],
        id="delete_by_index"),
    pytest.param(
        [[{"path": "spec.x", "value": {"items": [{"nm": "a"}, {"nm": "b"}]}}, {"path": "spec.x.items.[nm:a]"}]],
        {"spec": {"x": {"items": [{"nm": "b"}]}}},
        [],
        id="delete_in_value_map_list"),
    pytest.param(
        [[{"path": ""}, {"path": "spec.after", "value": 1}]],
        {"spec": {"after": 1}},
        [((0, "patches", 0, "path"), "an empty path would delete the whole object")],
        id="delete_root_is_refused"),
    pytest.param(
        [[{"path": "", "value": {"a": 1}}, {"path": ".", "value": "x"}, {"path": "spec.after", "value": 1}]],
        {"spec": {"after": 1}},
        [((0, "patches", 0, "path"), "istioctl ignores a write to it"),
          ((0, "patches", 1, "path"), "istioctl ignores a write to it")],
        id="write_root_is_ignored"),
    pytest.param(
        [[{"path": "spec.l", "value": [1, 2]}],
         [{"path": "spec.l.[5]"}]],
        CRASH,
        [((1, "patches", 0, "path"), "spec.l.[5] is not there to delete; istioctl crashes on this patch")],
        id="delete_past_the_end_crashes_istioctl"),
    pytest.param(
        [[{"path": "spec.l", "value": [1, 2]}],
         [{"path": "spec.l.[-1]"}]],
        CRASH,
        [((1, "patches", 0, "path"), "spec.l.[-1] is not there to delete; istioctl crashes on this patch")],
        id="delete_minus_one_crashes_istioctl"),
    # istioctl 2026-08 probe (lists inside lists: no write or delete, except a change stored in a map below the
    #   inner list):
    pytest.param(
        [LL,
         [{"path": "spec.ll.[0].[1]", "value": "X"}]],
        {"spec": {"ll": [[1, 2, 3], [{"k": "a", "lst": [1], "v": 1}]]}},
        [((1, "patches", 0, "path"),
           "spec.ll.[0] in ServiceAccount istio-reader-service-account is a list inside a list")],
        id="list_in_list_index_write_dropped"),
    pytest.param(
        [LL,
         [{"path": "spec.ll.[0].[7]", "value": "X"}]],
        {"spec": {"ll": [[1, 2, 3], [{"k": "a", "lst": [1], "v": 1}]]}},
        [((1, "patches", 0, "path"), "is a list inside a list")],
        id="list_in_list_append_dropped"),
    pytest.param(
        [LL,
         [{"path": "spec.ll.[0].[1]"}]],
        {"spec": {"ll": [[1, 2, 3], [{"k": "a", "lst": [1], "v": 1}]]}},
        [((1, "patches", 0, "path"), "is a list inside a list")],
        id="list_in_list_delete_dropped"),
    pytest.param(
        [LL,
         [{"path": "spec.ll.[1].[k:a]"}]],
        {"spec": {"ll": [[1, 2, 3], [{"k": "a", "lst": [1], "v": 1}]]}},
        [((1, "patches", 0, "path"),
           "spec.ll.[1] in ServiceAccount istio-reader-service-account is a list inside a list")],
        id="list_in_list_select_delete_dropped"),
    pytest.param(
        [LL,
         [{"path": "spec.ll.[1].[k:a].v", "value": "X"}]],
        {"spec": {"ll": [[1, 2, 3], [{"k": "a", "lst": [1], "v": "X"}]]}},
        [],
        id="list_in_list_deep_write_lands"),
    pytest.param(
        [LL,
         [{"path": "spec.ll.[1].[k:a].lst.[9]", "value": "X"}]],
        {"spec": {"ll": [[1, 2, 3], [{"k": "a", "lst": [1, "X"], "v": 1}]]}},
        [],
        id="list_in_list_deep_append_lands"),
    pytest.param(
        [LL,
         [{"path": "spec.ll.[1].[k:a].new.[0]", "value": "X"}]],
        {"spec": {"ll": [[1, 2, 3], [{"k": "a", "lst": [1], "new": {"[0]": "X"}, "v": 1}]]}},
        [((1, "patches", 0, "path"), "is a map, so istioctl uses '[0]'")],
        id="list_in_list_deep_new_key_is_literal"),
    pytest.param(
        [[{"path": "spec.x", "value": {"ll": [[1, 2]]}}, {"path": "spec.x.ll.[0].[0]", "value": 9}]],
        {"spec": {"x": {"ll": [[1, 2]]}}},
        [((0, "patches", 1, "path"),
           "spec.x.ll.[0] in ServiceAccount istio-reader-service-account is a list inside a list")],
        id="value_map_list_in_list_write_dropped"),
    pytest.param(
        [[{"path": "spec.s", "value": "str"}],
         [{"path": "spec.s.x", "value": 1}, {"path": "spec.t", "value": 2}]],
        {"spec": {"s": "str", "t": 2}},
        [((1, "patches", 0, "path"),
           "spec.s in ServiceAccount istio-reader-service-account is 'str', not a map or a list")],
        id="scalar_in_the_middle_of_the_path"),
]


@pytest.mark.parametrize("patch_lists, expected, drops", CASES)
def test_overlay_matches_istioctl(patch_lists: list, expected: object, drops: list) -> None:
    out, dropped = apply_overlays([SA], sa_overlays(*patch_lists), BASE)
    if expected == CRASH:
        assert "istioctl crashes on this patch" in dropped[-1].message
        assert view(out[0]) == view(apply_overlays([SA], sa_overlays(*patch_lists[:-1]), BASE)[0][0])
    else:
        assert view(out[0]) == expected
    assert_dropped(dropped, drops)


# istioctl 2026-08 probe (a multi-key YAML mapping written into a patch-value map): six runs kept r, q, q, r, p, p
# -- Go picks a random root key. helmgen keeps the first and says so.
def test_multi_key_yaml_mapping_in_value_map_keeps_one_root_key() -> None:
    out, dropped = apply_overlays([SA], sa_overlays([{"path": "spec.x", "value": {"keep": 1}},
                                                     {"path": "spec.x.k", "value": "p: 1\nq: 2\nr: 3"}]), BASE)
    assert out[0]["spec"] == {"x": {"keep": 1, "p": 1}}
    assert_dropped(dropped, [((0, "patches", 1, "value"), "of the root keys 'p', 'q', 'r' istioctl keeps one chosen "
                                                          "at random (helmgen keeps 'p') and drops the rest")])


# istioctl 2026-08 probe (numbers): the output text was `a: 1`, `g: 1234`, `b: 12345678901234567000`, `c: 0`,
# `f: 123456789.5`, `m: 1000000`, `h: -1e+19`, `i: -9000000000000000000`, `d: 1e+21`, `e: 1e-06`, `k: 1e+20`.
def test_numbers_come_back_as_istioctl_prints_them() -> None:
    values = {"a": 1.0, "g": 1234, "b": 12345678901234567890, "c": -0.0, "f": 123456789.5, "m": 1000000,
              "h": -1e19, "i": -9e18, "d": 1e21, "e": 0.000001, "k": 1e20}
    out, dropped = apply_overlays([SA], sa_overlays([{"path": f"spec.{k}", "value": v} for k, v in values.items()]),
                                  BASE)
    spec = out[0]["spec"]
    ints = {k: v for k, v in spec.items() if type(v) is int}
    floats = {k: v for k, v in spec.items() if type(v) is float}
    assert ints == {"a": 1, "g": 1234, "b": 12345678901234567000, "c": 0, "m": 1000000, "i": -9000000000000000000}
    assert floats == {"f": 123456789.5, "h": -1e19, "d": 1e21, "e": 1e-06, "k": 1e20}
    assert dropped == []


GOLDEN_C = "spec.template.spec.containers.[name:discovery]"
ISTIOD = {  # the rendered istiod Deployment, trimmed to what the overlays touch
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "istiod", "namespace": "istio-system"},
    "spec": {"template": {"spec": {"containers": [{
        "name": "discovery",
        "args": ["discovery", "--monitoringAddr=:15014", "--log_output_level=default:info", "--domain",
                 "cluster.local", "--keepaliveMaxServerConnectionAge", "30m"],
        "ports": [{"containerPort": 8080, "name": "http-debug", "protocol": "TCP"},
                  {"containerPort": 15010, "name": "grpc-xds", "protocol": "TCP"},
                  {"containerPort": 15012, "name": "tls-xds", "protocol": "TCP"}],
        "env": [{"name": "REVISION", "value": "default"},
                {"name": "PILOT_CERT_PROVIDER", "value": "istiod"},
                {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                                     "fieldPath": "metadata.namespace"}}}],
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                            "readOnlyRootFilesystem": True, "runAsNonRoot": True}}]}}},
}
PILOT = ("spec", "components", "pilot", "k8s", "overlays")


# istioctl 2026-08 probe (golden pilot_override_kubernetes overlays on components.pilot, Deployment istiod):
# args 30m -> 60m, containerPort 8080 -> 1234, valueFrom from a multi-line YAML string, REVISION env removed,
# securityContext removed; the misspelt container matched nothing and changed nothing.
def test_golden_istiod_overlays() -> None:
    overlays = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "istiod", "patches": [
        {"path": GOLDEN_C + ".args.[30m]", "value": "60m"},
        {"path": GOLDEN_C + ".ports.[containerPort:8080].containerPort", "value": 1234},
        {"path": GOLDEN_C + ".env.[name:POD_NAMESPACE].valueFrom",
         "value": "fieldRef:\n  apiVersion: v1\n  fieldPath: metadata.myPath\n"},
        {"path": GOLDEN_C + ".env.[name:REVISION]"},
        {"path": GOLDEN_C + ".securityContext"},
        {"path": "spec.template.spec.containers.[name:discovry].args.[0]", "value": "x"},
    ]}]
    out, dropped = apply_overlays([ISTIOD], overlays, PILOT)
    container = out[0]["spec"]["template"]["spec"]["containers"][0]
    assert container == {
        "name": "discovery",
        "args": ["discovery", "--monitoringAddr=:15014", "--log_output_level=default:info", "--domain",
                 "cluster.local", "--keepaliveMaxServerConnectionAge", "60m"],
        "ports": [{"containerPort": 1234, "name": "http-debug", "protocol": "TCP"},
                  {"containerPort": 15010, "name": "grpc-xds", "protocol": "TCP"},
                  {"containerPort": 15012, "name": "tls-xds", "protocol": "TCP"}],
        "env": [{"name": "PILOT_CERT_PROVIDER", "value": "istiod"},
                {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                                     "fieldPath": "metadata.myPath"}}}],
    }
    assert dropped == [Dropped(PILOT + (0, "patches", 5, "path"),
                               "the path matches nothing in Deployment istiod: no element of "
                               "spec.template.spec.containers has name=discovry (values there, as istioctl prints "
                               "them: discovery); istioctl skips this patch")]


# istioctl 2026-08 probe (overlay selection): apiVersion bogus/v9 still applied; kind "deployment" (lower case)
# changed nothing and istioctl said nothing.
def test_overlay_selection_ignores_api_version_and_is_case_sensitive() -> None:
    overlays = [{"apiVersion": "bogus/v9", "kind": "Deployment", "name": "istiod",
                 "patches": [{"path": "metadata.labels.probe", "value": "yes-1"}]},
                {"kind": "deployment", "name": "istiod", "patches": [{"path": "metadata.labels.probe2", "value": "x"}]}]
    out, dropped = apply_overlays([ISTIOD, SA], overlays, PILOT)
    assert out[0]["metadata"]["labels"] == {"probe": "yes-1"}
    assert out[1] == SA
    assert dropped == [Dropped(PILOT + (1,), "overlay matched no object: this component renders no deployment named "
                                             "'istiod'; istioctl ignores the overlay")]


# From operator/pkg/render/postprocess.go (not probed: no chart renders two objects of one kind and name): an
# overlay applies to every object with its kind and name, whatever the namespace.
def test_overlay_applies_to_every_object_with_its_kind_and_name() -> None:
    other = copy.deepcopy(SA)
    other["metadata"]["namespace"] = "elsewhere"
    out, dropped = apply_overlays([SA, other], sa_overlays([{"path": "spec.a", "value": 1}]), BASE)
    assert [o["spec"] for o in out] == [{"a": 1}, {"a": 1}]
    assert dropped == []


def test_inputs_are_not_mutated_and_unmatched_objects_are_copies() -> None:
    objects = [copy.deepcopy(SA), copy.deepcopy(ISTIOD)]
    overlays = sa_overlays(LISTS, [{"path": "spec.m.[name:a]"}, {"path": "spec.s.[0]", "value": "z"}])
    before = copy.deepcopy((objects, overlays))
    out, _ = apply_overlays(objects, overlays, BASE)
    assert (objects, overlays) == before
    assert out[1] == objects[1] and out[1] is not objects[1]
    out[1]["spec"]["template"]["spec"]["containers"][0]["args"].append("x")
    assert objects[1] == before[0][1]


def test_junk_is_reported_not_raised() -> None:
    overlays = [
        "not a map",
        {"kind": 5, "name": "x", "patches": []},
        {"kind": "ServiceAccount", "name": "istio-reader-service-account", "patches": {"path": "spec.a"}},
        {"kind": "ServiceAccount", "name": "istio-reader-service-account", "patch": [],
         "patches": [7, {"path": 3, "value": 1}, {"path": "spec.v", "valu": 2}, {"path": "spec.w", "value": {1, 2}},
                     {"path": "spec.ok", "value": 1}]},
    ]
    out, dropped = apply_overlays([SA], overlays, BASE)
    assert out[0]["spec"] == {"ok": 1}  # spec.v without a value is a delete of a missing key
    assert_dropped(dropped, [
        ((0,), "an overlay must be a map with kind, name and patches, not a string"),
        ((1, "kind"), "kind must be a string, not a number; the overlay is ignored"),
        ((2, "patches"), "patches must be a list, not a map"),
        ((3, "patch"), "unknown field 'patch' (istioctl rejects the whole file for it"),
        ((3, "patches", 0), "a patch must be a map with path and value, not a number"),
        ((3, "patches", 1, "path"), "path must be a string, not a number"),
        ((3, "patches", 2, "valu"), "unknown field 'valu'"),
        ((3, "patches", 2, "path"), "spec.v does not exist in ServiceAccount istio-reader-service-account, so there "
                                    "is nothing to delete; istioctl still leaves the empty maps it made on the way "
                                    "(spec: {})"),
        ((3, "patches", 3, "value"), "the value contains a set"),
    ])
    assert apply_overlays([SA], {"kind": "x"}, BASE)[1] == [
        Dropped(BASE, "k8s.overlays must be a list of overlays, not a map; nothing is applied")]
    assert apply_overlays([SA], None, BASE) == ([SA], [])


def test_a_value_istioctl_could_not_carry_is_reported() -> None:
    out, dropped = apply_overlays([SA], sa_overlays([{"path": "spec.a", "value": float("nan")}]), BASE)
    assert "spec" not in out[0]
    assert_dropped(dropped, [((0, "patches", 0, "value"), "which JSON cannot carry; the patch is ignored")])


def test_same_report_for_two_objects_is_given_once() -> None:
    other = copy.deepcopy(SA)
    other["metadata"]["namespace"] = "elsewhere"
    _, dropped = apply_overlays([SA, other], sa_overlays([{"path": "spec.a.[0]", "value": 1}]), BASE)
    assert len(dropped) == 1


@pytest.mark.parametrize("text, raws", [
    ("a.b\\.c.d", ["a", "b.c", "d"]),
    ("a[0].b", ["a", "[0]", "b"]),
    ("a.[name:x\\.y].b", ["a", "[name:x.y]", "b"]),
    ("a[b", ["a", "[b"]),
    ("./a/../b.", ["b"]),
    ("", []),
    (".", []),
    ("a\\..", ["a."]),
])
def test_parse_overlay_path(text: str, raws: list[str]) -> None:
    assert [e.raw for e in parse_overlay_path(text)] == raws


def test_element_forms() -> None:
    assert Element("[+1]").index().n == 1 and Element("[-1]").index().n == -1
    assert Element("[-2]").index() is None and Element("[1_0]").index() is None and Element("[ 1]").index() is None
    assert Element("[name:a\\:b]").select().value == "a\\:b"
    assert Element("[a:b:c]").select() is None and Element("[:v]").select() is None
    assert Element("[:v]").match().pattern == "v" and Element("[:]").match().pattern == ":"
    assert Element("[]").match() is None and Element("name").match() is None


def test_go_regex_search_rejects_what_re2_rejects() -> None:
    assert go_regex_search("b$", "ab") and not go_regex_search("b$", "ab\n")
    assert go_regex_search("(?m)b$", "ab\n") and go_regex_search("a\\z", "a")
    assert not go_regex_search("a(?=b)", "ab") and not go_regex_search("(a)\\1", "aa")
    assert not go_regex_search("a++", "aa") and not go_regex_search("(", "(")
