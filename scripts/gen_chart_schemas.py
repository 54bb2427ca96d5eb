#!/usr/bin/env python3
"""Generate values.schema.json, files/defaults.yaml and values.yaml for helmgen's five charts.

Types come from helmgen/data/values_types.json (the IstioOperator Values protobuf) plus
the keys that Istio's official charts read but the protobuf lacks; the `k8s` value (a component's
`k8s` block, applied by the charts themselves) takes its Kubernetes types from
helmgen/data/k8s_types.json, as `definitions`.  Every description below is our own wording.

Defaults: the charts in LAYERED (all five) keep their defaults in files/defaults.yaml, not in values.yaml, and lay
the helm-side profile layers (files/layers.yaml) and then the release's values over them at render time
(templates/_helmgen_values.tpl), so that a value the release gives is never mistaken for a default. Their
values.yaml holds only what must be there (`k8s: {}`). (A chart left out of LAYERED would keep its defaults in
values.yaml, where Helm itself removes a default a null meets.)

A null in a release's values removes the default or layer value beneath it, so the schema accepts null
wherever the chart has a default or a layer value (and wherever it accepted one anyway).

Usage:
    scripts/gen_chart_schemas.py                 # write charts/*/values.schema.json
    scripts/gen_chart_schemas.py --values DIR    # also regenerate files/defaults.yaml and values.yaml
                                                 # from an Istio manifests/charts directory
    scripts/gen_chart_schemas.py --check         # exit 1 if a committed schema or values.yaml is out of date
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPES = json.loads((ROOT / "helmgen" / "data" / "values_types.json").read_text())["messages"]
K8S_TYPES = json.loads((ROOT / "helmgen" / "data" / "k8s_types.json").read_text())
DRAFT = "http://json-schema.org/draft-07/schema#"

# --------------------------------------------------------------------------------------
# Small constructors
# --------------------------------------------------------------------------------------


def _d(desc: str, schema: dict) -> dict:
    out = {"description": desc}
    out.update(schema)
    return out


def s(desc: str, **kw) -> dict:
    return _d(desc, {"type": "string", **kw})


def sn(desc: str, **kw) -> dict:
    return _d(desc, {"type": ["string", "null"], **kw})


def b(desc: str) -> dict:
    return _d(desc, {"type": "boolean"})


def i(desc: str, minimum: int | None = None) -> dict:
    out = _d(desc, {"type": "integer"})
    if minimum is not None:
        out["minimum"] = minimum
    return out


def num(desc: str) -> dict:
    return _d(desc, {"type": "number"})


def ios(desc: str) -> dict:
    return _d(desc, {"type": ["integer", "string"]})


def anyv(desc: str) -> dict:
    return {"description": desc}


def free(desc: str) -> dict:
    """Free-form object (Kubernetes object, annotation map, ...); null clears it."""
    return _d(desc, {"type": ["object", "null"]})


def strmap(desc: str) -> dict:
    return _d(desc, {"type": ["object", "null"],
                     "additionalProperties": {"type": "string", "description": "One entry of the map."}})


def arr(desc: str, items: dict | None = None) -> dict:
    return _d(desc, {"type": ["array", "null"], "items": items or {"type": "object", "description": "One entry."}})


def strarr(desc: str) -> dict:
    return arr(desc, {"type": "string", "description": "One entry."})


def obj(desc: str, props: dict, nullable: bool = False) -> dict:
    return _d(desc, {"type": ["object", "null"] if nullable else "object",
                     "additionalProperties": False, "properties": props})


def resources(desc: str) -> dict:
    q = {"type": ["string", "number"], "description": "A Kubernetes quantity such as 100m, 1 or 128Mi."}
    return obj(desc, {
        "requests": _d("Guaranteed amount per resource name (cpu, memory, ephemeral-storage...).",
                       {"type": ["object", "null"], "additionalProperties": q}),
        "limits": _d("Upper bound per resource name; the container is throttled or killed above it.",
                     {"type": ["object", "null"], "additionalProperties": q}),
        "claims": arr("Dynamic resource claims (Kubernetes ResourceRequirements.claims)."),
    }, nullable=True)


# --------------------------------------------------------------------------------------
# Descriptions of protobuf fields, keyed "Message.field"
# --------------------------------------------------------------------------------------

PROTO_DESC = {
    "Agentgateway.image": "Image name (or full reference) used for agentgateway-based Gateway deployments.",
    "ArchConfig.amd64": "Scheduling weight for amd64 nodes (0 disables the preference).",
    "ArchConfig.arm64": "Scheduling weight for arm64 nodes (0 disables the preference).",
    "ArchConfig.ppc64le": "Scheduling weight for ppc64le nodes (0 disables the preference).",
    "ArchConfig.s390x": "Scheduling weight for s390x nodes (0 disables the preference).",
    "BaseConfig.enableCRDTemplates": "Render Istio's CustomResourceDefinitions from this chart.",
    "BaseConfig.enableIstioConfigCRDs": "Install the Istio configuration CRDs (networking, security, telemetry...).",
    "BaseConfig.excludedCRDs": "Names of CRDs that must not be rendered.",
    "BaseConfig.validateGateway": "Validate Gateway resources through the webhook.",
    "BaseConfig.validationCABundle": "PEM CA bundle for the validation webhook when istiod is reached by URL.",
    "BaseConfig.validationURL": "Send validation requests to this URL instead of the in-cluster istiod service.",
    "CNIAmbientConfig.configDir": "Directory on the node where the ambient redirection config is kept.",
    "CNIAmbientConfig.dnsCapture": "Redirect DNS of ambient pods to ztunnel.",
    "CNIAmbientConfig.enabled": "Turn on ambient-mode traffic redirection in the CNI agent.",
    "CNIAmbientConfig.ipv6": "Program IPv6 redirection rules as well.",
    "CNIAmbientConfig.reconcileIptablesOnStartup": "Re-apply redirection rules to already running ambient pods when the agent starts.",
    "CNIConfig.affinity": "Kubernetes affinity of the CNI DaemonSet pods.",
    "CNIConfig.ambient": "Ambient mode options of the CNI node agent.",
    "CNIConfig.chained": "Install as a plugin chained into the existing CNI config (false: write a standalone config).",
    "CNIConfig.cniBinDir": "Host directory holding CNI plugin binaries.",
    "CNIConfig.cniConfDir": "Host directory holding CNI network configuration files.",
    "CNIConfig.cniConfFileName": "Name of the CNI config file to write or patch (empty: detect).",
    "CNIConfig.cniNetnsDir": "Host directory where network namespaces are mounted.",
    "CNIConfig.daemonSetLabels": "Extra labels on the CNI DaemonSet object.",
    "CNIConfig.enabled": "Whether the CNI component is installed (carried over from the IstioOperator).",
    "CNIConfig.env": "Extra environment variables (name to value) for the CNI agent container.",
    "CNIConfig.excludeNamespaces": "Namespaces whose pods the CNI plugin leaves alone.",
    "CNIConfig.hub": "Registry for the CNI image; empty means global.hub.",
    "CNIConfig.image": "CNI image name, or a full reference when it contains a slash.",
    "CNIConfig.istioOwnedCNIConfig": "Write a dedicated Istio-owned CNI config file instead of editing the primary one.",
    "CNIConfig.istioOwnedCNIConfigFileName": "File name of the Istio-owned CNI config file.",
    "CNIConfig.logLevel": "Deprecated: log level of the CNI agent; use logging.level.",
    "CNIConfig.logging": "Logging options of the CNI agent.",
    "CNIConfig.podAnnotations": "Extra annotations on CNI pods (deprecated in the Values proto, still read by the chart).",
    "CNIConfig.podLabels": "Extra labels on CNI pods.",
    "CNIConfig.privileged": "Deprecated: run the CNI container privileged.",
    "CNIConfig.provider": "CNI flavour: default, or multus for Multus-based clusters such as OpenShift.",
    "CNIConfig.pspClusterRole": "Deprecated leftover: ClusterRole granting a PodSecurityPolicy.",
    "CNIConfig.pullPolicy": "Image pull policy of the CNI container; empty means global.imagePullPolicy.",
    "CNIConfig.repair": "Detection and repair of pods started before the CNI plugin was ready.",
    "CNIConfig.resourceQuotas": "ResourceQuota that lets system-node-critical pods run in the CNI namespace.",
    "CNIConfig.resources": "CPU/memory requests and limits of the CNI container.",
    "CNIConfig.rollingMaxUnavailable": "Max unavailable pods during a DaemonSet rollout (count or percentage).",
    "CNIConfig.seccompProfile": "Seccomp profile of the CNI container.",
    "CNIConfig.tag": "Image tag for the CNI agent; empty means global.tag.",
    "CNIConfig.useAppArmorAnnotation": "Set the AppArmor unconfined annotation on CNI pods.",
    "CNIConfig.variant": "Image variant suffix such as distroless; empty means global.variant.",
    "CNIRepairConfig.brokenPodLabelKey": "Label key put on pods found broken.",
    "CNIRepairConfig.brokenPodLabelValue": "Label value put on pods found broken.",
    "CNIRepairConfig.createEvents": "Deprecated: emit Kubernetes events for repaired pods.",
    "CNIRepairConfig.deletePods": "Delete broken pods so that they are recreated.",
    "CNIRepairConfig.enabled": "Run the repair controller.",
    "CNIRepairConfig.hub": "Registry override for the repair image.",
    "CNIRepairConfig.image": "Image override for the repair controller.",
    "CNIRepairConfig.initContainerName": "Name of the init container whose failure marks a pod as broken.",
    "CNIRepairConfig.labelPods": "Label broken pods instead of fixing them.",
    "CNIRepairConfig.repairPods": "Fix broken pods in place by setting up their network.",
    "CNIRepairConfig.tag": "Tag override for the repair image.",
    "CNIUsageConfig.chained": "Deprecated: whether the CNI plugin runs chained.",
    "CNIUsageConfig.enabled": "Tell istiod that pods are set up by the Istio CNI plugin (no privileged init container).",
    "CNIUsageConfig.provider": "CNI flavour used by injected pods: default or multus.",
    "DefaultPodDisruptionBudgetConfig.enabled": "Create PodDisruptionBudgets for Istio deployments.",
    "DefaultResourcesConfig.requests": "Default requests applied to Istio containers that set none.",
    "EgressGatewayConfig.name": "Name of the gateway Deployment, Service and ServiceAccount.",
    "ExperimentalConfig.stableValidationPolicy": "Use the stricter validation policy (ValidatingAdmissionPolicy) for Istio config.",
    "GatewaysConfig.seccompProfile": "Seccomp profile for injected gateway pods.",
    "GatewaysConfig.securityContext": "Pod security context for injected gateway pods.",
    "GlobalConfig.agentgateway": "Settings for agentgateway-based Gateway deployments.",
    "GlobalConfig.arch": "Deprecated: per-architecture node affinity weights; use affinity instead.",
    "GlobalConfig.caAddress": "Address of the certificate authority workloads request certificates from (empty: istiod).",
    "GlobalConfig.caName": "Name of the external CA signer, when one is used.",
    "GlobalConfig.certSigners": "Kubernetes signer names istiod may approve CertificateSigningRequests for.",
    "GlobalConfig.configCluster": "This cluster holds the configuration of an external control plane.",
    "GlobalConfig.configValidation": "Run the configuration validation webhook.",
    "GlobalConfig.defaultNodeSelector": "Deprecated: node selector applied to every component.",
    "GlobalConfig.defaultPodDisruptionBudget": "PodDisruptionBudget defaults.",
    "GlobalConfig.defaultResources": "Deprecated: resource requests used when a component sets none.",
    "GlobalConfig.defaultTolerations": "Deprecated: tolerations applied to every component.",
    "GlobalConfig.enableReaderRBAC": "Create the read-only istio-reader RBAC objects.",
    "GlobalConfig.externalIstiod": "istiod runs outside this cluster (external control plane).",
    "GlobalConfig.hub": "Default container registry for every Istio image.",
    "GlobalConfig.imagePullPolicy": "Default image pull policy (Always, IfNotPresent, Never; empty: Kubernetes default).",
    "GlobalConfig.imagePullSecrets": "Names of image pull secrets added to every service account or pod.",
    "GlobalConfig.ipFamilies": "IP families of created Services (IPv4, IPv6).",
    "GlobalConfig.ipFamilyPolicy": "Service ipFamilyPolicy (SingleStack, PreferDualStack, RequireDualStack).",
    "GlobalConfig.istioNamespace": "Namespace of the Istio control plane.",
    "GlobalConfig.istiod": "Options specific to istiod.",
    "GlobalConfig.jwtPolicy": "Deprecated: kind of service account token used by proxies.",
    "GlobalConfig.logAsJson": "Emit component logs as JSON.",
    "GlobalConfig.logging": "Logging options of Istio components.",
    "GlobalConfig.meshID": "Identifier of the mesh, shared by all its clusters.",
    "GlobalConfig.meshNetworks": "Networks of a multi-network mesh and their gateways.",
    "GlobalConfig.mountMtlsCerts": "Mount mTLS certificates from a Secret rather than using SDS.",
    "GlobalConfig.multiCluster": "Multi-cluster options.",
    "GlobalConfig.nativeNftables": "Use nftables instead of iptables for traffic redirection.",
    "GlobalConfig.network": "Name of the network this cluster belongs to.",
    "GlobalConfig.networkPolicy": "Generation of Kubernetes NetworkPolicies for Istio components.",
    "GlobalConfig.omitSidecarInjectorConfigMap": "Skip the sidecar injector ConfigMap (remote clusters).",
    "GlobalConfig.operatorManageWebhooks": "Webhooks are managed outside the chart; do not render them.",
    "GlobalConfig.pilotCertProvider": "Who issues istiod's serving certificate: istiod or a custom provider.",
    "GlobalConfig.platform": "Kubernetes platform (gke, openshift, k3s, k3d, microk8s, minikube) that selects platform defaults.",
    "GlobalConfig.podDNSSearchNamespaces": "Extra DNS search domains for injected pods.",
    "GlobalConfig.priorityClassName": "Deprecated in the Values proto: PriorityClass of Istio pods.",
    "GlobalConfig.proxy": "Defaults of the Envoy sidecar and gateway proxies.",
    "GlobalConfig.proxy_init": "Settings of the iptables init container of injected pods.",
    "GlobalConfig.readerServiceAccount": "Service account used to read from remote clusters.",
    "GlobalConfig.remotePilotAddress": "Address of the istiod serving this remote cluster.",
    "GlobalConfig.resourceScope": "Which objects to render: all, only cluster-scoped, or only namespaced ones.",
    "GlobalConfig.revision": "Control plane revision (usually set at top level instead).",
    "GlobalConfig.sds": "Secret discovery service options.",
    "GlobalConfig.sts": "Security token service options.",
    "GlobalConfig.tag": "Default image tag (the Istio version) for every Istio image.",
    "GlobalConfig.tracer": "Deprecated-style tracer settings for proxies; prefer meshConfig extension providers.",
    "GlobalConfig.trustBundleName": "Name of the ConfigMap carrying the root certificate.",
    "GlobalConfig.variant": "Default image variant suffix, for example distroless.",
    "GlobalConfig.waypoint": "Defaults for waypoint proxy deployments.",
    "GlobalLoggingConfig.level": "Log levels as scope:level pairs separated by commas, e.g. default:info.",
    "IngressGatewayConfig.additionalContainers": "Extra containers added to the gateway pod.",
    "IngressGatewayConfig.autoscaleEnabled": "Create a HorizontalPodAutoscaler for the gateway.",
    "IngressGatewayConfig.autoscaleMax": "Maximum replicas for the autoscaler.",
    "IngressGatewayConfig.autoscaleMin": "Minimum replicas for the autoscaler.",
    "IngressGatewayConfig.configVolumes": "ConfigMaps mounted into the gateway (name, configMapName, mountPath).",
    "IngressGatewayConfig.cpu": "CPU utilisation target for the autoscaler.",
    "IngressGatewayConfig.customService": "Do not render the gateway Service; you provide your own.",
    "IngressGatewayConfig.enabled": "Whether this gateway is installed (carried over from the IstioOperator).",
    "IngressGatewayConfig.env": "Extra environment variables (name to value) for the gateway proxy.",
    "IngressGatewayConfig.externalTrafficPolicy": "Service externalTrafficPolicy: Cluster or Local.",
    "IngressGatewayConfig.ingressPorts": "Extra ports for ingress (kept for compatibility).",
    "IngressGatewayConfig.injectionTemplate": "Render the gateway as an injected Deployment using this template name.",
    "IngressGatewayConfig.ipFamilies": "IP families of the gateway Service.",
    "IngressGatewayConfig.ipFamilyPolicy": "ipFamilyPolicy of the gateway Service.",
    "IngressGatewayConfig.labels": "Labels of the gateway pods; also the Service selector.",
    "IngressGatewayConfig.loadBalancerIP": "Requested load balancer IP of the Service.",
    "IngressGatewayConfig.loadBalancerSourceRanges": "CIDRs allowed to reach a LoadBalancer Service.",
    "IngressGatewayConfig.memory": "Memory utilisation target for the autoscaler.",
    "IngressGatewayConfig.name": "Name of the gateway Deployment, Service and ServiceAccount.",
    "IngressGatewayConfig.nodeSelector": "Node selector for gateway pods (rendered as node affinity).",
    "IngressGatewayConfig.podAnnotations": "Extra annotations on gateway pods.",
    "IngressGatewayConfig.podAntiAffinityLabelSelector": "Required pod anti-affinity terms (key, operator, values, topologyKey).",
    "IngressGatewayConfig.podAntiAffinityTermLabelSelector": "Preferred pod anti-affinity terms (key, operator, values, topologyKey).",
    "IngressGatewayConfig.ports": "Service ports; the container ports are derived from targetPort (or port).",
    "IngressGatewayConfig.replicaCount": "Replica count used when autoscaling is off.",
    "IngressGatewayConfig.resources": "CPU/memory requests and limits of the gateway proxy.",
    "IngressGatewayConfig.rollingMaxSurge": "Extra pods allowed during a rolling update (count or percentage).",
    "IngressGatewayConfig.rollingMaxUnavailable": "Pods allowed to be down during a rolling update (count or percentage).",
    "IngressGatewayConfig.runAsRoot": "Run the proxy as root so that it can bind ports below 1024.",
    "IngressGatewayConfig.secretVolumes": "Secrets mounted into the gateway pod.",
    "IngressGatewayConfig.serviceAccount": "Settings of the gateway ServiceAccount.",
    "IngressGatewayConfig.serviceAnnotations": "Annotations on the gateway Service (e.g. cloud load balancer options).",
    "IngressGatewayConfig.tolerations": "Tolerations of gateway pods.",
    "IngressGatewayConfig.type": "Service type: LoadBalancer, NodePort or ClusterIP.",
    "IstiodConfig.enableAnalysis": "Run configuration analysis in istiod and report status.",
    "IstiodRemoteConfig.enabled": "Install only the remote-cluster pieces (webhooks, RBAC) pointing at an external istiod.",
    "IstiodRemoteConfig.enabledLocalInjectorIstiod": "Use a local istiod for injection in a remote cluster.",
    "IstiodRemoteConfig.injectionCABundle": "PEM CA bundle for the remote injection webhook.",
    "IstiodRemoteConfig.injectionPath": "Path of the injection endpoint on the remote istiod.",
    "IstiodRemoteConfig.injectionURL": "Full URL of the injection endpoint of the remote istiod.",
    "MultiClusterConfig.clusterName": "Name of this cluster in a multi-cluster mesh.",
    "MultiClusterConfig.enabled": "Turn on multi-cluster support.",
    "MultiClusterConfig.globalDomainSuffix": "Domain suffix of global services (legacy).",
    "MultiClusterConfig.includeEnvoyFilter": "Add the legacy multi-cluster EnvoyFilter.",
    "NetworkPolicyConfig.enabled": "Render NetworkPolicies that restrict traffic to Istio components.",
    "PilotConfig.affinity": "Kubernetes affinity of istiod pods.",
    "PilotConfig.autoscaleBehavior": "HorizontalPodAutoscaler behavior block (scale up/down policies).",
    "PilotConfig.autoscaleEnabled": "Create a HorizontalPodAutoscaler for istiod.",
    "PilotConfig.autoscaleMax": "Maximum istiod replicas for the autoscaler.",
    "PilotConfig.autoscaleMin": "Minimum istiod replicas for the autoscaler.",
    "PilotConfig.cni": "Whether injected pods rely on the Istio CNI plugin.",
    "PilotConfig.configMap": "Render the mesh config ConfigMap.",
    "PilotConfig.cpu": "CPU utilisation target for the autoscaler.",
    "PilotConfig.crlConfigMapName": "ConfigMap carrying the certificate revocation list.",
    "PilotConfig.deploymentLabels": "Extra labels on the istiod Deployment object.",
    "PilotConfig.enabled": "Whether istiod is installed (carried over from the IstioOperator).",
    "PilotConfig.env": "Extra environment variables (name to value) for istiod; feature flags live here.",
    "PilotConfig.envVarFrom": "Extra environment variables with valueFrom sources.",
    "PilotConfig.extraContainerArgs": "Additional command line arguments for istiod.",
    "PilotConfig.hub": "Registry for the istiod image; empty means global.hub.",
    "PilotConfig.image": "istiod image name, or a full reference when it contains a slash.",
    "PilotConfig.ipFamilies": "IP families of the istiod Service.",
    "PilotConfig.ipFamilyPolicy": "ipFamilyPolicy of the istiod Service.",
    "PilotConfig.istiodRemote": "Remote-cluster mode settings.",
    "PilotConfig.jwksResolverExtraRootCA": "Extra PEM root CA used when fetching JWKS for JWT validation.",
    "PilotConfig.keepaliveMaxServerConnectionAge": "Max age of an xDS connection before proxies reconnect (duration such as 30m).",
    "PilotConfig.memory": "Memory utilisation target for the autoscaler.",
    "PilotConfig.nodeSelector": "Node selector of istiod pods.",
    "PilotConfig.podAnnotations": "Extra annotations on istiod pods.",
    "PilotConfig.podLabels": "Extra labels on istiod pods.",
    "PilotConfig.replicaCount": "Replica count used when autoscaling is off.",
    "PilotConfig.resources": "CPU/memory requests and limits of istiod.",
    "PilotConfig.rollingMaxSurge": "Extra pods allowed during a rolling update (count or percentage).",
    "PilotConfig.rollingMaxUnavailable": "Pods allowed to be down during a rolling update (count or percentage).",
    "PilotConfig.seccompProfile": "Seccomp profile of the istiod container.",
    "PilotConfig.serviceAccountAnnotations": "Annotations on the istiod ServiceAccount (e.g. cloud IAM bindings).",
    "PilotConfig.serviceAnnotations": "Annotations on the istiod Service.",
    "PilotConfig.tag": "Image tag for istiod; empty means global.tag.",
    "PilotConfig.taint": "Controller that removes the CNI not-ready taint from nodes.",
    "PilotConfig.tolerations": "Tolerations of istiod pods.",
    "PilotConfig.topologySpreadConstraints": "Topology spread constraints of istiod pods.",
    "PilotConfig.traceSampling": "Percentage (0-100) of requests traced by proxies.",
    "PilotConfig.trustedZtunnelNamespace": "Namespace whose ztunnel istiod trusts (ambient).",
    "PilotConfig.variant": "Image variant suffix; empty means global.variant.",
    "PilotConfig.volumeMounts": "Extra volume mounts for the istiod container.",
    "PilotConfig.volumes": "Extra volumes for the istiod pod.",
    "PilotTaintControllerConfig.enabled": "Run the node taint controller.",
    "PilotTaintControllerConfig.name": "Taint key removed once CNI is ready on a node.",
    "PilotTaintControllerConfig.namespace": "Namespace of the CNI pods watched by the controller.",
    "PortsConfig.name": "Port name (also used to infer the protocol).",
    "PortsConfig.nodePort": "Fixed node port for NodePort/LoadBalancer Services.",
    "PortsConfig.port": "Service port.",
    "PortsConfig.protocol": "Transport protocol: TCP, UDP or SCTP.",
    "PortsConfig.targetPort": "Container port traffic is sent to (0 or missing: same as port).",
    "ProxyConfig.autoInject": "Injection policy for namespaces with injection on: enabled or disabled.",
    "ProxyConfig.clusterDomain": "DNS domain of the cluster, e.g. cluster.local.",
    "ProxyConfig.componentLogLevel": "Per-component Envoy log levels, e.g. misc:error.",
    "ProxyConfig.enableCoreDump": "Deprecated: allow Envoy core dumps.",
    "ProxyConfig.excludeIPRanges": "Comma-separated CIDRs not redirected through the sidecar.",
    "ProxyConfig.excludeInboundPorts": "Comma-separated inbound ports not redirected.",
    "ProxyConfig.excludeOutboundPorts": "Comma-separated outbound ports not redirected.",
    "ProxyConfig.holdApplicationUntilProxyStarts": "Deprecated here (use meshConfig): start app containers after the proxy is ready.",
    "ProxyConfig.image": "Proxy image name, or full reference when it contains a slash.",
    "ProxyConfig.includeIPRanges": "Comma-separated CIDRs redirected through the sidecar (* for all).",
    "ProxyConfig.includeInboundPorts": "Comma-separated inbound ports redirected (* for all).",
    "ProxyConfig.includeOutboundPorts": "Comma-separated outbound ports always redirected.",
    "ProxyConfig.lifecycle": "Kubernetes lifecycle hooks of the proxy container.",
    "ProxyConfig.logLevel": "Envoy log level (trace, debug, info, warning, error, critical, off).",
    "ProxyConfig.outlierLogPath": "File where Envoy writes outlier detection events.",
    "ProxyConfig.privileged": "Run the proxy container privileged.",
    "ProxyConfig.readinessFailureThreshold": "Failed readiness checks before the proxy is marked unready.",
    "ProxyConfig.readinessInitialDelaySeconds": "Delay before the first readiness check.",
    "ProxyConfig.readinessPeriodSeconds": "Seconds between readiness checks.",
    "ProxyConfig.resources": "Requests and limits of injected proxies (deprecated in the proto, still used).",
    "ProxyConfig.seccompProfile": "Seccomp profile of injected proxies.",
    "ProxyConfig.startupProbe": "Startup probe of the proxy container.",
    "ProxyConfig.statusPort": "Port of the proxy health and metrics endpoint (0 disables it).",
    "ProxyConfig.tracer": "Tracer used by proxies.",
    "ProxyInitConfig.image": "Image of the init container; defaults to the proxy image.",
    "ProxyInitConfig.resources": "Deprecated: requests and limits of the init container.",
    "ReaderServiceAccount.name": "Service account name.",
    "ReaderServiceAccount.namespace": "Namespace of the service account.",
    "ResourceQuotas.enabled": "Create the ResourceQuota.",
    "ResourceQuotas.pods": "Maximum number of pods allowed by the quota.",
    "Resources.limits": "Limits per resource name.",
    "Resources.requests": "Requests per resource name.",
    "ResourcesRequestsConfig.cpu": "CPU request such as 10m.",
    "ResourcesRequestsConfig.memory": "Memory request such as 128Mi.",
    "SDSConfig.token": "Token settings; aud is the audience of the token sent to the CA.",
    "STSConfig.servicePort": "Port of the token exchange service (0 disables it).",
    "SecretVolume.mountPath": "Where the secret is mounted in the proxy container.",
    "SecretVolume.name": "Volume name.",
    "SecretVolume.secretName": "Name of the Secret to mount.",
    "ServiceAccount.annotations": "Annotations on the ServiceAccount.",
    "SidecarInjectorConfig.alwaysInjectSelector": "Label selectors of pods that are injected even when the namespace policy says no.",
    "SidecarInjectorConfig.defaultTemplates": "Injection templates applied when a pod names none (default: sidecar).",
    "SidecarInjectorConfig.enableNamespacesByDefault": "Inject every namespace that does not opt out.",
    "SidecarInjectorConfig.injectedAnnotations": "Annotations added to every injected pod.",
    "SidecarInjectorConfig.injectionURL": "Send injection requests to this URL instead of the istiod service.",
    "SidecarInjectorConfig.neverInjectSelector": "Label selectors of pods that are never injected.",
    "SidecarInjectorConfig.reinvocationPolicy": "Webhook reinvocationPolicy: Never or IfNeeded.",
    "SidecarInjectorConfig.rewriteAppHTTPProbe": "Route application HTTP probes through the proxy agent.",
    "SidecarInjectorConfig.templates": "Custom injection templates by name.",
    "StartupProbe.enabled": "Add a startup probe to the proxy.",
    "StartupProbe.failureThreshold": "Failed startup checks (one per second) before the proxy is restarted.",
    "TargetUtilizationConfig.targetAverageUtilization": "Average utilisation percentage the autoscaler aims for.",
    "TelemetryConfig.enabled": "Turn on telemetry configuration.",
    "TelemetryConfig.v2": "Telemetry v2 options.",
    "TelemetryV2Config.enabled": "Turn on telemetry v2.",
    "TelemetryV2Config.prometheus": "Prometheus metrics options.",
    "TelemetryV2Config.stackdriver": "Stackdriver options.",
    "TelemetryV2PrometheusConfig.enabled": "Expose Prometheus metrics from proxies.",
    "TelemetryV2StackDriverConfig.enabled": "Send telemetry to Stackdriver.",
    "TracerConfig.datadog": "Datadog tracer settings.",
    "TracerConfig.lightstep": "Lightstep tracer settings.",
    "TracerConfig.stackdriver": "Stackdriver tracer settings.",
    "TracerConfig.zipkin": "Zipkin tracer settings.",
    "TracerDatadogConfig.address": "host:port of the Datadog agent.",
    "TracerLightStepConfig.accessToken": "Lightstep access token.",
    "TracerLightStepConfig.address": "host:port of the Lightstep satellite.",
    "TracerStackdriverConfig.debug": "Trace every request (debug).",
    "TracerStackdriverConfig.maxNumberOfAnnotations": "Cap on annotations per span.",
    "TracerStackdriverConfig.maxNumberOfAttributes": "Cap on attributes per span.",
    "TracerStackdriverConfig.maxNumberOfMessageEvents": "Cap on message events per span.",
    "TracerZipkinConfig.address": "host:port of the Zipkin collector.",
    "WaypointConfig.affinity": "Affinity of waypoint pods.",
    "WaypointConfig.nodeSelector": "Node selector of waypoint pods.",
    "WaypointConfig.resources": "Requests and limits of waypoint proxies.",
    "WaypointConfig.toleration": "Tolerations of waypoint pods (name used by the Values proto).",
    "WaypointConfig.topologySpreadConstraints": "Topology spread constraints of waypoint pods.",
}
# Egress gateway fields share the ingress wording.
for _f in TYPES["EgressGatewayConfig"]:
    PROTO_DESC.setdefault(f"EgressGatewayConfig.{_f}", PROTO_DESC.get(f"IngressGatewayConfig.{_f}"))

# Fields whose type in the proto is narrower than what the charts accept in practice.
OVERRIDES = {
    # A Service targetPort may be a named port once converted from k8s.service.ports.
    "PortsConfig.targetPort": lambda d: ios(d),
}

# --------------------------------------------------------------------------------------
# Proto -> JSON Schema
# --------------------------------------------------------------------------------------

INT_KINDS = {"int32", "int64"}
UINT_KINDS = {"uint32", "uint64"}


def scalar_schema(kind: str, desc: str, spec: dict) -> dict:
    if kind == "bool":
        return b(desc)
    if kind in INT_KINDS:
        return i(desc)
    if kind in UINT_KINDS:
        return i(desc, 0)
    if kind == "double" or kind == "float":
        return num(desc)
    if kind == "string":
        return s(desc)
    if kind == "duration":
        return s(desc)
    if kind == "struct":
        return free(desc)
    if kind == "any":
        return anyv(desc)
    if kind == "list":
        return arr(desc, {"description": "One entry."})
    if kind == "intOrString":
        return ios(desc)
    if kind == "enum":
        return s(desc, enum=list(spec["enum"]))
    raise KeyError(kind)


def field_schema(msg: str, field: str, extras: dict) -> dict:
    spec = TYPES[msg][field]
    key = f"{msg}.{field}"
    desc = PROTO_DESC.get(key)
    if not desc:
        raise SystemExit(f"missing description for {key}")
    if spec.get("deprecated") and "deprecated" not in desc.lower():
        desc = f"Deprecated. {desc}"
    if key in OVERRIDES:
        return OVERRIDES[key](desc)
    kind = spec["type"]
    if kind == "Resources":
        item = resources(desc)
    elif kind in TYPES:
        item = message_schema(kind, desc, extras.get(kind, {}), extras, nullable=False)
    else:
        item = scalar_schema(kind, desc, spec)
    if spec.get("map"):
        inner = copy.deepcopy(item)
        inner["description"] = "Value for one key."
        return _d(desc, {"type": ["object", "null"], "additionalProperties": inner})
    if spec.get("repeated"):
        inner = copy.deepcopy(item)
        inner["description"] = "One entry."
        return arr(desc, inner)
    return item


def message_schema(msg: str, desc: str, add: dict | None = None, extras: dict | None = None,
                   nullable: bool = False, skip: tuple = ()) -> dict:
    """Strict object for a proto message. `add` holds extra keys read by the charts."""
    extras = extras or {}
    props = {}
    for field in sorted(TYPES[msg]):
        if field in skip:
            continue
        props[field] = field_schema(msg, field, extras)
    for k, v in (add or {}).items():
        props[k] = v
    return obj(desc, dict(sorted(props.items())), nullable=nullable)


# Keys the official charts read under a message but the proto lacks.
MESSAGE_EXTRAS = {
    "GlobalConfig": {
        "profile": s("Helm-side profile name, used when the top-level profile is unset."),
        "trustDomain": s("Trust domain read by some injection templates (meshConfig.trustDomain is preferred)."),
    },
    "ProxyConfig": {
        "capNetBindService": b("Give the proxy NET_BIND_SERVICE so that it can bind ports below 1024 without root."),
        "variant": s("Image variant for proxies only; empty means global.variant."),
    },
    "ProxyInitConfig": {
        "forceApplyIptables": b("Apply iptables rules even when the pod looks already configured."),
    },
    "WaypointConfig": {
        "tolerations": arr("Tolerations of waypoint pods (name read by the charts)."),
    },
    "CNIAmbientConfig": {
        "enablementSelectors": arr("Pod/namespace selector pairs that put workloads into ambient mode."),
        "shareHostNetworkNamespace": b("Run the CNI agent in the host network namespace."),
        "enableAmbientDetectionRetry": b("Retry detecting ambient enrollment of pods that were not ready yet."),
    },
    "PortsConfig": {
        "appProtocol": s("Application protocol hint of the Service port (e.g. http, https, kubernetes.io/h2c)."),
    },
    "BaseConfig": {
        "validationFailurePolicy": s("failurePolicy of the validation webhook (Ignore or Fail); empty lets the chart decide."),
    },
}


def msg(name: str, desc: str, nullable: bool = False, skip: tuple = ()) -> dict:
    return message_schema(name, desc, MESSAGE_EXTRAS.get(name), MESSAGE_EXTRAS, nullable=nullable, skip=skip)


def global_schema() -> dict:
    return msg("GlobalConfig", "Settings shared by every Istio component (Values.global).")


COMMON = {
    "profile": sn("Helm-side profile (e.g. ambient, demo, remote, stable) whose defaults apply before user values."),
    "compatibilityVersion": sn("Older Istio minor version (e.g. 1.28) whose behaviour defaults are restored."),
    "platform": sn("Kubernetes platform (gke, openshift, k3s, k3d, microk8s, minikube) whose defaults apply."),
}

REVISION = s("Control plane revision this release belongs to; empty is the default revision.")
OWNER = s("Name of the IstioOperator the values came from; written into owner labels.")
MESHCONFIG = free("MeshConfig of the mesh (free-form; validated by istiod, not by this chart).")

# --------------------------------------------------------------------------------------
# The `k8s` value: a component's k8s block (IstioOperator ComponentSpec.k8s) for the chart
# helper helmgen.k8s.apply (charts/_lib/_helmgen_k8s.tpl)
# --------------------------------------------------------------------------------------

# field -> (Kubernetes type: a root name of k8s_types.json, or a scalar/map/list spec; description)
K8S_FIELDS = {
    "affinity": ("Affinity", "Pod affinity rules, merged into the pod template's spec.affinity (lists inside are "
                             "replaced)."),
    "env": ({"type": "list", "items": {"ref": "EnvVar"}},
            "Environment variables merged by name into the main container's env (new names first, changed ones "
            "in place)."),
    "hpaSpec": ("HorizontalPodAutoscalerSpec", "Merged into the HorizontalPodAutoscaler's spec (metrics are "
                                               "replaced), when the chart renders one."),
    "imagePullPolicy": ({"type": "string"}, "imagePullPolicy of the main container."),
    "nodeSelector": ({"type": "map", "values": {"type": "string"}}, "Merged into the pod template's nodeSelector."),
    "podDisruptionBudget": ("PodDisruptionBudgetSpec",
                            "Merged into the PodDisruptionBudget's spec, when the chart renders one; with "
                            "maxUnavailable set too, minAvailable becomes null."),
    "podAnnotations": ({"type": "map", "values": {"type": "string"}}, "Merged into the pod template's annotations."),
    "priorityClassName": ({"type": "string"}, "priorityClassName of the pod template."),
    "readinessProbe": ("Probe", "Merged into the main container's readinessProbe."),
    "replicaCount": ({"type": "uint32"}, "Written to the workload's spec.replicas (a DaemonSet's too, as istioctl "
                                         "does), also when an autoscaler manages the replicas."),
    "resources": ("ResourceRequirements", "Merged into the main container's resources (given only memory, the "
                                          "chart's cpu stays)."),
    "strategy": ("DeploymentStrategy", "Merged into the workload's spec.strategy (a DaemonSet's too, as istioctl "
                                       "does)."),
    "tolerations": ({"type": "list", "items": {"ref": "Toleration"}},
                    "Replace the pod template's tolerations (the chart's own go)."),
    "serviceAnnotations": ({"type": "map", "values": {"type": "string"}},
                           "Merged into the Service's metadata.annotations."),
    "service": ("ServiceSpec", "Merged into the Service's spec (ports merged by port). For a gateway helmgen writes "
                               "ports: [] here, as istioctl patches it: the gateway's ports are already values."),
    "securityContext": ("PodSecurityContext", "The pod template's pod-level securityContext, merged."),
}

K8S_DESC = ("The IstioOperator component's k8s block (without overlays, volumes and volumeMounts), applied by "
            "this chart to its workload, Service, HorizontalPodAutoscaler and PodDisruptionBudget exactly as "
            "istioctl patches them: a Kubernetes strategic merge per field, in this order of fields. A null "
            "anywhere in it is a strategic-merge delete of that field of the rendered object (for example "
            "readinessProbe: null removes the chart's probe); Helm keeps such nulls because the default is {}, so "
            "keep the default empty. Directives such as $patch: replace are honoured where a field is a map of "
            "strings. k8s.overlays need helmgen's post-renderer.")

K8S_SCALARS = {
    "string": {"type": ["string", "null"]},
    "bool": {"type": ["boolean", "null"]},
    "int32": {"type": ["integer", "null"], "minimum": -2**31, "maximum": 2**31 - 1},
    "int64": {"type": ["integer", "null"]},
    "uint32": {"type": ["integer", "null"], "minimum": 0, "maximum": 2**32 - 1},
    "quantity": {"type": ["string", "number", "null"]},
    "intOrString": {"type": ["integer", "string", "null"]},
}


def k8s_short(name: str) -> str:
    """io.k8s.api.core.v1.Probe -> core/v1 Probe (io.k8s.apimachinery...meta.v1.LabelSelector -> meta/v1 ...)."""
    parts = name.split(".")
    return f"{parts[-3]}/{parts[-2]} {parts[-1]}"


def k8s_type_schema(spec: dict, desc: str, defs: dict) -> dict:
    """JSON Schema of a k8s_types.json type spec; null is allowed everywhere (it deletes, or it is left out)."""
    if "ref" in spec:
        name = K8S_TYPES["roots"].get(spec["ref"], spec["ref"])
        k8s_definition(name, defs)
        return {"description": desc, "$ref": f"#/definitions/{name}"}
    kind = spec["type"]
    if kind == "list":
        return _d(desc, {"type": ["array", "null"], "items": k8s_type_schema(spec["items"], "One entry.", defs)})
    if kind == "map":
        values = spec["values"]
        inner = {"description": "Any value."} if values.get("type") == "any" else \
            k8s_type_schema(values, "Value for one key.", defs)
        return _d(desc, {"type": ["object", "null"], "additionalProperties": inner})
    return _d(desc, copy.deepcopy(K8S_SCALARS[kind]))


def k8s_definition(name: str, defs: dict) -> None:
    if name in defs:
        return
    spec = K8S_TYPES["definitions"][name]
    desc = f"Kubernetes {k8s_short(name)}."
    if spec["type"] != "object":
        defs[name] = k8s_type_schema(spec, desc, defs)
        return
    defs[name] = {}  # placeholder: the type may refer to itself
    props = {field: k8s_type_schema(fs, f"{field} of a Kubernetes {k8s_short(name)}.", defs)
             for field, fs in sorted(spec["fields"].items())}
    defs[name] = _d(desc, {"type": ["object", "null"], "additionalProperties": False, "properties": props})


def k8s_value(defs: dict) -> dict:
    props = {}
    for field, (typ, desc) in sorted(K8S_FIELDS.items()):
        props[field] = k8s_type_schema({"ref": typ} if isinstance(typ, str) else typ, desc, defs)
    return obj(K8S_DESC, props, nullable=True)


# --------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------


def base_cfg() -> dict:
    return msg("BaseConfig", "Options of the base chart (CRDs and the default validation webhook).")


def chart_base() -> dict:
    props = {
        "global": global_schema(),
        "base": base_cfg(),
        "defaultRevision": s("Revision whose webhooks serve as the cluster default; empty renders none."),
        "experimental": msg("ExperimentalConfig", "Experimental switches."),
        **COMMON,
    }
    return props


def pilot_props() -> dict:
    props = {}
    for field in TYPES["PilotConfig"]:
        props[field] = field_schema("PilotConfig", field, MESSAGE_EXTRAS)
    props.update({
        "image": s(PROTO_DESC["PilotConfig.image"]),
        "taint": msg("PilotTaintControllerConfig", PROTO_DESC["PilotConfig.taint"]),
        "initContainers": arr("Extra init containers for the istiod pod."),
        "sidecarInjectorWebhookAnnotations": free("Annotations on the sidecar injector MutatingWebhookConfiguration."),
        "deploymentAnnotations": free("Extra annotations on the istiod Deployment object."),
        "trustedZtunnelName": s("Name of the ztunnel service account istiod trusts (ambient)."),
        "terminationMessagePolicy": s("terminationMessagePolicy of the istiod container (e.g. FallbackToLogsOnError)."),
        "trafficDistribution": s("trafficDistribution of the istiod Service (e.g. PreferClose)."),
        "cni": msg("CNIUsageConfig", PROTO_DESC["PilotConfig.cni"]),
    })
    return dict(sorted(props.items()))


def chart_istiod() -> dict:
    props = pilot_props()
    props.update({
        "pilot": obj("Legacy nesting of the istiod settings; the same keys are accepted at the top level, "
                     "which take the same meaning.", pilot_props(), nullable=True),
        "global": global_schema(),
        "meshConfig": MESHCONFIG,
        "sidecarInjectorWebhook": msg("SidecarInjectorConfig", "Sidecar injection webhook settings."),
        "telemetry": msg("TelemetryConfig", "Telemetry defaults."),
        "istiodRemote": msg("IstiodRemoteConfig", PROTO_DESC["PilotConfig.istiodRemote"]),
        "revision": REVISION,
        "revisionTags": strarr("Revision tags (extra injection webhooks) that point at this revision."),
        "ownerName": OWNER,
        "experimental": msg("ExperimentalConfig", "Experimental switches."),
        "base": base_cfg(),
        "gateways": obj("Security settings applied to gateways injected by this istiod.", {
            "securityContext": free(PROTO_DESC["GatewaysConfig.securityContext"]),
            "seccompProfile": free(PROTO_DESC["GatewaysConfig.seccompProfile"]),
        }),
        "gatewayClasses": free("Per GatewayClass overrides of the generated gateway deployments."),
        "pdb": obj("PodDisruptionBudget of istiod.", {
            "minAvailable": ios("Minimum available istiod pods (count or percentage)."),
            "maxUnavailable": ios("Maximum unavailable istiod pods; used instead of minAvailable when set."),
            "unhealthyPodEvictionPolicy": s("unhealthyPodEvictionPolicy: IfHealthyBudget or AlwaysAllow; empty omits it."),
        }),
        **COMMON,
    })
    return props


def chart_gateways() -> dict:
    props = {}
    for m in ("IngressGatewayConfig", "EgressGatewayConfig"):
        for field in TYPES[m]:
            props.setdefault(field, field_schema(m, field, MESSAGE_EXTRAS))
    props.update({
        # Ingress proto has free-form resources; both charts render them as container resources.
        "resources": resources(PROTO_DESC["IngressGatewayConfig.resources"] + " Deprecated in the Values proto."),
        "replicaCount": i(PROTO_DESC["IngressGatewayConfig.replicaCount"] + " Deprecated in the Values proto.", 0),
        "tag": anyv("Image tag for this gateway; empty means global.tag (the component hub is not used)."),
        "egressPorts": arr("Extra egress ports (egress gateways only)."),
        "gatewayType": s("Kind of gateway this release is: ingress or egress.", enum=["ingress", "egress"]),
        "revision": REVISION,
        "ownerName": OWNER,
        "global": global_schema(),
        "meshConfig": MESHCONFIG,
        "pilot": obj("istiod settings the gateway looks at.", {
            "env": free("istiod environment; ENABLE_CLUSTER_TRUST_BUNDLE_API changes how the root cert is mounted."),
        }, nullable=True),
        **COMMON,
    })
    return dict(sorted(props.items()))


def cni_props() -> dict:
    props = {}
    for field in TYPES["CNIConfig"]:
        props[field] = field_schema("CNIConfig", field, MESSAGE_EXTRAS)
    props.update({
        "seLinuxOptions": free("SELinux options of the CNI container (e.g. type spc_t on OpenShift)."),
        "tolerations": arr("Tolerations of CNI pods."),
        "updateStrategy": free("DaemonSet updateStrategy of the CNI agent."),
        "terminationGracePeriodSeconds": i("Grace period for CNI pods on shutdown.", 0),
    })
    return dict(sorted(props.items()))


def chart_cni() -> dict:
    props = cni_props()
    props.update({
        "cni": obj("Legacy nesting of the CNI settings; the same keys are accepted at the top level.",
                   cni_props(), nullable=True),
        "revision": REVISION,
        "ownerName": OWNER,
        "global": global_schema(),
        **COMMON,
    })
    return props


def chart_ztunnel() -> dict:
    return {
        "hub": s("Registry of the ztunnel image; empty means global.hub."),
        "tag": anyv("Image tag of ztunnel."),
        "variant": s("Image variant suffix such as distroless."),
        "image": s("ztunnel image name, or a full reference when it contains a slash."),
        "network": s("Network of this cluster, as seen by ztunnel."),
        "global": global_schema(),
        "resourceName": s("Name of the DaemonSet and related objects (empty: ztunnel)."),
        "labels": free("Extra labels on the DaemonSet object."),
        "annotations": free("Extra annotations on the DaemonSet object."),
        "volumeMounts": arr("Extra volume mounts for the ztunnel container."),
        "volumes": arr("Extra volumes for the ztunnel pod."),
        "tolerations": arr("Tolerations of ztunnel pods."),
        "affinity": free("Kubernetes affinity of ztunnel pods."),
        "nodeSelector": free("Node selector of ztunnel pods."),
        "podAnnotations": free("Extra annotations on ztunnel pods."),
        "podLabels": free("Extra labels on ztunnel pods."),
        "resources": resources("CPU/memory requests and limits of ztunnel."),
        "resourceQuotas": msg("ResourceQuotas", "ResourceQuota letting system-node-critical pods run in the namespace."),
        "peerCaCrl": obj("Certificate revocation list handling for peer certificates.", {
            "enabled": b("Check peer certificates against the CA's revocation list."),
        }),
        "imagePullSecrets": strarr("Image pull secret names for the ztunnel service account."),
        "env": free("Extra environment variables (name to value) for ztunnel."),
        "imagePullPolicy": s("Image pull policy of ztunnel; empty means the Kubernetes default."),
        "multiCluster": msg("MultiClusterConfig", "Multi-cluster options seen by ztunnel."),
        "meshConfig": free("Mesh settings ztunnel looks at (defaultConfig.proxyMetadata)."),
        "terminationGracePeriodSeconds": i("Grace period for ztunnel pods on shutdown.", 0),
        "revision": REVISION,
        "revisionTags": strarr("Revision tags of the control plane (carried over, not used by ztunnel)."),
        "defaultRevision": s("Default revision of the cluster (carried over, not used by ztunnel)."),
        "ownerName": OWNER,
        "caAddress": s("Address of the CA ztunnel gets certificates from (empty: istiod)."),
        "xdsAddress": s("Address of the xDS server (empty: istiod of the revision)."),
        "istioNamespace": s("Namespace of the Istio control plane."),
        "logLevel": s("ztunnel log level (e.g. info, or scope=level pairs)."),
        "logAsJson": b("Emit ztunnel logs as JSON."),
        "seLinuxOptions": free("SELinux options of the ztunnel container."),
        "resourceScope": s("Which objects to render: all, cluster or namespace.",
                           enum=["undefined", "all", "cluster", "namespace"]),
        "trustBundleName": s("Name of the ConfigMap carrying the root certificate."),
        "updateStrategy": free("DaemonSet updateStrategy of ztunnel."),
        "dnsPolicy": s("dnsPolicy of ztunnel pods (empty: Kubernetes default)."),
        "dnsConfig": free("dnsConfig of ztunnel pods."),
        **COMMON,
    }


CHARTS = {
    "istio-base": (chart_base, "Values of the istio-base chart: CRDs, cluster-wide RBAC and the default revision."),
    "istiod": (chart_istiod, "Values of the istiod chart: the Istio control plane of one revision."),
    "gateways": (chart_gateways, "Values of the gateways chart: one ingress or egress gateway per release."),
    "istio-cni": (chart_cni, "Values of the istio-cni chart: the CNI node agent."),
    "ztunnel": (chart_ztunnel, "Values of the ztunnel chart: the ambient node proxy."),
}


# Charts with a workload carry the k8s value (istio-base has none: Base renders no workload).
WORKLOAD_CHARTS = ("istiod", "gateways", "istio-cni", "ztunnel")


# Charts whose defaults are in files/defaults.yaml and whose settings are layered at render time.
LAYERED = ("istio-base", "istiod", "gateways", "istio-cni", "ztunnel")

# Charts that also accept their top-level settings nested under this key (laid over the top level).
NESTED_COPY = {"istiod": "pilot", "istio-cni": "cni"}


def _load_yaml(path: Path):
    import yaml
    return yaml.safe_load(path.read_text()) if path.is_file() else None


def chart_defaults(chart: str) -> dict:
    """The chart's defaults as committed: files/defaults.yaml for LAYERED charts, else values.yaml."""
    folder = ROOT / "charts" / chart
    data = _load_yaml(folder / ("files/defaults.yaml" if chart in LAYERED else "values.yaml"))
    return data if isinstance(data, dict) else {}


