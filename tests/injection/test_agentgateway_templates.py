"""Injection tier: our agentgateway templates (charts/istiod/files/inject-agentgateway.yaml and
inject-agentgateway-waypoint.yaml) against Istio's, through istiod's own Gateway API deployment controller.

tests/injection/agentgateway/ is a small Go program built against the pinned istio module: for each case it
starts the real DeploymentController (pilot/pkg/config/kube/gatewaycommon) on a fake Kubernetes client holding
the case's objects (Namespace, Gateway, GatewayClass, ConfigMaps), reconciles the Gateway once with Istio's
templates and once with ours, and prints every object the controller server-side applies (after its class-default
and parametersRef overlays) plus any template error it logged.

Istio's side: the templates, injector values and mesh config that Istio's own istiod chart renders for an
IstioOperator (helmgen --manifests with the module's manifests/). Nothing of Istio's template text is kept in this
repository; it is read from that rendered ConfigMap at test time. Our side: our files, with the same values and mesh
config. The Go binary and the rendered injector configs are cached under .cache/agentgateway/.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PROGRAM = Path(__file__).resolve().parent / "agentgateway"
CACHE = REPO / ".cache" / "agentgateway"
OUR_FILES = REPO / "charts" / "istiod" / "files"
TEMPLATES = ("agentgateway", "agentgateway-waypoint")
CACHE_FORMAT = "agw-v1"

AGW = "istio-agentgateway"
WAYPOINT = "istio-agentgateway-waypoint"
UID = "5f0c7d0e-7b7c-4a37-9a61-0c1d2e3f4a5b"


def _istio_version() -> str:
    return (REPO / "scripts" / "istio-version").read_text().strip()


def _helm() -> str:
    path = os.environ.get("HELMGEN_HELM3") or str(REPO / ".cache" / "helm" / "3.18.0" / "helm")
    if not Path(path).is_file():
        pytest.skip(f"no helm binary at {path} (run `make -s setup`)")
    return path


def _manifests() -> Path:
    out = subprocess.run([str(REPO / "scripts" / "build-istioctl"), "--manifests"], capture_output=True, text=True,
                         timeout=1800)
    if out.returncode != 0:
        pytest.skip(f"istio module not available: {out.stderr[-500:]}")
    return Path(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------------ the Go program

def _build_renderer() -> Path:
    """Build tests/injection/agentgateway once per source/go version; cached as .cache/agentgateway/agwrender-<h>."""
    go = shutil.which("go")
    if go is None:
        pytest.skip("no go toolchain")
    goversion = subprocess.run([go, "version"], capture_output=True, text=True).stdout
    h = hashlib.sha256(goversion.encode())
    for name in ("go.mod", "go.sum", "main.go"):
        h.update((PROGRAM / name).read_bytes())
    binary = CACHE / f"agwrender-{h.hexdigest()[:16]}"
    if binary.is_file():
        return binary
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = binary.with_suffix(".tmp")
    env = dict(os.environ, GOFLAGS="-mod=mod -buildvcs=false", CGO_ENABLED="0")
    proc = subprocess.run([go, "build", "-trimpath", "-o", str(tmp), "."], cwd=PROGRAM, env=env,
                          capture_output=True, text=True, timeout=3000)
    if proc.returncode != 0:
        raise RuntimeError(f"building {PROGRAM} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    tmp.replace(binary)
    return binary


# ------------------------------------------------------------------------------ Istio's rendered injector config

def _istio_injector(spec: dict, revision: str | None, manifests: Path) -> dict:
    """Istio's istiod chart for `spec`: {"templates": {...}, "values": JSON text, "mesh": YAML text}."""
    iop = yaml.safe_dump({"apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator", "spec": spec},
                         sort_keys=True)
    key = hashlib.sha256(json.dumps([CACHE_FORMAT, _istio_version(), str(manifests), iop, revision]).encode())
    path = CACHE / f"injector-{key.hexdigest()[:24]}.json"
    if path.is_file():
        return json.loads(path.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "iop.yaml").write_text(iop)
        cmd = [str(REPO / ".venv" / "bin" / "helmgen"), "template", "-f", str(Path(tmp) / "iop.yaml"),
               "--manifests", str(manifests)]
        if revision:
            cmd += ["--revision", revision]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                              env=dict(os.environ, HELMGEN_HELM=_helm()))
    if proc.returncode != 0:
        raise RuntimeError(f"helmgen template failed for\n{iop}\n{proc.stderr[-3000:]}")
    found: dict = {}
    for doc in yaml.safe_load_all(proc.stdout):
        if not doc or doc.get("kind") != "ConfigMap":
            continue
        name, data = doc["metadata"]["name"], doc.get("data") or {}
        if name.startswith("istio-sidecar-injector"):
            found["templates"] = yaml.safe_load(data["config"])["templates"]
            found["values"] = data["values"]
        elif "mesh" in data and (name == "istio" or name.startswith("istio-")):
            found["mesh"] = data["mesh"]
    if set(found) != {"templates", "values", "mesh"}:
        raise RuntimeError(f"Istio's istiod chart rendered no injector/mesh ConfigMap for:\n{iop}")
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(found))
    return found


