{{/*
The gateway Deployment. Two variants: the proxy spelled out here, or (value injectionTemplate set) a
placeholder container "istio-proxy" (image auto) that the sidecar injector fills in with that template.
*/}}

{{/* (dict "root" $ "s" SETTINGS): pod affinity from global.arch, nodeSelector (else global.defaultNodeSelector)
and the deprecated pod anti-affinity selectors. */}}
{{- define "gateways.affinity" -}}
{{- $s := .s }}
{{- $global := $s.global | default dict }}
{{- $arch := $global.arch | default dict }}
{{- $selector := $s.nodeSelector | default $global.defaultNodeSelector | default dict }}
{{- $expressions := list }}
{{- $preferred := list }}
{{- if $arch }}
{{- $archs := list }}
{{- range $name := keys $arch | sortAlpha }}
{{- $weight := int (index $arch $name) }}
{{- if gt $weight 0 }}
{{- $archs = append $archs $name }}
{{- $match := dict "key" "kubernetes.io/arch" "operator" "In" "values" (list $name) }}
{{- $preferred = append $preferred (dict "weight" $weight "preference" (dict "matchExpressions" (list $match))) }}
{{- end }}
{{- end }}
{{- $expressions = append $expressions (dict "key" "kubernetes.io/arch" "operator" "In" "values" ($archs | default nil)) }}
{{- end }}
{{- range $key := keys $selector | sortAlpha }}
{{- $expressions = append $expressions (dict "key" $key "operator" "In" "values" (list (toString (index $selector $key)))) }}
{{- end }}
{{- $required := dict "nodeSelectorTerms" (list (dict "matchExpressions" $expressions)) }}
{{- $node := dict "requiredDuringSchedulingIgnoredDuringExecution" (ternary $required nil (gt (len $expressions) 0))
                  "preferredDuringSchedulingIgnoredDuringExecution" ($preferred | default nil) }}
{{- $affinity := dict "nodeAffinity" $node }}
{{- $anti := dict }}
{{- with $s.podAntiAffinityLabelSelector }}
{{- $terms := list }}
{{- range . }}
{{- $terms = append $terms (include "gateways.podAffinityTerm" . | fromJson) }}
{{- end }}
{{- $_ := set $anti "requiredDuringSchedulingIgnoredDuringExecution" $terms }}
{{- end }}
{{- with $s.podAntiAffinityTermLabelSelector }}
{{- $terms := list }}
{{- range . }}
{{- $terms = append $terms (dict "weight" 100 "podAffinityTerm" (include "gateways.podAffinityTerm" . | fromJson)) }}
{{- end }}
{{- $_ := set $anti "preferredDuringSchedulingIgnoredDuringExecution" $terms }}
{{- end }}
{{- with $anti }}{{ $_ := set $affinity "podAntiAffinity" . }}{{ end }}
{{- toJson $affinity }}
{{- end }}

{{/* One {key, operator, values ("a,b"), topologyKey} entry as a pod affinity term (JSON). */}}
{{- define "gateways.podAffinityTerm" -}}
{{- $expr := dict "key" .key "operator" .operator }}
{{- with .values }}
{{- $_ := set $expr "values" (ternary (splitList "," (toString .)) . (kindIs "string" .)) }}
{{- end }}
{{- toJson (dict "labelSelector" (dict "matchExpressions" (list $expr)) "topologyKey" .topologyKey) }}
{{- end }}

{{/* (dict "root" $ "s" SETTINGS): the container ports (JSON list): each Service port's target, then Envoy's metrics.
A named targetPort becomes a container port of that name on the Service port's number (Istio's chart writes the
name as containerPort, which the API server refuses). */}}
{{- define "gateways.containerPorts" -}}
{{- $ports := list }}
{{- range .s.ports }}
{{- $target := (include "gateways.portNumber" (dict "v" (.targetPort | default .port)) | fromJson).v }}
{{- $port := dict "containerPort" $target "protocol" (.protocol | default "TCP") }}
{{- if kindIs "string" $target }}
{{- $port = merge (dict "containerPort" (include "gateways.portNumber" (dict "v" .port) | fromJson).v "name" $target) $port }}
{{- end }}
{{- $ports = append $ports $port }}
{{- end }}
{{- toJson (append $ports (dict "containerPort" 15090 "protocol" "TCP" "name" "http-envoy-prom")) }}
{{- end }}

