"""`helmgen operator` refuses what it cannot use before it starts, with exit codes and messages, never a traceback."""
import subprocess
import sys


def helmgen(*args, env=None):
    return subprocess.run([sys.executable, "-m", "helmgen.cli", *args], capture_output=True, text=True, timeout=60,
                          env=env)


def test_run_with_a_missing_kubeconfig_names_it_and_exits_3(tmp_path):
    import os

    helm = os.environ.get("HELMGEN_HELM4")
    assert helm, "HELMGEN_HELM4 must name a helm binary (make test sets it up)"
    proc = helmgen("operator", "run", "--kubeconfig", str(tmp_path / "nope"), env={**os.environ, "HELMGEN_HELM": helm})
    assert proc.returncode == 3 and str(tmp_path / "nope") in proc.stderr, proc
    assert "Traceback" not in proc.stderr


def test_init_and_run_are_listed():
    proc = helmgen("operator", "--help")
    assert proc.returncode == 0 and "init" in proc.stdout and "run" in proc.stdout


def test_run_rejects_a_bad_duration():
    proc = helmgen("operator", "run", "--resync", "soon")
    assert proc.returncode == 2 and "not a duration" in proc.stderr