# -------------------------------------------------------------------------------------------- the inputs

NO_INGRESS = {"components": {"ingressGateways": [{"name": "istio-ingressgateway", "enabled": False}]}}


def _iop(values: dict | None = None, mesh: dict | None = None, **spec) -> dict:
    out = copy.deepcopy(NO_INGRESS)
    if values:
        out["values"] = values
    if mesh:
        out["meshConfig"] = mesh
    out.update(spec)
    return out


# Installations (IstioOperator specs) whose injector values/mesh config the cases run with.
INSTALLS: dict[str, tuple[dict, str | None]] = {
    # Istio's defaults: no global.agentgateway at all.
    "default": (_iop(), None),
    "agw-image": (_iop({"global": {"agentgateway": {"image": "agentgateway"}}}), None),
    "rich": (_iop(
        {"global": {
            "agentgateway": {"image": "registry.example.com/agw/agentgateway:1.2.3"},
            "imagePullPolicy": "Always",
            "imagePullSecrets": ["pull-a", "pull-b"],
            "proxy": {"lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
                      "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "1"}}},
            "network": "net-west",
            "multiCluster": {"clusterName": "west"},
            "caAddress": "ca.example.com:15012",
            "sds": {"token": {"aud": "example-aud"}},
            "trustBundleName": "my-bundle",
            "waypoint": {"resources": {"requests": {"cpu": "10m"}}},
        },
         "gateways": {"seccompProfile": {"type": "RuntimeDefault"}}},
        {"trustDomain": "example.org",
         "defaultConfig": {"proxyMetadata": {"B_META": "two", "A_META": "one"},
                           "discoveryAddress": "istiod-custom.istio-system.svc:15012"}}), None),
    "secctx": (_iop({"global": {"agentgateway": {}, "imagePullSecrets": []},
                     "gateways": {"securityContext": {"runAsNonRoot": True, "fsGroup": 4242},
                                  "seccompProfile": {"type": "Localhost", "localhostProfile": "agw.json"}}}), None),
    "no-resources": (_iop({"global": {"agentgateway": {"image": "agentgateway"},
                                      "proxy": {"resources": {"requests": None, "limits": None}},
                                      "waypoint": {"resources": {"limits": None}}}}), None),
    "certs-custom": (_iop({"global": {"pilotCertProvider": "custom", "agentgateway": {"image": "x"}}}), None),
    "ctb": (_iop({"pilot": {"env": {"ENABLE_CLUSTER_TRUST_BUNDLE_API": True}},
                  "global": {"trustBundleName": "tb", "agentgateway": {"image": "x"}}}), None),
    "variant": (_iop({"global": {"hub": "docker.example.com/istio", "tag": "1.99.0-distroless",
                                 "variant": "debug", "agentgateway": {"image": "agentgateway"}}},
                     {"defaultConfig": {"image": {"imageType": "distroless"}}}), None),
    "canary": (_iop({"global": {"agentgateway": {"image": "agentgateway"}}}), "canary"),
    "ambient": (_iop({"global": {"agentgateway": {"image": "agentgateway"}, "network": "net-east"}},
                     profile="ambient"), None),
}


def _ns(name: str, labels: dict | None = None, annotations: dict | None = None) -> dict:
    meta: dict = {"name": name}
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def _gateway(cls: str, name: str = "agw", ns: str = "default", listeners: list | None = None,
             labels: dict | None = None, annotations: dict | None = None, **spec) -> dict:
    meta: dict = {"name": name, "namespace": ns, "uid": UID}
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    body = {"gatewayClassName": cls,
            "listeners": listeners if listeners is not None else [{"name": "http", "port": 80, "protocol": "HTTP"}]}
    body.update(spec)
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": meta, "spec": body}


def _configmap(name: str, ns: str, data: dict, labels: dict | None = None) -> dict:
    meta: dict = {"name": name, "namespace": ns}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta,
            "data": {k: yaml.safe_dump(v) for k, v in data.items()}}


