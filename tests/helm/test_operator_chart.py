"""charts/istio-operator, the chart of helmgen's in-cluster controller, with real Helm 3.18 and Helm 4.1:
`helm lint --strict` is clean; its ClusterRole holds every permission that installing our charts takes for every
IstioOperator input of the repository (checked as the API server checks a Role against its creator's
permissions), and nothing else (each rule is needed); files/rules.yaml is what scripts/gen-operator-rbac writes;
the values are honoured; the IstioOperator CRD is as the controller needs it."""
from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "istio-operator"
SCRIPT = ROOT / "scripts" / "gen-operator-rbac"
NAMESPACE = "istio-operator"
KIND_VERBS = ("get", "list", "watch", "create", "update", "patch", "delete")


def _load_script():
    loader = importlib.machinery.SourceFileLoader("gen_operator_rbac", str(SCRIPT))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    sys.modules[loader.name] = module
    loader.exec_module(module)
    return module


gen = _load_script()


def _helm_path(var: str) -> str:
    path = os.environ.get(var)
    assert path and Path(path).is_file(), f"{var} must name a helm binary (make test sets it up)"
    return path


@pytest.fixture(params=["HELMGEN_HELM3", "HELMGEN_HELM4"], ids=["helm3", "helm4"])
def helm(request):
    return _helm_path(request.param)


def template(helm: str, *args: str, namespace: str = NAMESPACE, check: bool = True):
    proc = subprocess.run([helm, "template", "istio-operator", str(CHART), "--namespace", namespace, *args],
                          capture_output=True, text=True)
    if not check:
        return proc
    assert proc.returncode == 0, proc.stderr
    return [d for d in yaml.safe_load_all(proc.stdout) if d]


def one(objects: list[dict], kind: str, namespace: str | None = None) -> dict:
    found = [o for o in objects if o["kind"] == kind and (namespace is None or o["metadata"].get("namespace") == namespace)]
    assert len(found) == 1, f"{len(found)} {kind} objects"
    return found[0]


# ---------------------------------------------------------------------------------------------------- lint

NON_DEFAULT_VALUES = """\
hub: registry.example.com/team
tag: 0.2.0-rc.1
imagePullPolicy: Always
imagePullSecrets: [regcred, {name: other}]
watchedNamespaces: [istio-system, istio-canary]
resync: 1h30m
resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {cpu: "1", memory: 1Gi}}
nodeSelector: {kubernetes.io/os: linux}
tolerations: [{key: dedicated, operator: Equal, value: infra, effect: NoSchedule}]
affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: infra, operator: Exists}]}]}}}
podAnnotations: {example.com/team: mesh}
podLabels: {team: mesh}
priorityClassName: system-cluster-critical
crd: {enabled: false}
rbac: {create: true, extraRules: [{apiGroups: [example.com], resources: [widgets], verbs: [get]}]}
serviceAccount: {create: false, name: mesh-operator}
"""


@pytest.mark.parametrize("values", ["defaults", "non-default"])
def test_lint_strict(helm, values, tmp_path):
    args = [helm, "lint", "--strict", str(CHART), "--namespace", NAMESPACE]
    if values != "defaults":
        (tmp_path / "values.yaml").write_text(NON_DEFAULT_VALUES)
        args += ["-f", str(tmp_path / "values.yaml")]
    proc = subprocess.run(args, capture_output=True, text=True)
    assert proc.returncode == 0 and "[WARNING]" not in proc.stdout and "[ERROR]" not in proc.stdout, \
        proc.stdout + proc.stderr


@pytest.mark.parametrize("values", ["defaults", "non-default"])
def test_objects_are_valid_kubernetes(helm, values, tmp_path):
    args = []
    if values != "defaults":
        (tmp_path / "values.yaml").write_text(NON_DEFAULT_VALUES)
        args = ["-f", str(tmp_path / "values.yaml")]
    for obj in template(helm, *args):
        kubernetes_validate.validate(json.loads(json.dumps(obj)), "1.32.0", strict=True)


# ----------------------------------------------------------------------------------------------------- RBAC
# The API server's escalation check (k8s.io/kubernetes pkg/registry/rbac/validation): a rule is broken down into
# one rule per api group, resource, verb and resource name (or per non-resource URL and verb), and each of those
# must be covered by one of the owner's rules, where "*" in the owner's rule stands for anything, "*/sub" for
# any resource's subresource, an owner rule without resource names for any name, and "/path*" for a prefix.

