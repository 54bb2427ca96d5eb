{{- /*
helmgen.k8s.apply: an IstioOperator `components.<c>.k8s` block (minus overlays), given as the chart value `k8s`,
applied to one rendered object exactly as istioctl's post-processing applies it (strategic merge, facts 5.1-5.2).
  {{ include "helmgen.k8s.apply" (dict "text" (include "mychart.deployment" .) "k8s" .Values.k8s "container" "discovery") }}
"text" is the object's YAML; the result is YAML (the text unchanged when nothing applies to its kind).
Edit charts/_lib/_helmgen_k8s.tpl and run scripts/sync-chart-lib: each chart carries a copy.

Which field patches which kind where (each field present in `k8s` is one patch, applied in this order; an explicit
null is a patch too and deletes the field):
  Deployment or DaemonSet  affinity, env, imagePullPolicy, nodeSelector, podAnnotations, priorityClassName,
                           readinessProbe, replicaCount (spec.replicas), resources, strategy (spec.strategy, on a
                           DaemonSet too), tolerations, securityContext (pod level); env, imagePullPolicy,
                           readinessProbe and resources go into the container named by "container"
  HorizontalPodAutoscaler  hpaSpec (spec)
  PodDisruptionBudget      podDisruptionBudget (spec; minAvailable becomes null when maxUnavailable is set too)
  Service                  serviceAnnotations (metadata.annotations), service (spec)
volumes and volumeMounts are never applied (istioctl drops them); overlays are helmgen's post-renderer's business.

The strategic merge is a port of helmgen/postprocess/smp.py (itself a port of k8s.io/apimachinery's strategicpatch
with the typed schema of the object's kind; the field metadata is "helmgen.k8s.meta", generated into
_helmgen_k8s_meta.tpl). tests/helm/test_k8s_helper.py renders it with real helm against the Python code.
Numbers: fromYaml makes every number a float64; toYaml writes whole ones as integers (replicas: 3).
Helpers below return objects through a "ret" dict they are handed (include can only return text); helpers whose
result is a word or a number print it.
*/ -}}

{{- define "helmgen.k8s.apply" -}}
{{- $k8s := dict -}}
{{- if .k8s -}}{{- $k8s = .k8s | toJson | fromJson -}}{{- end -}}
{{- $fields := list
  (list "affinity" "" "spec" "template" "spec" "affinity")
  (list "env" "" "~container" "env")
  (list "hpaSpec" "HorizontalPodAutoscaler" "spec")
  (list "imagePullPolicy" "" "~container" "imagePullPolicy")
  (list "nodeSelector" "" "spec" "template" "spec" "nodeSelector")
  (list "podDisruptionBudget" "PodDisruptionBudget" "spec")
  (list "podAnnotations" "" "spec" "template" "metadata" "annotations")
  (list "priorityClassName" "" "spec" "template" "spec" "priorityClassName")
  (list "readinessProbe" "" "~container" "readinessProbe")
  (list "replicaCount" "" "spec" "replicas")
  (list "resources" "" "~container" "resources")
  (list "strategy" "" "spec" "strategy")
  (list "tolerations" "" "spec" "template" "spec" "tolerations")
  (list "serviceAnnotations" "Service" "metadata" "annotations")
  (list "service" "Service" "spec")
  (list "securityContext" "" "spec" "template" "spec" "securityContext") -}}
{{- $kind := "" -}}
{{- $obj := dict -}}
{{- if and $k8s (trim .text) -}}
  {{- $obj = fromYaml .text -}}
  {{- if and (hasKey $obj "Error") (not (hasKey $obj "kind")) -}}
    {{- fail (printf "helmgen.k8s.apply: the object is not YAML: %v" (get $obj "Error")) -}}
  {{- end -}}
  {{- if kindIs "string" (get $obj "kind") -}}{{- $kind = get $obj "kind" -}}{{- end -}}
{{- end -}}
{{- $workload := has $kind (list "Deployment" "DaemonSet") -}}
{{- $todo := list -}}
{{- range $fields -}}
  {{- $target := index . 1 -}}
  {{- if and (hasKey $k8s (index . 0)) (or (and (eq $target "") $workload) (and $kind (eq $target $kind))) -}}
    {{- $todo = append $todo . -}}
  {{- end -}}
{{- end -}}
{{- if not $todo -}}
{{- .text -}}
{{- else -}}
  {{- $meta := include "helmgen.k8s.meta" . | fromJson -}}
  {{- $schema := "-" -}}
  {{- $root := printf "%v/%v" (get $obj "apiVersion") $kind -}}
  {{- if hasKey $meta.roots $root -}}{{- $schema = get $meta.roots $root -}}{{- end -}}
  {{- range $todo -}}
    {{- $field := index . 0 -}}
    {{- $value := get $k8s $field -}}
    {{- $location := slice . 2 -}}
    {{- if eq (index $location 0) "~container" -}}
      {{- $location = list "spec" "template" "spec" "containers" -}}
      {{- $value = list (dict "name" $.container (index . 3) $value) -}}
    {{- end -}}
    {{- $patch := dict -}}
    {{- $at := $patch -}}
    {{- range $i, $key := $location -}}
      {{- if eq (add1 $i) (len $location) -}}
        {{- $_ := set $at $key $value -}}
      {{- else -}}
        {{- $next := dict -}}
        {{- $_ := set $at $key $next -}}
        {{- $at = $next -}}
      {{- end -}}
    {{- end -}}
    {{- $r := dict -}}
    {{- include "helmgen.k8s.mergeMap" (dict "o" $obj "p" $patch "s" $schema "m" $meta "ret" $r) -}}
    {{- $obj = $r.v -}}
    {{- if eq $field "podDisruptionBudget" -}}
      {{- $spec := get $obj "spec" -}}
      {{- if and (kindIs "map" $spec) (hasKey $spec "maxUnavailable") (hasKey $spec "minAvailable") -}}
        {{- $_ := set $spec "minAvailable" nil -}}
      {{- end -}}
    {{- end -}}
  {{- end -}}
{{- toYaml $obj -}}
{{- end -}}
{{- end -}}