HBONE = [{"name": "mesh", "port": 15008, "protocol": "HBONE"}]
BASIC = ["Gateway", "ServiceAccount", "Deployment", "Service"]
OPENSHIFT = {"openshift.io/sa.scc.uid-range": "1000620000/10000",
             "openshift.io/sa.scc.supplemental-groups": "1000700000/10000"}


def _case(name: str, install: str, gw: dict, *extra: dict, expect=BASIC, **opts) -> dict:
    ns = gw["metadata"]["namespace"]
    objects = [o for o in extra]
    if not any(o["kind"] == "Namespace" and o["metadata"]["name"] == ns for o in objects):
        objects.insert(0, _ns(ns))
    objects.append(gw)
    return {"name": name, "install": install, "objects": objects, "expect": expect,
            "gateway": {"namespace": ns, "name": gw["metadata"]["name"]}, **opts}


CASES = [
    # ------------------------------------------------------------------------------------------ agentgateway
    _case("agw/istio-defaults", "default", _gateway(AGW)),
    _case("agw/basic", "agw-image", _gateway(AGW)),
    _case("agw/listeners", "agw-image", _gateway(AGW, listeners=[
        {"name": "http", "port": 80, "protocol": "HTTP"},
        {"name": "https.example.com", "port": 443, "protocol": "HTTPS", "hostname": "example.com",
         "tls": {"certificateRefs": [{"name": "cert"}]}},
        {"name": "https-again", "port": 443, "protocol": "HTTPS", "hostname": "other.example.com",
         "tls": {"certificateRefs": [{"name": "cert"}]}},
        {"name": "tcp", "port": 9000, "protocol": "TCP"},
        {"name": "status-port", "port": 8443, "protocol": "TLS", "tls": {"mode": "Passthrough"}},
        {"name": "x" * 70, "port": 9001, "protocol": "HTTP"}])),
    _case("agw/no-listeners", "agw-image", _gateway(AGW, listeners=[])),
    _case("agw/quic", "agw-image", _gateway(AGW, listeners=[
        {"name": "https", "port": 443, "protocol": "HTTPS", "tls": {"certificateRefs": [{"name": "cert"}]}}]),
        quic=True),
    _case("agw/gateway-labels-annotations", "agw-image", _gateway(
        AGW, ns="apps", labels={"team": "a", "istio.io/dataplane-mode": "ambient",
                                "gateway.networking.k8s.io/x": "dropped", "topology.istio.io/network": "gw-net"},
        annotations={"note": "kept", "prometheus.io/port": "9999", "istio.io/rev": "ignored",
                     "kubectl.kubernetes.io/last-applied-configuration": "{}",
                     # Already at the controller's version: no Gateway patch recording it.
                     "gateway.istio.io/controller-version": "5"}), expect=BASIC[1:]),
    _case("agw/infrastructure", "agw-image", _gateway(
        AGW, ns="apps", labels={"not": "copied"}, annotations={"not": "copied"},
        infrastructure={"labels": {"infra": "yes", "gateway.networking.k8s.io/y": "dropped",
                                   "service.istio.io/canonical-revision": "v9"},
                        "annotations": {"infra-note": "yes", "prometheus.io/scrape": "false"}})),
    _case("agw/no-copy-labels", "agw-image", _gateway(
        AGW, labels={"team": "a"}, annotations={"note": "dropped"}), copyLabelsAnnotations=False),
    _case("agw/name-overrides-clusterip", "agw-image", _gateway(
        AGW, name="edge", annotations={"gateway.istio.io/name-override": "edge-proxy",
                                       "gateway.istio.io/service-account": "edge-sa",
                                       "networking.istio.io/service-type": "ClusterIP"})),
    _case("agw/nodeport", "agw-image", _gateway(
        AGW, annotations={"networking.istio.io/service-type": "NodePort"})),
    _case("agw/address-loadbalancer", "agw-image", _gateway(
        AGW, addresses=[{"type": "IPAddress", "value": "10.1.2.3"}])),
    _case("agw/address-clusterip", "agw-image", _gateway(
        AGW, addresses=[{"value": "10.1.2.4"}], annotations={"networking.istio.io/service-type": "ClusterIP"})),
    _case("agw/address-hostname-unmanaged", "agw-image", _gateway(
        AGW, addresses=[{"type": "Hostname", "value": "lb.example.com"}]), expect=[]),
    _case("agw/openshift-ids", "agw-image", _gateway(AGW, ns="shift"), _ns("shift", annotations=OPENSHIFT)),
    _case("agw/image-annotation-type", "variant", _gateway(
        AGW, annotations={"gateway.istio.io/agentgatewayImage": "distroless"})),
    _case("agw/image-annotation-full", "agw-image", _gateway(
        AGW, annotations={"gateway.istio.io/agentgatewayImage": "my.registry/agw:dev"})),
    _case("agw/variant", "variant", _gateway(AGW)),
    _case("agw/image-annotation-type-over-values-image", "rich", _gateway(
        AGW, annotations={"gateway.istio.io/agentgatewayImage": "debug"})),
    _case("agw/rich-values", "rich", _gateway(AGW, labels={"topology.istio.io/network": "gw-net"})),
    _case("agw/rich-values-values-network", "rich", _gateway(AGW, ns="apps")),
    _case("agw/security-context", "secctx", _gateway(AGW)),
    _case("agw/no-resources", "no-resources", _gateway(AGW)),
    _case("agw/pilot-cert-custom", "certs-custom", _gateway(AGW)),
    _case("agw/cluster-trust-bundle", "ctb", _gateway(AGW)),
    _case("agw/revision-canary", "canary", _gateway(AGW, labels={"istio.io/rev": "canary"}), revision="canary"),
    _case("agw/other-revision-ignored", "agw-image", _gateway(AGW, labels={"istio.io/rev": "canary"}), expect=[]),
    _case("agw/ambient-profile", "ambient", _gateway(AGW)),
    _case("agw/custom-class", "agw-image", _gateway("my-agw"),
          {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": {"name": "my-agw"},
           "spec": {"controllerName": "istio.io/agentgateway-controller"}}),
    _case("agw/overlays", "agw-image", _gateway(
        AGW, ns="apps", infrastructure={"parametersRef": {"group": "", "kind": "ConfigMap", "name": "agw-params"}}),
        _configmap("agw-params", "apps", {
            "deployment": {"spec": {"replicas": 3, "template": {"spec": {"containers": [
                {"name": "agentgateway", "resources": {"limits": {"memory": "2Gi"}}}]}}}},
            "horizontalPodAutoscaler": {"spec": {"minReplicas": 2, "maxReplicas": 5}},
            "podDisruptionBudget": {"spec": {"minAvailable": 1}}}),
        _configmap("agw-defaults", "istio-system", {"service": {"metadata": {"annotations": {"lb": "internal"}}}},
                   labels={"gateway.istio.io/defaults-for-class": AGW}),
        _ns("istio-system"),
        expect=BASIC + ["HorizontalPodAutoscaler", "PodDisruptionBudget"]),
    _case("agw/cluster-id", "agw-image", _gateway(AGW), clusterID="cluster-7", nativeSidecars="false"),
    # ProxyConfig resources: mesh-wide (root namespace), the Gateway's namespace, and one selecting its pods.
    _case("agw/proxyconfig", "rich", _gateway(AGW, ns="apps"), proxyConfigs=[
        {"namespace": "istio-system", "name": "mesh", "spec": {"environmentVariables": {"C_META": "mesh"}}},
        {"namespace": "apps", "name": "ns", "spec": {"image": {"imageType": "debug"},
                                                     "environmentVariables": {"A_META": "ns"}}},
        {"namespace": "apps", "name": "gw", "spec": {
            "selector": {"matchLabels": {"gateway.networking.k8s.io/gateway-name": "agw"}},
            "environmentVariables": {"D_META": "selected"}}}]),
    _case("agw/proxyconfig-image", "agw-image", _gateway(AGW, ns="apps"), proxyConfigs=[
        {"namespace": "apps", "name": "ns", "spec": {"image": {"imageType": "distroless"}}}]),

    # ---------------------------------------------------------------------------------- agentgateway-waypoint
    _case("wp/istio-defaults", "default", _gateway(WAYPOINT, name="waypoint", listeners=HBONE)),
    _case("wp/basic", "agw-image", _gateway(WAYPOINT, name="waypoint", listeners=HBONE)),
    _case("wp/network-from-values", "ambient", _gateway(WAYPOINT, name="waypoint", ns="apps", listeners=HBONE)),
    _case("wp/network-label", "ambient", _gateway(
        WAYPOINT, name="waypoint", listeners=HBONE, labels={"topology.istio.io/network": "gw-net"})),
    _case("wp/labels-annotations", "agw-image", _gateway(
        WAYPOINT, name="waypoint", ns="apps", listeners=HBONE,
        labels={"istio.io/waypoint-for": "service", "istio.io/dataplane-mode": "ambient", "team": "b"},
        annotations={"note": "kept", "gateway.istio.io/service-account": "wp-sa"})),
    _case("wp/infrastructure", "agw-image", _gateway(
        WAYPOINT, name="waypoint", listeners=HBONE,
        infrastructure={"labels": {"istio.io/dataplane-mode": "none-of-that", "infra": "1"},
                        "annotations": {"prometheus.io/path": "/other"}})),
    _case("wp/rich-values", "rich", _gateway(WAYPOINT, name="waypoint", listeners=HBONE)),
    _case("wp/proxyconfig", "rich", _gateway(WAYPOINT, name="waypoint", ns="apps", listeners=HBONE), proxyConfigs=[
        {"namespace": "apps", "name": "ns", "spec": {"image": {"imageType": "distroless"},
                                                     "environmentVariables": {"Z_META": "z"}}}]),
    _case("wp/security-context", "secctx", _gateway(WAYPOINT, name="waypoint", listeners=HBONE)),
    _case("wp/no-resources", "no-resources", _gateway(WAYPOINT, name="waypoint", listeners=HBONE)),
    _case("wp/pilot-cert-custom", "certs-custom", _gateway(WAYPOINT, name="waypoint", listeners=HBONE)),
    _case("wp/cluster-trust-bundle", "ctb", _gateway(WAYPOINT, name="waypoint", listeners=HBONE)),
    _case("wp/variant-annotation", "variant", _gateway(
        WAYPOINT, name="waypoint", listeners=HBONE, annotations={"gateway.istio.io/agentgatewayImage": "debug"})),
    _case("wp/loadbalancer-address", "agw-image", _gateway(
        WAYPOINT, name="waypoint", listeners=HBONE + [{"name": "http", "port": 80, "protocol": "HTTP"}],
        addresses=[{"value": "10.9.9.9"}], annotations={"networking.istio.io/service-type": "LoadBalancer"})),
    _case("wp/openshift-ids", "agw-image", _gateway(WAYPOINT, name="waypoint", ns="shift", listeners=HBONE),
          _ns("shift", annotations=OPENSHIFT)),
    _case("wp/revision-canary", "canary", _gateway(
        WAYPOINT, name="waypoint", listeners=HBONE, labels={"istio.io/rev": "canary"}), revision="canary"),
    _case("wp/custom-class", "agw-image", _gateway("my-waypoints", name="waypoint", listeners=HBONE),
          {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
           "metadata": {"name": "my-waypoints"}, "spec": {"controllerName": "istio.io/agentgateway-waypoint-controller"}}),
    _case("wp/overlays", "agw-image", _gateway(
        WAYPOINT, name="waypoint", ns="apps", listeners=HBONE,
        infrastructure={"parametersRef": {"group": "", "kind": "ConfigMap", "name": "wp-params"}}),
        _configmap("wp-params", "apps", {
            "deployment": {"spec": {"replicas": 2}},
            "podDisruptionBudget": {"spec": {"maxUnavailable": 1}}}),
        expect=BASIC + ["PodDisruptionBudget"]),
]


