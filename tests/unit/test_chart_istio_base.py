"""charts/istio-base rendered with real helm (3 and 4): the CRDs of Istio's APIs, the reader ServiceAccount and
the default revision's validation, for the values that change them (enableCRDTemplates, excludedCRDs,
defaultRevision, validationURL, ...). Istio's base chart (Go module cache) is the oracle for the same values.

Helm binaries: HELMGEN_HELM3 / HELMGEN_HELM4, else the ones scripts/fetch-helm puts under .cache/helm.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from chart_kit import CHARTS, ISTIO_CHARTS, by_kind, helm_path, objects

from behaviour import compare  # tests/equivalence, on sys.path by chart_kit

CHART = CHARTS / "istio-base"
ISTIO_BASE = ISTIO_CHARTS / "base"
GROUPS = ["security.istio.io", "networking.istio.io", "telemetry.istio.io", "extensions.istio.io"]
CRDS = {
    "trafficextensions.extensions.istio.io", "wasmplugins.extensions.istio.io",
    "destinationrules.networking.istio.io", "envoyfilters.networking.istio.io", "gateways.networking.istio.io",
    "proxyconfigs.networking.istio.io", "serviceentries.networking.istio.io", "sidecars.networking.istio.io",
    "virtualservices.networking.istio.io", "workloadentries.networking.istio.io",
    "workloadgroups.networking.istio.io", "authorizationpolicies.security.istio.io",
    "peerauthentications.security.istio.io", "requestauthentications.security.istio.io",
    "telemetries.telemetry.istio.io",
}


def run(helm: str, chart: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([helm, "template", "istio", str(chart), "-n", "istio-system", "--include-crds", *args],
                          capture_output=True, text=True)


def render(helm: str, *args: str) -> dict[tuple[str, str], dict]:
    r = run(helm, CHART, *args)
    assert r.returncode == 0, r.stderr
    return by_kind(objects(r.stdout))


def of_kind(objs: dict, kind: str) -> dict[str, dict]:
    return {name: o for (k, name), o in objs.items() if k == kind}


# ----------------------------------------------------------------------------------------------- defaults

def test_defaults(helm):
    objs = render(helm)
    crds = of_kind(objs, "CustomResourceDefinition")
    assert set(crds) == CRDS
    assert set(objs) - {("CustomResourceDefinition", n) for n in CRDS} == {
        ("ServiceAccount", "istio-reader-service-account"), ("ValidatingWebhookConfiguration", "istiod-default-validator")}
    for name, crd in crds.items():
        plural, group = name.split(".", 1)
        assert crd["apiVersion"] == "apiextensions.k8s.io/v1"
        assert crd["metadata"]["annotations"] == {"helm.sh/resource-policy": "keep"}
        assert crd["metadata"]["labels"]["app.kubernetes.io/part-of"] == "istio"
        assert crd["metadata"]["labels"]["app.kubernetes.io/instance"] == "istio"
        spec = crd["spec"]
        assert spec["group"] == group and spec["scope"] == "Namespaced"
        assert spec["names"]["plural"] == plural
        assert spec["names"]["listKind"] == spec["names"]["kind"] + "List"
        assert spec["names"]["categories"] == ["istio-io", group.replace(".", "-")]
        assert sum(v["storage"] for v in spec["versions"]) == 1
        for version in spec["versions"]:
            assert version["served"] is True and version["subresources"] == {"status": {}}
            schema = version["schema"]["openAPIV3Schema"]
            assert schema["type"] == "object"
            for part in ("spec", "status"):   # structural: typed object, content kept as given
                assert schema["properties"][part] == {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def test_crd_facts(helm):
    crds = of_kind(render(helm), "CustomResourceDefinition")
    vs = crds["virtualservices.networking.istio.io"]["spec"]
    assert [(v["name"], v["storage"]) for v in vs["versions"]] == [("v1", True), ("v1alpha3", False), ("v1beta1", False)]
    assert vs["names"]["shortNames"] == ["vs"]
    assert [c["name"] for c in vs["versions"][0]["additionalPrinterColumns"]] == ["Gateways", "Hosts", "Age"]
    telemetry = crds["telemetries.telemetry.istio.io"]["spec"]
    assert [(v["name"], v["storage"]) for v in telemetry["versions"]] == [("v1", False), ("v1alpha1", True)]
    we = crds["workloadentries.networking.istio.io"]["spec"]["versions"][0]
    assert [c["jsonPath"] for c in we["additionalPrinterColumns"]] == [".metadata.creationTimestamp", ".spec.address"]
    assert we["schema"]["openAPIV3Schema"]["required"] == ["spec"]
    assert "required" not in crds["sidecars.networking.istio.io"]["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    assert "additionalPrinterColumns" not in crds["envoyfilters.networking.istio.io"]["spec"]["versions"][0]


def test_reader_service_account(helm):
    sa = render(helm, "--set", "global.istioNamespace=mesh", "--set", "global.imagePullSecrets={a,b}")[
        ("ServiceAccount", "istio-reader-service-account")]
    assert sa["metadata"]["namespace"] == "mesh"
    assert sa["imagePullSecrets"] == [{"name": "a"}, {"name": "b"}]
    assert sa["metadata"]["labels"]["app"] == "istio-reader"
    assert ("ServiceAccount", "istio-reader-service-account") not in render(helm, "--set", "global.enableReaderRBAC=false")
    assert ("ServiceAccount", "istio-reader-service-account") not in render(
        helm, "--set", "global.readerServiceAccount.name=custom")


# ------------------------------------------------------------------------------------------ CRD switches

def test_excluded_crds(helm):
    excluded = "{envoyfilters.networking.istio.io,wasmplugins.extensions.istio.io}"
    crds = of_kind(render(helm, "--set", f"base.excludedCRDs={excluded}"), "CustomResourceDefinition")
    assert set(crds) == CRDS - {"envoyfilters.networking.istio.io", "wasmplugins.extensions.istio.io"}


def test_crd_templates_off_keeps_every_crd_with_legacy_labels(helm):
    """As Istio's chart: still templates (helm upgrade updates them), legacy labels, excludedCRDs not applied."""
    crds = of_kind(render(helm, "--set", "base.enableCRDTemplates=false",
                          "--set", "base.excludedCRDs={envoyfilters.networking.istio.io}"), "CustomResourceDefinition")
    assert set(crds) == CRDS
    legacy = {"app": "istio-pilot", "chart": "istio", "heritage": "Tiller", "release": "istio"}
    assert crds["sidecars.networking.istio.io"]["metadata"]["labels"] == legacy
    assert crds["peerauthentications.security.istio.io"]["metadata"]["labels"] == {**legacy, "istio": "security"}
    assert crds["telemetries.telemetry.istio.io"]["metadata"]["labels"] == {**legacy, "istio": "telemetry"}