{{/* (dict "root" $ "s" SETTINGS): the proxy's environment (JSON list). */}}
{{- define "gateways.env" -}}
{{- $s := .s }}
{{- $root := .root }}
{{- $global := $s.global | default dict }}
{{- $mesh := $s.meshConfig | default dict }}
{{- $field := dict "POD_NAME" "metadata.name" "POD_NAMESPACE" "metadata.namespace" "INSTANCE_IP" "status.podIP"
                   "HOST_IP" "status.hostIP" "NODE_NAME" "spec.nodeName" }}
{{- $ca := $global.caAddress | default (printf "istiod%s.%s.svc:15012" (include "gateways.revisionSuffix" .) $global.istioNamespace) }}
{{- $env := list (dict "name" "PILOT_CERT_PROVIDER" "value" $global.pilotCertProvider) (dict "name" "CA_ADDR" "value" $ca) }}
{{- range $name := list "NODE_NAME" "POD_NAME" "POD_NAMESPACE" "INSTANCE_IP" "HOST_IP" }}
{{- $env = append $env (dict "name" $name "valueFrom" (dict "fieldRef" (dict "apiVersion" "v1" "fieldPath" (index $field $name)))) }}
{{- end }}
{{- $env = append $env (dict "name" "ISTIO_CPU_LIMIT" "valueFrom" (dict "resourceFieldRef" (dict "resource" "limits.cpu" "divisor" "1"))) }}
{{- $env = append $env (dict "name" "SERVICE_ACCOUNT" "valueFrom" (dict "fieldRef" (dict "fieldPath" "spec.serviceAccountName"))) }}
{{- $env = append $env (dict "name" "ISTIO_META_WORKLOAD_NAME" "value" $s.name) }}
{{- $env = append $env (dict "name" "ISTIO_META_OWNER" "value" (printf "kubernetes://apis/apps/v1/namespaces/%s/deployments/%s" $root.Release.Namespace $s.name)) }}
{{- with $global.meshID | default $mesh.trustDomain }}
{{- $env = append $env (dict "name" "ISTIO_META_MESH_ID" "value" .) }}
{{- end }}
{{- with $mesh.trustDomain }}
{{- $env = append $env (dict "name" "TRUST_DOMAIN" "value" .) }}
{{- end }}
{{- if not $s.runAsRoot }}
{{- $env = append $env (dict "name" "ISTIO_META_UNPRIVILEGED_POD" "value" "true") }}
{{- end }}
{{- $env = concat $env (include "gateways.ownEnv" . | fromJsonArray) }}
{{- $metadata := dig "defaultConfig" "proxyMetadata" dict $mesh | default dict }}
{{- range $name := keys $metadata | sortAlpha }}
{{- $env = append $env (dict "name" $name "value" (toString (index $metadata $name))) }}
{{- end }}
{{- if and $global.network (not (hasKey ($s.env | default dict) "ISTIO_META_NETWORK")) }}
{{- $env = append $env (dict "name" "ISTIO_META_NETWORK" "value" $global.network) }}
{{- end }}
{{- $env = append $env (dict "name" "ISTIO_META_CLUSTER_ID" "value" (dig "multiCluster" "clusterName" "" $global | default "Kubernetes")) }}
{{- $env = append $env (dict "name" "ISTIO_META_NODE_NAME" "valueFrom" (dict "fieldRef" (dict "fieldPath" "spec.nodeName"))) }}
{{- toJson $env }}
{{- end }}

{{/* (dict "root" $ "s" SETTINGS): the value env as a list (JSON), by name. */}}
{{- define "gateways.ownEnv" -}}
{{- $own := .s.env | default dict }}
{{- $env := list }}
{{- range $name := keys $own | sortAlpha }}
{{- $env = append $env (dict "name" $name "value" (toString (index $own $name))) }}
{{- end }}
{{- toJson $env }}
{{- end }}

