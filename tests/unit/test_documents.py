"""documents.py: the line scan agrees with a YAML parser whenever it answers, and declines whatever is unusual."""
from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from helmgen.postprocess.documents import cut, read_documents, scan_header
from helmgen.postprocess.stream import GoYamlLoader


def parsed_header(text: str):
    obj = yaml.load(text, Loader=GoYamlLoader)
    return obj["apiVersion"], obj["kind"], obj["metadata"]["name"]


PLAIN = """# Source: x/templates/a.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: istiod
  namespace: istio-system
  labels:
    app: istiod
    name: not-this-one
spec:
  replicas: 1
"""


def test_plain_layout_is_scanned():
    assert scan_header(PLAIN) == ("apps/v1", "Deployment", "istiod")


@pytest.mark.parametrize("text", [
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",               # flow style
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &a x\n",            # anchor
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 123\n",             # not a string
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yes\n",             # a boolean to YAML 1.1
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"a\\tb\"\n",       # escapes
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: system:auth\n",     # colon
    "apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata:\n  name: x\n",  # duplicate key
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: >-\n    x\n",        # block scalar
    "- apiVersion: v1\n",                                                     # a list
    "apiVersion: v1\nkind: ConfigMap\n",                                      # no metadata
    "apiVersion: v1\nkind: !!str ConfigMap\nmetadata:\n  name: x\n",          # tag
])
def test_unusual_layouts_are_left_to_the_parser(text):
    assert scan_header(text) is None


def test_cut_drops_separators_and_trims_like_istioctl():
    stream = "---\n# Source: a\nkind: A\nx: |\n  text\n---\n\n--- # tail\nkind: B\n"
    assert cut(stream) == ["# Source: a\nkind: A\nx: |\n  text", "kind: B"]


names = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)
scalars = st.one_of(names, st.integers(), st.booleans(), st.none(), st.text(max_size=8))


@settings(derandomize=True, max_examples=400)
@given(api=st.sampled_from(["v1", "apps/v1", "policy/v1", "rbac.authorization.k8s.io/v1"]),
       kind=st.sampled_from(["Deployment", "Service", "ConfigMap"]), name=st.one_of(names, scalars),
       extra=st.dictionaries(names, st.one_of(scalars, st.dictionaries(names, scalars, max_size=3)), max_size=4),
       style=st.sampled_from([None, '"', "'"]), indent=st.sampled_from([2, 4]))
def test_whenever_the_scan_answers_it_agrees_with_the_parser(api, kind, name, extra, style, indent):
    meta = {"labels": {"name": "decoy"}, **{k: v for k, v in extra.items() if k != "name"}, "name": name}
    text = yaml.dump({"apiVersion": api, "kind": kind, "metadata": meta, "spec": extra}, default_style=style,
                     indent=indent, sort_keys=False)
    found = scan_header(text)
    if found is not None:
        assert found == parsed_header(text)
    if style is None and isinstance(name, str) and name and name[0].isalpha() and name.isascii() and \
            name.replace("-", "").isalnum() and name.lower() not in ("yes", "no", "on", "off", "y", "n", "true",
                                                                     "false", "null"):
        assert found is not None  # the plain layout Helm charts write is scanned, not parsed


def test_read_documents_parses_only_what_is_wanted_or_unusual():
    stream = PLAIN + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: istiod\n---\n" \
             "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flow}\n---\nfoo: bar\n"
    docs = read_documents(stream, GoYamlLoader, lambda kind, name: kind == "Service")
    assert [(d.kind, d.name, d.obj is not None) for d in docs] == [
        ("Deployment", "istiod", False), ("Service", "istiod", True), ("ConfigMap", "flow", True)]


@pytest.mark.parametrize("text,expected", [
    ("kind: A\nx: |\n  text", True),
    ("kind: A\nspec:\n  rules:\n  - expression: |\n      a\n        b", True),
    ("kind: A\nx: >-\n  text\ny: 1", False),
    ("kind: A\nx: |\n  text\n  more", True),
    ("kind: A\nspec:\n  a: 1\n  b: 'x|'", False),
    ("kind: A\nlist:\n- |\n  t", True),
    ("kind: A\nx: 1", False),
])
def test_a_document_that_ends_in_a_block_scalar_is_seen(text, expected):
    from helmgen.postprocess.documents import ends_in_block_scalar
    assert ends_in_block_scalar(text) is expected


def test_a_trailing_block_scalar_keeps_istioctls_value_when_written_out():
    from helmgen.postprocess.stream import load_stream, process, write_documents
    from helmgen.postprocess.k8s_patches import Target
    stream = "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  script: |\n    echo hi\n---\n"
    docs, _ = process(stream, None, Target("", "", ""), ())
    assert load_stream(write_documents(docs))[0]["data"]["script"] == "echo hi"  # trimmed, as istioctl reads it
