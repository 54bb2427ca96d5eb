"""The command line: exit codes, one clear message per problem with its path, nothing written, fast."""
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAD = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n"


def helmgen(*args, stdin=None):
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "helmgen.cli", *args], capture_output=True, text=True,
                          input=stdin, cwd=ROOT)
    return proc, time.monotonic() - start


def alias_bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]" for i in range(1, 10)]
    return HEAD + "spec:\n  unvalidatedValues:\n" + "\n".join("    " + line for line in lines) + "\n"


BAD_INPUTS = {
    "two_objects": (HEAD + "---\n" + HEAD, "exactly one IstioOperator per file"),
    "unknown_field": (HEAD + "spec:\n  components:\n    pilot:\n      k8s:\n        replicas: 2\n",
                      "spec.components.pilot.k8s.replicas: unknown field; did you mean replicaCount?"),
    "string_for_integer": (HEAD + "spec:\n  components:\n    pilot:\n      k8s:\n        replicaCount: two\n",
                           "spec.components.pilot.k8s.replicaCount: expected an unsigned integer"),
    "revision_with_dots": (HEAD + "spec:\n  revision: 1.10.0\n", "spec.revision: invalid revision '1.10.0'"),
    "gateway_name": (HEAD + "spec:\n  components:\n    ingressGateways:\n      - name: Istio_Ingress\n",
                     "spec.components.ingressGateways[0].name: invalid gateway name 'Istio_Ingress'"),
    "privileged_target_port": (HEAD + "spec:\n  components:\n    ingressGateways:\n      - name: gw\n        k8s:\n"
                               "          service:\n            ports:\n              - {name: http, port: 80, "
                               "targetPort: 80}\n",
                               "spec.components.ingressGateways[0].k8s.service.ports[0].targetPort: port http/80"),
    "malformed_yaml": (HEAD + "spec:\n  hub: [a\n", "malformed YAML at line"),
    "alias_bomb": (alias_bomb(), "alias bomb"),
    "kind_deployment": ("apiVersion: install.istio.io/v1alpha1\nkind: Deployment\n",
                        "kind: expected IstioOperator, found 'Deployment'"),
    "uppercase_hub": (HEAD + "spec:\n  hub: Docker.IO/ISTIO\n", "spec.hub: bad hub 'Docker.IO/ISTIO'"),
    "gateways_as_map": (HEAD + "spec:\n  components:\n    ingressGateways:\n      name: gw\n",
                        "spec.components.ingressGateways: expected a list, found a map"),
    "proxy_init_top_level": (HEAD + "spec:\n  values:\n    proxy_init:\n      image: x\n",
                             "spec.values.proxy_init: unknown field; it belongs under spec.values.global.proxy_init"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exit_1_clear_message_nothing_written_under_a_second(case, tmp_path):
    text, expected = BAD_INPUTS[case]
    src = tmp_path / "iop.yaml"
    src.write_text(text)
    out = tmp_path / "out"
    proc, seconds = helmgen("translate", "-f", str(src), "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr
    error_lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1, proc.stderr
    assert not out.exists()
    assert seconds < 1.0, f"took {seconds:.2f}s"


def test_all_problems_at_once_sorted_by_path(tmp_path):
    src = tmp_path / "iop.yaml"
    src.write_text(HEAD + "spec:\n  revision: A.B\n  hub: UPPER/x\n  components:\n    pilot:\n      k8s:\n"
                   "        replicas: 1\n")
    proc, _ = helmgen("validate", "-f", str(src))
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert proc.returncode == 1 and len(lines) == 3
    assert [re.search(r"(spec\.[\w.]+):", line).group(1) for line in lines] == [
        "spec.components.pilot.k8s.replicas", "spec.hub", "spec.revision"]


def test_force_turns_validation_errors_into_warnings(tmp_path):
    src = tmp_path / "iop.yaml"
    src.write_text(HEAD + "spec:\n  profile: minimal\n  revision: 1.10.0\n")
    proc, _ = helmgen("validate", "--force", "-f", str(src))
    assert proc.returncode == 0 and "warning:" in proc.stderr and "invalid revision" in proc.stderr


def test_translate_writes_every_file_and_replaces_its_previous_output(tmp_path):
    out = tmp_path / "out"
    proc, _ = helmgen("translate", "-f", "examples/istio-operator.yaml", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    releases = ["istio-base", "istiod", "istio-ingressgateway", "istio-egressgateway", "istio-cni"]
    assert names == sorted(["plan.yaml", "helmfile.yaml", "README.md", "charts"] +
                           [f"{r}.values.yaml" for r in releases])
    charts = sorted(p.name for p in (out / "charts").iterdir())
    assert [c for c in charts if not c.endswith(".tgz")] == sorted(releases)
    assert len([c for c in charts if c.endswith(".tgz")]) == len(releases)
    proc, _ = helmgen("translate", "-f", "examples/istio-operator.yaml", "--set", "components.egressGateways[0].enabled=false",
                      "--set", "components.cni.enabled=false", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(["plan.yaml", "helmfile.yaml", "README.md", "charts",
                                                            "istio-base.values.yaml", "istiod.values.yaml",
                                                            "istio-ingressgateway.values.yaml"])
    assert sorted(p.name for p in (out / "charts").iterdir() if p.is_dir()) == \
        ["istio-base", "istio-ingressgateway", "istiod"], "charts of releases no longer there are gone"
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "no temporary folders are left behind"


def test_translate_refuses_to_replace_a_folder_that_is_not_its_output(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "precious.txt").write_text("keep")
    proc, _ = helmgen("translate", "-f", "examples/istio-operator.yaml", "-o", str(out))
    assert proc.returncode == 1 and "holds no helmgen output" in proc.stderr
    assert (out / "precious.txt").read_text() == "keep"


def test_stdin_as_last_file():
    proc, _ = helmgen("plan", "-o", "json", "-f", "-", stdin=HEAD + "spec:\n  profile: minimal\n")
    assert proc.returncode == 0 and '"istiod"' in proc.stdout


def test_plan_table():
    proc, _ = helmgen("plan", "-f", "examples/istio-operator.yaml")
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[0].split() == ["ORDER", "RELEASE", "COMPONENT", "CHART", "NAMESPACE", "NEEDS"]


def test_usage_errors_exit_2_and_version():
    proc, _ = helmgen("translate")
    assert proc.returncode == 2
    proc, _ = helmgen("--version")
    assert proc.returncode == 0 and "helmgen" in proc.stdout


def test_missing_file_is_a_clean_error(tmp_path):
    proc, _ = helmgen("validate", "-f", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 1 and "cannot read file" in proc.stderr and "Traceback" not in proc.stderr


def test_problems_name_the_file_and_line(tmp_path):
    src = tmp_path / "iop.yaml"
    src.write_text(HEAD + "spec:\n  revision: 1.10.0\n  components:\n    pilot:\n      k8s:\n        replicas: 2\n")
    proc, _ = helmgen("validate", "-f", str(src))
    assert f"error: {src}:8: spec.components.pilot.k8s.replicas: unknown field" in proc.stderr
    assert f"error: {src}:4: spec.revision: invalid revision" in proc.stderr


def test_a_problem_from_set_names_no_file(tmp_path):
    src = tmp_path / "iop.yaml"
    src.write_text(HEAD + "spec:\n  profile: minimal\n")
    proc, _ = helmgen("validate", "-f", str(src), "--set", "revision=A.B")
    assert "error: spec.revision: invalid revision 'A.B'" in proc.stderr


def test_unwritable_outdir_is_a_clean_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc, _ = helmgen("translate", "-f", "examples/istio-operator.yaml", "-o", str(blocker / "out"))
    assert proc.returncode == 1 and "cannot write" in proc.stderr and "Traceback" not in proc.stderr


def test_outputs_get_the_usual_permissions_not_the_temporary_files_private_ones(tmp_path):
    import os
    import stat

    from helmgen.output import write_file, write_outdir
    old = os.umask(0o022)
    try:
        write_file(tmp_path / "all.yaml", "x: 1\n")
        write_outdir({"plan.yaml": "releases: []\n"}, tmp_path / "out")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "all.yaml").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "out" / "plan.yaml").stat().st_mode) == 0o644