def test_no_crds_folder():
    """CRDs are templates, never crds/ (which helm install creates once and helm upgrade never touches)."""
    assert not (CHART / "crds").exists()


# ------------------------------------------------------------------------------------ default revision

def webhook(objs: dict) -> dict:
    return objs[("ValidatingWebhookConfiguration", "istiod-default-validator")]


def test_default_revision_webhook(helm):
    vwc = webhook(render(helm))
    assert vwc["metadata"]["labels"]["istio.io/rev"] == "default"
    [hook] = vwc["webhooks"]
    assert hook["name"] == "validation.istio.io"
    assert hook["clientConfig"] == {"service": {"name": "istiod", "namespace": "istio-system", "path": "/validate"}}
    assert hook["rules"] == [{"operations": ["CREATE", "UPDATE"], "apiGroups": GROUPS, "apiVersions": ["*"],
                              "resources": ["*"]}]
    assert hook["failurePolicy"] == "Ignore" and hook["sideEffects"] == "None"

    canary = webhook(render(helm, "--set", "defaultRevision=canary", "--set", "global.istioNamespace=mesh"))
    assert canary["metadata"]["labels"]["istio.io/rev"] == "canary"
    assert canary["webhooks"][0]["clientConfig"]["service"] == {"name": "istiod-canary", "namespace": "mesh",
                                                               "path": "/validate"}


def test_no_default_revision_renders_no_validation(helm):
    objs = render(helm, "--set", "defaultRevision=", "--set", "experimental.stableValidationPolicy=true")
    assert {k for k, _ in objs} == {"CustomResourceDefinition", "ServiceAccount"}


def test_validation_url_and_ca_bundle(helm):
    hook = webhook(render(helm, "--set", "base.validationURL=https://istiod.example:15017/validate"))["webhooks"][0]
    assert hook["clientConfig"] == {"url": "https://istiod.example:15017/validate"}
    assert hook["failurePolicy"] == "Ignore"
    hook = webhook(render(helm, "--set", "base.validationURL=https://x/validate", "--set", "base.validationCABundle=Q0E=",
                          "--set", "base.validationFailurePolicy=Ignore"))["webhooks"][0]
    assert hook["clientConfig"] == {"url": "https://x/validate", "caBundle": "Q0E="}
    assert hook["failurePolicy"] == "Fail"   # a known CA fails closed whatever validationFailurePolicy says
    assert webhook(render(helm, "--set", "base.validationFailurePolicy=Fail"))["webhooks"][0]["failurePolicy"] == "Fail"


