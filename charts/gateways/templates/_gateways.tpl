{{/*
Helpers of helmgen's gateways chart: one ingress or egress gateway (legacy deployment model) per release.
Objects are built as dicts and written with toYaml; the workload, its Service, HPA and PDB go through
helmgen.k8s.apply (the release's components.*.k8s settings).
*/}}

{{/* "ingress" or "egress". */}}
{{- define "gateways.kind" -}}
{{- if eq (toString .Values.gatewayType) "egress" }}egress{{ else }}ingress{{ end }}
{{- end }}

{{/* The platform: value platform, else global.platform. */}}
{{- define "gateways.platform" -}}
{{- .Values.platform | default (dig "platform" "" (.Values.global | default dict)) | toString }}
{{- end }}

{{/*
The values this release renders from, as JSON: the chart defaults (files/defaults.yaml, an ingress gateway's),
for an egress gateway its kind's defaults, the helm-side profile, compatibility version and platform
(files/layers.yaml), then the release's values (see _helmgen_values.tpl). Unknown profile, compatibility
version or platform names are refused, as Istio's charts refuse them.
*/}}
{{- define "gateways.settings" -}}
{{- $out := dict }}
{{- include "helmgen.values.settings" (dict "root" . "out" $out "kind" (include "gateways.kind" .)) }}
{{- toJson $out.v }}
{{- end }}

{{/* (dict "root" $ "s" SETTINGS): labels every object of the release carries, as YAML. */}}
{{- define "gateways.standardLabels" -}}
{{- $s := .s }}
{{- $kind := include "gateways.kind" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service | quote }}
app.kubernetes.io/name: {{ printf "istio-%sgateway" $kind | quote }}
app.kubernetes.io/part-of: istio
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
helm.sh/chart: {{ regexReplaceAll "[-_.]+$" (printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63) "" | quote }}
install.operator.istio.io/owning-resource: {{ $s.ownerName | default "unknown" | quote }}
istio.io/rev: {{ $s.revision | default "default" | quote }}
operator.istio.io/component: {{ ternary "IngressGateways" "EgressGateways" (eq $kind "ingress") | quote }}
release: {{ .root.Release.Name | quote }}
{{- end }}

{{/* (dict "root" $ "s" SETTINGS): the gateway's labels (also its selector) plus the standard ones, as YAML. */}}
{{- define "gateways.objectLabels" -}}
{{- $std := include "gateways.standardLabels" . | fromYaml }}
{{- toYaml (merge $std (.s.labels | default dict)) }}
{{- end }}

{{/* (dict "root" $ "s" SETTINGS "name" NAME "labels" BOOL): metadata of a namespaced object, with the standard
labels and (labels true) the gateway's. */}}
{{- define "gateways.metadata" -}}
{{- $labels := include "gateways.standardLabels" . | fromYaml }}
{{- if .labels }}{{ $labels = include "gateways.objectLabels" . | fromYaml }}{{ end }}
{{- toYaml (dict "name" .name "namespace" .root.Release.Namespace "labels" $labels) }}
{{- end }}

{{/* (dict "v" X): a port as Kubernetes wants it, a number where X is one (also "8080"), else X. */}}
{{- define "gateways.portNumber" -}}
{{- $p := .v }}
{{- if and (kindIs "string" $p) (regexMatch "^[0-9]+$" $p) }}{{ $p = atoi $p }}{{ end }}
{{- if kindIs "float64" $p }}{{ $p = int64 $p }}{{ end }}
{{- toJson (dict "v" $p) }}
{{- end }}

{{/* (dict "root" $ "s" SETTINGS): revision suffix "-<revision>", or nothing for the default revision. */}}
{{- define "gateways.revisionSuffix" -}}
{{- with .s.revision }}-{{ . }}{{ end }}
{{- end }}
