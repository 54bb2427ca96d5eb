"""Reading IstioOperator files: safe YAML, limits, one object per file, kind and apiVersion."""
import pytest

from helmgen import iop
from helmgen.errors import InputError


def parse(text: str, name: str = "f.yaml"):
    return iop.parse_source(iop.Source(name, text))


def messages(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_two_objects_in_one_file_is_an_error():
    text = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n---\napiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n"
    with pytest.raises(InputError) as e:
        parse(text)
    assert "exactly one IstioOperator per file" in messages(e)[0]


def test_comment_only_documents_are_skipped():
    obj = parse("# hello\n---\napiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n---\n# bye\n")
    assert obj["kind"] == "IstioOperator"


def test_malformed_yaml_reports_line_and_column():
    with pytest.raises(InputError) as e:
        parse("apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  hub: [unclosed\n")
    assert "line 5" in messages(e)[0] or "line 4" in messages(e)[0]
    assert "column" in messages(e)[0]


def test_alias_bomb_is_rejected_before_expansion():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    text = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  unvalidatedValues:\n" + \
        "\n".join("    " + line for line in lines) + "\n"
    with pytest.raises(InputError) as e:
        parse(text)
    assert "alias" in messages(e)[0]


def test_wrong_kind_and_api_version_are_reported_together():
    with pytest.raises(InputError) as e:
        parse("apiVersion: apps/v1\nkind: Deployment\n")
    text = "\n".join(messages(e))
    assert "kind: expected IstioOperator, found 'Deployment'" in text
    assert "apiVersion: expected install.istio.io/v1alpha1, found 'apps/v1'" in text


def test_oversized_file_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("#" * (iop.MAX_BYTES + 10))
    with pytest.raises(InputError) as e:
        iop.read_sources([str(big)])
    assert "at most" in messages(e)[0]


def test_stdin_only_as_last_file(tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text("kind: IstioOperator\n")
    with pytest.raises(InputError):
        iop.read_sources(["-", str(f)], stdin_text="")
    assert iop.read_sources([str(f), "-"], stdin_text="x: 1")[1].text == "x: 1"


def test_dates_stay_strings_and_null_spec_is_dropped():
    obj = parse("apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata:\n  name: 2024-01-01\nspec:\n")
    assert obj["metadata"]["name"] == "2024-01-01"
    assert "spec" not in obj