def layer_trees(chart: str) -> list[dict]:
    """Every layer of files/layers.yaml (kind defaults, profile, compatibility version and platform entries,
    their per-kind parts included), each in the chart's value layout."""
    data = _load_yaml(ROOT / "charts" / chart / "files" / "layers.yaml")
    if not isinstance(data, dict):
        return []
    out = list((data.get("kinds") or {}).values())
    for table in ("profile", "compatibilityVersion", "platform"):
        for entry in (data.get(table) or {}).values():
            entry = entry or {}
            out.append({k: v for k, v in entry.items() if k != "kinds"})
            out += list((entry.get("kinds") or {}).values())
    return [t for t in out if isinstance(t, dict)]


def leaf_paths(tree: dict, prefix: tuple = ()) -> set[tuple]:
    """Every key path of a tree of maps (inner maps included; lists are values)."""
    out = set()
    for key, value in tree.items():
        out.add(prefix + (key,))
        if isinstance(value, dict):
            out |= leaf_paths(value, prefix + (key,))
    return out


def clearable_paths(chart: str) -> set[tuple]:
    """Value paths where a null clears something: the chart's defaults and layer values."""
    paths = leaf_paths(chart_defaults(chart))
    for tree in layer_trees(chart):
        paths |= leaf_paths(tree)
    return paths


