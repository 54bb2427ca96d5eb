import gzip
import io
import tarfile

import yaml

from helmgen import chartgen


def test_coalesce_is_helms_rule_for_user_values_over_defaults():
    defaults = {"a": {"b": 1, "c": 2}, "d": [1, 2], "e": "x"}
    values = {"a": {"c": None, "f": 3}, "d": [3], "g": None}
    assert chartgen.coalesce(defaults, values) == {"a": {"b": 1, "f": 3}, "d": [3], "e": "x", "g": None}
    assert defaults == {"a": {"b": 1, "c": 2}, "d": [1, 2], "e": "x"}, "defaults are not changed"


def test_the_version_keeps_the_charts_own_and_records_the_hash():
    assert chartgen.chart_version("0.1.0", "abc") == "0.1.0+iop.abc"
    assert chartgen.chart_version("0.1.0+old", "abc") == "0.1.0+iop.abc"
    assert chartgen.iop_hash({"spec": {"a": 1}}) != chartgen.iop_hash({"spec": {"a": 2}})
    assert chartgen.iop_hash({"b": 1, "a": 2}) == chartgen.iop_hash({"a": 2, "b": 1})


def test_the_generated_chart_is_named_for_the_release_and_holds_the_values():
    files = {"Chart.yaml": b"apiVersion: v2\nname: istiod\nversion: 0.2.0\ndescription: The control plane.\n",
             "values.yaml": b"replicaCount: 1\nglobal: {hub: a}\n", "templates/x.yaml": b"kind: X\n"}
    out = chartgen.generated_chart(files, "istiod-canary", {"global": {"tag": "1"}}, "f00", "x.yaml")
    meta = yaml.safe_load(out["Chart.yaml"])
    assert meta["name"] == "istiod-canary" and meta["version"] == "0.2.0+iop.f00"
    assert yaml.safe_load(out["values.yaml"]) == {"replicaCount": 1, "global": {"hub": "a", "tag": "1"}}
    assert out["templates/x.yaml"] == b"kind: X\n"


def test_the_package_is_a_chart_folder_in_a_gzipped_tar_and_reproducible():
    files = {"Chart.yaml": b"name: a\n", "templates/b.yaml": b"kind: B\n"}
    data = chartgen.package(files, "a")
    assert data == chartgen.package(files, "a")
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as tar:
        assert sorted(tar.getnames()) == ["a/Chart.yaml", "a/templates/b.yaml"]
        assert tar.extractfile("a/templates/b.yaml").read() == b"kind: B\n"


def test_strings_go_reads_as_booleans_are_quoted_everywhere_helmgen_writes_yaml():
    """go-yaml v2 (Helm, kubectl) reads a plain y/Y/n/N as a boolean; PyYAML writes them plain unless told."""
    from helmgen.objdiff import object_diff  # noqa: F401 - its dumper is set up on import
    from helmgen.output import dump_yaml
    from helmgen.postprocess.stream import dump_object
    value = {"env": {"A": "y", "B": "N", "C": "n", "D": "Y"}, "flag": True}
    for text in (dump_yaml(value), dump_object(value), chartgen._dump(value)):
        assert "'y'" in text and "'N'" in text and "'n'" in text and "'Y'" in text and "flag: true" in text, text
