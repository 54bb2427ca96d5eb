"""The everyday surface: shell completion, HELMGEN_* environment variables for every option, output formats."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from helmgen.cli import main
from helmgen.cli_common import ENV_PREFIX, name_envvars, option_envvar

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
EXAMPLE = str(ROOT / "examples" / "istio-operator.yaml")
HEAD = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("HELMGEN_") and not name.startswith("HELMGEN_HELM"):
            monkeypatch.delenv(name)


def run(*args, env=None, input=None):
    return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)


def params(*args) -> dict:
    """The values a command line resolves to (options, environment, defaults) without running the command."""
    ctx = main.make_context("helmgen", [args[0]])  # names every option's variable, as a run does
    cmd, rest = main.commands[args[0]], list(args[1:])
    while isinstance(cmd, click.Group):
        ctx = cmd.make_context(cmd.name, [rest[0]], parent=ctx)
        cmd, rest = cmd.commands[rest[0]], rest[1:]
    return cmd.make_context(cmd.name, rest, parent=ctx).params


def all_commands(command=main, path=()):
    for name, sub in getattr(command, "commands", {}).items():
        yield (*path, name), sub
        yield from all_commands(sub, (*path, name))


# --- completion ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_for_each_shell_names_helmgen(shell, monkeypatch):
    def no_process(*a, **k):
        raise AssertionError("`helmgen completion` started a process")
    monkeypatch.setattr(subprocess, "run", no_process)
    monkeypatch.setattr(subprocess, "Popen", no_process)
    result = run("completion", shell)
    assert result.exit_code == 0, result.output
    assert "helmgen" in result.output and "_HELMGEN_COMPLETE" in result.output
    assert len(result.output.splitlines()) > 5


def test_completion_refuses_an_unknown_shell():
    result = CliRunner().invoke(main, ["completion", "tcsh"])
    assert result.exit_code == 2 and "'tcsh' is not one of 'bash', 'zsh', 'fish'" in result.output


def _bash_complete(*words: str) -> list[str]:
    """COMPREPLY of the sourced bash script for `words` (the last one being completed)."""
    script = subprocess.run([str(BIN / "helmgen"), "completion", "bash"], capture_output=True, text=True,
                            check=True).stdout
    program = (script + "\nCOMP_WORDS=(" + " ".join(f"'{w}'" for w in words) + f")\nCOMP_CWORD={len(words) - 1}\n"
               '_helmgen_completion helmgen\nprintf "%s\\n" "${COMPREPLY[@]}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("_HELMGEN")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True, text=True,
                          env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [line for line in proc.stdout.splitlines() if line]


@pytest.mark.skipif(not shutil.which("bash"), reason="no bash")
@pytest.mark.parametrize("words,expected", [
    (("helmgen", "ins"), ["install"]),
    (("helmgen", "operator", "r"), ["run"]),
    (("helmgen", "plan", "-o", ""), ["table", "json", "yaml"]),
    (("helmgen", "completion", ""), ["bash", "zsh", "fish"]),
    (("helmgen", "template", "--kube"), ["--kube-version"]),
])
def test_bash_completion_completes(words, expected):
    assert _bash_complete(*words) == expected


# --- environment variables ----------------------------------------------------------------------------------------

def test_every_option_has_one_helmgen_variable_by_the_rule():
    name_envvars(main, ENV_PREFIX)
    seen: dict[str, str] = {}
    for path, command in all_commands():
        for p in command.params:
            if not isinstance(p, click.Option) or not p.expose_value:
                continue
            longest = max(p.opts, key=lambda o: (o.startswith("--"), len(o)))
            expected = "_".join(["HELMGEN", *path, longest.lstrip("-")]).upper().replace("-", "_")
            own = p.envvar if isinstance(p.envvar, str) else p.envvar[0]
            assert own == expected == option_envvar("_".join(["HELMGEN", *path]).upper().replace("-", "_"), p)
            assert own not in seen, f"{own} names two options: {seen[own]} and {path}"
            seen[own] = " ".join(path)
    assert {"HELMGEN_INSTALL_TIMEOUT", "HELMGEN_OPERATOR_RUN_RESYNC", "HELMGEN_TEMPLATE_KUBE_VERSION",
            "HELMGEN_PLAN_OUTPUT", "HELMGEN_TRANSLATE_SET", "HELMGEN_STATUS_OUTPUT"} <= set(seen)


def test_plan_output_from_the_environment():
    result = run("plan", "-f", EXAMPLE, env={"HELMGEN_PLAN_OUTPUT": "json"})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["releases"][0]["name"] == "istio-base"


def test_the_command_line_beats_the_environment():
    result = run("plan", "-f", EXAMPLE, "-o", "yaml", env={"HELMGEN_PLAN_OUTPUT": "json"})
    assert result.exit_code == 0 and yaml.safe_load(result.output)["releases"][0]["name"] == "istio-base"


def test_a_required_option_from_the_environment():
    result = run("validate", env={"HELMGEN_VALIDATE_FILENAME": EXAMPLE})
    assert result.exit_code == 0 and result.output.startswith("valid: 5 releases"), result.output


def test_repeatable_options_take_space_separated_values(tmp_path):
    out = tmp_path / "out"
    result = run("translate", "-f", EXAMPLE, env={"HELMGEN_TRANSLATE_SET": "profile=minimal revision=canary",
                                                  "HELMGEN_TRANSLATE_OUTPUT_DIR": str(out)})
    assert result.exit_code == 0, result.output
    assert "(istio-base, istiod-canary" in result.output
    assert (out / "istiod-canary.values.yaml").is_file()


def test_a_bad_value_from_the_environment_is_a_usage_error_naming_the_variable():
    result = CliRunner().invoke(main, ["plan", "-f", EXAMPLE], env={"HELMGEN_PLAN_OUTPUT": "xml"})
    assert result.exit_code == 2 and "HELMGEN_PLAN_OUTPUT" in result.output


def test_template_kube_version_from_the_environment(monkeypatch):
    calls = []
    import helmgen.render as render

    def fake_template(options, compat=False, strict=False, kube_version=None):
        calls.append(kube_version)
        return type("R", (), {"warnings": [], "text": ""})()
    monkeypatch.setattr(render, "template", fake_template)
    assert run("template", "-f", EXAMPLE, env={"HELMGEN_TEMPLATE_KUBE_VERSION": "1.29.0"}).exit_code == 0
    assert run("template", "-f", EXAMPLE).exit_code == 0
    assert calls == ["1.29.0", None]


def test_template_kube_version_from_the_environment_reaches_helm(tmp_path):
    """With real helm: the charts' `kubeVersion: >=1.28.0-0` gate sees the variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELMGEN_") or k.startswith("HELMGEN_HELM")}
    from chart_kit import helm_path
    env["HELMGEN_HELM"] = helm_path("3")
    argv = [sys.executable, "-m", "helmgen.cli", "template", "-f", EXAMPLE]
    ok = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path)
    old = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path,
                         env={**env, "HELMGEN_TEMPLATE_KUBE_VERSION": "1.10.0"})
    assert ok.returncode == 0, ok.stderr
    assert old.returncode == 3 and "incompatible with Kubernetes v1.10.0" in old.stderr, old.stderr


