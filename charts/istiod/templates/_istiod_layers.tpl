{{- /*
Helm-side profile layers of the istiod chart, written in this chart's own value layout (pilot settings at the
top level). Only settings that change what the chart renders are kept; "istiod.settings" applies them.
Layers: istiod.layer.profile.<profile>, istiod.layer.compatibility.<version>, istiod.layer.platform.<platform>.
*/ -}}

{{- define "istiod.layer.profile.ambient" -}}
meshConfig:
  defaultConfig:
    proxyMetadata:
      ISTIO_META_ENABLE_HBONE: "true"
  serviceScopeConfigs:
  - servicesSelector:
      matchExpressions:
      - key: istio.io/global
        operator: In
        values: ["true"]
    scope: GLOBAL
global:
  variant: distroless
env:
  PILOT_ENABLE_AMBIENT: "true"
cni:
  ambient:
    enabled: true
{{- end -}}

{{- define "istiod.layer.profile.demo" -}}
meshConfig:
  accessLogFile: /dev/stdout
  extensionProviders:
  - name: otel
    envoyOtelAls:
      service: opentelemetry-collector.observability.svc.cluster.local
      port: 4317
  - name: skywalking
    skywalking:
      service: tracing.istio-system.svc.cluster.local
      port: 11800
  - name: otel-tracing
    opentelemetry:
      service: opentelemetry-collector.observability.svc.cluster.local
      port: 4317
  - name: jaeger
    opentelemetry:
      service: jaeger-collector.istio-system.svc.cluster.local
      port: 4317
global:
  proxy:
    resources:
      requests: {cpu: 10m, memory: 40Mi}
  waypoint:
    resources:
      requests: {cpu: 10m, memory: 40Mi}
cni:
  resources:
    requests: {cpu: 10m, memory: 40Mi}
autoscaleEnabled: false
traceSampling: 100
resources:
  requests: {cpu: 10m, memory: 100Mi}
{{- end -}}

{{- define "istiod.layer.profile.preview" -}}
meshConfig:
  defaultConfig:
    proxyMetadata:
      ISTIO_META_DNS_CAPTURE: "true"
{{- end -}}

{{- /* remote: Istio's remote profile also sets global.omitSidecarInjectorConfigMap=true. Not here: a chart cannot
       tell an explicit `false` (what a remote cluster with a local injector istiod must give) from the default,
       and an unused injector ConfigMap is harmless where a missing one breaks injection. */ -}}
{{- define "istiod.layer.profile.remote" -}}
istiodRemote:
  enabled: true
configMap: false
telemetry:
  enabled: false
{{- end -}}

{{- define "istiod.layer.profile.stable" -}}
experimental:
  stableValidationPolicy: true
{{- end -}}

{{- /* compatibility versions: the behaviour switches that changed after each release, set back */ -}}
{{- define "istiod.layer.compatibility.1.25" -}}
env:
  ENABLE_NATIVE_SIDECARS: "false"
  DISABLE_SHADOW_HOST_SUFFIX: "false"
  PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY: "false"
  DISABLE_TRACK_REMAINING_CB_METRICS: "false"
  PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE: "false"
  PILOT_ENABLE_STRICT_GATEWAY_MERGING: "false"
  PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS: "false"
cni:
  ambient:
    reconcileIptablesOnStartup: false
{{- end -}}

{{- define "istiod.layer.compatibility.1.26" -}}
{{ include "istiod.layer.compatibility.1.25" . }}
{{- end -}}

{{- define "istiod.layer.compatibility.1.27" -}}
env:
  DISABLE_SHADOW_HOST_SUFFIX: "false"
  PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY: "false"
  DISABLE_TRACK_REMAINING_CB_METRICS: "false"
  PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE: "false"
  PILOT_ENABLE_STRICT_GATEWAY_MERGING: "false"
  PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS: "false"
cni:
  ambient:
    reconcileIptablesOnStartup: false
{{- end -}}

{{- define "istiod.layer.compatibility.1.28" -}}
env:
  DISABLE_TRACK_REMAINING_CB_METRICS: "false"
  PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE: "false"
  PILOT_ENABLE_STRICT_GATEWAY_MERGING: "false"
  PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS: "false"
cni:
  ambient:
    reconcileIptablesOnStartup: false
{{- end -}}

{{- define "istiod.layer.compatibility.1.29" -}}
env:
  PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE: "false"
  PILOT_ENABLE_STRICT_GATEWAY_MERGING: "false"
  PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS: "false"
{{- end -}}

{{- define "istiod.layer.compatibility.1.30" -}}
env:
  PILOT_ENABLE_STRICT_GATEWAY_MERGING: "false"
  PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY: "false"
  PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS: "false"
{{- end -}}

{{- /* platforms. The cni settings are the CNI chart's; istiod only passes them on to the injector's values.
       openshift also turns pilot cni on, but helmgen always sets cni.enabled from components.cni, which wins. */ -}}
{{- define "istiod.layer.platform.gke" -}}
cni:
  cniBinDir: ""
  resourceQuotas:
    enabled: true
{{- end -}}

{{- define "istiod.layer.platform.k3d" -}}
cni:
  cniConfDir: /var/lib/rancher/k3s/agent/etc/cni/net.d
  cniBinDir: /bin
{{- end -}}

{{- define "istiod.layer.platform.k3s" -}}
cni:
  cniConfDir: /var/lib/rancher/k3s/agent/etc/cni/net.d
  cniBinDir: /var/lib/rancher/k3s/data/cni
{{- end -}}

{{- define "istiod.layer.platform.microk8s" -}}
cni:
  cniConfDir: /var/snap/microk8s/current/args/cni-network
  cniBinDir: /var/snap/microk8s/current/opt/cni/bin
{{- end -}}

{{- define "istiod.layer.platform.minikube" -}}
cni:
  cniNetnsDir: /var/run/docker/netns
{{- end -}}

{{- define "istiod.layer.platform.openshift" -}}
cni:
  cniBinDir: /var/lib/cni/bin
  cniConfDir: /etc/cni/multus/net.d
  chained: false
  cniConfFileName: istio-cni.conf
  provider: multus
terminationMessagePolicy: FallbackToLogsOnError
trustedZtunnelNamespace: kube-system
{{- end -}}