{{/* (dict "root" $ "s" SETTINGS): {"volumes": [...], "mounts": [...]} of the spelled-out proxy (JSON). */}}
{{- define "gateways.volumes" -}}
{{- $s := .s }}
{{- $global := $s.global | default dict }}
{{- $volumes := list }}
{{- $mounts := list }}
{{- range $name := list "workload-socket" "credential-socket" "workload-certs" }}
{{- $volumes = append $volumes (dict "name" $name "emptyDir" dict) }}
{{- end }}
{{- $mounts = append $mounts (dict "name" "workload-socket" "mountPath" "/var/run/secrets/workload-spiffe-uds") }}
{{- $mounts = append $mounts (dict "name" "credential-socket" "mountPath" "/var/run/secrets/credential-uds") }}
{{- $mounts = append $mounts (dict "name" "workload-certs" "mountPath" "/var/run/secrets/workload-spiffe-credentials") }}
{{- $mounts = append $mounts (dict "name" "istio-envoy" "mountPath" "/etc/istio/proxy") }}
{{- $mounts = append $mounts (dict "name" "config-volume" "mountPath" "/etc/istio/config") }}
{{- if eq (toString $global.pilotCertProvider) "istiod" }}
{{- $bundle := $global.trustBundleName }}
{{- if eq (toString (dig "env" "ENABLE_CLUSTER_TRUST_BUNDLE_API" false ($s.pilot | default dict))) "true" }}
{{- $source := dict "clusterTrustBundle" (dict "name" (printf "istio.io:istiod-ca:%s" ($bundle | default "root-cert")) "path" "root-cert.pem") }}
{{- $volumes = append $volumes (dict "name" "istiod-ca-cert" "projected" (dict "sources" (list $source))) }}
{{- else }}
{{- $volumes = append $volumes (dict "name" "istiod-ca-cert" "configMap" (dict "name" ($bundle | default "istio-ca-root-cert"))) }}
{{- end }}
{{- $mounts = append $mounts (dict "name" "istiod-ca-cert" "mountPath" "/var/run/secrets/istio") }}
{{- end }}
{{- $podinfo := list (dict "path" "labels" "fieldRef" (dict "fieldPath" "metadata.labels"))
                     (dict "path" "annotations" "fieldRef" (dict "fieldPath" "metadata.annotations")) }}
{{- $volumes = append $volumes (dict "name" "podinfo" "downwardAPI" (dict "items" $podinfo)) }}
{{- $volumes = append $volumes (dict "name" "istio-envoy" "emptyDir" dict) }}
{{- $volumes = append $volumes (dict "name" "istio-data" "emptyDir" dict) }}
{{- $token := dict "path" "istio-token" "expirationSeconds" 43200 "audience" (dig "sds" "token" "aud" "" $global) }}
{{- $volumes = append $volumes (dict "name" "istio-token" "projected" (dict "sources" (list (dict "serviceAccountToken" $token)))) }}
{{- $mounts = append $mounts (dict "name" "istio-token" "mountPath" "/var/run/secrets/tokens" "readOnly" true) }}
{{- if $global.mountMtlsCerts }}
{{- $volumes = append $volumes (dict "name" "istio-certs" "secret" (dict "secretName" (printf "istio.istio-%sgateway-service-account" (include "gateways.kind" .root)) "optional" true)) }}
{{- $mounts = append $mounts (dict "name" "istio-certs" "mountPath" "/etc/certs" "readOnly" true) }}
{{- end }}
{{- $volumes = append $volumes (dict "name" "config-volume" "configMap" (dict "name" (printf "istio%s" (include "gateways.revisionSuffix" .)) "optional" true)) }}
{{- $mounts = append $mounts (dict "name" "istio-data" "mountPath" "/var/lib/istio/data") }}
{{- $mounts = append $mounts (dict "name" "podinfo" "mountPath" "/etc/istio/pod") }}
{{- $own := include "gateways.ownVolumes" . | fromJson }}
{{- toJson (dict "volumes" (concat $volumes $own.volumes) "mounts" (concat $mounts $own.mounts)) }}
{{- end }}

{{/* (dict "root" $ "s" SETTINGS): the volumes of secretVolumes and configVolumes and the proxy's mounts of them
(JSON {"volumes", "mounts"}). */}}
{{- define "gateways.ownVolumes" -}}
{{- $volumes := list }}
{{- $mounts := list }}
{{- range .s.secretVolumes }}
{{- $volumes = append $volumes (dict "name" .name "secret" (dict "secretName" .secretName "optional" true)) }}
{{- $mounts = append $mounts (dict "name" .name "mountPath" .mountPath "readOnly" true) }}
{{- end }}
{{- range .s.configVolumes }}
{{- $volumes = append $volumes (dict "name" .name "configMap" (dict "name" .configMapName "optional" true)) }}
{{- $mounts = append $mounts (dict "name" .name "mountPath" .mountPath "readOnly" true) }}
{{- end }}
{{- toJson (dict "volumes" $volumes "mounts" $mounts) }}
{{- end }}