def _allow_null(node: dict) -> None:
    t = node.get("type")
    if t is None:
        return  # anything is accepted already
    types = [t] if isinstance(t, str) else list(t)
    if "null" not in types:
        node["type"] = types + ["null"]
    if "enum" in node and None not in node["enum"]:
        node["enum"] = list(node["enum"]) + [None]


def allow_nulls(props: dict, path: tuple) -> None:
    """Accept null at `path` (and at the maps on the way): it clears the default or layer value there."""
    node = {"properties": props}
    for key in path:
        if key in (node.get("properties") or {}):
            node = node["properties"][key]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return  # free-form below this point: accepts null already
        _allow_null(node)


def build(chart: str) -> dict:
    fn, desc = CHARTS[chart]
    props = copy.deepcopy(fn())
    paths = clearable_paths(chart)
    if chart in NESTED_COPY:
        paths |= {(NESTED_COPY[chart],) + p for p in paths}
    # `global` is the same in every chart: a null is accepted where any chart has a global default or layer value
    paths = {p for p in paths if p[0] != "global"} | {p for c in CHARTS for p in clearable_paths(c) if p[0] == "global"}
    for path in sorted(paths):
        allow_nulls(props, path)
    defs: dict = {}
    if chart in WORKLOAD_CHARTS:
        props["k8s"] = k8s_value(defs)
    out = {
        "$schema": DRAFT,
        "title": f"helmgen {chart} values",
        "description": desc,
        "type": "object",
        "additionalProperties": False,
        "properties": dict(sorted(props.items())),
    }
    if defs:
        out["definitions"] = dict(sorted(defs.items()))
    return out


