"""Layers (docs/architecture.md): the pure core does no I/O and imports only downward."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "helmgen"
CORE = ["components", "errors", "goformat", "merge", "paths", "plan", "quantity", "schema", "setflags",
        "typecheck", "validate", "values", "translate/charts", "translate/components", "translate/toplevel",
        "postprocess/smp", "postprocess/overlays", "postprocess/overlay_path", "postprocess/k8s_patches",
        "postprocess/sorting", "postprocess/stream"]
IO_MODULES = {"os", "sys", "subprocess", "shutil", "tempfile", "pathlib", "time", "datetime", "random", "socket",
              "click", "pyhelm3"}
UPPER_LAYERS = {"helmgen.api", "helmgen.cli", "helmgen.output", "helmgen.render_docs", "helmgen.profiles",
                "helmgen.iop", "helmgen.render", "helmgen.helm", "helmgen.istio_charts", "helmgen.postrenderer"}


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
    assert not found & UPPER_LAYERS, f"{module} imports an upper layer: {found & UPPER_LAYERS}"


def test_every_module_is_small():
    big = {p.name: n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 400}
    assert not big, f"modules past 400 lines: {big}"


def test_only_helm_py_starts_helm():
    modules = [p.relative_to(PACKAGE).as_posix()[:-3] for p in PACKAGE.rglob("*.py")]
    starters = {f"{m}.py" for m in modules if {"subprocess", "asyncio", "pyhelm3"} & {n.split(".")[0] for n in imports(m)}}
    assert starters <= {"helm.py"}, f"modules other than helm.py start processes: {starters - {'helm.py'}}"


def test_nothing_starts_a_shell():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        assert "shell=True" not in text and "os.system(" not in text, path
