"""`helmgen template` and `helmgen translate --manifests` from the command line, with real helm 3 and 4 and the
pinned Istio module's manifests/: output, warnings and --strict, exit codes, atomic -o, and the translate
OUTDIR's own helm commands (values + post-renderer) giving what `helmgen template` gives."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HEAD = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n"
PILOT_K8S = HEAD + """spec:
  components:
    pilot:
      k8s:
        nodeSelector: {disk: ssd}
        volumes:
          - name: extra
            emptyDir: {}
        overlays:
          - kind: Deployment
            name: istiod
            patches:
              - path: spec.template.spec.containers.[name:discovery].env.[name:NO_SUCH_VAR].value
                value: x
          - kind: ConfigMap
            name: no-such-configmap
            patches:
              - path: data.x
                value: y
"""


@pytest.fixture(params=["HELMGEN_HELM3", "HELMGEN_HELM4"], ids=["helm3", "helm4"])
def helm(request) -> str:
    path = os.environ.get(request.param)
    assert path and Path(path).is_file(), f"{request.param} must name a helm binary (make test sets it up)"
    return path


def run(args: list[str], helm: str | None, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, **({"HELMGEN_HELM": helm} if helm else {})}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([sys.executable, "-m", "helmgen.cli", *args], capture_output=True, text=True, env=env,
                          cwd=kw.pop("cwd", ROOT), **kw)


def objects(text: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]


def test_template_prints_one_sorted_stream_and_o_writes_the_same(helm, istio_manifests, tmp_path):
    src = tmp_path / "iop.yaml"
    src.write_text(HEAD + "spec:\n  profile: minimal\n")
    out = run(["template", "-f", str(src), "--manifests", str(istio_manifests), "--compat", "istioctl"], helm)
    assert out.returncode == 0, out.stderr
    objs = objects(out.stdout)
    kinds = [o["kind"] for o in objs]
    assert kinds[0] == "CustomResourceDefinition" and "Deployment" in kinds and kinds[-1] == "Service"
    assert all(o["metadata"]["labels"].get("app.kubernetes.io/instance", "istio") == "istio" for o in objs
               if o["metadata"].get("labels"))
    dest = tmp_path / "sub" / "all.yaml"
    again = run(["template", "-f", str(src), "--manifests", str(istio_manifests), "--compat", "istioctl",
                 "-o", str(dest)], helm)
    assert again.returncode == 0 and again.stdout == ""
    assert dest.read_text() == out.stdout
    assert [p.name for p in dest.parent.iterdir()] == ["all.yaml"]  # no temporary file left behind


def test_template_without_compat_names_releases_as_the_plan_does(helm, istio_manifests, tmp_path):
    src = tmp_path / "iop.yaml"
    src.write_text(HEAD + "spec:\n  profile: minimal\n  revision: canary\n")
    out = run(["template", "-f", str(src), "--manifests", str(istio_manifests)], helm)
    assert out.returncode == 0, out.stderr
    deployment = next(o for o in objects(out.stdout) if o["kind"] == "Deployment")
    assert deployment["metadata"]["name"] == "istiod-canary"
    assert deployment["metadata"]["labels"]["app.kubernetes.io/instance"] == "istiod-canary"


def test_what_istioctl_drops_is_a_warning_with_its_path_and_strict_makes_it_an_error(helm, istio_manifests, tmp_path):
    src = tmp_path / "iop.yaml"
    src.write_text(PILOT_K8S)
    out = run(["template", "-f", str(src), "--manifests", str(istio_manifests), "--compat", "istioctl"], helm)
    assert out.returncode == 0, out.stderr
    assert "warning: spec.components.pilot.k8s.volumes: istioctl ignores k8s.volumes" in out.stderr
    assert "warning: spec.components.pilot.k8s.overlays[0].patches[0].path:" in out.stderr
    assert "warning: spec.components.pilot.k8s.overlays[1]" in out.stderr
    deployment = next(o for o in objects(out.stdout) if o["kind"] == "Deployment" and o["metadata"]["name"] == "istiod")
    assert deployment["spec"]["template"]["spec"]["nodeSelector"] == {"disk": "ssd"}
    dest = tmp_path / "all.yaml"
    strict = run(["template", "-f", str(src), "--manifests", str(istio_manifests), "--compat", "istioctl",
                  "--strict", "-o", str(dest)], helm)
    assert strict.returncode == 1
    assert "error: spec.components.pilot.k8s.volumes: istioctl ignores k8s.volumes" in strict.stderr
    assert "Traceback" not in strict.stderr and not dest.exists()


def test_bad_input_and_missing_helm_fail_cleanly(istio_manifests, tmp_path):
    src = tmp_path / "iop.yaml"
    src.write_text(HEAD + "spec:\n  components:\n    pilot:\n      k8s:\n        replicas: 2\n")
    bad = run(["template", "-f", str(src), "--manifests", str(istio_manifests)], None)
    assert bad.returncode == 1 and "spec.components.pilot.k8s.replicas: unknown field" in bad.stderr
    src.write_text(HEAD)
    nohelm = run(["template", "-f", str(src), "--manifests", str(istio_manifests)], str(tmp_path / "no-helm"))
    assert nohelm.returncode == 3 and "no-helm" in nohelm.stderr and "Traceback" not in nohelm.stderr


def test_translate_for_istio_charts_and_its_helm_commands_render_what_template_renders(helm, istio_manifests,
                                                                                        tmp_path):
    src = tmp_path / "iop.yaml"
    src.write_text(PILOT_K8S.replace("        volumes:\n          - name: extra\n            emptyDir: {}\n", ""))
    outdir = tmp_path / "out"
    tr = run(["translate", "-f", str(src), "--manifests", str(istio_manifests), "-o", str(outdir)], helm)
    assert tr.returncode == 0, tr.stderr
    readme = (outdir / "README.md").read_text()
    assert "oci://registry.istio.io/release/charts/istiod" in readme
    assert "--post-renderer helmgen-postrender --post-renderer-args istiod.postrender.json" in readme
    plan = yaml.safe_load((outdir / "plan.yaml").read_text())
    assert [r["chart"] for r in plan["releases"]] == ["oci://registry.istio.io/release/charts/base",
                                                      "oci://registry.istio.io/release/charts/istiod",
                                                      str((istio_manifests / "charts/gateways/istio-ingress")
                                                          .resolve())]
    # The README's command for istiod, with the chart from the module instead of the registry (no network here).
    argv = [helm, "template", "istiod", str(istio_manifests / "charts/istio-control/istio-discovery"),
            "--namespace", "istio-system", "-f", "istiod.values.yaml",
            "--post-renderer", "helmgen-postrender", "--post-renderer-args", "istiod.postrender.json"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    if "/4." in helm or helm.endswith("4.1.4/helm"):
        env["HELM_PLUGINS"] = str(outdir / "helm-plugins")
    by_hand = subprocess.run(argv, capture_output=True, text=True, cwd=outdir, env=env)
    assert by_hand.returncode == 0, by_hand.stderr
    ours = run(["template", "-f", str(src), "--manifests", str(istio_manifests)], helm)
    assert ours.returncode == 0, ours.stderr
    mine = [o for o in objects(ours.stdout) if o["metadata"].get("labels", {}).get("app.kubernetes.io/instance")
            == "istiod"]
    theirs = objects(by_hand.stdout)
    key = lambda o: (o["kind"], o["metadata"]["name"])  # noqa: E731
    for o in theirs:
        (o.get("metadata", {}).get("annotations") or {}).pop("postrenderer.helm.sh/postrender-filename", None)
    assert sorted(map(key, mine)) == sorted(map(key, theirs))
    deployment = next(o for o in theirs if o["kind"] == "Deployment")
    assert deployment["spec"]["template"]["spec"]["nodeSelector"] == {"disk": "ssd"}


def test_manifests_flag_wins_over_an_earlier_set_install_package_path(istio_manifests, tmp_path):
    helm = os.environ["HELMGEN_HELM4"]
    src = tmp_path / "iop.yaml"
    src.write_text(HEAD + "spec:\n  profile: minimal\n")
    both = run(["template", "-f", str(src), "--set", f"installPackagePath={tmp_path / 'nowhere'}",
                "--manifests", str(istio_manifests), "--compat", "istioctl"], helm)
    assert both.returncode == 0, both.stderr
    alone = run(["template", "-f", str(src), "--set", f"installPackagePath={istio_manifests}", "--compat",
                 "istioctl"], helm)
    assert alone.returncode == 0, alone.stderr
    assert alone.stdout == both.stdout and "kind: Deployment" in alone.stdout
    nowhere = run(["template", "-f", str(src), "--set", f"installPackagePath={tmp_path / 'nowhere'}"], helm)
    assert nowhere.returncode == 1 and "nowhere" in nowhere.stderr and "Traceback" not in nowhere.stderr


def test_a_value_the_chart_refuses_is_bad_input_exit_1(istio_manifests, tmp_path):
    src = tmp_path / "iop.yaml"
    src.write_text(HEAD + "spec:\n  values:\n    global:\n      pilotCertProvider: kubernetes\n")
    out = run(["template", "-f", str(src), "--manifests", str(istio_manifests)], os.environ["HELMGEN_HELM3"])
    assert out.returncode == 1
    assert "chart istio-discovery refused the values of release istiod: pilotCertProvider=kubernetes is not " \
           "supported (at istiod/templates/NOTES.txt:81:4)" in out.stderr
