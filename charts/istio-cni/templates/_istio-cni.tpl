{{- /*
Helpers of the istio-cni chart. Every object is built as a dict and printed with toYaml; the settings
all templates read come from "istio-cni.settings" (values plus the helm-side presets).
*/ -}}

{{- /*
istio-cni.presets: what the helm-side profile (`profile` / `global.profile`), `compatibilityVersion` and
platform (`platform` / `global.platform`) change in this chart, and the chart defaults of exactly those
settings. A setting the user left at its default takes the preset's value; later kinds win
(profile < compatibilityVersion < platform).
*/ -}}
{{- define "istio-cni.presets" -}}
defaults:
  global:
    variant: ""
  ambient:
    enabled: false
    reconcileIptablesOnStartup: true
    shareHostNetworkNamespace: false
  resources:
    requests:
      cpu: 100m
      memory: 100Mi
  resourceQuotas:
    enabled: false
  cniBinDir: /opt/cni/bin
  cniConfDir: /etc/cni/net.d
  cniNetnsDir: /var/run/netns
  cniConfFileName: ""
  chained: true
  provider: default
profile:
  ambient:
    global:
      variant: distroless
    ambient:
      enabled: true
  demo:
    resources:
      requests:
        cpu: 10m
        memory: 40Mi
  preview: {}
  remote: {}
  stable: {}
compatibilityVersion:
  "1.25":
    ambient:
      reconcileIptablesOnStartup: false
      shareHostNetworkNamespace: true
  "1.26":
    ambient:
      reconcileIptablesOnStartup: false
  "1.27":
    ambient:
      reconcileIptablesOnStartup: false
  "1.28":
    ambient:
      reconcileIptablesOnStartup: false
  "1.29": {}
  "1.30": {}
platform:
  gke:
    cniBinDir: ""
    resourceQuotas:
      enabled: true
  k3d:
    cniBinDir: /bin
    cniConfDir: /var/lib/rancher/k3s/agent/etc/cni/net.d
  k3s:
    cniBinDir: /var/lib/rancher/k3s/data/cni
    cniConfDir: /var/lib/rancher/k3s/agent/etc/cni/net.d
  microk8s:
    cniBinDir: /var/snap/microk8s/current/opt/cni/bin
    cniConfDir: /var/snap/microk8s/current/args/cni-network
  minikube:
    cniNetnsDir: /var/run/docker/netns
  openshift:
    cniBinDir: /var/lib/cni/bin
    cniConfDir: /etc/cni/multus/net.d
    cniConfFileName: istio-cni.conf
    chained: false
    provider: multus
    seLinuxOptions:
      type: spc_t
{{- end -}}

{{- /*
istio-cni.fill (dict "into" MAP "layer" MAP "defaults" MAP): writes each leaf of layer into `into` where `into`
lacks it or still holds the default.
*/ -}}
{{- define "istio-cni.fill" -}}
{{- range $key, $want := .layer -}}
{{- $have := index $.into $key -}}
{{- $default := index $.defaults $key -}}
{{- if and (kindIs "map" $want) (kindIs "map" $have) -}}
{{- include "istio-cni.fill" (dict "into" $have "layer" $want "defaults" (ternary $default (dict) (kindIs "map" $default))) -}}
{{- else if or (not (hasKey $.into $key)) (eq (toJson $have) (toJson $default)) -}}
{{- $_ := set $.into $key (deepCopy $want) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /*
istio-cni.settings (dict "root" $ "out" DICT): sets out.v to the chart's settings: the values, a nested `cni`
block (the Istio chart layout) laid over the top level, presets applied; cniBinDir "" means autodetect
(/home/kubernetes/bin on GKE, else /opt/cni/bin).
*/ -}}
{{- define "istio-cni.settings" -}}
{{- $root := .root -}}
{{- $presets := include "istio-cni.presets" . | fromYaml -}}
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
{{- include "istio-cni.fill" (dict "into" $v "layer" $layer "defaults" $presets.defaults) -}}
{{- if kindIs "map" (index $v "cni") -}}
{{- $v = mustMergeOverwrite $v (deepCopy (index $v "cni")) -}}
{{- end -}}
{{- $_ := set $v "platformName" $platform -}}
{{- if not $v.cniBinDir -}}
{{- $_ := set $v "cniBinDir" (ternary "/home/kubernetes/bin" "/opt/cni/bin" (contains "-gke" $root.Capabilities.KubeVersion.GitVersion)) -}}
{{- end -}}
{{- $_ := set .out "v" $v -}}
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
