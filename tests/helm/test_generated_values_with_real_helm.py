"""Real helm (3.18 and 4.1) accepts every values file translate writes, against our charts' schemas."""
import os
import subprocess
from pathlib import Path

import pytest

from helmgen.api import Options, charts_dir, translate
from helmgen.output import render_files

ROOT = Path(__file__).resolve().parents[2]
HEAD = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n"
INPUTS = {
    "example": None,
    "ambient_revision": HEAD + "spec:\n  profile: ambient\n  revision: canary\n  values:\n    ztunnel:\n"
                               "      logLevel: debug\n",
    "null_leaves_clear_chart_defaults": HEAD + "spec:\n  values:\n    global:\n      mountMtlsCerts: null\n"
                                               "    pilot:\n      autoscaleEnabled: null\n",
    "demo_gateways": HEAD + """spec:
  profile: demo
  components:
    ingressGateways:
      - name: public
        namespace: edge
        label: {tier: public}
        k8s:
          hpaSpec: {minReplicas: 2, maxReplicas: 4}
          service:
            ports:
              - {name: https, port: 443, targetPort: 8443}
    egressGateways:
      - name: egress-a
        enabled: true
  unvalidatedValues:
    pdb:
      maxUnavailable: 1
""",
}


@pytest.fixture(params=["HELMGEN_HELM3", "HELMGEN_HELM4"])
def helm(request):
    path = os.environ.get(request.param)
    assert path and Path(path).is_file(), f"{request.param} must name a helm binary (make test sets it up)"
    return path


@pytest.mark.parametrize("case", sorted(INPUTS))
def test_helm_template_accepts_generated_values(case, helm, tmp_path):
    src = ROOT / "examples" / "istio-operator.yaml"
    if INPUTS[case]:
        src = tmp_path / "iop.yaml"
        src.write_text(INPUTS[case])
    tr = translate(Options((str(src),)))
    files = render_files(tr, tmp_path)
    assert tr.releases
    for rv in tr.releases:
        values = tmp_path / rv.release.values_file
        values.write_text(files[rv.release.values_file])
        proc = subprocess.run([helm, "template", rv.release.name, str(charts_dir() / rv.release.chart),
                               "--namespace", rv.release.namespace, "-f", str(values)],
                              capture_output=True, text=True)
        assert proc.returncode == 0, f"{rv.release.name}: {proc.stderr}"


def test_helm_rejects_what_helmgen_rejects(helm, tmp_path):
    """The schema check in helmgen and in helm agree: a wrong type fails in both."""
    values = tmp_path / "bad.values.yaml"
    values.write_text("autoscaleMin: many\n")
    proc = subprocess.run([helm, "template", "istiod", str(charts_dir() / "istiod"), "-f", str(values)],
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "autoscaleMin" in proc.stderr
