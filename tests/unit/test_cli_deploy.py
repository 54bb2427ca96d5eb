"""Command-line parts of the cluster commands that need no cluster."""
from __future__ import annotations


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
