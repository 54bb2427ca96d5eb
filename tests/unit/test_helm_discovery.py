"""Finding helm: a missing or too old helm is one line naming the helm tried, where it came from and the versions
helmgen takes; exit code 3; never a traceback."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chart_kit import helm_path
from helmgen.helm import HelmError, find_helm

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "istio-operator.yaml")
NEEDS = "helmgen needs Helm 3.14 or newer, or 4.x"


def fake_helm(folder: Path, prints: str, code: int = 0, name: str = "helm") -> Path:
    """A `helm` whose `helm version` (any flags: --short, --template) prints `prints`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\necho '{prints}'\nexit {code}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def env(tmp_path):
    """The environment without any HELMGEN_*, a private version cache, and a PATH with no helm on it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HELMGEN_")}
    (tmp_path / "empty").mkdir()
    clean.update(XDG_CACHE_HOME=str(tmp_path / "cache"), PATH=str(tmp_path / "empty"))
    return clean


def template(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helmgen.cli", "template", "-f", EXAMPLE], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)


def assert_one_line(proc, *expected: str) -> None:
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    for text in expected:
        assert text in lines[0], lines[0]


def test_helmgen_helm_pointing_nowhere(env):
    proc = template({**env, "HELMGEN_HELM": "/nowhere/helm"})
    assert_one_line(proc, "/nowhere/helm", "$HELMGEN_HELM", "No such file or directory", NEEDS)


def test_no_helm_on_path_and_no_helmgen_helm(env):
    proc = template(env)
    assert_one_line(proc, "helm was not found", "$HELMGEN_HELM is not set", f"no helm on PATH ({env['PATH']})",
                    NEEDS)


@pytest.mark.parametrize("source", ["PATH", "HELMGEN_HELM"])
def test_too_old_helm(env, tmp_path, source):
    helm = fake_helm(tmp_path / "bin", "v3.10.0+g1234567")
    extra = {"PATH": str(helm.parent)} if source == "PATH" else {"HELMGEN_HELM": str(helm)}
    proc = template({**env, **extra})
    where = "found on PATH" if source == "PATH" else "from $HELMGEN_HELM"
    assert_one_line(proc, f"helm {helm} ({where}) is Helm 3.10.0", NEEDS)


@pytest.mark.parametrize("case,expected", [
    ("directory", "not an executable file"),
    ("not_executable", "not an executable file"),
    ("fails", "`helm version` exited 1 and printed 'Error: broken', not a version"),
    ("no_version", "`helm version` exited 0 and printed 'hello', not a version"),
])
def test_unusable_helm(env, tmp_path, case, expected):
    if case == "directory":
        helm = tmp_path / "adir"
        helm.mkdir()
    elif case == "not_executable":
        helm = tmp_path / "helm"
        helm.write_text("not a program\n")
    else:
        helm = fake_helm(tmp_path / "bin", "Error: broken" if case == "fails" else "hello",
                         code=1 if case == "fails" else 0)
    proc = template({**env, "HELMGEN_HELM": str(helm)})
    assert_one_line(proc, f"cannot use helm {helm} (from $HELMGEN_HELM)", expected, NEEDS)


@pytest.mark.parametrize("version,accepted", [("v3.13.9", False), ("v3.14.0", True), ("v4.0.0+gabc", True),
                                              ("v4.1.4", True), ("3.18.0", True), ("v2.17.0", False)])
def test_version_boundary(env, tmp_path, monkeypatch, version, accepted):
    for k in ("HELMGEN_HELM", "PATH", "XDG_CACHE_HOME"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", env["XDG_CACHE_HOME"])
    monkeypatch.setenv("PATH", env["PATH"])
    helm = fake_helm(tmp_path / "bin", version)
    monkeypatch.setenv("HELMGEN_HELM", str(helm))
    find_helm.cache_clear()
    try:
        if accepted:
            assert find_helm().path == str(helm)
        else:
            with pytest.raises(HelmError, match=r"is Helm \d+\.\d+\.\d+; helmgen needs Helm 3.14 or newer") as e:
                find_helm()
            assert e.value.exit_code == 3
    finally:
        find_helm.cache_clear()


def test_helmgen_helm_may_name_a_program_on_path(env, tmp_path, monkeypatch):
    helm = fake_helm(tmp_path / "bin", "v3.18.0", name="helm3")
    monkeypatch.setenv("PATH", str(helm.parent))
    monkeypatch.setenv("XDG_CACHE_HOME", env["XDG_CACHE_HOME"])
    monkeypatch.setenv("HELMGEN_HELM", "helm3")
    find_helm.cache_clear()
    try:
        assert find_helm().path == str(helm)
    finally:
        find_helm.cache_clear()


def test_a_real_helm_is_found(env):
    proc = template({**env, "HELMGEN_HELM": helm_path("3")})
    assert proc.returncode == 0, proc.stderr
    assert "kind: Deployment" in proc.stdout