def breakdown(rule: dict) -> list[dict]:
    verbs = rule.get("verbs") or []
    if rule.get("nonResourceURLs"):
        return [{"nonResourceURLs": [u], "verbs": [v]} for u in rule["nonResourceURLs"] for v in verbs]
    names = rule.get("resourceNames") or [None]
    return [{"apiGroups": [g], "resources": [r], "verbs": [v], **({"resourceNames": [n]} if n else {})}
            for g in rule.get("apiGroups") or [] for r in rule.get("resources") or [] for v in verbs for n in names]


def rule_covers(owner: dict, sub: dict) -> bool:
    def has(values, item):
        return item in (values or [])

    def all_in(values, items):
        return all(has(values, i) for i in items or [])

    verbs = has(owner.get("verbs"), "*") or all_in(owner.get("verbs"), sub.get("verbs"))
    groups = has(owner.get("apiGroups"), "*") or all_in(owner.get("apiGroups"), sub.get("apiGroups"))
    resources = True
    if not has(owner.get("resources"), "*"):
        for res in sub.get("resources") or []:
            if has(owner.get("resources"), res):
                continue
            if "/" not in res or not has(owner.get("resources"), "*/" + res.split("/", 1)[1]):
                resources = False
    urls = True
    for url in sub.get("nonResourceURLs") or []:
        if not any(o == url or (o.endswith("*") and url.startswith(o.rstrip("*")))
                   for o in owner.get("nonResourceURLs") or []):
            urls = False
    if not sub.get("resourceNames"):
        names = not owner.get("resourceNames")
    else:
        names = not owner.get("resourceNames") or all_in(owner.get("resourceNames"), sub.get("resourceNames"))
    return verbs and groups and resources and urls and names


def uncovered(owner_rules: list[dict], wanted: list[dict]) -> list[dict]:
    """The broken-down parts of `wanted` that no rule of `owner_rules` covers."""
    parts = {json.dumps(part, sort_keys=True): part for rule in wanted for part in breakdown(rule)}
    return [part for part in parts.values() if not any(rule_covers(o, part) for o in owner_rules)]


def test_the_coverage_check_resolves_rules_as_the_api_server_does():
    owner = [{"apiGroups": ["a"], "resources": ["*"], "verbs": ["get"]},
             {"apiGroups": ["b"], "resources": ["*/status"], "verbs": ["*"]},
             {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["one"], "verbs": ["delete"]},
             {"nonResourceURLs": ["/metrics", "/debug/*"], "verbs": ["get"]}]
    assert not uncovered(owner, [{"apiGroups": ["a"], "resources": ["x", "y/z", "*"], "verbs": ["get"]}])
    assert uncovered(owner, [{"apiGroups": ["a"], "resources": ["x"], "verbs": ["get", "list"]}]) == \
        [{"apiGroups": ["a"], "resources": ["x"], "verbs": ["list"]}]
    assert not uncovered(owner, [{"apiGroups": ["b"], "resources": ["p/status"], "verbs": ["patch", "*"]}])
    assert uncovered(owner, [{"apiGroups": ["b"], "resources": ["p"], "verbs": ["get"]}])
    assert not uncovered(owner, [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["one"], "verbs": ["delete"]}])
    assert uncovered(owner, [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["delete"]}])
    assert uncovered(owner, [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["two"], "verbs": ["delete"]}])
    assert not uncovered(owner, [{"nonResourceURLs": ["/metrics", "/debug/pprof"], "verbs": ["get"]}])
    assert uncovered(owner, [{"nonResourceURLs": ["/healthz"], "verbs": ["get"]}])
    # "*" asked for is only covered by "*" held
    assert uncovered([{"apiGroups": ["a"], "resources": ["x"], "verbs": ["get", "list"]}],
                     [{"apiGroups": ["a"], "resources": ["x"], "verbs": ["*"]}])


@pytest.fixture(scope="module", params=["HELMGEN_HELM3", "HELMGEN_HELM4"], ids=["helm3", "helm4"])
def charts_rendered(request):
    """(helm, {case id: objects}): every input of scripts/gen-operator-rbac through `helmgen template`."""
    helm = _helm_path(request.param)
    return helm, gen.render_all(helm)


