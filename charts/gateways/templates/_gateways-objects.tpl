{{/* The gateway's other objects, each as YAML (empty when the values ask for none). */}}

{{/* Service: the gateway's ports (as given; port numbers written as numbers) plus ingressPorts/egressPorts (name and port), unless customService. */}}
{{- define "gateways.service" -}}
{{- $s := include "gateways.settings" . | fromJson }}
{{- if not $s.customService }}
{{- $kind := include "gateways.kind" . }}
{{- $ports := list }}
{{- range $s.ports }}
{{- $port := deepCopy . }}
{{- range $key := list "port" "targetPort" "nodePort" }}
{{- if hasKey $port $key }}{{ $_ := set $port $key (include "gateways.portNumber" (dict "v" (index $port $key)) | fromJson).v }}{{ end }}
{{- end }}
{{- $ports = append $ports $port }}
{{- end }}
{{- range (index $s (printf "%sPorts" $kind)) }}
{{- $ports = append $ports (dict "name" .name "port" .port) }}
{{- end }}
{{- $spec := dict "type" $s.type "selector" ($s.labels | default dict) "ports" ($ports | default nil) }}
{{- range $key := list "loadBalancerIP" "loadBalancerSourceRanges" "externalTrafficPolicy" "ipFamilyPolicy" "ipFamilies" }}
{{- with index $s $key }}{{ $_ := set $spec $key . }}{{ end }}
{{- end }}
{{- $metadata := include "gateways.metadata" (dict "root" . "s" $s "name" $s.name "labels" true) | fromYaml }}
{{- with $s.serviceAnnotations }}{{ $_ := set $metadata "annotations" . }}{{ end }}
{{- toYaml (dict "apiVersion" "v1" "kind" "Service" "metadata" $metadata "spec" $spec) }}
{{- end }}
{{- end }}

{{/* HorizontalPodAutoscaler on CPU utilisation, when autoscaleEnabled with autoscaleMin and autoscaleMax. */}}
{{- define "gateways.hpa" -}}
{{- $s := include "gateways.settings" . | fromJson }}
{{- if and $s.autoscaleEnabled $s.autoscaleMin $s.autoscaleMax }}
{{- $target := dict "type" "Utilization" "averageUtilization" (dig "targetAverageUtilization" nil ($s.cpu | default dict)) }}
{{- $spec := dict
      "minReplicas" (int64 $s.autoscaleMin)
      "maxReplicas" (int64 $s.autoscaleMax)
      "scaleTargetRef" (dict "apiVersion" "apps/v1" "kind" "Deployment" "name" $s.name)
      "metrics" (list (dict "type" "Resource" "resource" (dict "name" "cpu" "target" $target))) }}
{{- $metadata := include "gateways.metadata" (dict "root" . "s" $s "name" $s.name "labels" true) | fromYaml }}
{{- toYaml (dict "apiVersion" "autoscaling/v2" "kind" "HorizontalPodAutoscaler" "metadata" $metadata "spec" $spec) }}
{{- end }}
{{- end }}

{{/* PodDisruptionBudget (minAvailable 1) when global.defaultPodDisruptionBudget.enabled and more than one pod:
autoscaleMin above 1 with autoscaling, replicaCount above 1 without. */}}
{{- define "gateways.pdb" -}}
{{- $s := include "gateways.settings" . | fromJson }}
{{- $enabled := dig "defaultPodDisruptionBudget" "enabled" false ($s.global | default dict) }}
{{- $many := ternary (gt (int $s.autoscaleMin) 1) (gt (int $s.replicaCount) 1) (not (not $s.autoscaleEnabled)) }}
{{- if and $enabled $many }}
{{- $spec := dict "minAvailable" 1 "selector" (dict "matchLabels" ($s.labels | default dict)) }}
{{- $metadata := include "gateways.metadata" (dict "root" . "s" $s "name" $s.name "labels" true) | fromYaml }}
{{- toYaml (dict "apiVersion" "policy/v1" "kind" "PodDisruptionBudget" "metadata" $metadata "spec" $spec) }}
{{- end }}
{{- end }}

