"""Helm 3.18.0 reads a chart's values.yaml numbers as json.Number, so `{{ if 0 }}` is true (helm/helm#30880);
helm.py hands those numbers in as user values. With it, both helms render a zero default as false."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from helmgen import helm as helm_module
from helmgen.helm import _number_defaults

CHART = {
    "Chart.yaml": "apiVersion: v2\nname: numbers\nversion: 0.1.0\n",
    "values.yaml": "zero: 0\nnested: {port: 0, name: x}\nlist: [0, 1]\nkept: 0\ncleared: 5\n",
    "templates/cm.yaml": """apiVersion: v1
kind: ConfigMap
metadata:
  name: numbers
data:
  zero: "{{ if .Values.zero }}true{{ else }}false{{ end }}"
  port: "{{ if .Values.nested.port }}true{{ else }}false{{ end }}"
  kept: "{{ .Values.kept }}"
  cleared: "{{ .Values.cleared }}"
""",
}


@pytest.fixture(params=["HELMGEN_HELM3", "HELMGEN_HELM4"], ids=["helm3", "helm4"])
def helm(request):
    path = os.environ.get(request.param)
    assert path and Path(path).is_file(), f"{request.param} must name a helm binary (make test sets it up)"
    return helm_module.find_helm(path)


def test_zero_defaults_are_false_on_every_helm(helm, tmp_path):
    for name, text in CHART.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    out = helm_module.template(helm, str(tmp_path), "r", "ns", {"kept": 7, "cleared": None})
    assert 'zero: "false"' in out and 'port: "false"' in out
    assert 'kept: "7"' in out and 'cleared: ""' in out  # the user's values still win, a null still clears


def test_only_numbers_the_user_leaves_alone_are_handed_in():
    defaults = {"zero": 0, "nested": {"port": 0, "name": "x"}, "list": [0, 1], "kept": 0, "cleared": 5,
                "flag": True, "replaced": {"n": 1}}
    given = {"kept": 7, "cleared": None, "nested": {"name": "y"}, "replaced": "scalar"}
    assert _number_defaults(defaults, given) == {"zero": 0, "nested": {"port": 0}, "list": [0, 1]}
