{{- /*
Helpers of the ztunnel chart. Objects are built as dicts and printed with toYaml; every template reads its
settings from "ztunnel.settings": the values with `global` folded into the top level (ztunnel's flattened
layout) and the helm-side presets applied.
*/ -}}

{{- /*
ztunnel.settings (dict "root" $ "out" DICT): sets out.v to the resolved settings (read-only, shared by every
template): files/defaults.yaml, the helm-side profile, compatibility version and platform of files/layers.yaml,
the release's `global` settings folded into the top level, then the release's values (see _helmgen_values.tpl);
`name` is the DaemonSet's name (resourceName, else ztunnel).
*/ -}}
{{- define "ztunnel.settings" -}}
{{- include "helmgen.values.settings" (dict "root" .root "out" .out "globals" true "finish" "ztunnel.finish") -}}
{{- end -}}

{{- define "ztunnel.finish" -}}
{{- $v := .v -}}
{{- if not (kindIs "map" (index $v "global")) -}}
{{- $_ := set $v "global" dict -}}
{{- end -}}
{{- $_ := set $v "name" (index $v "resourceName" | default "ztunnel" | toString) -}}
{{- end -}}

{{- /* ztunnel.standardLabels (dict "root" $): the app.kubernetes.io set every object carries */ -}}
{{- define "ztunnel.standardLabels" -}}
app.kubernetes.io/name: ztunnel
app.kubernetes.io/managed-by: {{ .root.Release.Service | quote }}
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
app.kubernetes.io/part-of: istio
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
helm.sh/chart: {{ regexReplaceAll "[-_.]+$" (printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63) "" | quote }}
{{- end -}}

{{- /* ztunnel.annotations (settings): the user's annotations, plus istio.io/rev for a revision */ -}}
{{- define "ztunnel.annotations" -}}
{{- $annotations := deepCopy (.annotations | default dict) -}}
{{- with .revision }}{{ $_ := set $annotations "istio.io/rev" (toString .) }}{{ end -}}
{{- toYaml $annotations -}}
{{- end -}}

{{- /*
ztunnel.renders (dict "v" SETTINGS "scope" "cluster"|"namespace"): "true" when resourceScope is "all" or that
scope (any other value renders neither).
*/ -}}
{{- define "ztunnel.renders" -}}
{{- $scope := index .v "resourceScope" | toString -}}
{{- if or (eq $scope "all") (eq $scope .scope) -}}true{{- end -}}
{{- end -}}

{{- /*
ztunnel.resources (MAP): container resources with each quantity written as a YAML scalar (a numeric string
becomes a number, as Istio's chart prints it); other entries as they are.
*/ -}}
{{- define "ztunnel.resources" -}}
{{- $out := dict -}}
{{- range $section, $entries := . -}}
{{- if kindIs "map" $entries -}}
{{- $typed := dict -}}
{{- range $name, $quantity := $entries -}}
{{- $parsed := ternary (fromYaml (printf "q: %s" $quantity)) (dict "q" $quantity) (kindIs "string" $quantity) -}}
{{- $_ := set $typed $name (ternary (index $parsed "q") $quantity (and (hasKey $parsed "q") (not (hasKey $parsed "Error")) (not (kindIs "map" (index $parsed "q"))) (not (kindIs "slice" (index $parsed "q"))))) -}}
{{- end -}}
{{- $_ := set $out $section $typed -}}
{{- else -}}
{{- $_ := set $out $section $entries -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}