{{/* ServiceAccount <name>-service-account, with global.imagePullSecrets. */}}
{{- define "gateways.serviceAccount" -}}
{{- $s := include "gateways.settings" . | fromJson }}
{{- $metadata := include "gateways.metadata" (dict "root" . "s" $s "name" (printf "%s-service-account" $s.name) "labels" true) | fromYaml }}
{{- with dig "annotations" nil ($s.serviceAccount | default dict) }}{{ $_ := set $metadata "annotations" . }}{{ end }}
{{- $account := dict "apiVersion" "v1" "kind" "ServiceAccount" "metadata" $metadata }}
{{- $secrets := list }}
{{- range dig "imagePullSecrets" list ($s.global | default dict) }}{{ $secrets = append $secrets (dict "name" (toString .)) }}{{ end }}
{{- with $secrets }}{{ $_ := set $account "imagePullSecrets" . }}{{ end }}
{{- toYaml $account }}
{{- end }}

{{/* Role and RoleBinding <name>-sds: the gateway reads the TLS secrets of its namespace. */}}
{{- define "gateways.role" -}}
{{- $s := include "gateways.settings" . | fromJson }}
{{- $metadata := include "gateways.metadata" (dict "root" . "s" $s "name" (printf "%s-sds" $s.name)) | fromYaml }}
{{- $rule := dict "apiGroups" (list "") "resources" (list "secrets") "verbs" (list "get" "watch" "list") }}
{{- toYaml (dict "apiVersion" "rbac.authorization.k8s.io/v1" "kind" "Role" "metadata" $metadata "rules" (list $rule)) }}
{{- end }}

{{- define "gateways.roleBinding" -}}
{{- $s := include "gateways.settings" . | fromJson }}
{{- $metadata := include "gateways.metadata" (dict "root" . "s" $s "name" (printf "%s-sds" $s.name)) | fromYaml }}
{{- $ref := dict "apiGroup" "rbac.authorization.k8s.io" "kind" "Role" "name" (printf "%s-sds" $s.name) }}
{{- $subject := dict "kind" "ServiceAccount" "name" (printf "%s-service-account" $s.name) }}
{{- toYaml (dict "apiVersion" "rbac.authorization.k8s.io/v1" "kind" "RoleBinding" "metadata" $metadata
                 "roleRef" $ref "subjects" (list $subject)) }}
{{- end }}

{{/* NetworkPolicy (global.networkPolicy.enabled): status and metrics ports plus every port the proxy listens on
in; anything out. Named <name>[-<revision>], labelled app=<name>, istio=<kind>gateway (not the gateway's labels). */}}
{{- define "gateways.networkPolicy" -}}
{{- $s := include "gateways.settings" . | fromJson }}
{{- if dig "networkPolicy" "enabled" false ($s.global | default dict) }}
{{- $rules := list (dict "ports" (list (dict "port" 15021 "protocol" "TCP")))
                   (dict "ports" (list (dict "port" 15020 "protocol" "TCP") (dict "port" 15090 "protocol" "TCP"))) }}
{{- range $s.ports }}
{{- $target := (include "gateways.portNumber" (dict "v" (.targetPort | default .port)) | fromJson).v }}
{{- $rules = append $rules (dict "ports" (list (dict "port" $target "protocol" (.protocol | default "TCP")))) }}
{{- end }}
{{- $spec := dict "podSelector" (dict "matchLabels" ($s.labels | default dict)) "policyTypes" (list "Ingress" "Egress")
                  "ingress" $rules "egress" (list dict) }}
{{- $name := printf "%s%s" $s.name (include "gateways.revisionSuffix" (dict "root" . "s" $s)) }}
{{- $metadata := include "gateways.metadata" (dict "root" . "s" $s "name" $name) | fromYaml }}
{{- $_ := merge $metadata.labels (dict "app" $s.name "istio" (printf "%sgateway" (include "gateways.kind" .))) }}
{{- toYaml (dict "apiVersion" "networking.k8s.io/v1" "kind" "NetworkPolicy" "metadata" $metadata "spec" $spec) }}
{{- end }}
{{- end }}
