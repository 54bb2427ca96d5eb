"""What `helmgen lint PATH...` checks: files as given, chart folders, folders searched for both."""
from pathlib import Path

from helmgen.lint import deprecations
from helmgen.lint.run import Target, discover

IOP = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec: {}\n"


def test_folders_are_searched_for_istiooperators_and_charts(tmp_path):
    (tmp_path / "a.yaml").write_text(IOP)
    (tmp_path / "deploy.yaml").write_text("kind: Deployment\n")
    (tmp_path / "notes.txt").write_text(IOP)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.yml").write_text(IOP)
    (tmp_path / "chart" / "templates").mkdir(parents=True)
    (tmp_path / "chart" / "Chart.yaml").write_text("name: c\n")
    (tmp_path / "chart" / "templates" / "iop.yaml").write_text(IOP)   # inside a chart: the chart's business
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.yaml").write_text(IOP)
    found = discover([str(tmp_path)])
    assert found == [Target(str(tmp_path / "chart"), "chart"), Target(str(tmp_path / "a.yaml"), "istiooperator"),
                     Target(str(tmp_path / "sub" / "b.yml"), "istiooperator")]


def test_paths_as_given_in_order_each_once(tmp_path):
    (tmp_path / "a.yaml").write_text("kind: Deployment\n")   # named explicitly: linted (and refused) as given
    (tmp_path / "chart").mkdir()
    (tmp_path / "chart" / "Chart.yaml").write_text("name: c\n")
    a, chart, missing = str(tmp_path / "a.yaml"), str(tmp_path / "chart"), str(tmp_path / "none")
    assert discover([chart, a, missing, a]) == [Target(chart, "chart"), Target(a, "istiooperator"),
                                                 Target(missing, "missing")]


def test_deprecations_name_their_replacement_and_respect_empty_chart_keys():
    spec = {"values": {"pilot": {"replicaCount": 2}, "global": {"proxy": {"holdApplicationUntilProxyStarts": True}}},
            "unvalidatedValues": {"global": {"enableTracing": False, "proxy": {"concurrency": 2}},
                                  "telemetry": {"v2": {"stackdriver": {"disableOutbound": False}}}}}
    found = {(rule, ".".join(path)): repl for rule, path, repl in deprecations.found(spec)}
    assert found == {
        ("HG010", "spec.values.pilot.replicaCount"): "components.pilot.k8s.replicaCount",
        ("HG010", "spec.values.global.proxy.holdApplicationUntilProxyStarts"):
            "meshConfig.defaultConfig.holdApplicationUntilProxyStarts",
        ("HG011", "spec.unvalidatedValues.global.proxy.concurrency"): "meshConfig.defaultConfig.concurrency",
        ("HG012", "spec.unvalidatedValues.telemetry.v2.stackdriver.disableOutbound"): "",
    }   # enableTracing: false renders empty, so Istio's chart says nothing about it


def test_no_spec_no_findings():
    assert list(deprecations.found(None)) == [] and list(deprecations.found({"values": "x"})) == []