{{- /* The Go type of a decoded JSON value as smp.py's _go_type names it (every number is a float64 here). */ -}}
{{- define "helmgen.k8s.type" -}}
{{- $k := kindOf . -}}
{{- if eq $k "invalid" -}}nil
{{- else if has $k (list "float64" "float32" "int" "int64" "int32" "int16" "int8" "uint" "uint64" "uint32" "uint16" "uint8") -}}number
{{- else -}}{{- $k -}}
{{- end -}}
{{- end -}}

{{- /* Go's == on two decoded values held in interfaces: prints "true" or nothing (maps and lists cannot be compared). */ -}}
{{- define "helmgen.k8s.eq" -}}
{{- $ta := include "helmgen.k8s.type" .a -}}
{{- if eq $ta (include "helmgen.k8s.type" .b) -}}
  {{- if has $ta (list "map" "slice") -}}
    {{- fail (printf "helmgen.k8s: cannot compare values of type %s (a merge key or a list item)" $ta) -}}
  {{- end -}}
  {{- if or (eq $ta "nil") (eq .a .b) -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{- /* The metadata of field .k of struct .s ("-": no metadata, "": not a struct): ret.f, nil without metadata. */ -}}
{{- define "helmgen.k8s.field" -}}
{{- $_ := set .ret "f" nil -}}
{{- if eq .s "" -}}
  {{- fail (printf "helmgen.k8s: merging an object in json but data type is not struct (field %q)" .k) -}}
{{- else if ne .s "-" -}}
  {{- $fields := get .m.types .s -}}
  {{- $name := "" -}}
  {{- if hasKey $fields .k -}}
    {{- $name = .k -}}
  {{- else -}}
    {{- range $n := keys $fields | sortAlpha -}}
      {{- if and (not $name) (eq (lower $n) (lower $.k)) -}}{{- $name = $n -}}{{- end -}}
    {{- end -}}
  {{- end -}}
  {{- if not $name -}}
    {{- fail (printf "helmgen.k8s: unable to find api field in struct %s for the json field %q" (splitList "." .s | last) .k) -}}
  {{- end -}}
  {{- $_ := set .ret "f" (get $fields $name) -}}
{{- end -}}
{{- end -}}

{{- /* The patch strategy of field metadata . other than retainKeys ("" when none). */ -}}
{{- define "helmgen.k8s.strategy" -}}
{{- $parts := list "" -}}
{{- if . -}}{{- $parts = splitList "," (get . "strategy" | default "") -}}{{- end -}}
{{- $others := without $parts "retainKeys" -}}
{{- if or (gt (len $parts) 2) (and (eq (len $parts) 2) (ne (len $others) 1)) -}}
  {{- fail (printf "helmgen.k8s: unexpected patch strategy: %v" $parts) -}}
{{- end -}}
{{- if $others -}}{{- first $others -}}{{- end -}}
{{- end -}}

{{- /* Schema and strategy of the map-valued field .k of .s: ret.sub, ret.strategy. */ -}}
{{- define "helmgen.k8s.lookupStruct" -}}
{{- $r := dict -}}
{{- include "helmgen.k8s.field" (dict "s" .s "k" .k "m" .m "ret" $r) -}}
{{- $f := $r.f -}}
{{- if not $f -}}{{- $_ := set .ret "sub" "-" -}}
{{- else if and (hasKey $f "ref") (not (get $f "list")) -}}{{- $_ := set .ret "sub" (get $f "ref") -}}
{{- else -}}{{- $_ := set .ret "sub" "" -}}
{{- end -}}
{{- $_ := set .ret "strategy" (include "helmgen.k8s.strategy" $f) -}}
{{- end -}}

{{- /* Element schema, strategy and merge key of the list-valued field .k of .s: ret.sub, ret.strategy, ret.key. */ -}}
{{- define "helmgen.k8s.lookupSlice" -}}
{{- $r := dict -}}
{{- include "helmgen.k8s.field" (dict "s" .s "k" .k "m" .m "ret" $r) -}}
{{- $f := $r.f -}}
{{- if and $f (not (get $f "list")) -}}
  {{- fail (printf "helmgen.k8s: field %q is not a list in the Kubernetes type" .k) -}}
{{- end -}}
{{- if not $f -}}
  {{- $_ := set .ret "sub" "-" -}}{{- $_ := set .ret "strategy" "" -}}{{- $_ := set .ret "key" "" -}}
{{- else -}}
  {{- $_ := set .ret "sub" (hasKey $f "ref" | ternary (get $f "ref") "") -}}
  {{- $_ := set .ret "strategy" (include "helmgen.k8s.strategy" $f) -}}
  {{- $_ := set .ret "key" (get $f "key" | default "") -}}
{{- end -}}
{{- end -}}

{{- /* The field named by a directive key .key ("<.prefix>/<field>"). */ -}}
{{- define "helmgen.k8s.directiveField" -}}
{{- $parts := splitList "/" .key -}}
{{- if or (lt (len $parts) 2) (ne (first $parts) .prefix) -}}
  {{- fail (printf "helmgen.k8s: invalid patch format of %s directive: %q" .prefix .key) -}}
{{- end -}}
{{- rest $parts | join "/" -}}
{{- end -}}

{{- /* Fails unless .i is a map holding the merge key .mk. */ -}}
{{- define "helmgen.k8s.checkKey" -}}
{{- if not (kindIs "map" .i) -}}
  {{- fail (printf "helmgen.k8s: expected a map in a list merged by %q, got %s" .mk (include "helmgen.k8s.type" .i)) -}}
{{- end -}}
{{- if not (hasKey .i .mk) -}}
  {{- fail (printf "helmgen.k8s: map: %v does not contain declared merge key: %s" .i .mk) -}}
{{- end -}}
{{- end -}}

{{- /* A map patch .p applied to the map .o (changed in place) with struct schema .s: ret.v. */ -}}
{{- define "helmgen.k8s.mergeMap" -}}
{{- $p := .p -}}
{{- if hasKey $p "$patch" -}}
  {{- $d := get $p "$patch" -}}
  {{- if and (kindIs "string" $d) (eq $d "replace") -}}
    {{- $_ := unset $p "$patch" -}}
    {{- $_ := set .ret "v" $p -}}
  {{- else if and (kindIs "string" $d) (eq $d "delete") -}}
    {{- $_ := set .ret "v" (dict) -}}
  {{- else -}}
    {{- fail (printf "helmgen.k8s: unknown patch type: %v in map: %v" $d $p) -}}
  {{- end -}}
{{- else -}}
  {{- $o := .o -}}
  {{- if not (kindIs "map" $o) -}}{{- $o = dict -}}{{- end -}}
  {{- include "helmgen.k8s.retainKeys" (dict "o" $o "p" $p) -}}
  {{- include "helmgen.k8s.setElementOrder" (dict "o" $o "p" $p "s" .s "m" .m) -}}
  {{- range $key, $pv := $p -}}
    {{- $k := $key -}}
    {{- $isDelete := hasPrefix "$deleteFromPrimitiveList" $key -}}
    {{- if $isDelete -}}
      {{- $k = include "helmgen.k8s.directiveField" (dict "key" $key "prefix" "$deleteFromPrimitiveList") -}}
    {{- end -}}
    {{- if kindIs "invalid" $pv -}}
      {{- $_ := unset $o $k -}}
    {{- else if or (not (hasKey $o $k)) (ne (include "helmgen.k8s.type" (get $o $k)) (include "helmgen.k8s.type" $pv)) -}}
      {{- if not $isDelete -}}{{- include "helmgen.k8s.setNew" (dict "o" $o "k" $k "v" $pv) -}}{{- end -}}
    {{- else if kindIs "map" $pv -}}
      {{- $l := dict -}}
      {{- include "helmgen.k8s.lookupStruct" (dict "s" $.s "k" $k "m" $.m "ret" $l) -}}
      {{- if eq $l.strategy "replace" -}}
        {{- $_ := set $o $k $pv -}}
      {{- else -}}
        {{- $r := dict -}}
        {{- include "helmgen.k8s.mergeMap" (dict "o" (get $o $k) "p" $pv "s" $l.sub "m" $.m "ret" $r) -}}
        {{- $_ := set $o $k $r.v -}}
      {{- end -}}
    {{- else if kindIs "slice" $pv -}}
      {{- $l := dict -}}
      {{- include "helmgen.k8s.lookupSlice" (dict "s" $.s "k" $k "m" $.m "ret" $l) -}}
      {{- $r := dict -}}
      {{- include "helmgen.k8s.mergeListField" (dict "o" (get $o $k) "p" $pv "s" $l.sub "strategy" $l.strategy "mk" $l.key "del" $isDelete "m" $.m "ret" $r) -}}
      {{- $_ := set $o $k $r.v -}}
    {{- else -}}
      {{- $_ := set $o $k $pv -}}
    {{- end -}}
  {{- end -}}
  {{- $_ := set .ret "v" $o -}}
{{- end -}}
{{- end -}}

{{- /* Take a patch value .v as it is into .o at .k, without its nulls and `$patch` maps (dropped entirely at the top). */ -}}
{{- define "helmgen.k8s.setNew" -}}
{{- include "helmgen.k8s.discardNulls" .v -}}
{{- $r := dict -}}
{{- include "helmgen.k8s.removeDirectives" (dict "v" .v "ret" $r) -}}
{{- if $r.keep -}}{{- $_ := set .o .k $r.v -}}{{- else -}}{{- $_ := unset .o .k -}}{{- end -}}
{{- end -}}

{{- define "helmgen.k8s.discardNulls" -}}
{{- if kindIs "map" . -}}
  {{- $m := . -}}
  {{- range $k, $v := $m -}}{{- if kindIs "invalid" $v -}}{{- $_ := unset $m $k -}}{{- end -}}{{- end -}}
  {{- range $k, $v := $m -}}{{- include "helmgen.k8s.discardNulls" $v -}}{{- end -}}
{{- else if kindIs "slice" . -}}
  {{- range . -}}{{- include "helmgen.k8s.discardNulls" . -}}{{- end -}}
{{- end -}}
{{- end -}}

{{- /* .v without the maps that carry `$patch`: ret.v, and ret.keep false when .v itself is one. */ -}}
{{- define "helmgen.k8s.removeDirectives" -}}
{{- $_ := set .ret "keep" true -}}
{{- if kindIs "map" .v -}}
  {{- if hasKey .v "$patch" -}}
    {{- $_ := set .ret "keep" false -}}{{- $_ := set .ret "v" nil -}}
  {{- else -}}
    {{- $out := dict -}}
    {{- range $k, $v := .v -}}
      {{- $r := dict -}}
      {{- include "helmgen.k8s.removeDirectives" (dict "v" $v "ret" $r) -}}
      {{- if $r.keep -}}{{- $_ := set $out $k $r.v -}}{{- end -}}
    {{- end -}}
    {{- $_ := set .ret "v" $out -}}
  {{- end -}}
{{- else if kindIs "slice" .v -}}
  {{- $out := list -}}
  {{- range .v -}}
    {{- $r := dict -}}
    {{- include "helmgen.k8s.removeDirectives" (dict "v" . "ret" $r) -}}
    {{- if $r.keep -}}{{- $out = append $out $r.v -}}{{- end -}}
  {{- end -}}
  {{- $_ := set .ret "v" $out -}}
{{- else -}}
  {{- $_ := set .ret "v" .v -}}
{{- end -}}
{{- end -}}

{{- /* `$retainKeys`: keep only the listed keys of .o (on any field, whatever its strategy). */ -}}
{{- define "helmgen.k8s.retainKeys" -}}
{{- if hasKey .p "$retainKeys" -}}
  {{- $retain := get .p "$retainKeys" -}}
  {{- $_ := unset .p "$retainKeys" -}}
  {{- if not (kindIs "slice" $retain) -}}{{- fail "helmgen.k8s: invalid patch format of retainKeys" -}}{{- end -}}
  {{- $names := list -}}
  {{- range $retain -}}
    {{- if has (include "helmgen.k8s.type" .) (list "map" "slice") -}}{{- fail "helmgen.k8s: invalid patch format of retainKeys" -}}{{- end -}}
    {{- if kindIs "string" . -}}{{- $names = append $names . -}}{{- end -}}
  {{- end -}}
  {{- range $k, $v := .p -}}
    {{- if and (not (kindIs "invalid" $v)) (not (hasPrefix "$deleteFromPrimitiveList" $k)) (not (hasPrefix "$setElementOrder" $k)) (not (has $k $names)) -}}
      {{- fail (printf "helmgen.k8s: invalid patch format of retainKeys: %q is not retained" $k) -}}
    {{- end -}}
  {{- end -}}
  {{- $o := .o -}}
  {{- range $k := keys $o -}}{{- if not (has $k $names) -}}{{- $_ := unset $o $k -}}{{- end -}}{{- end -}}
{{- end -}}
{{- end -}}

{{- /* `$setElementOrder/<field>`: merge that field now and order it by the given list. */ -}}
{{- define "helmgen.k8s.setElementOrder" -}}
{{- $o := .o -}}
{{- $p := .p -}}
{{- range $directive := keys $p | sortAlpha -}}
  {{- if hasPrefix "$setElementOrder" $directive -}}
    {{- $order := get $p $directive -}}
    {{- $_ := unset $p $directive -}}
    {{- $key := include "helmgen.k8s.directiveField" (dict "key" $directive "prefix" "$setElementOrder") -}}
    {{- $foundO := hasKey $o $key -}}
    {{- $foundP := hasKey $p $key -}}
    {{- $ol := list -}}
    {{- if $foundO -}}{{- $ol = get $o $key -}}{{- end -}}
    {{- $pl := list -}}
    {{- if $foundP -}}{{- $pl = get $p $key -}}{{- end -}}
    {{- if not (and (kindIs "slice" $order) (kindIs "slice" $ol) (kindIs "slice" $pl)) -}}
      {{- fail (printf "helmgen.k8s: invalid patch format of setElementOrder list: %q" $directive) -}}
    {{- end -}}
    {{- $l := dict -}}
    {{- include "helmgen.k8s.lookupSlice" (dict "s" $.s "k" $key "m" $.m "ret" $l) -}}
    {{- include "helmgen.k8s.checkOrder" (dict "pl" $pl "order" $order "mk" $l.key) -}}
    {{- $merged := list -}}
    {{- if and $foundO $foundP -}}
      {{- $r := dict -}}
      {{- include "helmgen.k8s.mergeListField" (dict "o" $ol "p" $pl "s" $l.sub "strategy" $l.strategy "mk" $l.key "del" false "m" $.m "ret" $r) -}}
      {{- $merged = $r.v -}}
      {{- $ol = $r.o -}}
    {{- else if $foundP -}}
      {{- $r := dict -}}
      {{- include "helmgen.k8s.removeDirectives" (dict "v" $pl "ret" $r) -}}
      {{- $merged = $r.v -}}
    {{- else if $foundO -}}
      {{- $merged = $ol -}}
    {{- end -}}
    {{- if or $foundO $foundP -}}
      {{- $part := dict -}}
      {{- include "helmgen.k8s.partition" (dict "merged" $merged "by" $order "mk" $l.key "ret" $part) -}}
      {{- $et := include "helmgen.k8s.elemType" (list $ol $pl) -}}
      {{- $n := dict -}}
      {{- include "helmgen.k8s.normalize" (dict "pi" $part.in "so" $part.out "po" $order "sorder" $ol "mk" $l.key "kind" $et "ret" $n) -}}
      {{- $_ := set $o $key $n.v -}}
      {{- $_ := unset $p $key -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- end -}}

{{- /* Every patch item (.pl) must appear in the order list (.order), in the same relative order. */ -}}
{{- define "helmgen.k8s.checkOrder" -}}
{{- if and .order .pl -}}
  {{- $items := .pl -}}
  {{- if .mk -}}
    {{- $s := dict -}}
    {{- include "helmgen.k8s.splitDeletes" (dict "items" .pl "ret" $s) -}}
    {{- $items = $s.keep -}}
  {{- end -}}
  {{- $i := 0 -}}
  {{- $j := 0 -}}
  {{- range until (int (add (len $items) (len .order) 1)) -}}
    {{- if or (ge $i (len $items)) (ge $j (len $.order)) -}}{{- break -}}{{- end -}}
    {{- $item := index $items $i -}}
    {{- if and (kindIs "map" $item) (hasKey $item "$patch") -}}
      {{- $i = add1 $i -}}
    {{- else -}}
      {{- $other := index $.order $j -}}
      {{- $same := "" -}}
      {{- if $.mk -}}
        {{- include "helmgen.k8s.checkKey" (dict "i" $item "mk" $.mk) -}}
        {{- include "helmgen.k8s.checkKey" (dict "i" $other "mk" $.mk) -}}
        {{- $same = include "helmgen.k8s.eq" (dict "a" (get $item $.mk) "b" (get $other $.mk)) -}}
      {{- else -}}
        {{- $same = include "helmgen.k8s.eq" (dict "a" $item "b" $other) -}}
      {{- end -}}
      {{- if $same -}}{{- $i = add1 $i -}}{{- end -}}
      {{- $j = add1 $j -}}
    {{- end -}}
  {{- end -}}
  {{- if lt $i (len $items) -}}
    {{- fail (printf "helmgen.k8s: the order in patch list %v doesn't match $setElementOrder list %v" .pl .order) -}}
  {{- end -}}
{{- end -}}
{{- end -}}

{{- /* ret.keep and ret.del (the items marked `$patch: delete`) of .items; every item must be a map. */ -}}
{{- define "helmgen.k8s.splitDeletes" -}}
{{- $keep := list -}}
{{- $del := list -}}
{{- range .items -}}
  {{- if not (kindIs "map" .) -}}
    {{- fail (printf "helmgen.k8s: expected a map, got %s" (include "helmgen.k8s.type" .)) -}}
  {{- end -}}
  {{- $d := get . "$patch" -}}
  {{- if and (hasKey . "$patch") (kindIs "string" $d) (eq $d "delete") -}}
    {{- $del = append $del . -}}
  {{- else -}}
    {{- $keep = append $keep . -}}
  {{- end -}}
{{- end -}}
{{- $_ := set .ret "keep" $keep -}}
{{- $_ := set .ret "del" $del -}}
{{- end -}}

{{- /* The one Go type of all elements of the lists in . (printed). */ -}}
{{- define "helmgen.k8s.elemType" -}}
{{- $found := "" -}}
{{- range $l := . -}}
  {{- range $l -}}
    {{- $t := include "helmgen.k8s.type" . -}}
    {{- if and (not $found) (has $t (list "nil" "slice")) -}}
      {{- fail "helmgen.k8s: lists of lists (or of nulls) are not supported" -}}
    {{- end -}}
    {{- if and $found (ne $t $found) -}}
      {{- fail (printf "helmgen.k8s: list element types are not identical: %s and %s" $found $t) -}}
    {{- end -}}
    {{- $found = $t -}}
  {{- end -}}
{{- end -}}
{{- if not $found -}}{{- fail "helmgen.k8s: no elements in any of the given slices" -}}{{- end -}}
{{- $found -}}
{{- end -}}

{{- /* The list field .o patched with .p: ret.v, and ret.o what Go's caller then sees in .o. */ -}}
{{- define "helmgen.k8s.mergeListField" -}}
{{- if or (eq .strategy "merge") .del -}}
  {{- include "helmgen.k8s.mergeList" . -}}
{{- else -}}
  {{- $_ := set .ret "v" .p -}}
  {{- $_ := set .ret "o" .o -}}
{{- end -}}
{{- end -}}

{{- define "helmgen.k8s.mergeList" -}}
{{- $original := .o -}}
{{- $patch := .p -}}
{{- $_ := set .ret "o" .o -}}
{{- if and (not $original) (not $patch) -}}
  {{- $_ := set .ret "v" $original -}}
{{- else -}}
  {{- $kind := include "helmgen.k8s.elemType" (list $original $patch) -}}
  {{- $merged := list -}}
  {{- $done := false -}}
  {{- if ne $kind "map" -}}
    {{- if .del -}}
      {{- $out := list -}}
      {{- range $v := $original -}}
        {{- $drop := false -}}
        {{- range $d := $patch -}}{{- if include "helmgen.k8s.eq" (dict "a" $v "b" $d) -}}{{- $drop = true -}}{{- end -}}{{- end -}}
        {{- if not $drop -}}{{- $out = append $out $v -}}{{- end -}}
      {{- end -}}
      {{- $_ := set .ret "v" $out -}}
      {{- $done = true -}}
    {{- else -}}
      {{- $r := dict -}}
      {{- include "helmgen.k8s.dedup" (dict "o" $original "p" $patch "ret" $r) -}}
      {{- $merged = $r.v -}}
      {{- $original = $r.o -}}
      {{- $_ := set .ret "o" $r.o -}}
    {{- end -}}
  {{- else -}}
    {{- if not .mk -}}
      {{- fail (printf "helmgen.k8s: cannot merge lists without merge key for %s" (.s | default "struct")) -}}
    {{- end -}}
    {{- $sp := dict -}}
    {{- include "helmgen.k8s.specialElements" (dict "o" $original "p" $patch "mk" .mk "ret" $sp) -}}
    {{- $array := $sp.array -}}
    {{- $original = $sp.orig -}}
    {{- $patch = $sp.plain -}}
    {{- $merged = $original -}}
    {{- range $item := $patch -}}
      {{- include "helmgen.k8s.checkKey" (dict "i" $item "mk" $.mk) -}}
      {{- $at := include "helmgen.k8s.find" (dict "items" $merged "mk" $.mk "v" (get $item $.mk)) | atoi -}}
      {{- $n := len $merged -}}
      {{- if and (lt $at 0) (lt $n (len $array)) -}}
        {{- $array = concat (slice $array 0 $n) (list $item) (slice $array (add1 $n)) -}}
      {{- end -}}
      {{- if lt $at 0 -}}
        {{- $merged = append $merged $item -}}
      {{- else -}}
        {{- $r := dict -}}
        {{- include "helmgen.k8s.mergeMap" (dict "o" (index $merged $at) "p" $item "s" $.s "m" $.m "ret" $r) -}}
        {{- $merged = concat (slice $merged 0 $at) (list $r.v) (slice $merged (add1 $at)) -}}
      {{- end -}}
    {{- end -}}
    {{- $_ := set .ret "o" $array -}}
  {{- end -}}
  {{- if not $done -}}
    {{- $part := dict -}}
    {{- include "helmgen.k8s.partition" (dict "merged" $merged "by" $patch "mk" .mk "ret" $part) -}}
    {{- $n := dict -}}
    {{- include "helmgen.k8s.normalize" (dict "pi" $part.in "so" $part.out "po" $patch "sorder" $original "mk" .mk "kind" $kind "ret" $n) -}}
    {{- $_ := set .ret "v" $n.v -}}
  {{- end -}}
{{- end -}}
{{- end -}}

{{- /* Go's in-place de-duplication of append(.o, .p...) (see smp.py _dedup): ret.v, and ret.o what .o then holds. */ -}}
{{- define "helmgen.k8s.dedup" -}}
{{- $s := dict -}}
{{- $size := 0 -}}
{{- range concat .o .p -}}{{- $_ := set $s (toString $size) . -}}{{- $size = add1 $size -}}{{- end -}}
{{- $last := sub $size 1 -}}
{{- $i := 0 -}}
{{- range until (int $size) -}}
  {{- if ge $i $last -}}{{- break -}}{{- end -}}
  {{- $j := add1 $i -}}
  {{- range until (int (add (mul 2 $size) 2)) -}}
    {{- if gt $j $last -}}{{- break -}}{{- end -}}
    {{- if include "helmgen.k8s.eq" (dict "a" (get $s (toString $i)) "b" (get $s (toString $j))) -}}
      {{- $_ := set $s (toString $j) (get $s (toString $last)) -}}
      {{- $last = sub $last 1 -}}
      {{- $j = sub $j 1 -}}
    {{- end -}}
    {{- $j = add1 $j -}}
  {{- end -}}
  {{- $i = add1 $i -}}
{{- end -}}
{{- $out := list -}}
{{- range $k := until (int (add1 $last)) -}}{{- $out = append $out (get $s (toString $k)) -}}{{- end -}}
{{- $_ := set .ret "v" $out -}}
{{- $_ := set .ret "o" .o -}}
{{- $n := len .o -}}
{{- if $n -}}
  {{- $capacity := 1 -}}
  {{- range until 64 -}}{{- if lt $capacity $n -}}{{- $capacity = mul $capacity 2 -}}{{- end -}}{{- end -}}
  {{- if le $size $capacity -}}
    {{- $o := list -}}
    {{- range $k := until (int $n) -}}{{- $o = append $o (get $s (toString $k)) -}}{{- end -}}
    {{- $_ := set .ret "o" $o -}}
  {{- end -}}
{{- end -}}
{{- end -}}

{{- /* `$patch: delete|replace` items of .p applied (see smp.py _special_elements): ret.array (Go's array under .o after
its in-place deletions), ret.orig (the original left to merge into), ret.plain (the patch's other items). */ -}}
{{- define "helmgen.k8s.specialElements" -}}
{{- $plain := list -}}
{{- $replace := false -}}
{{- $array := .o -}}
{{- $size := len .o -}}
{{- range $item := .p -}}
  {{- if not (hasKey $item "$patch") -}}
    {{- $plain = append $plain $item -}}
  {{- else -}}
    {{- $d := get $item "$patch" -}}
    {{- $d = kindIs "string" $d | ternary $d "" -}}
    {{- if and (hasKey $item "$patch") (eq $d "delete") -}}
      {{- include "helmgen.k8s.checkKey" (dict "i" $item "mk" $.mk) -}}
      {{- $value := get $item $.mk -}}
      {{- range until (int (add1 $size)) -}}
        {{- $head := list -}}
        {{- if $size -}}{{- $head = slice $array 0 $size -}}{{- end -}}
        {{- $at := include "helmgen.k8s.find" (dict "items" $head "mk" $.mk "v" $value) | atoi -}}
        {{- if lt $at 0 -}}{{- break -}}{{- end -}}
        {{- $array = concat (slice $array 0 $at) (slice $array (add1 $at) $size) (slice $array (sub $size 1)) -}}
        {{- $size = sub $size 1 -}}
      {{- end -}}
    {{- else if eq $d "merge" -}}
      {{- fail "helmgen.k8s: merging lists cannot yet be specified in the patch" -}}
    {{- else if eq $d "replace" -}}
      {{- $replace = true -}}
    {{- else -}}
      {{- fail (printf "helmgen.k8s: unknown patch type: %v in map: %v" (get $item "$patch") $item) -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- $_ := set .ret "array" $array -}}
{{- if $replace -}}
  {{- $_ := set .ret "orig" $plain -}}
  {{- $_ := set .ret "plain" (list) -}}
{{- else -}}
  {{- $head := list -}}
  {{- if $size -}}{{- $head = slice $array 0 $size -}}{{- end -}}
  {{- $_ := set .ret "orig" $head -}}
  {{- $_ := set .ret "plain" $plain -}}
{{- end -}}
{{- end -}}

{{- /* The index of the first map of .items whose merge key .mk equals .v, or -1 (printed). */ -}}
{{- define "helmgen.k8s.find" -}}
{{- $at := -1 -}}
{{- range $i, $item := .items -}}
  {{- if not (kindIs "map" $item) -}}{{- fail "helmgen.k8s: value in a merged list is not a map" -}}{{- end -}}
  {{- if and (hasKey $item $.mk) (include "helmgen.k8s.eq" (dict "a" (get $item $.mk) "b" $.v)) -}}
    {{- $at = $i -}}
    {{- break -}}
  {{- end -}}
{{- end -}}
{{- $at -}}
{{- end -}}

{{- /* ret.in (items of .merged found in .by) and ret.out (the others): by merge key, or as values without one. */ -}}
{{- define "helmgen.k8s.partition" -}}
{{- $in := list -}}
{{- $out := list -}}
{{- if not .mk -}}
  {{- range concat .merged .by -}}
    {{- if has (include "helmgen.k8s.type" .) (list "map" "slice") -}}
      {{- fail "helmgen.k8s: a list of objects cannot be ordered without a merge key" -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- range $v := .merged -}}
  {{- $found := false -}}
  {{- if $.mk -}}
    {{- include "helmgen.k8s.checkKey" (dict "i" $v "mk" $.mk) -}}
    {{- $found = ge (include "helmgen.k8s.find" (dict "items" $.by "mk" $.mk "v" (get $v $.mk)) | atoi) 0 -}}
  {{- else -}}
    {{- range $b := $.by -}}{{- if include "helmgen.k8s.eq" (dict "a" $v "b" $b) -}}{{- $found = true -}}{{- end -}}{{- end -}}
  {{- end -}}
  {{- if $found -}}{{- $in = append $in $v -}}{{- else -}}{{- $out = append $out $v -}}{{- end -}}
{{- end -}}
{{- $_ := set .ret "in" $in -}}
{{- $_ := set .ret "out" $out -}}
{{- end -}}

{{- /* Sort .pi by .po and .so by .sorder, then interleave them by the server order .sorder (patch items win ties). */ -}}
{{- define "helmgen.k8s.normalize" -}}
{{- $a := dict -}}
{{- include "helmgen.k8s.sortBy" (dict "items" .pi "order" .po "mk" .mk "kind" .kind "ret" $a) -}}
{{- $b := dict -}}
{{- include "helmgen.k8s.sortBy" (dict "items" .so "order" .sorder "mk" .mk "kind" .kind "ret" $b) -}}
{{- $patchItems := $a.v -}}
{{- $serverOnly := $b.v -}}
{{- $out := list -}}
{{- $i := 0 -}}
{{- $j := 0 -}}
{{- $li := 0 -}}
{{- $ri := 0 -}}
{{- range until (int (add (len $serverOnly) (len $patchItems))) -}}
  {{- $moreServer := lt $i (len $serverOnly) -}}
  {{- $morePatch := lt $j (len $patchItems) -}}
  {{- if and $moreServer $morePatch -}}
    {{- $li = include "helmgen.k8s.index" (dict "items" $.sorder "v" (index $serverOnly $i) "mk" $.mk "kind" $.kind) | atoi -}}
    {{- $ri = include "helmgen.k8s.index" (dict "items" $.sorder "v" (index $patchItems $j) "mk" $.mk "kind" $.kind) | atoi -}}
  {{- end -}}
  {{- if or (not $morePatch) (and $moreServer (le 0 $li) (lt $li $ri)) -}}
    {{- $out = append $out (index $serverOnly $i) -}}
    {{- $i = add1 $i -}}
  {{- else -}}
    {{- $out = append $out (index $patchItems $j) -}}
    {{- $j = add1 $j -}}
  {{- end -}}
{{- end -}}
{{- $_ := set .ret "v" $out -}}
{{- end -}}

{{- /* The position in .items of the item whose key (merge key, or the value itself for scalars) equals .v's, or -1. */ -}}
{{- define "helmgen.k8s.index" -}}
{{- $wanted := .v -}}
{{- if eq .kind "map" -}}
  {{- $wanted = first (list nil) -}}
  {{- if and (kindIs "map" .v) (hasKey .v .mk) -}}{{- $wanted = get .v .mk -}}{{- end -}}
{{- end -}}
{{- $at := -1 -}}
{{- range $i, $item := .items -}}
  {{- $k := $item -}}
  {{- if eq $.kind "map" -}}
    {{- $k = first (list nil) -}}
    {{- if and (kindIs "map" $item) (hasKey $item $.mk) -}}{{- $k = get $item $.mk -}}{{- end -}}
  {{- end -}}
  {{- if include "helmgen.k8s.eq" (dict "a" $wanted "b" $k) -}}{{- $at = $i -}}{{- break -}}{{- end -}}
{{- end -}}
{{- $at -}}
{{- end -}}

{{- /* Go's sort.SliceStable of .items by position in .order, where an item missing from .order is less than anything;
by insertion, as Go sorts up to 20 items. Maps marked for deletion go last. ret.v. */ -}}
{{- define "helmgen.k8s.sortBy" -}}
{{- $items := .items -}}
{{- $deletes := list -}}
{{- if eq .kind "map" -}}
  {{- range concat .items .order -}}{{- include "helmgen.k8s.checkKey" (dict "i" . "mk" $.mk) -}}{{- end -}}
  {{- $s := dict -}}
  {{- include "helmgen.k8s.splitDeletes" (dict "items" .items "ret" $s) -}}
  {{- $items = $s.keep -}}
  {{- $deletes = $s.del -}}
{{- end -}}
{{- $arr := dict -}}
{{- $pos := dict -}}
{{- range $i, $v := $items -}}
  {{- $_ := set $arr (toString $i) $v -}}
  {{- $_ := set $pos (toString $i) (include "helmgen.k8s.index" (dict "items" $.order "v" $v "mk" $.mk "kind" $.kind) | atoi) -}}
{{- end -}}
{{- range $i := until (len $items) -}}
  {{- range $k := until (int $i) -}}
    {{- $j := sub $i $k -}}
    {{- $pj := get $pos (toString $j) -}}
    {{- $pk := get $pos (toString (sub $j 1)) -}}
    {{- if not (or (lt $pj 0) (lt $pk 0) (lt $pj $pk)) -}}{{- break -}}{{- end -}}
    {{- $vj := get $arr (toString $j) -}}
    {{- $_ := set $arr (toString $j) (get $arr (toString (sub $j 1))) -}}
    {{- $_ := set $arr (toString (sub $j 1)) $vj -}}
    {{- $_ := set $pos (toString $j) $pk -}}
    {{- $_ := set $pos (toString (sub $j 1)) $pj -}}
  {{- end -}}
{{- end -}}
{{- $out := list -}}
{{- range $i := until (len $items) -}}{{- $out = append $out (get $arr (toString $i)) -}}{{- end -}}
{{- $_ := set .ret "v" (concat $out $deletes) -}}
{{- end -}}
