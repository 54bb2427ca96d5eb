{{- /*
istiod chart: the settings every template reads.

"istiod.settings" returns (as JSON) the values the templates work from:
  1. .Values as Helm merged them (values.yaml under the user's values);
  2. the helm-side profile layers, in this order: `profile` (or global.profile), `compatibilityVersion`,
     `platform` (or global.platform). A layer leaf lands where the user left the value unset or at the chart
     default (see "istiod.layerDefaults"): Helm has merged values.yaml in already, so a value equal to the
     default counts as unset;
  3. a nested `pilot` block (accepted for compatibility) over the top level.
Templates call it once: {{- $s := include "istiod.settings" . | fromJson }}.
*/ -}}

{{- define "istiod.settings" -}}
{{- $v := deepCopy .Values -}}
{{- $g := $v.global | default dict -}}
{{- $layer := dict -}}
{{- $profile := $v.profile | default $g.profile -}}
{{- if $profile -}}
  {{- if not (has (toString $profile) (list "ambient" "demo" "preview" "remote" "stable")) -}}
    {{- fail (printf "unknown profile %v" $profile) -}}
  {{- end -}}
  {{- $layer = mergeOverwrite $layer (include (printf "istiod.layer.profile.%v" $profile) . | fromYaml) -}}
{{- end -}}
{{- with $v.compatibilityVersion -}}
  {{- if not (has (toString .) (list "1.25" "1.26" "1.27" "1.28" "1.29" "1.30")) -}}
    {{- fail (printf "unknown compatibility version %v" .) -}}
  {{- end -}}
  {{- $layer = mergeOverwrite $layer (include (printf "istiod.layer.compatibility.%v" .) $ | fromYaml) -}}
{{- end -}}
{{- $platform := $v.platform | default $g.platform -}}
{{- if $platform -}}
  {{- if not (has (toString $platform) (list "gke" "k3d" "k3s" "microk8s" "minikube" "openshift")) -}}
    {{- fail (printf "unknown platform %v" $platform) -}}
  {{- end -}}
  {{- $layer = mergeOverwrite $layer (include (printf "istiod.layer.platform.%v" $platform) . | fromYaml) -}}
{{- end -}}
{{- if $layer -}}
  {{- include "istiod.applyLayer" (dict "into" $v "from" $layer "defaults" (include "istiod.layerDefaults" . | fromYaml)) -}}
{{- end -}}
{{- if kindIs "map" $v.pilot -}}
  {{- $v = mergeOverwrite $v (deepCopy $v.pilot) -}}
{{- end -}}
{{- toJson $v -}}
{{- end -}}

{{- /* Copies every leaf of "from" into "into" unless "into" holds a value there that differs from "defaults". */ -}}
{{- define "istiod.applyLayer" -}}
{{- $into := .into -}}
{{- $defaults := .defaults | default dict -}}
{{- range $key, $val := .from -}}
  {{- $have := index $into $key -}}
  {{- if and (kindIs "map" $val) (or (kindIs "map" $have) (not (hasKey $into $key)) (eq $have nil)) -}}
    {{- if not (kindIs "map" $have) -}}
      {{- $have = dict -}}
      {{- $_ := set $into $key $have -}}
    {{- end -}}
    {{- $sub := index $defaults $key -}}
    {{- include "istiod.applyLayer" (dict "into" $have "from" $val "defaults" (kindIs "map" $sub | ternary $sub dict)) -}}
  {{- else if or (not (hasKey $into $key)) (eq $have nil) -}}
    {{- $_ := set $into $key (deepCopy $val) -}}
  {{- else if and (hasKey $defaults $key) (eq (toJson $have) (toJson (index $defaults $key))) -}}
    {{- $_ := set $into $key (deepCopy $val) -}}
  {{- end -}}
{{- end -}}
{{- end -}}

{{- /* values.yaml defaults of the leaves a layer sets (tests/unit/test_chart_istiod.py keeps them in step). */ -}}
{{- define "istiod.layerDefaults" -}}
autoscaleEnabled: true
traceSampling: 1.0
resources:
  requests:
    cpu: 500m
    memory: 2048Mi
configMap: true
telemetry:
  enabled: true
istiodRemote:
  enabled: false
experimental:
  stableValidationPolicy: false
trustedZtunnelNamespace: ""
cni:
  provider: default
global:
  variant: ""
  omitSidecarInjectorConfigMap: false
  proxy:
    resources:
      requests:
        cpu: 100m
        memory: 128Mi
  waypoint:
    resources:
      requests:
        cpu: 100m
        memory: 128Mi
{{- end -}}

{{- /* ---- names ---- */ -}}

{{- /* "-<revision>" or "" */ -}}
{{- define "istiod.revSuffix" -}}
{{- with .Values.revision }}-{{ . }}{{ end -}}
{{- end -}}

{{- /* the revision as labels and selectors name it */ -}}
{{- define "istiod.revLabel" -}}
{{- .Values.revision | default "default" -}}
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
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | quote }}
{{- end -}}

{{- /* labels (JSON) from a list of parts: "chart", "release", "rev" (istio.io/rev + owner + component),
       "revOnly", or a dict merged in as is. Usage: include "istiod.labels" (list $ "chart" "rev" (dict "app" "istiod")) */ -}}
{{- define "istiod.labels" -}}
{{- $root := first . -}}
{{- $out := dict -}}
{{- range rest . -}}
  {{- if kindIs "map" . -}}
    {{- $out = merge (deepCopy .) $out -}}
  {{- else if eq . "chart" -}}
    {{- $out = merge $out (include "istiod.chartLabels" (dict "root" $root) | fromYaml) -}}
  {{- else if eq . "reader" -}}
    {{- $out = merge $out (include "istiod.chartLabels" (dict "root" $root "name" "istio-reader") | fromYaml) -}}
  {{- else if eq . "release" -}}
    {{- $_ := set $out "release" $root.Release.Name -}}
  {{- else if eq . "revOnly" -}}
    {{- $_ := set $out "istio.io/rev" (include "istiod.revLabel" $root) -}}
  {{- else if eq . "rev" -}}
    {{- $_ := set $out "istio.io/rev" (include "istiod.revLabel" $root) -}}
    {{- $_ := set $out "install.operator.istio.io/owning-resource" ($root.Values.ownerName | default "unknown") -}}
    {{- $_ := set $out "operator.istio.io/component" "Pilot" -}}
  {{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{- /* pods of this revision: {istio: pilot} for the default installation, {app: istiod, istio.io/rev: R} otherwise */ -}}
{{- define "istiod.podSelector" -}}
{{- if .Values.revision -}}
{{- toJson (dict "app" "istiod" "istio.io/rev" .Values.revision) -}}
{{- else -}}
{{- toJson (dict "istio" "pilot") -}}
{{- end -}}
{{- end -}}

{{- /* the pods behind istiod's Services (JSON); also the PDB's */ -}}
{{- define "istiod.serviceSelector" -}}
{{- if .Values.revision -}}
{{- toJson (dict "app" "istiod" "istio.io/rev" .Values.revision) -}}
{{- else -}}
{{- toJson (dict "app" "istiod" "istio" "pilot") -}}
{{- end -}}
{{- end -}}

{{- /* ---- where things run ---- */ -}}

{{- /* "namespace" / "cluster": whether global.resourceScope lets this chart render objects of that scope */ -}}
{{- define "istiod.inScope" -}}
{{- $scope := .root.Values.global.resourceScope | default "all" -}}
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
