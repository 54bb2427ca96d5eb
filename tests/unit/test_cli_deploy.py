"""Command-line parts of the cluster commands that need no cluster."""
from __future__ import annotations

import os

import click
import pytest
from click.testing import CliRunner

from helmgen.cli import main
from helmgen.cli_cluster import Duration


@pytest.mark.parametrize("text,seconds", [("300", 300), ("90s", 90), ("5m", 300), ("1m30s", 90), ("1h", 3600),
                                          ("500ms", 0.5), ("2.5", 2.5)])
def test_durations_as_helm_writes_them(text, seconds):
    assert Duration().convert(text, None, None) == seconds


@pytest.mark.parametrize("text", ["5 m", "m", "5x", "-1s", ""])
def test_bad_durations_are_usage_errors(text):
    with pytest.raises(click.BadParameter):
        Duration().convert(text, None, None)


def test_uninstall_needs_files_or_a_revision():
    result = CliRunner().invoke(main, ["uninstall"])
    assert result.exit_code == 2 and "-f IOP" in result.output


def test_uninstall_purge_cannot_go_with_a_revision():
    result = CliRunner().invoke(main, ["uninstall", "--revision", "1-0", "--purge"])
    assert result.exit_code == 2 and "--purge" in result.output


def test_install_with_our_charts_says_they_have_no_templates_yet(tmp_path, monkeypatch):
    iop = tmp_path / "iop.yaml"
    iop.write_text("apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: minimal\n")
    helm = os.environ.get("HELMGEN_HELM3")
    assert helm, "HELMGEN_HELM3 must name a helm binary (make test sets it up)"
    monkeypatch.setenv("HELMGEN_HELM", helm)
    result = CliRunner().invoke(main, ["install", "-f", str(iop), "--kubeconfig", str(tmp_path / "none")])
    assert result.exit_code == 1, result.output
    assert "has no templates yet" in result.output and "--manifests" in result.output
