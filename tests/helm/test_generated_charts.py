"""translate -o OUTDIR writes a chart per release (charts/<release>/ and its .tgz): plain helm, with no values and
no helmgen, renders from it what helmgen renders for that release (compared as the equivalence tier compares),
on Helm 3.18 and 4.1; the packaged chart is the folder's twin."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helmgen import api, render
from helmgen.output import render_files, write_outdir
from helmgen.postprocess.stream import document_object, load_stream

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "equivalence"))
from behaviour import compare  # noqa: E402

HEAD = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n"
INPUTS = {
    "example": (ROOT / "examples" / "istio-operator.yaml").read_text(),
    "ambient": HEAD + "spec:\n  profile: ambient\n",
    "canary_k8s": HEAD + """spec:
  revision: canary
  values:
    revisionTags: [prod]
  components:
    pilot:
      k8s:
        env: [{name: EXTRA, value: "1"}]
        resources: {requests: {memory: 1Gi}}
        readinessProbe: null
    ingressGateways:
      - name: public
        namespace: edge
        enabled: true
        label: {tier: public}
        k8s:
          hpaSpec: {minReplicas: 2, maxReplicas: 4}
          service:
            ports:
              - {name: https, port: 443, targetPort: 8443}
""",
}


@pytest.fixture(params=["HELMGEN_HELM3", "HELMGEN_HELM4"], ids=["helm3", "helm4"])
def helm(request):
    path = os.environ.get(request.param)
    assert path and Path(path).is_file(), f"{request.param} must name a helm binary (make test sets it up)"
    return path


def _plain_helm(helm: str, release: str, chart: Path, namespace: str) -> list[dict]:
    proc = subprocess.run([helm, "template", release, str(chart), "--namespace", namespace, "--include-crds",
                           "--kube-version", render.ISTIOCTL_KUBE_VERSION], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return load_stream(proc.stdout)


@pytest.mark.parametrize("case", sorted(INPUTS))
def test_plain_helm_on_a_generated_chart_renders_what_helmgen_renders(case, helm, tmp_path):
    src = tmp_path / "iop.yaml"
    src.write_text(INPUTS[case])
    opts = api.Options((str(src),))
    out = tmp_path / "out"
    write_outdir(render_files(api.translate(opts), out), out)
    resolved, jobs = render.release_jobs(opts)
    rendered = render.render_jobs(resolved, jobs, helm_path=helm)
    assert jobs
    for job, docs in zip(jobs, rendered.per_job):
        folder = out / "charts" / job.release
        ours = _plain_helm(helm, job.release, folder, job.namespace)
        packaged = list(out.glob(f"charts/{job.release}-0.*.tgz"))
        assert len(packaged) == 1, packaged
        assert ours, f"{job.release}: the generated chart renders nothing"
        assert compare(_plain_helm(helm, job.release, packaged[0], job.namespace), ours) == []
        problems = compare(ours, [document_object(d) for d in docs])
        assert not problems, f"{job.release}:\n" + "\n".join(problems[:20])


def test_the_generated_chart_records_the_istiooperator(tmp_path):
    import yaml
    src = tmp_path / "iop.yaml"
    versions = []
    for revision in ("a", "b"):
        src.write_text(HEAD + f"spec:\n  revision: {revision}\n")
        out = tmp_path / revision
        write_outdir(render_files(api.translate(api.Options((str(src),))), out), out)
        chart = yaml.safe_load((out / "charts" / f"istiod-{revision}" / "Chart.yaml").read_text())
        assert chart["name"] == f"istiod-{revision}" and "+iop." in chart["version"]
        versions.append(chart["version"])
        assert "charts/istiod-" + revision in (out / "README.md").read_text()
    assert versions[0] != versions[1]
