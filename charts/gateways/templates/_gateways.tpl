{{/*
Helpers of helmgen's gateways chart: one ingress or egress gateway (legacy deployment model) per release.
Objects are built as dicts and written with toYaml; the workload, its Service, HPA and PDB go through
helmgen.k8s.apply (the release's components.*.k8s settings).
*/}}

{{/* "ingress" or "egress". */}}
{{- define "gateways.kind" -}}
{{- if eq (toString .Values.gatewayType) "egress" }}egress{{ else }}ingress{{ end }}
{{- end }}

{{/* The chart's data (files/kinds-and-profiles.yaml) as YAML. */}}
{{- define "gateways.data" -}}
{{- .Files.Get "files/kinds-and-profiles.yaml" }}
{{- end }}

{{/*
(dict "v" VALUE "base" DEFAULT "top" LAYER) -> JSON {"v": RESULT}: LAYER applied where VALUE was not given,
i.e. where it still equals DEFAULT. Maps in LAYER apply key by key; anything else replaces the whole value.
*/}}
{{- define "gateways.layer" -}}
{{- $v := .v }}
{{- $base := .base }}
{{- $top := .top }}
{{- if and (kindIs "map" $top) (or (kindIs "map" $v) (and (kindIs "invalid" $v) (kindIs "invalid" $base))) }}
{{- $out := dict }}
{{- if kindIs "map" $v }}{{ $out = deepCopy $v }}{{ end }}
{{- $bases := dict }}
{{- if kindIs "map" $base }}{{ $bases = $base }}{{ end }}
{{- range $key, $layer := $top }}
{{- $r := include "gateways.layer" (dict "v" (index $out $key) "base" (index $bases $key) "top" $layer) | fromJson }}
{{- $_ := set $out $key $r.v }}
{{- end }}
{{- toJson (dict "v" $out) }}
{{- else if eq (toJson $v) (toJson $base) }}
{{- toJson (dict "v" $top) }}
{{- else }}
{{- toJson (dict "v" $v) }}
{{- end }}
{{- end }}

{{/* The helm-side profile: value profile, else global.profile. */}}
{{- define "gateways.profileName" -}}
{{- .Values.profile | default (dig "profile" "" (.Values.global | default dict)) | toString }}
{{- end }}

{{/* The platform: value platform, else global.platform. */}}
{{- define "gateways.platform" -}}
{{- .Values.platform | default (dig "platform" "" (.Values.global | default dict)) | toString }}
{{- end }}

{{/* Refuses (as Istio's charts do) a profile, compatibilityVersion or platform it does not know. */}}
{{- define "gateways.check" -}}
{{- $data := include "gateways.data" . | fromYaml }}
{{- $profile := include "gateways.profileName" . }}
{{- if and $profile (not (hasKey $data.profiles $profile)) }}
{{- fail (printf "unknown profile %s" $profile) }}
{{- end }}
{{- $compat := .Values.compatibilityVersion }}
{{- if and $compat (not (and (kindIs "string" $compat) (has $compat $data.compatibilityVersions))) }}
{{- fail (printf "unknown compatibility version %v" $compat) }}
{{- end }}
{{- $platform := include "gateways.platform" . }}
{{- if and $platform (not (has $platform $data.platforms)) }}
{{- fail (printf "unknown platform %s" $platform) }}
{{- end }}
{{- end }}

{{/*
The values this release renders from, as JSON: .Values, then for an egress gateway the egress defaults, then
the helm-side profile's settings, each only where the value still has its ingress default (values.yaml).
A profile that turns autoscaling off leaves it on when the release sets autoscaleMin or autoscaleMax itself
(k8s.hpaSpec), since that asks for an autoscaler.
*/}}
{{- define "gateways.settings" -}}
{{- include "gateways.check" . }}
{{- $data := include "gateways.data" . | fromYaml }}
{{- $kind := include "gateways.kind" . }}
{{- $v := toJson .Values | fromJson }}
{{- $base := $data.ingress }}
{{- if eq $kind "egress" }}
{{- $v = (include "gateways.layer" (dict "v" $v "base" $base "top" $data.egress) | fromJson).v }}
{{- $base = (include "gateways.layer" (dict "v" $base "base" $base "top" $data.egress) | fromJson).v }}
{{- end }}
{{- with include "gateways.profileName" . }}
{{- $profile := index $data.profiles . | default dict }}
{{- $top := merge (omit $profile "ingress" "egress") (index $profile $kind | default dict) }}
{{- if and (hasKey $top "autoscaleEnabled") (or (ne (toString $v.autoscaleMin) "1") (ne (toString $v.autoscaleMax) "5")) }}
{{- $top = omit $top "autoscaleEnabled" }}
{{- end }}
{{- $v = (include "gateways.layer" (dict "v" $v "base" $base "top" $top) | fromJson).v }}
{{- end }}
{{- toJson $v }}
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
