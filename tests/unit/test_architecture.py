"""Layers (docs/architecture.md): the pure core does no I/O and imports only downward."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "helmgen"
CORE = ["adoption", "chartgen", "chartdocs", "objdiff", "tables", "kube/readiness", "components", "errors", "goformat", "merge", "paths", "plan", "quantity", "schema", "setflags",
        "typecheck", "validate", "values", "translate/charts", "translate/components", "translate/toplevel",
        "postprocess/smp", "postprocess/overlays", "postprocess/overlay_path", "postprocess/k8s_patches",
        "postprocess/sorting", "postprocess/stream", "operator/resource", "lint/findings", "lint/rules",
        "lint/deprecations", "lint/reports/__init__", "lint/reports/common", "lint/reports/text",
        "lint/reports/json_report", "lint/reports/junit", "lint/reports/sarif"]
IO_MODULES = {"os", "sys", "subprocess", "shutil", "tempfile", "pathlib", "time", "datetime", "random", "socket",
              "click", "pyhelm3", "asyncio", "lightkube", "rich", "kopf"}
UPPER_LAYERS = {"helmgen.api", "helmgen.cli", "helmgen.cli_common", "helmgen.cli_cluster", "helmgen.output",
                "helmgen.render_docs", "helmgen.profiles", "helmgen.iop", "helmgen.render", "helmgen.helm",
                "helmgen.istio_charts", "helmgen.postrenderer", "helmgen.deploy", "helmgen.kube",
                "helmgen.operator.reconcile", "helmgen.operator.controller", "helmgen.operator.connection",
                "helmgen.operator.init", "helmgen.cli_operator"}


def imports(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_no_io_and_imports_no_upper_layer(module):
    found = imports(module)
    assert not {n.split(".")[0] for n in found} & IO_MODULES, f"{module} imports I/O: {found}"
    upper = {n for n in found if any(n == u or n.startswith(u + ".") for u in UPPER_LAYERS)}
    assert not upper, f"{module} imports an upper layer: {upper}"


def test_every_module_is_small():
    big = {p.name: n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 400}
    assert not big, f"modules past 400 lines: {big}"


def test_only_the_helm_package_starts_processes():
    modules = [p.relative_to(PACKAGE).as_posix()[:-3] for p in PACKAGE.rglob("*.py")]
    starters = {m for m in modules
                if {"subprocess", "pyhelm3"} & {n.split(".")[0] for n in imports(m)}
                or "create_subprocess" in (PACKAGE / f"{m}.py").read_text()}
    outside = {m for m in starters if not m.startswith("helm/")}
    assert not outside, f"modules outside helmgen/helm/ start processes: {outside}"


def test_nothing_starts_a_shell():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        assert "shell=True" not in text and "os.system(" not in text, path


def test_only_the_controller_uses_kopf():
    """kopf's handlers and events stay in helmgen/operator/controller.py; the rest of operator mode is the CLI's
    own path (deploy/, kube/), so a reconcile is exactly a `helmgen install`."""
    modules = [p.relative_to(PACKAGE).as_posix()[:-3] for p in PACKAGE.rglob("*.py")]
    users = {m for m in modules if "kopf" in {n.split(".")[0] for n in imports(m)}}
    assert users == {"operator/controller"}


def test_deploy_and_kube_do_not_import_operator_mode():
    modules = [p.relative_to(PACKAGE).as_posix()[:-3] for p in PACKAGE.rglob("*.py")
               if p.relative_to(PACKAGE).parts[0] in ("deploy", "kube")]
    assert not {m for m in modules if any(n.startswith("helmgen.operator") for n in imports(m))}


def test_the_install_path_loads_pyhelm3_without_its_client_and_pydantic_models():
    """helm/releases.py loads only pyhelm3's command and errors modules (its package __init__ imports the client
    and pydantic models: ~60 ms of every cluster command's start); a later `import pyhelm3` still gets the whole
    package, with the very same classes."""
    import subprocess
    import sys

    code = ("import sys, helmgen.deploy.install, helmgen.helm.releases as r\n"
            "print('pydantic' in sys.modules, 'pyhelm3.client' in sys.modules)\n"
            "import pyhelm3\n"
            "print(pyhelm3.Command is r._command_module.Command, pyhelm3.errors.Error is r._errors.Error,\n"
            "      hasattr(pyhelm3, 'Client'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "True", "True", "True"], out