def test_explicit_variables_still_work_and_the_command_s_own_wins(monkeypatch):
    monkeypatch.setenv("HELMGEN_KUBECONFIG", "/k/general")
    assert params("install", "-f", EXAMPLE)["kubeconfig"] == "/k/general"
    monkeypatch.setenv("HELMGEN_INSTALL_KUBECONFIG", "/k/install")
    assert params("install", "-f", EXAMPLE)["kubeconfig"] == "/k/install"
    assert params("status")["kubeconfig"] == "/k/general"
    assert params("install", "-f", EXAMPLE, "--kubeconfig", "/k/flag")["kubeconfig"] == "/k/flag"


def test_nested_commands_and_durations_from_the_environment(monkeypatch):
    monkeypatch.setenv("HELMGEN_OPERATOR_RUN_RESYNC", "1m30s")
    monkeypatch.setenv("HELMGEN_WATCH_NAMESPACES", "a b")
    monkeypatch.setenv("HELMGEN_INSTALL_TIMEOUT", "10m")
    monkeypatch.setenv("HELMGEN_INSTALL_WAIT", "false")
    run_params = params("operator", "run")
    assert run_params["resync"] == 90.0 and run_params["namespaces"] == ("a", "b")
    install = params("install", "-f", EXAMPLE)
    assert install["timeout"] == 600.0 and install["wait"] is False
    assert params("upgrade", "-f", EXAMPLE)["timeout"] == 300.0  # upgrade reads HELMGEN_UPGRADE_TIMEOUT


def test_help_shows_each_option_s_variable():
    result = run("install", "--help")
    for name in ("HELMGEN_INSTALL_TIMEOUT", "HELMGEN_INSTALL_FILENAME", "HELMGEN_KUBECONFIG"):
        assert name in result.output


# --- output formats -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,load", [("json", json.loads), ("yaml", yaml.safe_load)])
def test_plan_machine_readable_formats(fmt, load):
    result = run("plan", "-f", "-", "-o", fmt, input=HEAD + "spec:\n  profile: minimal\n")
    assert result.exit_code == 0, result.output
    doc = load(result.output)
    assert [(r["name"], r["order"], r["needs"]) for r in doc["releases"]] == [("istio-base", 1, []),
                                                                              ("istiod", 2, ["istio-base"])]


def test_status_help_lists_its_formats():
    result = run("status", "--help")
    assert result.exit_code == 0 and "-o, --output [table|json|yaml]" in result.output


def test_the_program_entry_keeps_mains_exit_code_and_freezes_the_collector(monkeypatch):
    """`helmgen.cli:run` (the console script) is `main` plus gc.freeze() on the way out: same exit code."""
    import gc

    from helmgen import cli

    monkeypatch.setattr(cli, "main", lambda: sys.exit(3))
    try:
        with pytest.raises(SystemExit) as exited:
            cli.run()
        assert exited.value.code == 3
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("argv, code, said", [
    (["plan", "-f", EXAMPLE], 0, "istio-base"),
    (["plan", "-f", "/no/such/iop.yaml"], 1, "/no/such/iop.yaml"),
])
def test_the_installed_program_exits_as_main_does(argv, code, said):
    program = BIN / "helmgen"
    assert "run()" in program.read_text(), "the console script must call helmgen.cli:run (make setup)"
    proc = subprocess.run([str(program), *argv], capture_output=True, text=True)
    assert proc.returncode == code and said in proc.stdout + proc.stderr, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