{{/* (dict "root" $ "s" SETTINGS): the proxy image: global.proxy.image when it has a registry, else
global.hub/<image>:<tag or global.tag>[-<global.proxy.variant or global.variant>]. */}}
{{- define "gateways.image" -}}
{{- $global := .s.global | default dict }}
{{- $proxy := $global.proxy | default dict }}
{{- $image := toString ($proxy.image | default "proxyv2") }}
{{- if contains "/" $image }}
{{- $image }}
{{- else }}
{{- $variant := $proxy.variant | default $global.variant }}
{{- printf "%s/%s:%s" (toString $global.hub) $image (toString (.s.tag | default $global.tag)) }}
{{- with $variant }}-{{ . }}{{ end }}
{{- end }}
{{- end }}

{{/* (dict "root" $ "s" SETTINGS): the proxy's arguments (JSON list). */}}
{{- define "gateways.args" -}}
{{- $global := .s.global | default dict }}
{{- $proxy := $global.proxy | default dict }}
{{- $args := list "proxy" "router" "--domain" (printf "$(POD_NAMESPACE).svc.%s" $proxy.clusterDomain) }}
{{- with $proxy.logLevel }}{{ $args = append $args (printf "--proxyLogLevel=%s" .) }}{{ end }}
{{- with $proxy.componentLogLevel }}{{ $args = append $args (printf "--proxyComponentLogLevel=%s" .) }}{{ end }}
{{- with dig "logging" "level" "" $global }}{{ $args = append $args (printf "--log_output_level=%s" .) }}{{ end }}
{{- if $global.logAsJson }}{{ $args = append $args "--log_as_json" }}{{ end }}
{{- $sts := int (dig "sts" "servicePort" 0 $global) }}
{{- if gt $sts 0 }}{{ $args = append $args (printf "--stsPort=%d" $sts) }}{{ end }}
{{- toJson $args }}
{{- end }}

{{- define "gateways.deployment" -}}
{{- $s := include "gateways.settings" . | fromJson }}
{{- $ctx := dict "root" . "s" $s }}
{{- $global := $s.global | default dict }}
{{- $injected := not (empty $s.injectionTemplate) }}
{{- $std := include "gateways.standardLabels" $ctx | fromYaml }}
{{- $labels := $s.labels | default dict }}
{{- $revision := toString ($s.revision | default "") }}

{{- /* Pod labels: the gateway's labels under the fixed ones. The canonical revision is the gateway's version
label (app.kubernetes.io/version, else version), else the control plane revision, else "latest". */}}
{{- $podLabels := dict
      "service.istio.io/canonical-name" $s.name
      "service.istio.io/canonical-revision" (index $labels "app.kubernetes.io/version" | default (index $labels "version") | default $revision | default "latest")
      "install.operator.istio.io/owning-resource" (index $std "install.operator.istio.io/owning-resource")
      "operator.istio.io/component" (index $std "operator.istio.io/component")
      "sidecar.istio.io/inject" (ternary "true" "false" $injected) }}
{{- /* No helm.sh/chart here: a generated chart's version changes with every IstioOperator edit, and a pod-template
label that changes restarts every pod. */}}
{{- range $key := list "app.kubernetes.io/name" "app.kubernetes.io/instance" "app.kubernetes.io/managed-by"
                        "app.kubernetes.io/part-of" "app.kubernetes.io/version" }}
{{- $_ := set $podLabels $key (index $std $key) }}
{{- end }}
{{- if eq .Release.Namespace "istio-system" }}
{{- $_ := merge $podLabels (dict "heritage" "Tiller" "release" "istio" "chart" "gateways") }}
{{- end }}
{{- if not $injected }}
{{- $_ := merge $podLabels (dict "istio.io/rev" ($revision | default "default") "istio.io/dataplane-mode" "none") }}
{{- else if $revision }}
{{- $_ := set $podLabels "istio.io/rev" $revision }}
{{- end }}
{{- $podLabels = merge $podLabels $labels }}

{{- /* Pod annotations: the fixed ones under podAnnotations. */}}
{{- $annotations := dict }}
{{- if $injected }}
{{- $_ := merge $annotations (dict "inject.istio.io/templates" $s.injectionTemplate "sidecar.istio.io/inject" "true") }}
{{- else }}
{{- $_ := merge $annotations (dict "istio.io/rev" ($revision | default "default") "sidecar.istio.io/inject" "false") }}
{{- end }}
{{- if dig "enablePrometheusMerge" false ($s.meshConfig | default dict) }}
{{- $_ := merge $annotations (dict "prometheus.io/port" "15020" "prometheus.io/scrape" "true" "prometheus.io/path" "/stats/prometheus") }}
{{- end }}
{{- $annotations = merge (deepCopy ($s.podAnnotations | default dict)) $annotations }}