def needed(rendered: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Per case: all write verbs on each kind rendered, and each rule of each Role/ClusterRole rendered."""
    out = {"controller": list(gen.CONTROLLER_RULES)}
    for case, objects in rendered.items():
        rules = []
        plurals = {(o["spec"]["group"], o["spec"]["names"]["kind"]): o["spec"]["names"]["plural"]
                   for o in objects if o["kind"] == "CustomResourceDefinition"}
        for o in objects:
            group = o["apiVersion"].rpartition("/")[0]
            resource = plurals.get((group, o["kind"])) or gen.IRREGULAR_RESOURCES.get((group, o["kind"])) \
                or gen.guess_resource(o["kind"])
            rules.append({"apiGroups": [group], "resources": [resource], "verbs": list(KIND_VERBS)})
            if o["kind"] in ("Role", "ClusterRole"):
                rules += o.get("rules") or []
        out[case] = rules
    return out


def test_the_inputs_cover_every_kind_the_chart_templates_name(charts_rendered):
    """A kind that no input renders would go unnoticed: each kind named in a template of our five charts is
    rendered by at least one input (add an input to EXTRA_CASES of the script otherwise)."""
    import re
    named = set()
    for chart in ("istio-base", "istiod", "gateways", "istio-cni", "ztunnel"):
        for path in (ROOT / "charts" / chart / "templates").glob("*"):
            named |= set(re.findall(r'"kind" "([A-Z][A-Za-z]+)"', path.read_text()))
            named |= set(re.findall(r'^kind: ([A-Z][A-Za-z]+)', path.read_text(), re.M))
    named |= {"RoleBinding", "ClusterRoleBinding"}   # istiod names the bindings with printf "%sBinding"
    _, rendered = charts_rendered
    seen = {o["kind"] for objects in rendered.values() for o in objects}
    assert named <= seen, sorted(named - seen)


def test_cluster_role_covers_everything_our_charts_render(charts_rendered):
    helm, rendered = charts_rendered
    role = one(template(helm), "ClusterRole")
    missing = {case: m for case, rules in needed(rendered).items() if (m := uncovered(role["rules"], rules))}
    assert not missing, "run .venv/bin/python scripts/gen-operator-rbac; not covered: " + json.dumps(missing, indent=1)


def test_every_cluster_role_rule_is_needed(charts_rendered):
    """Least privilege: without any one of its rules, the ClusterRole no longer covers what the charts need
    (which also shows that the coverage check fails when a rule is dropped)."""
    helm, rendered = charts_rendered
    rules = one(template(helm), "ClusterRole")["rules"]
    wanted = [r for rs in needed(rendered).values() for r in rs]
    assert not uncovered(rules, wanted)
    idle = [rule for i, rule in enumerate(rules) if not uncovered(rules[:i] + rules[i + 1:], wanted)]
    assert not idle, idle


def test_dropping_a_rule_fails_the_coverage_check(charts_rendered):
    helm, rendered = charts_rendered
    rules = one(template(helm), "ClusterRole")["rules"]
    netpol = [r for r in rules if "networkpolicies" in r.get("resources", [])]
    assert len(netpol) == 1
    missing = uncovered([r for r in rules if r is not netpol[0]], [r for rs in needed(rendered).values() for r in rs])
    assert {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"], "verbs": ["create"]} in missing


def test_rules_file_is_what_the_script_writes(charts_rendered):
    _, rendered = charts_rendered
    assert gen.OUT.read_text() == gen.document(rendered), "run .venv/bin/python scripts/gen-operator-rbac"


def test_no_escalation_verbs():
    rules = yaml.safe_load(gen.OUT.read_text())["clusterRules"]
    for rule in rules:
        assert not {"escalate", "bind", "impersonate"} & set(rule["verbs"]), rule
        if "rbac.authorization.k8s.io" in rule.get("apiGroups", []) or "*" in rule.get("apiGroups", []):
            assert "*" not in rule["verbs"] and "*" not in rule.get("resources", []), rule


def test_lock_role_in_kube_system(helm):
    objects = template(helm)
    role = one(objects, "Role", "kube-system")
    binding = one(objects, "RoleBinding", "kube-system")
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "istio-operator", "namespace": NAMESPACE}]
    lease = {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"]}
    assert not uncovered(role["rules"], [{**lease, "verbs": ["create"]},
                                         {**lease, "resourceNames": ["helmgen-lock"], "verbs": ["get", "update", "delete"]}])
    assert uncovered(role["rules"], [{**lease, "verbs": ["delete"]}])   # only that lease


def test_cluster_role_binding_names_the_release_namespace(helm):
    objects = template(helm, namespace="mesh-ops")
    role, binding = one(objects, "ClusterRole"), one(objects, "ClusterRoleBinding")
    assert role["metadata"]["name"] == binding["roleRef"]["name"] == "helmgen-istio-operator-mesh-ops"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "istio-operator", "namespace": "mesh-ops"}]
    for o in objects:
        if o["kind"] in ("ServiceAccount", "Deployment"):
            assert o["metadata"]["namespace"] == "mesh-ops"


# --------------------------------------------------------------------------------------------------- values

def test_defaults(helm):
    objects = template(helm)
    assert sorted(o["kind"] for o in objects) == sorted(
        ["ServiceAccount", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
         "Deployment"])
    dep = one(objects, "Deployment")
    assert dep["metadata"]["name"] == "istio-operator"
    spec = dep["spec"]
    assert spec["replicas"] == 1 and spec["strategy"] == {"type": "Recreate"}
    pod = spec["template"]["spec"]
    assert pod["serviceAccountName"] == "istio-operator"
    [container] = pod["containers"]
    assert container["name"] == "helmgen"
    assert container["image"] == "ghcr.io/helmgen/helmgen:0.1.0"
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert container["args"] == ["operator", "run", "--namespace", "istio-system", "--resync", "10m"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["HELMGEN_HELM"] == "/usr/local/bin/helm" and env["HELMGEN_CHARTS"] == "/opt/helmgen/charts"
    assert env["HOME"] == "/tmp"
    assert all(env[k].startswith("/tmp/") for k in ("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"))
    assert container["resources"] == {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}}
    sc = container["securityContext"]
    assert sc["runAsNonRoot"] and sc["readOnlyRootFilesystem"] and sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]} and sc["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    assert pod["volumes"] == [{"name": "tmp", "emptyDir": {}}]
    assert "livenessProbe" not in container and "readinessProbe" not in container
    for key in ("nodeSelector", "tolerations", "affinity", "priorityClassName", "imagePullSecrets"):
        assert key not in pod


def test_labels(helm):
    for o in template(helm):
        labels = o["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == "istio-operator", o["kind"]
        assert labels["app.kubernetes.io/instance"] == "istio-operator"
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert labels["app.kubernetes.io/part-of"] == "helmgen"
        assert labels["helm.sh/chart"] == "istio-operator-0.1.0"
    dep = one(template(helm, "--set", "podLabels.team=mesh", "--set", "podLabels.app\\.kubernetes\\.io/name=x"),
              "Deployment")
    pod_labels = dep["spec"]["template"]["metadata"]["labels"]
    assert pod_labels == {"app.kubernetes.io/name": "istio-operator", "app.kubernetes.io/instance": "istio-operator",
                          "team": "mesh"}   # the selector's labels cannot be overridden
    assert dep["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()


def test_non_default_values(helm, tmp_path):
    (tmp_path / "values.yaml").write_text(NON_DEFAULT_VALUES)
    objects = template(helm, "-f", str(tmp_path / "values.yaml"))
    kinds = [o["kind"] for o in objects]
    assert "CustomResourceDefinition" not in kinds and "ServiceAccount" not in kinds
    pod = one(objects, "Deployment")["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["image"] == "registry.example.com/team/helmgen:0.2.0-rc.1"
    assert container["imagePullPolicy"] == "Always"
    assert container["args"] == ["operator", "run", "--namespace", "istio-system", "--namespace", "istio-canary",
                                 "--resync", "1h30m"]
    assert container["resources"]["limits"] == {"cpu": "1", "memory": "1Gi"}
    assert pod["imagePullSecrets"] == [{"name": "regcred"}, {"name": "other"}]
    assert pod["serviceAccountName"] == "mesh-operator"
    assert pod["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert pod["tolerations"][0]["key"] == "dedicated"
    assert "nodeAffinity" in pod["affinity"]
    assert pod["priorityClassName"] == "system-cluster-critical"
    meta = one(objects, "Deployment")["spec"]["template"]["metadata"]
    assert meta["annotations"] == {"example.com/team": "mesh"} and meta["labels"]["team"] == "mesh"
    assert {"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get"]} in one(objects, "ClusterRole")["rules"]
    for kind, namespace in (("ClusterRoleBinding", None), ("RoleBinding", "kube-system")):
        assert one(objects, kind, namespace)["subjects"][0]["name"] == "mesh-operator"


def test_rbac_create_false_renders_no_rbac(helm):
    kinds = {o["kind"] for o in template(helm, "--set", "rbac.create=false")}
    assert not kinds & {"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}
    assert {"Deployment", "ServiceAccount", "CustomResourceDefinition"} <= kinds


def test_no_watched_namespace_watches_every_namespace(helm):
    """`helmgen operator run` without --namespace watches every namespace; resync may be given in seconds."""
    dep = one(template(helm, "--set-json", "watchedNamespaces=[]", "--set", "resync=300"), "Deployment")
    assert dep["spec"]["template"]["spec"]["containers"][0]["args"] == ["operator", "run", "--resync", "300"]


def test_crd_enabled_false_renders_no_crd(helm):
    assert "CustomResourceDefinition" not in {o["kind"] for o in template(helm, "--set", "crd.enabled=false")}


@pytest.mark.parametrize("args", [
    ["--set", "unknown=1"],
    ["--set", "rbac.unknown=1"],
    ["--set", "crd.enabled=maybe"],
    ["--set", "resync=ten minutes"],
    ["--set", "resync=-5"],
    ["--set-json", 'watchedNamespaces=["Istio_System"]'],
    ["--set", "imagePullPolicy=Sometimes"],
    ["--set-json", 'rbac.extraRules=[{"apiGroups":[""],"resources":["pods"]}]'],
], ids=lambda a: a[1])
def test_schema_rejects(helm, args):
    proc = template(helm, *args, check=False)
    assert proc.returncode != 0 and "schema" in proc.stderr.lower(), proc.stderr


# ------------------------------------------------------------------------------------------------------ CRD

def test_crd(helm):
    crd = one(template(helm), "CustomResourceDefinition")
    assert crd["metadata"]["name"] == "istiooperators.install.istio.io"
    assert crd["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    spec = crd["spec"]
    assert spec["group"] == "install.istio.io" and spec["scope"] == "Namespaced"
    assert spec["names"] == {"kind": "IstioOperator", "listKind": "IstioOperatorList", "plural": "istiooperators",
                             "singular": "istiooperator", "shortNames": ["iop", "io"]}
    [version] = spec["versions"]
    assert version["name"] == "v1alpha1" and version["served"] and version["storage"]
    assert version["subresources"] == {"status": {}}
    columns = {c["name"]: (c["type"], c["jsonPath"]) for c in version["additionalPrinterColumns"]}
    assert columns == {"Revision": ("string", ".spec.revision"), "Status": ("string", ".status.status"),
                       "Ready": ("string", '.status.conditions[?(@.type=="Ready")].status'),
                       "Age": ("date", ".metadata.creationTimestamp")}
    schema = version["schema"]["openAPIV3Schema"]
    assert schema["type"] == "object"
    assert set(schema["properties"]) == {"apiVersion", "kind", "metadata", "spec", "status"}
    for key in ("spec", "status"):
        assert schema["properties"][key]["type"] == "object"
        assert schema["properties"][key]["x-kubernetes-preserve-unknown-fields"] is True


def test_the_crd_is_a_template_not_in_crds_folder():
    assert not (CHART / "crds").exists()


def test_notes():
    """NOTES.txt renders (Helm 4's client-side dry run; Helm 3.18's install --dry-run wants a cluster)."""
    proc = subprocess.run([_helm_path("HELMGEN_HELM4"), "install", "istio-operator", str(CHART), "--namespace",
                           NAMESPACE, "--dry-run=client", "--set-json", 'watchedNamespaces=["a","b"]',
                           "--set", "crd.enabled=false", "--set", "rbac.create=false"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    notes = proc.stdout.split("NOTES:", 1)[1]
    assert "IstioOperator resources of: a, b (checked again every 10m)" in notes
    assert "CRD (istiooperators.install.istio.io) is not part of this release" in notes
    assert "No RBAC was created" in notes
    proc = subprocess.run([_helm_path("HELMGEN_HELM4"), "install", "istio-operator", str(CHART), "--namespace",
                           NAMESPACE, "--dry-run=client", "--set-json", "watchedNamespaces=[]"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "IstioOperator resources of: every namespace" in proc.stdout
