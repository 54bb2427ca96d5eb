"""The cache of `helm template` output (helmgen.helm.render_cache): a hit gives exactly what helm gives, anything
the output depends on changes the key, impure charts are never cached, and it can be turned off."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from helmgen.helm import render_cache
from helmgen.helm.template import find_helm, template

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["HELMGEN_HELM3", "HELMGEN_HELM4"], ids=["helm3", "helm4"])
def counted_helm(request, tmp_path, monkeypatch):
    """A helm that counts its `template` runs in a file, and a fresh cache folder."""
    real = os.environ.get(request.param)
    assert real and Path(real).is_file(), f"{request.param} must name a helm binary (make test sets it up)"
    count = tmp_path / "count"
    wrapper = tmp_path / f"helm-{request.param[-1]}"
    wrapper.write_text(f'#!/bin/sh\n[ "$1" = template ] && echo x >> {count}\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("HELMGEN_RENDER_CACHE", str(tmp_path / "cache"))
    find_helm.cache_clear()
    yield find_helm(str(wrapper)), (lambda: len(count.read_text().splitlines()) if count.exists() else 0), \
        tmp_path / "cache"
    find_helm.cache_clear()


@pytest.fixture
def chart(tmp_path) -> Path:
    folder = tmp_path / "chart"
    shutil.copytree(ROOT / "charts" / "istio-base", folder)
    return folder


def test_a_hit_is_what_helm_renders_and_runs_no_helm(counted_helm, chart):
    helm, runs, cache = counted_helm
    first = template(helm, str(chart), "istio-base", "istio-system", {"global": {"istioNamespace": "istio-system"}})
    second = template(helm, str(chart), "istio-base", "istio-system", {"global": {"istioNamespace": "istio-system"}})
    assert first == second and "kind: ServiceAccount" in first
    assert runs() == 1 and len(list(cache.glob("*.yaml"))) == 1


@pytest.mark.parametrize("change", ["values", "release", "namespace", "kube version", "flags", "chart file"])
def test_whatever_the_output_depends_on_misses(counted_helm, chart, change):
    helm, runs, _ = counted_helm
    args = dict(release="istio-base", namespace="istio-system", values={}, kube_version="1.32.0", extra=None)
    template(helm, str(chart), **args)
    if change == "values":
        args["values"] = {"global": {"istioNamespace": "other"}}
    elif change == "release":
        args["release"] = "base2"
    elif change == "namespace":
        args["namespace"] = "other"
    elif change == "kube version":
        args["kube_version"] = "1.33.0"
    elif change == "flags":
        args["extra"] = ["--include-crds"]
    else:
        (chart / "templates" / "extra.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    out = template(helm, str(chart), **args)
    assert runs() == 2
    if change == "chart file":
        assert "kind: ConfigMap" in out


def test_a_chart_calling_impure_functions_is_never_cached(counted_helm, chart):
    helm, runs, cache = counted_helm
    (chart / "templates" / "token.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: t}\nstringData: {token: {{ randAlphaNum 8 | quote }}}\n")
    a = template(helm, str(chart), "b", "istio-system", {})
    b = template(helm, str(chart), "b", "istio-system", {})
    assert runs() == 2 and a != b and not list(cache.glob("*.yaml"))


def test_off_writes_nothing(counted_helm, chart, monkeypatch, tmp_path):
    helm, runs, _ = counted_helm
    monkeypatch.setenv("HELMGEN_RENDER_CACHE", "off")
    template(helm, str(chart), "b", "istio-system", {})
    template(helm, str(chart), "b", "istio-system", {})
    assert runs() == 2 and render_cache.cache_dir() is None


def test_a_damaged_entry_is_a_miss(counted_helm, chart):
    helm, runs, cache = counted_helm
    good = template(helm, str(chart), "b", "istio-system", {})
    [entry] = cache.glob("*.yaml")
    entry.write_bytes(b"\xff\xfe not utf-8")
    assert template(helm, str(chart), "b", "istio-system", {}) == good and runs() == 2


def test_the_oldest_entries_go_past_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("HELMGEN_RENDER_CACHE", str(tmp_path))
    monkeypatch.setattr(render_cache, "MAX_BYTES", 2500)
    for i in range(5):
        render_cache.put(f"k{i}", "x" * 1000)
        os.utime(tmp_path / f"k{i}.yaml", (1000 + i, 1000 + i))
    render_cache.put("k5", "x" * 1000)
    assert sorted(p.stem for p in tmp_path.glob("*.yaml")) == ["k4", "k5"]