# --------------------------------------------------------------------------------------
# Defaults from an Istio manifests/charts directory (defaults are facts, no comments)
# --------------------------------------------------------------------------------------

OFFICIAL = {
    "istio-base": "base",
    "istiod": "istio-control/istio-discovery",
    "istio-cni": "istio-cni",
    "ztunnel": "ztunnel",
}

HEADER = {
    "istio-base": "Defaults of the istio-base chart (CRDs, reader RBAC, default revision webhook).",
    "istiod": "Defaults of the istiod chart. helmgen writes pilot.* settings at the top level.",
    "gateways": "Defaults of the gateways chart. These are the ingress defaults; an egress gateway's own ones\n"
                "# are a layer in files/layers.yaml. helmgen always sets gatewayType, name and labels.",
    "istio-cni": "Defaults of the istio-cni chart. helmgen writes cni.* settings at the top level.",
    "ztunnel": "Defaults of the ztunnel chart (flattened: settings live at the top level).",
}

VALUES_HEADER = """# Values of the {chart} chart: only what the release gives. The chart's defaults are not here but in
# files/defaults.yaml, and the chart lays, at render time, the helm-side profile, compatibility version and
# platform (files/layers.yaml) and then these values over them (templates/_helmgen_values.tpl). So a value
# given here always wins, even one equal to a default, and a null removes the default or layer value beneath.
# Types and allowed keys: values.schema.json.
"""