{{- /* The proxy container; its resources are the requests and limits of resources, else of global.defaultResources. */}}
{{- $ports := include "gateways.containerPorts" $ctx | fromJsonArray }}
{{- $resources := dict }}
{{- range $key, $value := $s.resources | default $global.defaultResources }}
{{- if and (has $key (list "requests" "limits")) $value }}{{ $_ := set $resources $key $value }}{{ end }}
{{- end }}
{{- $proxy := dict "name" "istio-proxy" "ports" $ports "resources" $resources }}
{{- if not $s.runAsRoot }}
{{- $_ := set $proxy "securityContext" (dict "allowPrivilegeEscalation" false "privileged" false "readOnlyRootFilesystem" true
                                             "capabilities" (dict "drop" (list "ALL"))) }}
{{- end }}
{{- $volumes := list }}
{{- if $injected }}
{{- $own := include "gateways.ownVolumes" $ctx | fromJson }}
{{- $env := list }}
{{- if not $s.runAsRoot }}{{ $env = list (dict "name" "ISTIO_META_UNPRIVILEGED_POD" "value" "true") }}{{ end }}
{{- $env = concat $env (include "gateways.ownEnv" $ctx | fromJsonArray) }}
{{- $_ := set $proxy "image" "auto" }}
{{- $_ := set $proxy "env" ($env | default nil) }}
{{- $_ := set $proxy "volumeMounts" ($own.mounts | default nil) }}
{{- $volumes = $own.volumes | default nil }}
{{- else }}
{{- $all := include "gateways.volumes" $ctx | fromJson }}
{{- $probe := dict "failureThreshold" 30 "initialDelaySeconds" 1 "periodSeconds" 2 "successThreshold" 1 "timeoutSeconds" 1
                   "httpGet" (dict "path" "/healthz/ready" "port" 15021 "scheme" "HTTP") }}
{{- $_ := merge $proxy (dict "image" (include "gateways.image" $ctx) "args" (include "gateways.args" $ctx | fromJsonArray)
                             "readinessProbe" $probe "env" (include "gateways.env" $ctx | fromJsonArray)
                             "volumeMounts" $all.mounts) }}
{{- $volumes = $all.volumes }}
{{- end }}
{{- with $global.imagePullPolicy }}{{ $_ := set $proxy "imagePullPolicy" . }}{{ end }}

{{- /* The pod. */}}
{{- $pod := dict "serviceAccountName" (printf "%s-service-account" $s.name)
                 "containers" (concat (list $proxy) ($s.additionalContainers | default list))
                 "affinity" (include "gateways.affinity" $ctx | fromJson)
                 "volumes" $volumes }}
{{- if not $s.runAsRoot }}
{{- if eq (include "gateways.platform" .) "openshift" }}
{{- $_ := set $pod "securityContext" (dict "runAsNonRoot" true) }}
{{- else }}
{{- $_ := set $pod "securityContext" (dict "runAsUser" 1337 "runAsGroup" 1337 "runAsNonRoot" true) }}
{{- end }}
{{- end }}
{{- with $s.tolerations | default $global.defaultTolerations }}{{ $_ := set $pod "tolerations" . }}{{ end }}
{{- with $global.priorityClassName }}{{ $_ := set $pod "priorityClassName" . }}{{ end }}

{{- $spec := dict
      "selector" (dict "matchLabels" $labels)
      "strategy" (dict "rollingUpdate" (dict "maxSurge" $s.rollingMaxSurge "maxUnavailable" $s.rollingMaxUnavailable))
      "template" (dict "metadata" (dict "labels" $podLabels "annotations" $annotations) "spec" $pod) }}
{{- if and (not $s.autoscaleEnabled) $s.replicaCount }}
{{- $_ := set $spec "replicas" (int64 $s.replicaCount) }}
{{- end }}
{{- $metadata := include "gateways.metadata" (dict "root" . "s" $s "name" $s.name "labels" true) | fromYaml }}
{{- if not $injected }}
{{- $_ := set $metadata.labels "istio.io/dataplane-mode" "none" }}
{{- end }}
{{- toYaml (dict "apiVersion" "apps/v1" "kind" "Deployment" "metadata" $metadata "spec" $spec) }}
{{- end }}
