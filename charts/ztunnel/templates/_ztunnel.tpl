{{- /*
Helpers of the ztunnel chart. Objects are built as dicts and printed with toYaml; every template reads its
settings from "ztunnel.settings": the values with `global` folded into the top level (ztunnel's flattened
layout) and the helm-side presets applied.
*/ -}}

{{- /*
ztunnel.presets: what the helm-side profile (`profile` / `global.profile`), `compatibilityVersion` and
platform (`platform` / `global.platform`) change for ztunnel, plus the chart defaults of every top-level
setting a `global` setting of the same name can replace. A setting the user left at its default takes, in
order of strength, the `global` value, then the preset (platform > compatibilityVersion > profile).
*/ -}}
{{- define "ztunnel.presets" -}}
defaults:
  hub: registry.istio.io/testing
  tag: latest
  variant: ""
  imagePullPolicy: ""
  imagePullSecrets: []
  istioNamespace: istio-system
  logAsJson: false
  multiCluster:
    clusterName: ""
  network: ""
  resourceScope: all
  revision: ""
  caAddress: ""
  resourceQuotas:
    enabled: false
  meshConfig:
    defaultConfig:
      proxyMetadata: {}
profile:
  ambient:
    variant: distroless
    meshConfig:
      defaultConfig:
        proxyMetadata:
          ISTIO_META_ENABLE_HBONE: "true"
  demo: {}
  preview:
    meshConfig:
      defaultConfig:
        proxyMetadata:
          ISTIO_META_DNS_CAPTURE: "true"
  remote: {}
  stable: {}
compatibilityVersion:
  "1.25": {}
  "1.26": {}
  "1.27": {}
  "1.28": {}
  "1.29": {}
  "1.30": {}
platform:
  gke:
    resourceQuotas:
      enabled: true
  k3d: {}
  k3s: {}
  microk8s: {}
  minikube: {}
  openshift:
    seLinuxOptions:
      type: spc_t
{{- end -}}

{{- /*
ztunnel.fill (dict "into" MAP "layer" MAP "defaults" MAP): writes each leaf of layer into `into` where `into`
lacks it or still holds the default.
*/ -}}
{{- define "ztunnel.fill" -}}
{{- range $key, $want := .layer -}}
{{- $have := index $.into $key -}}
{{- $default := index $.defaults $key -}}
{{- if and (kindIs "map" $want) (kindIs "map" $have) -}}
{{- include "ztunnel.fill" (dict "into" $have "layer" $want "defaults" (ternary $default (dict) (kindIs "map" $default))) -}}
{{- else if or (not (hasKey $.into $key)) (eq (toJson $have) (toJson $default)) -}}
{{- $_ := set $.into $key (deepCopy $want) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* ztunnel.settings (dict "root" $ "out" DICT): sets out.v to the resolved settings */ -}}
{{- define "ztunnel.settings" -}}
{{- $root := .root -}}
{{- $presets := include "ztunnel.presets" . | fromYaml -}}
{{- $v := dict -}}
{{- range $key, $val := $root.Values -}}
{{- $_ := set $v $key (ternary (deepCopy $val) $val (not (kindIs "invalid" $val))) -}}
{{- end -}}
{{- $global := index $v "global" | default dict -}}
{{- $_ := set $v "global" $global -}}
{{- $layer := dict -}}
{{- $profile := index $v "profile" | default (index $global "profile") | default "" | toString -}}
{{- if $profile -}}
{{- if not (hasKey $presets.profile $profile) -}}
{{- fail (printf "unknown profile %s" $profile) -}}
{{- end -}}
{{- $layer = mustMergeOverwrite $layer (deepCopy (index $presets.profile $profile)) -}}
{{- end -}}
{{- $compat := index $v "compatibilityVersion" | default "" | toString -}}
{{- if $compat -}}
{{- if not (hasKey $presets.compatibilityVersion $compat) -}}
{{- fail (printf "unknown compatibility version %s" $compat) -}}
{{- end -}}
{{- $layer = mustMergeOverwrite $layer (deepCopy (index $presets.compatibilityVersion $compat)) -}}
{{- end -}}
{{- $platform := index $v "platform" | default (index $global "platform") | default "" | toString -}}
{{- if $platform -}}
{{- if not (hasKey $presets.platform $platform) -}}
{{- fail (printf "unknown platform %s" $platform) -}}
{{- end -}}
{{- $layer = mustMergeOverwrite $layer (deepCopy (index $presets.platform $platform)) -}}
{{- end -}}
{{- $layer = mustMergeOverwrite $layer (deepCopy $global) -}}
{{- include "ztunnel.fill" (dict "into" $v "layer" $layer "defaults" $presets.defaults) -}}
{{- $_ := set $v "name" ($v.resourceName | default "ztunnel" | toString) -}}
{{- $_ := set .out "v" $v -}}
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
