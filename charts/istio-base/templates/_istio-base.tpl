{{/*
Helpers of helmgen's istio-base chart. Objects are built as dicts and written with toYaml.
*/}}

{{/* Labels every object of this chart carries (YAML text of a map). */}}
{{- define "istio-base.standardLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
app.kubernetes.io/part-of: istio
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ regexReplaceAll "[-_.]+$" (printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63) "" | quote }}
{{- end }}

{{/*
(dict "root" $ "out" DICT): sets out.v to the chart's settings (read-only, shared by every template):
files/defaults.yaml, the helm-side profile, compatibility version and platform of files/layers.yaml, then the
release's values (see _helmgen_values.tpl). Unknown profile, compatibility version or platform names are refused.
*/}}
{{- define "istio-base.settings" -}}
{{- include "helmgen.values.settings" (dict "root" .root "out" .out "finish" "istio-base.finish") }}
{{- end }}

{{/* (dict "root" $ "v" SETTINGS): global and base are maps even when the release cleared them. */}}
{{- define "istio-base.finish" -}}
{{- range $key := list "global" "base" "experimental" }}
{{- if not (kindIs "map" (index $.v $key)) }}{{ $_ := set $.v $key dict }}{{ end }}
{{- end }}
{{- end }}

{{/* (dict "root" $ "labels" MAP): the standard labels plus MAP (MAP wins), as a dict. */}}
{{- define "istio-base.labels" -}}
{{- $labels := include "istio-base.standardLabels" .root | fromYaml }}
{{- toYaml (merge (deepCopy .labels) $labels) }}
{{- end }}

{{/*
global.resourceScope decides which objects render: "all" renders everything, "cluster" only
cluster-scoped objects, "namespace" only namespaced ones (any other value: nothing).
Each returns "true" or "false".
*/}}
{{- define "istio-base.clusterObjects" -}}
{{- $s := dict }}{{ include "istio-base.settings" (dict "root" . "out" $s) }}
{{- has (toString $s.v.global.resourceScope) (list "all" "cluster") }}
{{- end }}

{{- define "istio-base.namespacedObjects" -}}
{{- $s := dict }}{{ include "istio-base.settings" (dict "root" . "out" $s) }}
{{- has (toString $s.v.global.resourceScope) (list "all" "namespace") }}
{{- end }}

{{/* The API table (files/apis.yaml) as a dict. */}}
{{- define "istio-base.apis" -}}
{{- .Files.Get "files/apis.yaml" }}
{{- end }}

{{/* The API groups of the table, in order (list of strings, as YAML). */}}
{{- define "istio-base.apiGroups" -}}
{{- $names := list }}
{{- range (include "istio-base.apis" . | fromYaml).groups }}
{{- $names = append $names .name }}
{{- end }}
{{- toYaml $names }}
{{- end }}

{{/*
The revision that serves validation by default (defaultRevision), and the istiod Service of that
revision: "istiod" for the revision "default", else "istiod-<revision>".
*/}}
{{- define "istio-base.defaultRevisionService" -}}
{{- $s := dict }}{{ include "istio-base.settings" (dict "root" . "out" $s) }}
{{- if eq (toString $s.v.defaultRevision) "default" }}istiod{{ else }}{{ printf "istiod-%v" $s.v.defaultRevision }}{{ end }}
{{- end }}

{{/* Whether the stable-channel ValidatingAdmissionPolicy applies ("true"/"false"): experimental.stableValidationPolicy,
which the stable profile turns on unless the release says otherwise. */}}
{{- define "istio-base.stablePolicy" -}}
{{- $s := dict }}{{ include "istio-base.settings" (dict "root" . "out" $s) }}
{{- if dig "stableValidationPolicy" false $s.v.experimental }}true{{ else }}false{{ end }}
{{- end }}

{{/*
Fields outside the stable channel (CEL, one expression each; a YAML list): Telemetry's
useRequestIdForTraceSampling, reportingInterval and access-log filters, and AuthorizationPolicy
sources matched by trust domain. (The last one ends without a newline, as Istio's does once its
manifest is split into documents.)
*/}}
{{- define "istio-base.stableFieldRules" -}}
- |
  !(
    variables.isTelemetry && (
      (has(object.spec.tracing) ? object.spec.tracing : {}).exists(t, has(t.useRequestIdForTraceSampling)) ||
      (has(object.spec.metrics) ? object.spec.metrics : {}).exists(m, has(m.reportingInterval)) ||
      (has(object.spec.accessLogging) ? object.spec.accessLogging : {}).exists(l, has(l.filter))
    )
  )
- |-
  !(
    variables.isAuthorizationPolicy &&
    has(object.spec.rules) &&
    object.spec.rules.exists(r,
      has(r.from) && r.from.exists(f,
        has(f.source) && (has(f.source.trustDomains) || has(f.source.notTrustDomains))
      )
    )
  )
{{- end }}
