{{- /*
helmgen.values: the settings a release renders from, computed once per render and shared by every template
of the chart. (charts/_lib/_helmgen_values.tpl; scripts/sync-chart-lib copies it into each chart.)

values.yaml holds no defaults, so .Values is exactly what the release was given and a given value is never
mistaken for a default. The settings are built in layers, each laid over the ones before it:

  1. files/defaults.yaml                        the chart defaults
  2. files/layers.yaml kinds.<kind>             the defaults of the release's kind (gateways: egress)
  3. files/layers.yaml profile.<name>           helm-side profile: .Values.profile, else .Values.global.profile
  4. files/layers.yaml compatibilityVersion.<v> .Values.compatibilityVersion
  5. files/layers.yaml platform.<name>          .Values.platform, else .Values.global.platform
  6. .Values.global                             only for charts that read global settings at the top level
  7. .Values

Laying one map over another: maps merge key by key; anything else, lists included, replaces what is beneath;
a null removes what is beneath (and, with nothing beneath, stays a null, as Helm keeps it). An entry of
steps 3 to 5 may hold `kinds: {<kind>: MAP}`: MAP is laid over it for a release of that kind. A profile,
compatibility version or platform that files/layers.yaml does not list is refused ("unknown profile x").
*/ -}}

{{- /*
helmgen.values.merge (dict "into" MAP "from" MAP): lays FROM over INTO, changing INTO in place (FROM is
copied, never shared).
*/ -}}
{{- define "helmgen.values.merge" -}}
{{- $into := .into -}}
{{- range $key, $value := .from -}}
  {{- $beneath := index $into $key -}}
  {{- if kindIs "invalid" $value -}}
    {{- if hasKey $into $key -}}
      {{- $_ := unset $into $key -}}
    {{- else -}}
      {{- $_ := set $into $key nil -}}
    {{- end -}}
  {{- else if and (kindIs "map" $value) (kindIs "map" $beneath) -}}
    {{- include "helmgen.values.merge" (dict "into" $beneath "from" $value) -}}
  {{- else -}}
    {{- $_ := set $into $key (deepCopy $value) -}}
  {{- end -}}
{{- end -}}
{{- end -}}

{{- /*
helmgen.values.layer (dict "table" MAP "what" TEXT "name" NAME "kind" KIND "out" LIST-HOLDER): appends to
out.layers the entry NAME of TABLE (and its kinds.<KIND>); fails when TABLE has no entry NAME.
*/ -}}
{{- define "helmgen.values.layer" -}}
{{- if not (hasKey .table .name) -}}
  {{- fail (printf "unknown %s %s" .what .name) -}}
{{- end -}}
{{- $entry := index .table .name | default dict -}}
{{- $_ := set .out "layers" (append .out.layers (omit $entry "kinds")) -}}
{{- with .kind -}}
  {{- with dig "kinds" . nil $entry -}}
    {{- $_ := set $.out "layers" (append $.out.layers .) -}}
  {{- end -}}
{{- end -}}
{{- end -}}

{{- /*
helmgen.values.settings (dict "root" $ "out" DICT [ "kind" KIND ] [ "globals" true ] [ "finish" TEMPLATE ]):
sets out.v to the release's settings (see the top of this file). KIND selects the kind layers; "globals"
lays .Values.global over the top level (step 6); TEMPLATE, if given, is included once with
(dict "root" $ "v" SETTINGS) to finish the settings in place. The result is kept in the root context for the
rest of the render: callers must not change it (deepCopy it first).
*/ -}}
{{- define "helmgen.values.settings" -}}
{{- $root := .root -}}
{{- if not (kindIs "map" (index $root "helmgenSettings")) -}}
  {{- $values := $root.Values | default dict -}}
  {{- $global := index $values "global" -}}
  {{- if not (kindIs "map" $global) }}{{ $global = dict }}{{ end -}}
  {{- $data := $root.Files.Get "files/layers.yaml" | fromYaml | default dict -}}
  {{- $kind := toString (.kind | default "") -}}
  {{- $picked := dict "layers" list -}}
  {{- with $kind -}}
    {{- with dig "kinds" . nil $data -}}
      {{- $_ := set $picked "layers" (append $picked.layers .) -}}
    {{- end -}}
  {{- end -}}
  {{- $selectors := list
        (list "profile" "profile" (index $values "profile" | default (index $global "profile")))
        (list "compatibility version" "compatibilityVersion" (index $values "compatibilityVersion"))
        (list "platform" "platform" (index $values "platform" | default (index $global "platform"))) -}}
  {{- range $selectors -}}
    {{- $name := index . 2 | default "" | toString -}}
    {{- if $name -}}
      {{- $table := index $data (index . 1) | default dict -}}
      {{- include "helmgen.values.layer" (dict "table" $table "what" (index . 0) "name" $name "kind" $kind "out" $picked) -}}
    {{- end -}}
  {{- end -}}
  {{- if .globals -}}
    {{- $_ := set $picked "layers" (append $picked.layers $global) -}}
  {{- end -}}
  {{- $v := $root.Files.Get "files/defaults.yaml" | fromYaml | default dict -}}
  {{- range append $picked.layers $values -}}
    {{- include "helmgen.values.merge" (dict "into" $v "from" .) -}}
  {{- end -}}
  {{- with .finish -}}
    {{- include . (dict "root" $root "v" $v) -}}
  {{- end -}}
  {{- $_ := set $root "helmgenSettings" $v -}}
{{- end -}}
{{- $_ := set .out "v" (index $root "helmgenSettings") -}}
{{- end -}}