def official_defaults(charts_dir: Path, chart: str) -> dict:
    import yaml
    if chart == "gateways":
        ing = yaml.safe_load((charts_dir / "gateways/istio-ingress/values.yaml").read_text())
        ing = ing["_internal_defaults_do_not_set"]
        out = {"gatewayType": "ingress"}
        out.update(ing["gateways"]["istio-ingressgateway"])
        for k, v in ing.items():
            if k != "gateways":
                out[k] = v
        return out
    data = yaml.safe_load((charts_dir / OFFICIAL[chart] / "values.yaml").read_text())
    return data["_internal_defaults_do_not_set"]


def _dump(data: dict) -> str:
    import yaml
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=120)


def values_yaml(chart: str) -> str:
    """values.yaml of a LAYERED chart: the header and `k8s: {}` (must stay empty, see K8S_DESC)."""
    return VALUES_HEADER.format(chart=chart) + ("k8s: {}\n" if chart in WORKLOAD_CHARTS else "{}\n")


def write_values(charts_dir: Path) -> None:
    for chart in CHARTS:
        vals = official_defaults(charts_dir, chart)
        folder = ROOT / "charts" / chart
        if chart in LAYERED:
            text = f"# {HEADER[chart]}\n# Read by templates/_helmgen_values.tpl; types and allowed keys: values.schema.json.\n"
            (folder / "files").mkdir(exist_ok=True)
            (folder / "files" / "defaults.yaml").write_text(text + _dump(vals))
            (folder / "values.yaml").write_text(values_yaml(chart))
            continue
        if chart in WORKLOAD_CHARTS:
            vals["k8s"] = {}  # helmgen's own: must stay empty (see K8S_DESC)
        text = f"# {HEADER[chart]}\n# Types and allowed keys: values.schema.json.\n"
        (folder / "values.yaml").write_text(text + _dump(vals))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--values", type=Path, help="Istio manifests/charts dir to take defaults from")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    if args.values:
        write_values(args.values)  # first: the schemas accept null where the defaults are
    stale = []
    for chart in CHARTS:
        if chart in LAYERED and args.check:
            values = ROOT / "charts" / chart / "values.yaml"
            if not values.exists() or values.read_text() != values_yaml(chart):
                stale.append(str(values))
        path = ROOT / "charts" / chart / "values.schema.json"
        text = json.dumps(build(chart), indent=2) + "\n"
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