@pytest.mark.parametrize("how", [["--set", "experimental.stableValidationPolicy=true"], ["--set", "profile=stable"]])
def test_stable_validation_policy(helm, how):
    objs = render(helm, "--set", "defaultRevision=canary", *how)
    policy = objs[("ValidatingAdmissionPolicy", "stable-channel-default-policy.istio.io")]
    binding = objs[("ValidatingAdmissionPolicyBinding", "stable-channel-default-policy-binding.istio.io")]
    assert policy["apiVersion"] == binding["apiVersion"] == "admissionregistration.k8s.io/v1"
    assert policy["metadata"]["labels"]["istio.io/rev"] == "canary"
    assert policy["spec"]["failurePolicy"] == "Fail"
    assert policy["spec"]["matchConstraints"]["resourceRules"][0]["apiGroups"] == GROUPS
    assert [v["name"] for v in policy["spec"]["variables"]] == [
        "isEnvoyFilter", "isWasmPlugin", "isProxyConfig", "isTelemetry", "isAuthorizationPolicy"]
    assert len(policy["spec"]["validations"]) == 5
    assert binding["spec"] == {"policyName": "stable-channel-default-policy.istio.io", "validationActions": ["Deny"]}


def test_resource_scope(helm):
    cluster = render(helm, "--set", "global.resourceScope=cluster")
    assert ("ServiceAccount", "istio-reader-service-account") not in cluster and len(cluster) == 16
    namespaced = render(helm, "--set", "global.resourceScope=namespace", "--set", "base.enableCRDTemplates=false")
    assert list(namespaced) == [("ServiceAccount", "istio-reader-service-account")]


@pytest.mark.parametrize("setting, message", [
    ("global.platform=no-such", "unknown platform no-such"),
    ("profile=minimal", "unknown profile minimal"),
    ("compatibilityVersion=1.24", "unknown compatibility version 1.24"),
])
def test_unknown_helm_profiles_are_refused(helm, setting, message):
    r = run(helm, CHART, "--set", setting)
    assert r.returncode != 0 and message in r.stderr


@pytest.mark.parametrize("kube", ["1.28.0", "1.30.0", "1.32.0", "1.35.0"])
def test_kube_versions(kube):
    render(helm_path("3"), "--kube-version", kube, "--set", "experimental.stableValidationPolicy=true")


# ------------------------------------------------------------------------------- Istio's chart as oracle

VARIANTS = {
    "defaults": [],
    "crd-templates-off": ["--set", "base.enableCRDTemplates=false",
                          "--set", "base.excludedCRDs={envoyfilters.networking.istio.io}"],
    "excluded": ["--set", "base.excludedCRDs={envoyfilters.networking.istio.io,sidecars.networking.istio.io}"],
    "no-default-revision": ["--set", "defaultRevision="],
    "revision-url-ca-stable": ["--set", "defaultRevision=foo", "--set", "base.validationURL=https://x:15017/validate",
                               "--set", "base.validationCABundle=abc", "--set", "experimental.stableValidationPolicy=true",
                               "--set", "global.istioNamespace=other", "--set", "global.imagePullSecrets={a,b}"],
    "failure-policy": ["--set", "base.validationFailurePolicy=Fail"],
    "profile-stable": ["--set", "profile=stable"],
    "scope-cluster": ["--set", "global.resourceScope=cluster", "--set", "experimental.stableValidationPolicy=true"],
    "scope-namespace": ["--set", "global.resourceScope=namespace"],
    "reader-off": ["--set", "global.enableReaderRBAC=false"],
    "reader-custom": ["--set", "global.readerServiceAccount.name=x"],
    "other-namespace": ["-n", "other"],
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_same_objects_as_istio(helm, variant):
    if not ISTIO_BASE.is_dir():
        pytest.fail(f"Istio's base chart not found at {ISTIO_BASE} (set HELMGEN_ISTIO_CHARTS)")
    ours, theirs = run(helm, CHART, *VARIANTS[variant]), run(helm, ISTIO_BASE, *VARIANTS[variant])
    assert ours.returncode == 0 and theirs.returncode == 0, ours.stderr + theirs.stderr
    assert compare(objects(ours.stdout), objects(theirs.stdout)) == []
