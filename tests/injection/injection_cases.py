"""The injection tier's corpus: workloads, IstioOperator inputs and istiod settings that exercise the branches of
the injection templates. Three kinds of case:

  * InjectCase: workloads through `istioctl kube-inject` (sidecar, gateway, grpc-simple, grpc-agent);
  * WebhookCase: pods through istiod's injection webhook (namespace- and node-dependent inputs);
  * GatewayCase: a Gateway through istiod's Gateway API deployment controller (waypoint, kube-gateway).

`iop` is an IstioOperator spec: values and mesh config reach both sides the way Istio's istiod chart renders
them. `values`/`mesh` patch the rendered values/mesh config afterwards, for inputs an IstioOperator cannot
express (null entries). `env` is istiod's environment (feature flags).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

# ------------------------------------------------------------------------------------------ workload builders

WEB = {"name": "web", "image": "example.com/web:1.0",
       "ports": [{"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9090}],
       "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
       "livenessProbe": {"httpGet": {"path": "/live", "port": "http"}, "periodSeconds": 5}}
SIDE = {"name": "side", "image": "example.com/side:2", "ports": [{"containerPort": 53, "protocol": "UDP"}]}


def _template(labels=None, annotations=None, containers=None, **spec) -> dict:
    meta = {"labels": {"app": "web", "version": "v1"} if labels is None else labels}
    if annotations:
        meta["annotations"] = annotations
    return {"metadata": meta, "spec": {"containers": copy.deepcopy(containers or [WEB]), **spec}}


def deployment(name="web", namespace="shop", kind="Deployment", api="apps/v1", **template) -> dict:
    return {"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": namespace},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": _template(**template)}}


def job(name="batch", namespace="jobs", **template) -> dict:
    t = _template(restartPolicy="Never", **template)
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": namespace},
            "spec": {"template": t}}


def cronjob(name="nightly", namespace="jobs", **template) -> dict:
    t = _template(restartPolicy="OnFailure", **template)
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name, "namespace": namespace},
            "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": t}}}}


def pod(name="web-5d4f8-x2x9z", namespace="shop", owner=("ReplicaSet", "web-5d4f8"), **template) -> dict:
    """A pod as a controller creates it: generateName, the controller as owner, a pod-template-hash label."""
    t = _template(**template)
    meta = dict(t["metadata"], name=name, namespace=namespace)
    if owner:
        kind, owner_name = owner
        meta["generateName"] = owner_name + "-"
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": kind, "name": owner_name, "uid": "0a1b",
                                    "controller": True}]
        meta["labels"] = dict(meta["labels"], **{"pod-template-hash": owner_name.rsplit("-", 1)[-1]})
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": t["spec"]}


# A Deployment as Istio's gateway Helm chart makes it: the proxy container to be filled in by injection.
GATEWAY_PROXY = {"name": "istio-proxy", "image": "auto",
                 "ports": [{"containerPort": 15090, "protocol": "TCP", "name": "http-envoy-prom"}],
                 "securityContext": {"capabilities": {"drop": ["ALL"]}, "allowPrivilegeEscalation": False,
                                     "privileged": False, "readOnlyRootFilesystem": True, "runAsUser": 1337,
                                     "runAsGroup": 1337, "runAsNonRoot": True},
                 "env": [{"name": "ISTIO_META_UNPRIVILEGED_POD", "value": "true"}],
                 "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                               "limits": {"cpu": "2", "memory": "1Gi"}}}


def gateway_deployment(name="ingress", namespace="ingress", annotations=None) -> dict:
    ann = {"inject.istio.io/templates": "gateway", "prometheus.io/scrape": "true",
           "prometheus.io/port": "15020", "prometheus.io/path": "/stats/prometheus", **(annotations or {})}
    return deployment(name=name, namespace=namespace, containers=[GATEWAY_PROXY],
                      labels={"app": name, "istio": "ingressgateway", "sidecar.istio.io/inject": "true"},
                      annotations=ann, serviceAccountName=name)


# ------------------------------------------------------------------------------------------------------ cases

@dataclass(frozen=True)
class InjectCase:
    id: str
    workloads: tuple
    iop: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)
    values: dict | None = None
    mesh: dict | None = None
    revision: str | None = None       # the IstioOperator's revision, and kube-inject's --revision


NATIVE = {"ENABLE_NATIVE_SIDECARS": "true"}
HOLD = '{"holdApplicationUntilProxyStarts": true}'
CNI = {"components": {"cni": {"enabled": True}}}
TRAFFIC = {"traffic.sidecar.istio.io/includeOutboundIPRanges": "10.0.0.0/8,172.16.0.0/12",
           "traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.96.0.1/32",
           "traffic.sidecar.istio.io/includeInboundPorts": "8080,9090",
           "traffic.sidecar.istio.io/excludeInboundPorts": "9090",
           "traffic.sidecar.istio.io/includeOutboundPorts": "5432",
           "traffic.sidecar.istio.io/excludeOutboundPorts": "6379,11211",
           "traffic.sidecar.istio.io/excludeInterfaces": "eth1",
           "traffic.sidecar.istio.io/kubevirtInterfaces": "net1"}
RESOURCES = {"sidecar.istio.io/proxyCPU": "250m", "sidecar.istio.io/proxyMemory": "256Mi",
             "sidecar.istio.io/proxyCPULimit": "1", "sidecar.istio.io/proxyMemoryLimit": "512Mi"}

INJECT_CASES = [
    # ---- workload kinds
    InjectCase("deployment", (deployment(containers=[WEB, SIDE]),)),
    InjectCase("pod-of-replicaset", (pod(),)),
    InjectCase("pod-without-owner", (pod(name="standalone", owner=None, labels={}),)),
    InjectCase("statefulset", (deployment(name="db", kind="StatefulSet"),)),
    InjectCase("daemonset", (deployment(name="agent", kind="DaemonSet"),)),
    InjectCase("job-and-cronjob", (job(), cronjob())),
    InjectCase("long-name-canonical-labels", (deployment(
        name="a-workload-whose-name-is-well-over-sixty-three-characters-long-indeed", labels={"team": "x"}),)),
    InjectCase("canonical-labels-from-k8s-labels", (deployment(
        labels={"app.kubernetes.io/name": "shop", "app.kubernetes.io/version": "2.1",
                "security.istio.io/tlsMode": "disabled"}),)),
    # ---- proxy resources
    InjectCase("resources-annotations", (deployment(annotations=RESOURCES),)),
    InjectCase("resources-cpu-request-only", (deployment(annotations={"sidecar.istio.io/proxyCPU": "50m"}),)),
    InjectCase("resources-values", (deployment(),),
               iop={"values": {"global": {"proxy": {"resources": {"requests": {"cpu": "20m", "memory": "64Mi"},
                                                                  "limits": {"memory": "256Mi"}}}}}}),
    InjectCase("resources-values-null-entries", (deployment(),),
               values={"global": {"proxy": {"resources": {"requests": {"cpu": None, "memory": "64Mi"},
                                                          "limits": {"cpu": "0", "memory": None}}}}}),
    # ---- interception
    InjectCase("tproxy-annotation", (deployment(annotations={"sidecar.istio.io/interceptionMode": "TPROXY"}),)),
    InjectCase("tproxy-meshconfig", (deployment(),),
               iop={"meshConfig": {"defaultConfig": {"interceptionMode": "TPROXY"}}}),
    InjectCase("interception-none", (deployment(annotations={"sidecar.istio.io/interceptionMode": "NONE"}),)),
    InjectCase("traffic-annotations", (deployment(annotations=dict(TRAFFIC, **{
        "istio.io/reroute-virtual-interfaces": "net2", "status.sidecar.istio.io/port": "15030"})),)),
    InjectCase("traffic-values", (deployment(),), iop={"values": {"global": {"proxy": {
        "includeIPRanges": "10.0.0.0/8", "excludeIPRanges": "10.1.0.0/16", "includeInboundPorts": "8080",
        "excludeInboundPorts": "9000,9001", "includeOutboundPorts": "443", "excludeOutboundPorts": "25"}}}}),
    InjectCase("traffic-empty-annotations", (deployment(annotations={
        "traffic.sidecar.istio.io/includeOutboundIPRanges": "", "traffic.sidecar.istio.io/includeInboundPorts": "",
        "traffic.sidecar.istio.io/excludeOutboundPorts": "", "traffic.sidecar.istio.io/excludeInterfaces": "",
        "sidecar.istio.io/bootstrapOverride": "", "sidecar.istio.io/proxyImage": ""}),)),
    InjectCase("dns-capture-proxy-metadata", (deployment(),), iop={"meshConfig": {"defaultConfig": {
        "proxyMetadata": {"ISTIO_META_DNS_CAPTURE": "true", "ISTIO_META_DNS_AUTO_ALLOCATE": "true"}}}}),
    # ---- start-up order and native sidecars
    InjectCase("hold-annotation", (deployment(annotations={"proxy.istio.io/config": HOLD}),)),
    InjectCase("hold-meshconfig", (deployment(),),
               iop={"meshConfig": {"defaultConfig": {"holdApplicationUntilProxyStarts": True}}}),
    InjectCase("hold-values-and-lifecycle", (deployment(),), iop={"values": {"global": {"proxy": {
        "holdApplicationUntilProxyStarts": True}}}}),
    InjectCase("lifecycle-values", (deployment(),), iop={"values": {"global": {"proxy": {
        "lifecycle": {"preStop": {"exec": {"command": ["sleep", "10"]}}}}}}}),
    InjectCase("native-sidecars-env", (deployment(containers=[WEB, SIDE]), job()), env=NATIVE),
    InjectCase("native-sidecar-annotation", (deployment(annotations={"sidecar.istio.io/nativeSidecar": "true"}),
                                            deployment(name="other", annotations={
                                                "sidecar.istio.io/nativeSidecar": "yes",
                                                "proxy.istio.io/config": HOLD}))),
    InjectCase("native-sidecar-opt-out", (deployment(annotations={"sidecar.istio.io/nativeSidecar": "false"}),),
               env=NATIVE),
    InjectCase("native-with-init-containers", (deployment(initContainers=[{"name": "setup", "image": "busybox"}]),),
               env=NATIVE),
    # ---- proxy settings
    InjectCase("proxy-config-annotation", (deployment(annotations={"proxy.istio.io/config": (
        '{"concurrency": 2, "proxyMetadata": {"EXTRA": "1"}, "image": {"imageType": "debug"}, '
        '"terminationDrainDuration": "20s"}')}),)),
    InjectCase("proxy-image-annotations", (deployment(annotations={"sidecar.istio.io/proxyImage": "mirror.io/proxy:1"}),
                                          deployment(name="typed", annotations={
                                              "sidecar.istio.io/proxyImageType": "distroless"}),
                                          deployment(name="no-registry", annotations={
                                              "sidecar.istio.io/proxyImage": "proxyv2:1.2"}),
                                          deployment(name="gw-image", annotations={
                                              "inject.istio.io/templates": "gateway",
                                              "sidecar.istio.io/proxyImage": "mirror.io/proxy:1"}))),
    InjectCase("workload-name-label", (deployment(labels={"app": "web", "service.istio.io/workload-name": "shop-web"}),
                                      deployment(name="agent", labels={"service.istio.io/workload-name": "agent-x"},
                                                 annotations={"inject.istio.io/templates": "grpc-agent"}))),
    InjectCase("proxy-image-values", (deployment(),), iop={"values": {"global": {
        "hub": "mirror.example.com/istio", "tag": "1.2.3", "variant": "debug", "proxy": {"image": "custom-proxy"},
        "proxy_init": {"image": "custom-init"}}}}),
    InjectCase("status-port-and-readiness", (deployment(annotations={
        "status.sidecar.istio.io/port": "15030", "readiness.status.sidecar.istio.io/initialDelaySeconds": "5",
        "readiness.status.sidecar.istio.io/periodSeconds": "7",
        "readiness.status.sidecar.istio.io/failureThreshold": "9"}),)),
    InjectCase("status-port-zero", (deployment(),), iop={"values": {"global": {"proxy": {
        "statusPort": 0, "startupProbe": {"enabled": False}}}}}),
    InjectCase("probe-rewrite-off", (deployment(annotations={"sidecar.istio.io/rewriteAppHTTPProbers": "false"}),
                                    deployment(name="tcp", containers=[dict(WEB, readinessProbe={
                                        "tcpSocket": {"port": 8080}}, livenessProbe={"grpc": {"port": 9090}})])),
               iop={"values": {"sidecarInjectorWebhook": {"rewriteAppHTTPProbe": False}}}),
    InjectCase("log-levels", (deployment(annotations={
        "sidecar.istio.io/logLevel": "debug", "sidecar.istio.io/componentLogLevel": "upstream:debug",
        "sidecar.istio.io/agentLogLevel": "default:debug"}),),
               iop={"values": {"global": {"logAsJson": True, "logging": {"level": "all:warn"}}}}),
    InjectCase("volumes-and-bootstrap", (deployment(annotations={
        "sidecar.istio.io/userVolume": '{"extra": {"configMap": {"name": "extra-cm"}}}',
        "sidecar.istio.io/userVolumeMount": '{"extra": {"mountPath": "/etc/extra", "readOnly": true}}',
        "sidecar.istio.io/bootstrapOverride": "custom-bootstrap"}),)),
    InjectCase("security-values", (deployment(),), iop={"values": {"global": {"proxy": {
        "privileged": True, "seccompProfile": {"type": "RuntimeDefault"}}}}},
               values={"global": {"proxy": {"capNetBindService": True}}}),
    InjectCase("certificates-values", (deployment(serviceAccountName="shop-sa"),), iop={"values": {"global": {
        "caName": "GkeWorkloadCertificate", "mountMtlsCerts": True, "trustBundleName": "my-trust-bundle",
        "caAddress": "ca.example.com:443", "sds": {"token": {"aud": "x"}}}}},
               values={"global": {"pilotCertProvider": "kubernetes"}}),
    InjectCase("multicluster-values", (deployment(labels={"app": "web", "topology.istio.io/network": "net-b"}),),
               iop={"values": {"global": {"network": "net-a", "meshID": "mesh1",
                                         "multiCluster": {"clusterName": "cluster-a"}}}}),
    InjectCase("pull-secrets-and-policy", (deployment(),), iop={"values": {"global": {
        "imagePullPolicy": "Always", "imagePullSecrets": ["regcred", "mirror-cred"]}}}),
    InjectCase("init-values", (deployment(),), iop={"values": {"global": {
        "nativeNftables": True, "sts": {"servicePort": 15443},
        "proxy": {"outlierLogPath": "/dev/stdout", "clusterDomain": "corp.local"}}}},
               values={"global": {"proxy_init": {"forceApplyIptables": True}}}),
    InjectCase("mesh-inputs", (deployment(),), iop={"meshConfig": {
        "trustDomain": "corp.example", "inboundTrafficPolicy": {"mode": "LOCALHOST"},
        "extensionProviders": [{"name": "otel", "opentelemetry": {
            "service": "otel.observability.svc.cluster.local", "port": 4317,
            "serviceAttributeEnrichment": "OTEL_SEMANTIC_CONVENTIONS"}}],
        "defaultConfig": {"proxyMetadata": {"ENVOY_SECURE_MERGED_METRICS_PORT": "15091"}}}}),
    InjectCase("fips-compliance", (deployment(), gateway_deployment()), env={"COMPLIANCE_POLICY": "fips-140-3"}),
    InjectCase("custom-ports", (deployment(containers=[
        dict(WEB, ports=[{"name": "http", "containerPort": 8080}, {"containerPort": 8443, "hostPort": 443},
                         {"name": "dns", "containerPort": 53, "protocol": "UDP"},
                         {"containerPort": 7000, "protocol": "SCTP"}]),
        {"name": "no-ports", "image": "busybox"}]),)),
    InjectCase("proxy-container-override", (deployment(containers=[WEB, {
        "name": "istio-proxy", "image": "auto", "ports": [{"containerPort": 15099, "name": "extra"}],
        "resources": {"limits": {"cpu": "3"}}, "securityContext": {"runAsUser": 1500, "runAsGroup": 1500},
        "args": ["proxy", "sidecar", "--concurrency", "4"]}]),)),
    # ---- templates
    InjectCase("grpc-agent", (deployment(annotations={"inject.istio.io/templates": "grpc-agent"},
                                         containers=[WEB, SIDE]),
                              deployment(name="quiet", annotations={
                                  "inject.istio.io/templates": "grpc-agent", "status.sidecar.istio.io/port": "0",
                                  "sidecar.istio.io/userVolumeMount": '{"extra": {"mountPath": "/x"}}'}))),
    InjectCase("grpc-simple", (deployment(annotations={"inject.istio.io/templates": "grpc-simple"},
                                          containers=[WEB, SIDE]),),
               iop={"values": {"global": {"istioNamespace": "istio-control"}}}),
    InjectCase("gateway-template", (gateway_deployment(),
                                    deployment(name="plain-gw", annotations={"inject.istio.io/templates": "gateway"}))),
    InjectCase("gateway-template-values", (gateway_deployment(annotations={
        "sidecar.istio.io/logLevel": "debug", "sidecar.istio.io/bootstrapOverride": "gw-bootstrap"}),),
               iop={"values": {"gateways": {"securityContext": {"runAsNonRoot": True}},
                               "global": {"proxy": {"lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}}},
                                          "imagePullSecrets": ["regcred"]}}}),
    InjectCase("templates-list", (deployment(annotations={"inject.istio.io/templates": "sidecar,grpc-agent"}),)),
    # ---- installations
    InjectCase("cni", (deployment(annotations=TRAFFIC),), iop=CNI),
    InjectCase("cni-tproxy-native", (deployment(annotations={"sidecar.istio.io/interceptionMode": "TPROXY"}),),
               iop=CNI, env=NATIVE),
    InjectCase("cni-multus", (deployment(annotations={"k8s.v1.cni.cncf.io/networks": "macvlan-conf"}),
                              deployment(name="json-nets", annotations={
                                  "k8s.v1.cni.cncf.io/networks": '[{"name": "macvlan-conf"}]'})),
               iop={"components": {"cni": {"enabled": True}}, "values": {"cni": {"provider": "multus"}}}),
    InjectCase("openshift", (deployment(),), iop={"values": {"global": {"platform": "openshift"}},
                                                  "components": {"cni": {"enabled": True}}}),
    InjectCase("ambient-profile", (deployment(), gateway_deployment()), iop={"profile": "ambient"}),
    InjectCase("revision-canary", (deployment(),), iop={"revision": "canary"}, revision="canary"),
    InjectCase("compatibility-profile", (deployment(),), iop={"compatibilityVersion": "1.25"}),
]


@dataclass(frozen=True)
class WebhookCase:
    id: str
    pods: tuple
    objects: tuple = ()
    iop: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)
    path: str | None = None
    revision: str | None = None


def namespace(name="shop", openshift=False, labels=None) -> dict:
    meta = {"name": name}
    if openshift:
        meta["annotations"] = {"openshift.io/sa.scc.uid-range": "1000620000/10000",
                               "openshift.io/sa.scc.supplemental-groups": "1000620000/10000"}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def node(minor: int) -> dict:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-1-{minor}"},
            "status": {"nodeInfo": {"kubeletVersion": f"v1.{minor}.2"}}}


def _pods(*annotation_sets) -> tuple:
    return tuple(pod(name=f"web-5d4f8-p{i}", annotations=a) for i, a in enumerate(annotation_sets))


EVERY_TEMPLATE = _pods(None, {"sidecar.istio.io/interceptionMode": "TPROXY"},
                       {"inject.istio.io/templates": "gateway"}, {"inject.istio.io/templates": "grpc-agent"},
                       {"inject.istio.io/templates": "grpc-simple"},
                       {"sidecar.istio.io/interceptionMode": "NONE"})
OPENSHIFT = {"PLATFORM": "openshift"}

WEBHOOK_CASES = [
    WebhookCase("openshift-namespace-ids", EVERY_TEMPLATE, (namespace(openshift=True), node(32)),
                iop={"values": {"global": {"platform": "openshift"}}}, env=OPENSHIFT),
    WebhookCase("openshift-namespace-ids-cni", EVERY_TEMPLATE, (namespace(openshift=True), node(32)),
                iop={"values": {"global": {"platform": "openshift"}}, "components": {"cni": {"enabled": True}}},
                env=OPENSHIFT),
    WebhookCase("openshift-proxy-user-override", (pod(containers=[
        dict(WEB, securityContext={"runAsUser": 1000620001}),
        {"name": "istio-proxy", "image": "auto", "securityContext": {"runAsUser": 1000620001}}]),),
                (namespace(openshift=True), node(32)), iop=CNI, env=OPENSHIFT),
    WebhookCase("native-sidecars-from-node-versions", EVERY_TEMPLATE, (namespace(), node(33), node(34))),
    WebhookCase("old-nodes-no-native-sidecars", EVERY_TEMPLATE, (namespace(), node(33), node(30))),
    WebhookCase("cluster-and-network-from-webhook-url", EVERY_TEMPLATE, (namespace(), node(31)),
                path="/inject/cluster/cluster-b/net/network-b"),
    WebhookCase("istiod-revision", _pods(None, {"proxy.istio.io/config": '{"holdApplicationUntilProxyStarts": true}'}),
                (namespace(), node(31)), iop={"revision": "canary"}, revision="canary"),
    WebhookCase("pod-without-name", (pod(name="", owner=None), pod(name="", owner=None, labels={
        "service.istio.io/workload-name": "named"})), (namespace(), node(31))),
]


@dataclass(frozen=True)
class GatewayCase:
    id: str
    objects: tuple
    gateway: tuple = ("shop", "gw")
    iop: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)
    values: dict | None = None
    revision: str | None = None
    cluster_id: str | None = None     # istiod's cluster id (default Kubernetes)
    kube_minor: int | None = None     # the cluster's Kubernetes 1.<minor> (default 32)


AMBIENT = {"PILOT_ENABLE_AMBIENT": "true"}
HBONE = [{"name": "mesh", "port": 15008, "protocol": "HBONE"}]
WEB_LISTENERS = [{"name": "http", "port": 80, "protocol": "HTTP"},
                 {"name": "https", "port": 443, "protocol": "HTTPS",
                  "tls": {"mode": "Terminate", "certificateRefs": [{"name": "shop-cert"}]}}]


def gateway(name="gw", namespace="shop", cls="istio", listeners=None, labels=None, annotations=None,
            infrastructure=None, addresses=None) -> dict:
    meta = {"name": name, "namespace": namespace, "uid": "4c1e-77a0"}
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    spec = {"gatewayClassName": cls, "listeners": listeners or (HBONE if cls != "istio" else WEB_LISTENERS)}
    if infrastructure:
        spec["infrastructure"] = infrastructure
    if addresses:
        spec["addresses"] = addresses
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": meta, "spec": spec}


def config_map(name, namespace, data, labels=None) -> dict:
    meta = {"name": name, "namespace": namespace}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


OVERLAYS = {
    "deployment": "spec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: istio-proxy\n"
                  "        resources:\n          requests:\n            cpu: 500m\n",
    "service": "metadata:\n  annotations:\n    cloud.example.com/lb: internal\n",
    "horizontalPodAutoscaler": "spec:\n  minReplicas: 2\n  maxReplicas: 6\n",
    "podDisruptionBudget": "spec:\n  minAvailable: 1\n",
}
PARAMS_REF = {"parametersRef": {"group": "", "kind": "ConfigMap", "name": "gw-options"}}

GATEWAY_CASES = [
    GatewayCase("kube-gateway", (namespace(), gateway())),
    GatewayCase("kube-gateway-ambient-copied-metadata", (namespace(), gateway(
        labels={"team": "shop", "topology.istio.io/network": "net-b"},
        annotations={"owner": "shop-team", "kubectl.kubernetes.io/last-applied-configuration": "{}",
                     "sidecar.istio.io/logLevel": "debug"})), iop={"profile": "ambient"}, env=AMBIENT),
    GatewayCase("kube-gateway-infrastructure-and-overlays", (
        namespace(), config_map("gw-options", "shop", OVERLAYS),
        gateway(infrastructure=dict(PARAMS_REF, labels={"cost-center": "42"}, annotations={"note": "x"})))),
    GatewayCase("kube-gateway-partial-overlays", (
        namespace(), config_map("gw-options", "shop", {"horizontalPodAutoscaler": "spec:\n  maxReplicas: 4\n",
                                                      "podDisruptionBudget": "spec:\n  maxUnavailable: 1\n"}),
        gateway(infrastructure=PARAMS_REF))),
    GatewayCase("kube-gateway-class-defaults", (
        namespace(), config_map("istio-defaults", "istio-system", {"service": OVERLAYS["service"]},
                                labels={"gateway.istio.io/defaults-for-class": "istio"}),
        gateway())),
    GatewayCase("kube-gateway-address-and-names", (namespace(), gateway(
        addresses=[{"type": "IPAddress", "value": "192.0.2.10"}],
        annotations={"gateway.istio.io/name-override": "shop-edge", "gateway.istio.io/service-account": "edge-sa",
                     "sidecar.istio.io/proxyImage": "mirror.io/proxy:1"})),),
    GatewayCase("kube-gateway-cluster-id", (namespace(), gateway()), cluster_id="cluster-z"),
    GatewayCase("kube-gateway-kubernetes-1.27", (namespace(), gateway()), kube_minor=27),
    GatewayCase("waypoint-kubernetes-1.27", (namespace(), gateway(name="waypoint", cls="istio-waypoint")),
                gateway=("shop", "waypoint"), iop={"profile": "ambient"}, env=AMBIENT, kube_minor=27),
    GatewayCase("custom-gateway-class", (namespace(), {
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": {"name": "edge"},
        "spec": {"controllerName": "istio.io/gateway-controller"}}, gateway(cls="edge"))),
    GatewayCase("waypoint-cluster-id", (namespace(), gateway(name="waypoint", cls="istio-waypoint")),
                gateway=("shop", "waypoint"), iop={"profile": "ambient"}, env=AMBIENT, cluster_id="cluster-z"),
    GatewayCase("gateway-proxy-images", (namespace(), gateway(annotations={"sidecar.istio.io/proxyImage": "proxyv2:1"}),
                                         gateway(name="wp", cls="istio-waypoint", annotations={
                                             "sidecar.istio.io/proxyImageType": "debug"})),
                iop={"profile": "ambient", "values": {"global": {"proxy": {"image": "mirror.io/istio/proxyv2:1.0"}}}},
                env=AMBIENT),
    GatewayCase("kube-gateway-node-port", (namespace(), gateway(
        annotations={"networking.istio.io/service-type": "NodePort"},
        addresses=[{"value": "192.0.2.11"}])),),
    GatewayCase("kube-gateway-values", (namespace(), gateway(labels={"topology.istio.io/network": "net-b"})),
                values={"global": {"pilotCertProvider": "kubernetes"}}, iop={"values": {"global": {
                    "network": "net-a", "meshID": "mesh1", "multiCluster": {"clusterName": "cluster-a"},
                    "logAsJson": True, "sts": {"servicePort": 15443}, "imagePullPolicy": "Always",
                    "imagePullSecrets": ["regcred"], "caName": "GkeWorkloadCertificate", "proxy": {
                        "resources": {"requests": {"cpu": "1"}},
                        "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}}}}}}),
    GatewayCase("kube-gateway-openshift", (namespace(openshift=True), gateway()),
                iop={"values": {"global": {"platform": "openshift"}, "gateways": {
                    "seccompProfile": {"type": "RuntimeDefault"}}}}),
    GatewayCase("kube-gateway-pod-security", (namespace(), gateway()),
                iop={"values": {"gateways": {"securityContext": {"runAsNonRoot": True, "fsGroup": 1337},
                                             "seccompProfile": {"type": "RuntimeDefault"}}}}),
    GatewayCase("kube-gateway-quic", (namespace(), gateway()), env={"PILOT_ENABLE_QUIC_LISTENERS": "true"}),
    GatewayCase("kube-gateway-mesh-config", (namespace(), gateway()), iop={"meshConfig": {
        "trustDomain": "corp.example", "defaultConfig": {"interceptionMode": "TPROXY", "image": {"imageType": "debug"},
                                                         "proxyMetadata": {"EXTRA": "1"}}}}),
    GatewayCase("waypoint", (namespace(), gateway(name="waypoint", cls="istio-waypoint",
                                                  labels={"istio.io/waypoint-for": "service"})),
                gateway=("shop", "waypoint"), iop={"profile": "ambient"}, env=AMBIENT),
    # global.waypoint's nodeSelector/tolerations are Helm values an IstioOperator cannot carry: set afterwards.
    GatewayCase("waypoint-values", (namespace(), gateway(name="waypoint", cls="istio-waypoint")),
                gateway=("shop", "waypoint"), env=AMBIENT, iop={"profile": "ambient", "values": {"global": {
                    "waypoint": {"resources": {"requests": {"cpu": "200m"}, "limits": {"memory": "512Mi"}},
                                 "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                                     "nodeSelectorTerms": [{"matchExpressions": [
                                         {"key": "pool", "operator": "In", "values": ["mesh"]}]}]}}},
                                 "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone",
                                                                "whenUnsatisfiable": "ScheduleAnyway"}]},
                    "logAsJson": True, "proxy": {"outlierLogPath": "/dev/stdout", "logLevel": "info"},
                    "network": "net-a", "sds": {"token": {"aud": "other"}}}}},
                values={"global": {"pilotCertProvider": "kubernetes", "waypoint": {
                    "nodeSelector": {"pool": "mesh"},
                    "tolerations": [{"key": "mesh", "operator": "Exists", "effect": "NoSchedule"}]}}}),
    GatewayCase("waypoint-openshift-and-overlays", (
        namespace(openshift=True), config_map("gw-options", "shop", OVERLAYS),
        gateway(name="waypoint", cls="istio-waypoint", infrastructure=PARAMS_REF,
                labels={"topology.istio.io/network": "net-b"}, annotations={"team": "shop"})),
                gateway=("shop", "waypoint"), env=AMBIENT,
                iop={"profile": "ambient", "values": {"global": {"platform": "openshift"},
                                                      "gateways": {"seccompProfile": {"type": "RuntimeDefault"}}}}),
    GatewayCase("waypoint-null-resources", (namespace(), gateway(name="waypoint", cls="istio-waypoint")),
                gateway=("shop", "waypoint"), env=AMBIENT, iop={"profile": "ambient"},
                values={"global": {"waypoint": {"resources": {"requests": None, "limits": {"cpu": "1"}}}}}),
    GatewayCase("east-west-gateway", (namespace(), gateway(
        name="eastwest", cls="istio-east-west", labels={"topology.istio.io/network": "net-b"},
        listeners=[{"name": "mesh", "port": 15008, "protocol": "HBONE", "tls": {"mode": "Terminate"}}],
        addresses=[{"value": "192.0.2.20"}])),
                gateway=("shop", "eastwest"), iop={"profile": "ambient"},
                env=dict(AMBIENT, AMBIENT_ENABLE_MULTI_NETWORK="true")),
    GatewayCase("waypoint-revision", (namespace(), gateway(name="waypoint", cls="istio-waypoint",
                                                           labels={"istio.io/rev": "canary"})),
                gateway=("shop", "waypoint"), iop={"profile": "ambient", "revision": "canary"}, env=AMBIENT,
                revision="canary"),
]
