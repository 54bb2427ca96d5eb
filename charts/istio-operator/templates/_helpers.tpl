{{- /* Labels on every object of the chart (the pod template takes istio-operator.selector plus podLabels). */ -}}
{{- define "istio-operator.labels" -}}
app.kubernetes.io/name: istio-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: helmgen
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "istio-operator.selector" -}}
app.kubernetes.io/name: istio-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "istio-operator.serviceAccountName" -}}
{{- .Values.serviceAccount.name | default "istio-operator" }}
{{- end }}

{{- /* Cluster-scoped objects carry the release namespace in their name, so two releases in two namespaces
       do not fight over one ClusterRole. */ -}}
{{- define "istio-operator.clusterName" -}}
{{- printf "helmgen-istio-operator-%s" .Release.Namespace }}
{{- end }}
