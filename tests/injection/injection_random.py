"""Seeded random combinations for the injection tier: many pod annotations/labels, values, mesh settings and
istiod flags at once, to catch interactions the hand-written corpus (injection_cases.py) does not name. The
same seed always gives the same cases, so a failure is reproducible by its id."""
from __future__ import annotations

import random

from injection_cases import deployment, namespace, gateway, config_map, OVERLAYS, node
from injection_harness import deep_merge

POD_ANNOTATIONS = {
    "sidecar.istio.io/nativeSidecar": ["true", "false", "True", ""],
    "sidecar.istio.io/interceptionMode": ["REDIRECT", "TPROXY", "NONE"],
    "status.sidecar.istio.io/port": ["0", "15030", "15020"],
    "readiness.status.sidecar.istio.io/initialDelaySeconds": ["0", "7"],
    "readiness.status.sidecar.istio.io/periodSeconds": ["9"],
    "readiness.status.sidecar.istio.io/failureThreshold": ["11"],
    "traffic.sidecar.istio.io/includeOutboundIPRanges": ["10.0.0.0/8", "*", ""],
    "traffic.sidecar.istio.io/excludeOutboundIPRanges": ["10.1.0.0/16", ""],
    "traffic.sidecar.istio.io/includeInboundPorts": ["8080", "*", ""],
    "traffic.sidecar.istio.io/excludeInboundPorts": ["9000", "15020", "9000,15030", "9000,"],
    "traffic.sidecar.istio.io/excludeInterfaces": ["eth1", ""],
    "traffic.sidecar.istio.io/includeOutboundPorts": ["5555", ""],
    "traffic.sidecar.istio.io/excludeOutboundPorts": ["6666,7777", ""],
    "traffic.sidecar.istio.io/kubevirtInterfaces": ["net1", ""],
    "istio.io/reroute-virtual-interfaces": ["net2", ""],
    "sidecar.istio.io/proxyCPU": ["300m"], "sidecar.istio.io/proxyCPULimit": ["1", "0"],
    "sidecar.istio.io/proxyMemory": ["200Mi"], "sidecar.istio.io/proxyMemoryLimit": ["2Gi"],
    "sidecar.istio.io/proxyImage": ["mirror.io/proxy:1", "", "proxyv2:1"],
    "sidecar.istio.io/proxyImageType": ["debug", "distroless", "default"],
    "sidecar.istio.io/logLevel": ["debug", ""], "sidecar.istio.io/componentLogLevel": ["misc:debug"],
    "sidecar.istio.io/agentLogLevel": ["default:debug", ""],
    "sidecar.istio.io/userVolume": ['{"v1":{"emptyDir":{}},"a0":{"secret":{"secretName":"s"}}}'],
    "sidecar.istio.io/userVolumeMount": ['{"v1":{"mountPath":"/v1","readOnly":true},"a0":{"mountPath":"/a0"}}'],
    "sidecar.istio.io/bootstrapOverride": ["my-bootstrap", ""],
    "proxy.istio.io/config": ['{"holdApplicationUntilProxyStarts": true}', '{"holdApplicationUntilProxyStarts": false}',
                              '{"interceptionMode":"TPROXY"}', '{"proxyMetadata":{"X":"y"}}',
                              '{"image":{"imageType":"debug"}}', '{"concurrency":2,"statusPort":15031}',
                              '{"proxyMetadata":{"ISTIO_META_ENABLE_HBONE":"true"}}'],
    "k8s.v1.cni.cncf.io/networks": ["foo, bar", '[{"name":"foo"}]'],
    "kubectl.kubernetes.io/default-container": ["zzz"],
    "kubectl.kubernetes.io/default-logs-container": ["yyy"],
    "sidecar.istio.io/rewriteAppHTTPProbers": ["false", "true"],
    "prometheus.io/scrape": ["true", "false"], "prometheus.io/port": ["9999"],
    "prometheus.istio.io/merge-metrics": ["false"],
    "istio.io/rev": ["canary"],
}
POD_LABELS = {"app": ["web", ""], "version": ["v1", ""], "app.kubernetes.io/name": ["nm", ""],
              "app.kubernetes.io/version": ["v9"], "service.istio.io/canonical-name": ["cn", ""],
              "service.istio.io/canonical-revision": ["cr", ""], "security.istio.io/tlsMode": ["disabled", ""],
              "topology.istio.io/network": ["net-l"], "istio.io/dataplane-mode": ["none"],
              "networking.istio.io/tunnel": ["other"], "service.istio.io/workload-name": ["wl", ""]}
