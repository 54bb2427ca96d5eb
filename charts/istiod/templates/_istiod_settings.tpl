{{- /*
istiod chart: the settings every template reads.

"istiod.settings" returns (as JSON) the values the templates work from, built once per render by
"helmgen.values.settings" (_helmgen_values.tpl): the chart defaults (files/defaults.yaml), the helm-side profile
(`profile`, else global.profile), `compatibilityVersion` and platform (`platform`, else global.platform) layers of
files/layers.yaml, then the release's values, and last a nested `pilot` block (accepted for compatibility) over the
top level. Unknown profile, compatibility version or platform names are refused.
Templates call it once: {{- $s := include "istiod.settings" . | fromJson }}.
*/ -}}

{{- define "istiod.settings" -}}
{{- $out := dict -}}
{{- include "istiod.cached" (dict "root" . "out" $out) -}}
{{- toJson $out.v -}}
{{- end -}}

{{- /* (dict "root" $ "out" DICT): out.v is the settings map itself (shared by every template: read it, never change
       it). For helpers that read a setting or two. */ -}}
{{- define "istiod.cached" -}}
{{- include "helmgen.values.settings" (dict "root" .root "out" .out "finish" "istiod.finish") -}}
{{- end -}}

{{- /* (dict "root" $ "v" SETTINGS): a nested `pilot` block laid over the top level. */ -}}
{{- define "istiod.finish" -}}
{{- if kindIs "map" (index .v "pilot") -}}
  {{- include "helmgen.values.merge" (dict "into" .v "from" (index .v "pilot")) -}}
{{- end -}}
{{- end -}}

{{- /* ---- names ---- */ -}}

{{- /* "-<revision>" or "" */ -}}
{{- define "istiod.revSuffix" -}}
{{- $o := dict }}{{ include "istiod.cached" (dict "root" . "out" $o) }}
{{- with $o.v.revision }}-{{ . }}{{ end -}}
{{- end -}}

{{- /* the revision as labels and selectors name it */ -}}
{{- define "istiod.revLabel" -}}
{{- $o := dict }}{{ include "istiod.cached" (dict "root" . "out" $o) }}
{{- $o.v.revision | default "default" -}}
{{- end -}}

{{- /* Deployment, Service, ServiceAccount, Role, HPA, PDB */ -}}
{{- define "istiod.name" -}}
istiod{{ include "istiod.revSuffix" . }}
{{- end -}}

{{- /* ---- labels ---- */ -}}

{{- define "istiod.chartLabels" -}}
app.kubernetes.io/name: {{ .name | default "istiod" }}
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
app.kubernetes.io/part-of: istio
app.kubernetes.io/managed-by: {{ .root.Release.Service | quote }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
helm.sh/chart: {{ regexReplaceAll "[-_.]+$" (printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63) "" | quote }}
{{- end -}}

{{- /* labels (JSON) from a list of parts: "chart", "podChart" (the chart labels but helm.sh/chart), "release",
       "rev" (istio.io/rev + owner + component), "revOnly", or a dict merged in as is. Usage: include "istiod.labels" (list $ "chart" "rev" (dict "app" "istiod")) */ -}}
{{- define "istiod.labels" -}}
{{- $root := first . -}}
{{- $out := dict -}}
{{- range rest . -}}
  {{- if kindIs "map" . -}}
    {{- $out = merge (deepCopy .) $out -}}
  {{- else if eq . "chart" -}}
    {{- $out = merge $out (include "istiod.chartLabels" (dict "root" $root) | fromYaml) -}}
  {{- else if eq . "podChart" -}}
    {{- /* pod templates: no helm.sh/chart, since a generated chart's version changes with every IstioOperator
           edit and a changed pod-template label restarts every pod */ -}}
    {{- $out = merge $out (omit (include "istiod.chartLabels" (dict "root" $root) | fromYaml) "helm.sh/chart") -}}
  {{- else if eq . "reader" -}}
    {{- $out = merge $out (include "istiod.chartLabels" (dict "root" $root "name" "istio-reader") | fromYaml) -}}
  {{- else if eq . "release" -}}
    {{- $_ := set $out "release" $root.Release.Name -}}
  {{- else if eq . "revOnly" -}}
    {{- $_ := set $out "istio.io/rev" (include "istiod.revLabel" $root) -}}
  {{- else if eq . "rev" -}}
    {{- $_ := set $out "istio.io/rev" (include "istiod.revLabel" $root) -}}
    {{- $o := dict }}{{ include "istiod.cached" (dict "root" $root "out" $o) }}
    {{- $_ := set $out "install.operator.istio.io/owning-resource" ($o.v.ownerName | default "unknown") -}}
    {{- $_ := set $out "operator.istio.io/component" "Pilot" -}}
  {{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{- /* pods of this revision: {istio: pilot} for the default installation, {app: istiod, istio.io/rev: R} otherwise */ -}}
{{- define "istiod.podSelector" -}}
{{- $o := dict }}{{ include "istiod.cached" (dict "root" . "out" $o) }}
{{- if $o.v.revision -}}
{{- toJson (dict "app" "istiod" "istio.io/rev" $o.v.revision) -}}
{{- else -}}
{{- toJson (dict "istio" "pilot") -}}
{{- end -}}
{{- end -}}

{{- /* the pods behind istiod's Services (JSON); also the PDB's */ -}}
{{- define "istiod.serviceSelector" -}}
{{- $o := dict }}{{ include "istiod.cached" (dict "root" . "out" $o) }}
{{- if $o.v.revision -}}
{{- toJson (dict "app" "istiod" "istio.io/rev" $o.v.revision) -}}
{{- else -}}
{{- toJson (dict "app" "istiod" "istio" "pilot") -}}
{{- end -}}
{{- end -}}

{{- /* ---- where things run ---- */ -}}

{{- /* "namespace" / "cluster": whether global.resourceScope lets this chart render objects of that scope */ -}}
{{- define "istiod.inScope" -}}
{{- $o := dict }}{{ include "istiod.cached" (dict "root" .root "out" $o) }}
{{- $scope := dig "resourceScope" "all" ($o.v.global | default dict) | default "all" -}}
{{- if or (eq $scope "all") (eq $scope .scope) }}true{{ end -}}
{{- end -}}

{{- /* istiod itself runs in this cluster (not a remote cluster served by an external istiod); takes the settings */ -}}
{{- define "istiod.local" -}}
{{- if or (not (dig "istiodRemote" "enabled" false .)) (dig "istiodRemote" "enabledLocalInjectorIstiod" false .) }}true{{ end -}}
{{- end -}}

{{- /* istiod's identity and permissions exist here: a local istiod, or a remote cluster that holds the config
       (takes the settings) */ -}}
{{- define "istiod.hasIdentity" -}}
{{- if or (include "istiod.local" .) .global.configCluster }}true{{ end -}}
{{- end -}}

{{- /* a mutating webhook client config (JSON) for the service named .service */ -}}
{{- define "istiod.injectClient" -}}
{{- $r := .s.istiodRemote -}}
{{- $client := dict -}}
{{- if $r.injectionURL -}}
  {{- $_ := set $client "url" $r.injectionURL -}}
{{- else -}}
  {{- $_ := set $client "service" (dict "name" .service "namespace" .root.Release.Namespace "path" ($r.injectionPath | default "/inject") "port" 443) -}}
{{- end -}}
{{- with $r.injectionCABundle -}}
  {{- $_ := set $client "caBundle" . -}}
{{- end -}}
{{- toJson $client -}}
{{- end -}}