# -------------------------------------------------------------------------------------------- running

def _outcome(side: dict):
    """What is compared: the applied objects, or the template error (without the template's position and the
    expression text, which differ by construction)."""
    err = side.get("renderError") or side.get("reconcileError")
    if err:
        return {"error": err.rsplit(">: ", 1)[-1]}
    return side["applied"]


def differences(theirs, ours, path: str = "") -> list[str]:
    if isinstance(theirs, dict) and isinstance(ours, dict):
        out = []
        for key in sorted(set(theirs) | set(ours), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in ours:
                out.append(f"{sub}: only in Istio's: {json.dumps(theirs[key], sort_keys=True)[:300]}")
            elif key not in theirs:
                out.append(f"{sub}: only in ours: {json.dumps(ours[key], sort_keys=True)[:300]}")
            else:
                out += differences(theirs[key], ours[key], sub)
        return out
    if isinstance(theirs, list) and isinstance(ours, list) and len(theirs) == len(ours):
        out = []
        for i, (a, b) in enumerate(zip(theirs, ours)):
            label = f"{i}:{a['name']}" if isinstance(a, dict) and isinstance(a.get("name"), str) else str(i)
            out += differences(a, b, f"{path}[{label}]")
        return out
    if theirs != ours or type(theirs) is not type(ours):
        return [f"{path}: Istio's {json.dumps(theirs, sort_keys=True)[:300]} != ours "
                f"{json.dumps(ours, sort_keys=True)[:300]}"]
    return []


def run_cases(cases: list[dict], ours: dict[str, str]) -> dict[str, dict]:
    """Render `cases` through the controller with Istio's templates and with `ours`; {case name: sides}."""
    manifests = _manifests()
    binary = _build_renderer()
    injectors = {name: _istio_injector(spec, rev, manifests) for name, (spec, rev) in INSTALLS.items()
                 if any(c["install"] == name for c in cases)}
    payload_cases = []
    istio_templates = {}   # per install; Istio's template text is the same in every one (checked below)
    for c in cases:
        inj = injectors[c["install"]]
        istio_templates.setdefault(c["install"], {t: inj["templates"][t] for t in TEMPLATES})
        payload_cases.append({
            "name": c["name"], "values": inj["values"], "mesh": inj["mesh"],
            "revision": c.get("revision", ""), "clusterID": c.get("clusterID", ""),
            "copyLabelsAnnotations": c.get("copyLabelsAnnotations", True),
            "nativeSidecars": c.get("nativeSidecars", ""), "quic": c.get("quic", False),
            "objects": [json.dumps(o) for o in c["objects"]], "gateway": c["gateway"],
            "proxyConfigs": c.get("proxyConfigs", [])})
    texts = {json.dumps(t, sort_keys=True) for t in istio_templates.values()}
    assert len(texts) == 1, "Istio's agentgateway templates differ between installs"
    payload = {"sides": {"istio": next(iter(istio_templates.values())), "ours": ours}, "cases": payload_cases}
    proc = subprocess.run([str(binary)], input=json.dumps(payload), capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"{binary} failed:\n{proc.stderr[-6000:]}")
    return {c["name"]: c["sides"] for c in json.loads(proc.stdout)["cases"]}


def our_templates() -> dict[str, str]:
    return {t: (OUR_FILES / f"inject-{t}.yaml").read_text() for t in TEMPLATES}


@pytest.fixture(scope="module")
def results():
    return run_cases(CASES, our_templates())


def _kinds(outcome) -> list | str:
    if isinstance(outcome, dict):
        return "error"
    return [o.get("kind") for o in outcome]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_agentgateway_template_matches_istio(case, results):
    sides = results[case["name"]]
    theirs, ours = _outcome(sides["istio"]), _outcome(sides["ours"])
    # The case exercises what it claims on Istio's side (objects applied, overlays, or the template error).
    assert _kinds(theirs) == case["expect"], f"Istio's side: {json.dumps(theirs)[:2000]}"
    diff = differences(theirs, ours)
    assert not diff, f"{case['name']}: {len(diff)} differences:\n" + "\n".join(diff)


def test_case_count():
    for prefix in ("agw/", "wp/"):
        assert sum(c["name"].startswith(prefix) for c in CASES) >= 10


def test_comparison_can_fail():
    """The comparison sees a change in our template: a template with one env value altered differs."""
    ours = our_templates()
    broken = dict(ours)
    broken["agentgateway"] = ours["agentgateway"].replace('"RUST_BACKTRACE" "value" "1"',
                                                          '"RUST_BACKTRACE" "value" "full"')
    assert broken["agentgateway"] != ours["agentgateway"], "the probe edit no longer applies"
    case = next(c for c in CASES if c["name"] == "agw/basic")
    sides = run_cases([case], broken)[case["name"]]
    diff = differences(_outcome(sides["istio"]), _outcome(sides["ours"]))
    assert any("RUST_BACKTRACE" in d or "env" in d for d in diff), diff


# ------------------------------------------------------------------------------------- known differences
# Inputs where Istio's templates print a value into YAML unquoted or inside hand-made quotes, so that YAML reads it
# as something else. Istio's controller then sends an object the API server rejects (a number, boolean or null
# where Kubernetes wants a string), or fails to render at all; ours keep the value as the string it is. Each
# entry lists exactly the differences expected, so a change on either side shows.

def _owner_and_selector(name_as_istio_reads_it: str, name: str, extra: tuple[str, ...] = ()) -> list[str]:
    v, s = name_as_istio_reads_it, json.dumps(name)
    return [f"[2].metadata.ownerReferences[0].name: Istio's {v} != ours {s}",
            f"[2].spec.selector.matchLabels.gateway.networking.k8s.io/gateway-name: Istio's {v} != ours {s}",
            f"[3].metadata.ownerReferences[0].name: Istio's {v} != ours {s}",
            f"[3].spec.selector.gateway.networking.k8s.io/gateway-name: Istio's {v} != ours {s}",
            *(line.format(v=v, s=s) for line in extra)]


KNOWN_DIFFERENCES = [
    # A Gateway named like a YAML number/boolean/null: Istio's Deployment and Service get a non-string owner
    # name and selector value (rejected by the API server: the gateway is never deployed).
    (_case("known/gateway-name-number", "agw-image", _gateway(AGW, name="123")), _owner_and_selector("123", "123")),
    (_case("known/gateway-name-exponent", "agw-image", _gateway(AGW, name="1e3")),
     _owner_and_selector("1000", "1e3")),
    (_case("known/waypoint-name-boolean", "agw-image", _gateway(
        WAYPOINT, name="on", ns="apps", listeners=HBONE,
        infrastructure={"parametersRef": {"group": "", "kind": "ConfigMap", "name": "p"}}),
        _configmap("p", "apps", {"horizontalPodAutoscaler": {"spec": {"maxReplicas": 2}},
                                 "podDisruptionBudget": {"spec": {"minAvailable": 1}}}),
        expect=BASIC + ["HorizontalPodAutoscaler", "PodDisruptionBudget"]),
     _owner_and_selector("true", "on", ("[4].metadata.ownerReferences[0].name: Istio's {v} != ours {s}",
                                        "[5].metadata.ownerReferences[0].name: Istio's {v} != ours {s}"))),
    (_case("known/gateway-name-null", "agw-image", _gateway(AGW, name="null")), _owner_and_selector("null", "null")),
    # A Gateway without a uid (only in a fake cluster: the API server always sets one): Istio's Service owner
    # reference gets uid null, the other objects "".
    (_case("known/no-uid", "agw-image", {**_gateway(AGW), "metadata": {"name": "agw", "namespace": "default"}}),
     ["[3].metadata.ownerReferences[0:agw].uid: Istio's null != ours \"\""]),
]


@pytest.mark.parametrize("case,expected", KNOWN_DIFFERENCES, ids=[c["name"] for c, _ in KNOWN_DIFFERENCES])
def test_known_differences(case, expected):
    sides = run_cases([case], our_templates())[case["name"]]
    theirs, ours = _outcome(sides["istio"]), _outcome(sides["ours"])
    assert _kinds(theirs) == case["expect"]
    assert _kinds(ours) == case["expect"]
    assert differences(theirs, ours) == expected


def test_known_difference_proxy_metadata_quote():
    """A ProxyConfig environment variable holding a double quote: Istio's template writes it inside hand-made
    quotes, the YAML breaks and the controller renders nothing (it logs the error); ours sets the value."""
    case = _case("known/proxy-metadata-quote", "agw-image", _gateway(AGW), proxyConfigs=[
        {"namespace": "default", "name": "p", "spec": {"environmentVariables": {"QUOTED": 'say "hi"'}}}])
    sides = run_cases([case], our_templates())[case["name"]]
    theirs, ours = _outcome(sides["istio"]), _outcome(sides["ours"])
    assert isinstance(theirs, dict) and "converting YAML to JSON" in theirs["error"], theirs
    assert _kinds(ours) == BASIC
    env = ours[2]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "QUOTED", "value": 'say "hi"'} in env