VALUES = [
    {"pilot": {"cni": {"enabled": True}}}, {"pilot": {"cni": {"enabled": True, "provider": "multus"}}},
    {"global": {"platform": "openshift"}}, {"global": {"proxy": {"holdApplicationUntilProxyStarts": True}}},
    {"global": {"proxy": {"lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}}}}},
    {"global": {"proxy": {"privileged": True}}}, {"global": {"proxy": {"capNetBindService": True}}},
    {"global": {"proxy": {"seccompProfile": {"type": "RuntimeDefault"}}}},
    {"global": {"proxy": {"startupProbe": {"enabled": False}}}}, {"global": {"proxy": {"statusPort": 0}}},
    {"global": {"proxy": {"clusterDomain": "example.org", "outlierLogPath": "/dev/stdout"}}},
    {"global": {"variant": "distroless"}}, {"global": {"proxy": {"image": "docker.io/x/proxy:1"}}},
    {"global": {"proxy_init": {"image": "docker.io/x/init:2", "forceApplyIptables": True}}},
    {"global": {"proxy": {"resources": None}}},
    {"global": {"proxy": {"resources": {"requests": {"cpu": None, "memory": "1Gi"}, "limits": {"cpu": "0"}}}}},
    {"global": {"proxy": {"excludeInboundPorts": "1,2", "includeInboundPorts": "8080",
                          "includeIPRanges": "10.0.0.0/8", "excludeIPRanges": "10.9.0.0/16",
                          "includeOutboundPorts": "7", "excludeOutboundPorts": "8"}}},
    {"global": {"proxy": {"includeIPRanges": "", "includeInboundPorts": ""}}},
    {"global": {"logAsJson": True, "logging": {"level": "all:debug"}}},
    {"global": {"imagePullPolicy": "Always", "imagePullSecrets": ["s1", "s2"]}},
    {"global": {"network": "n1"}}, {"global": {"multiCluster": {"clusterName": "c1"}, "meshID": "m1"}},
    {"global": {"pilotCertProvider": "kubernetes"}}, {"global": {"caAddress": "ca:1", "istioNamespace": "other"}},
    {"global": {"caName": "GkeWorkloadCertificate"}}, {"global": {"sds": {"token": {"aud": "foo"}}}},
    {"global": {"sts": {"servicePort": 1234}, "mountMtlsCerts": True, "trustBundleName": "tb"}},
    {"global": {"nativeNftables": True}}, {"revision": "canary"},
    {"sidecarInjectorWebhook": {"rewriteAppHTTPProbe": False}},
    {"global": {"proxy": {"readinessInitialDelaySeconds": 3, "readinessPeriodSeconds": 4,
                          "readinessFailureThreshold": 5}}},
    {"gateways": {"securityContext": {"runAsUser": 5}, "seccompProfile": {"type": "RuntimeDefault"}}},
]
MESH = [
    {"defaultConfig": {"proxyMetadata": {"FOO": "bar", "ISTIO_META_DNS_CAPTURE": "true"}}},
    {"defaultConfig": {"holdApplicationUntilProxyStarts": True}}, {"defaultConfig": {"interceptionMode": "TPROXY"}},
    {"defaultConfig": {"interceptionMode": "NONE"}}, {"defaultConfig": {"statusPort": 15030}},
    {"defaultConfig": {"image": {"imageType": "debug"}}}, {"defaultConfig": {"concurrency": 2, "drainDuration": "23s"}},
    {"defaultConfig": {"proxyMetadata": {"ENVOY_SECURE_MERGED_METRICS_PORT": "15099"}}},
    {"defaultConfig": {"proxyMetadata": {"ISTIO_META_ENABLE_HBONE": "true"}}},
    {"trustDomain": "td.example"}, {"inboundTrafficPolicy": {"mode": "LOCALHOST"}}, {"enablePrometheusMerge": False},
    {"extensionProviders": [{"name": "otel", "opentelemetry": {
        "service": "o.svc", "port": 4317, "serviceAttributeEnrichment": "OTEL_SEMANTIC_CONVENTIONS"}}]},
]
PROBES = [{"readinessProbe": {"httpGet": {"path": "/r", "port": 8080}}},
          {"livenessProbe": {"httpGet": {"path": "/l", "port": "http"}}},
          {"startupProbe": {"tcpSocket": {"port": 8080}}}, {"readinessProbe": {"grpc": {"port": 9000}}}]
KINDS = ["Deployment", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]


def _containers(rng: random.Random, template: str | None) -> list[dict]:
    containers = []
    for i in range(rng.choice([1, 1, 2, 3])):
        c = {"name": ["web", "side", "third"][i], "image": f"example.com/img{i}"}
        if rng.random() < 0.8:
            c["ports"] = [{"containerPort": 8080 + i, "name": "http" if i == 0 else f"p{i}"}]
            if rng.random() < 0.3:
                c["ports"].append({"containerPort": 53, "protocol": "UDP"})
        if rng.random() < 0.4:
            c.update(rng.choice(PROBES))
        containers.append(c)
    if template == "gateway" and rng.random() < 0.5:
        from injection_cases import GATEWAY_PROXY
        containers.insert(0, dict(GATEWAY_PROXY))
    elif rng.random() < 0.12:
        containers.append(rng.choice([
            {"name": "istio-proxy", "image": "auto", "resources": {"limits": {"cpu": "3"}},
             "ports": [{"containerPort": 15090, "name": "http-envoy-prom"}]},
            {"name": "istio-proxy", "image": "auto", "securityContext": {"runAsUser": 1234, "runAsGroup": 1234}}]))
    return containers


def _pick(rng: random.Random, pool: dict, at_most: int) -> dict:
    out = {}
    for key in rng.sample(list(pool), rng.randint(0, at_most)):
        value = rng.choice(pool[key])
        if value is not None:
            out[key] = value
    return out


def _patches(rng: random.Random, pool: list, at_most: int) -> dict:
    out = {}
    for patch in rng.sample(pool, rng.randint(0, at_most)):
        out = deep_merge(out, patch)
    return out


def inject_case(rng: random.Random, template: str | None) -> dict:
    """One random kube-inject input: workload, values patch, mesh patch, istiod environment."""
    annotations = _pick(rng, POD_ANNOTATIONS, 6)
    if template:
        annotations["inject.istio.io/templates"] = template
    spec = {}
    if rng.random() < 0.3:
        spec["serviceAccountName"] = "sa-1"
    if rng.random() < 0.2:
        spec["initContainers"] = [{"name": "setup", "image": "busybox"}]
    if rng.random() < 0.15:
        spec["volumes"] = [rng.choice([{"name": "workload-socket", "emptyDir": {"medium": "Memory"}},
                                       {"name": "credential-socket", "csi": {"driver": "x"}}])]
    name = rng.choice(["web", "a-very-long-workload-name-that-goes-on-and-on-and-on-for-more-than-63-chars"])
    workload = deployment(name=name, kind=rng.choice(KINDS), labels=_pick(rng, POD_LABELS, 4),
                          annotations=annotations, containers=_containers(rng, template), **spec)
    env = {}
    if rng.random() < 0.35:
        env["ENABLE_NATIVE_SIDECARS"] = "true"
    if rng.random() < 0.1:
        env["COMPLIANCE_POLICY"] = "fips-140-3"
    return {"workload": workload, "values": _patches(rng, VALUES, 4), "mesh": _patches(rng, MESH, 2), "env": env}


def webhook_case(rng: random.Random) -> dict:
    """Random pods (every template) through the webhook, on an OpenShift-like namespace or not."""
    pods = []
    for i, template in enumerate([None, "gateway", "grpc-agent", None]):
        d = inject_case(rng, template)["workload"]
        t = d["spec"]["template"]
        meta = dict(t["metadata"], namespace="shop", generateName=f"{d['metadata']['name']}-", name=f"pod-{i}")
        pods.append({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": t["spec"]})
    openshift = rng.random() < 0.6
    env = {"PLATFORM": "openshift"} if openshift else {}
    if rng.random() < 0.2:
        env["ENABLE_NATIVE_SIDECARS"] = rng.choice(["true", "false"])
    objects = [namespace(openshift=openshift or rng.random() < 0.5), node(rng.choice([30, 33, 34]))]
    return {"pods": pods, "objects": objects, "env": env, "values": _patches(rng, VALUES, 4),
            "path": rng.choice([None, None, "/inject/cluster/c2/net/n2"])}


GATEWAY_ANNOTATIONS = {
    "networking.istio.io/service-type": ["NodePort", "ClusterIP", "LoadBalancer"],
    "gateway.istio.io/name-override": ["custom"], "gateway.istio.io/service-account": ["mysa"],
    "networking.istio.io/traffic-distribution": ["Any"], "ambient.istio.io/waypoint-inbound-binding": ["PROXY/15088"],
    "foo": ["bar"], "gateway.istio.io/controller-version": ["5", "1"], "istio.io/rev": ["canary"],
    "sidecar.istio.io/inject": ["true"], "sidecar.istio.io/proxyImage": ["mirror.io/p:1", "", "p:1"],
    "sidecar.istio.io/logLevel": ["debug", ""], "sidecar.istio.io/agentLogLevel": ["all:debug"],
    "prometheus.io/scrape": ["false"], "kubectl.kubernetes.io/last-applied-configuration": ["{}"],
}
GATEWAY_LABELS = {"foo": ["bar"], "topology.istio.io/network": ["n9"], "istio.io/dataplane-mode": ["ambient", "none"],
                  "istio.io/waypoint-for": ["service", "workload", "all", "none"], "istio.io/rev": ["default"],
                  "app.kubernetes.io/name": ["nm"], "sidecar.istio.io/inject": ["true"],
                  "gateway.istio.io/managed": ["other"]}
LISTENERS = [{"name": "http", "port": 80, "protocol": "HTTP"},
             {"name": "https", "port": 443, "protocol": "HTTPS",
              "tls": {"mode": "Terminate", "certificateRefs": [{"name": "c"}]}},
             {"name": "tcp", "port": 9000, "protocol": "TCP"}, {"name": "mesh", "port": 15008, "protocol": "HBONE"},
             {"name": "tls-pass", "port": 8443, "protocol": "TLS", "tls": {"mode": "Passthrough"}}]
GATEWAY_VALUES = VALUES + [
    {"global": {"waypoint": {"resources": {"limits": {"cpu": "3"}, "requests": None}}}},
    {"global": {"waypoint": {"resources": None}}},
    {"global": {"waypoint": {"nodeSelector": {"a": "b"}, "tolerations": [{"key": "k", "operator": "Exists"}]}}},
    {"global": {"waypoint": {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"topologyKey": "z"}]}}}}},
    {"global": {"ipFamilies": ["IPv6"], "ipFamilyPolicy": "SingleStack"}}, {"gateways": {"seccompProfile": {
        "type": "RuntimeDefault"}}}]


def gateway_case(rng: random.Random) -> dict:
    """A random Gateway (Istio, waypoint or east-west class) with its namespace and ConfigMaps."""
    env = {}
    ambient = rng.random() < 0.75
    if ambient:
        env["PILOT_ENABLE_AMBIENT"] = "true"
    cls = rng.choice(["istio", "istio", "istio-waypoint", "istio-waypoint", "istio-east-west"] if ambient
                     else ["istio"])
    if cls == "istio-east-west":
        env["AMBIENT_ENABLE_MULTI_NETWORK"] = "true"
    if rng.random() < 0.15:
        env["PILOT_ENABLE_GATEWAY_API_COPY_LABELS_ANNOTATIONS"] = "false"
    if rng.random() < 0.1:
        env["PILOT_ENABLE_QUIC_LISTENERS"] = "true"
    listeners = rng.sample(LISTENERS, rng.randint(1, 3))
    if cls != "istio" and rng.random() < 0.7:
        listeners = [LISTENERS[3]] + [x for x in listeners if x["name"] != "mesh"]
    objects = [namespace(openshift=rng.random() < 0.3)]
    infrastructure = None
    if rng.random() < 0.35:
        infrastructure = {}
        if rng.random() < 0.5:
            infrastructure["labels"] = {"il": "v", "gateway.networking.k8s.io/x": "z"}
        if rng.random() < 0.5:
            infrastructure["annotations"] = {"ia": "w"}
        if rng.random() < 0.5:
            data = dict(rng.sample(sorted(OVERLAYS.items()), rng.randint(1, 3)))
            objects.append(config_map("params", "shop", data))
            infrastructure["parametersRef"] = {"group": "", "kind": "ConfigMap", "name": "params"}
    if rng.random() < 0.2:
        data = dict(rng.sample(sorted(OVERLAYS.items()), rng.randint(1, 2)))
        objects.append(config_map("class-defaults", "istio-system", data,
                                  labels={"gateway.istio.io/defaults-for-class": cls}))
    addresses = None
    if rng.random() < 0.2:
        addresses = rng.choice([[{"type": "IPAddress", "value": "192.0.2.4"}], [{"value": "192.0.2.8"}],
                                [{"type": "Hostname", "value": "x.example"}]])
    name = rng.choice(["gw", "waypoint", "a-long-gateway-name-that-goes-on-and-on"])
    annotations = _pick(rng, GATEWAY_ANNOTATIONS, 3)
    objects.append(gateway(name=name, cls=cls, listeners=listeners, labels=_pick(rng, GATEWAY_LABELS, 3),
                           annotations=annotations, infrastructure=infrastructure, addresses=addresses))
    iop = {"profile": "ambient"} if ambient and rng.random() < 0.7 else {}
    return {"objects": objects, "gateway": ("shop", name), "env": env, "iop": iop,
            "cluster_id": rng.choice([None, None, "cluster-z"]), "kube_minor": rng.choice([None, 26, 28, 35]),
            "values": _patches(rng, GATEWAY_VALUES, 4), "mesh": _patches(rng, MESH, 2)}
