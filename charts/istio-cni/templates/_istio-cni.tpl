{{- /*
Helpers of the istio-cni chart. Every object is built as a dict and printed with toYaml; the settings
all templates read come from "istio-cni.settings" (chart defaults, helm-side layers, then the values).
*/ -}}

{{- /*
istio-cni.settings (dict "root" $ "out" DICT): sets out.v to the chart's settings (read-only, shared by every
template): files/defaults.yaml, the helm-side profile, compatibility version and platform of files/layers.yaml,
then the release's values (see _helmgen_values.tpl); finished by "istio-cni.finish".
*/ -}}
{{- define "istio-cni.settings" -}}
{{- include "helmgen.values.settings" (dict "root" .root "out" .out "finish" "istio-cni.finish") -}}
{{- end -}}

{{- /*
istio-cni.finish (dict "root" $ "v" SETTINGS): a nested `cni` block (the Istio chart layout) laid over the top
level; platformName set to the platform (`platform`, else `global.platform`); cniBinDir "" means autodetect
(/home/kubernetes/bin on GKE, else /opt/cni/bin).
*/ -}}
{{- define "istio-cni.finish" -}}
{{- $v := .v -}}
{{- if kindIs "map" (index $v "cni") -}}
{{- include "helmgen.values.merge" (dict "into" $v "from" (index $v "cni")) -}}
{{- end -}}
{{- if not (kindIs "map" (index $v "global")) -}}
{{- $_ := set $v "global" dict -}}
{{- end -}}
{{- $_ := set $v "platformName" (index $v "platform" | default (index $v.global "platform") | default "" | toString) -}}
{{- if not $v.cniBinDir -}}
{{- $_ := set $v "cniBinDir" (ternary "/home/kubernetes/bin" "/opt/cni/bin" (contains "-gke" .root.Capabilities.KubeVersion.GitVersion)) -}}
{{- end -}}
{{- end -}}

{{- /* istio-cni.standardLabels (dict "root" $): the app.kubernetes.io set every object carries */ -}}
{{- define "istio-cni.standardLabels" -}}
app.kubernetes.io/name: istio-cni
app.kubernetes.io/managed-by: {{ .root.Release.Service | quote }}
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
app.kubernetes.io/part-of: istio
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
helm.sh/chart: {{ regexReplaceAll "[-_.]+$" (printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63) "" | quote }}
{{- end -}}

{{- /*
istio-cni.labels (dict "root" $ "v" SETTINGS "app" KEY=VALUE): the labels of most objects: one app label
(e.g. "app=istio-cni" or "k8s-app=istio-cni-node"), the release, revision, owner and component labels.
*/ -}}
{{- define "istio-cni.labels" -}}
{{- $app := splitList "=" .app -}}
{{- $labels := dict (first $app) (last $app) "release" .root.Release.Name -}}
{{- $_ := set $labels "istio.io/rev" (.v.revision | default "default" | toString) -}}
{{- $_ = set $labels "install.operator.istio.io/owning-resource" (.v.ownerName | default "unknown" | toString) -}}
{{- $_ = set $labels "operator.istio.io/component" "Cni" -}}
{{- toYaml (mustMergeOverwrite $labels (include "istio-cni.standardLabels" . | fromYaml)) -}}
{{- end -}}

{{- /* istio-cni.image (settings): the install-cni image reference */ -}}
{{- define "istio-cni.image" -}}
{{- if contains "/" (toString .image) -}}
{{- .image -}}
{{- else -}}
{{- $variant := .variant | default .global.variant -}}
{{- printf "%v/%v:%v" (.hub | default .global.hub) .image (.tag | default .global.tag) -}}
{{- if $variant }}-{{ $variant }}{{ end -}}
{{- end -}}
{{- end -}}

{{- /*
istio-cni.renders (dict "v" SETTINGS "scope" "cluster"|"namespace"): "true" when global.resourceScope is
"all" or that scope (any other value renders neither).
*/ -}}
{{- define "istio-cni.renders" -}}
{{- $scope := index .v.global "resourceScope" | toString -}}
{{- if or (eq $scope "all") (eq $scope .scope) -}}true{{- end -}}
{{- end -}}

{{- /*
istio-cni.resources (MAP): container resources with each quantity written as a YAML scalar (a numeric string
becomes a number, as Istio's chart prints it); other entries as they are.
*/ -}}
{{- define "istio-cni.resources" -}}
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
