{{- define "ddbr.labels" -}}
app.kubernetes.io/name: dynamodb-restore-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{- define "ddbr.rules" -}}
- apiGroups: [dynamodb.restore.dev]
  resources: [dynamodbrestores]
  verbs: [get, list, watch]
- apiGroups: [dynamodb.restore.dev]
  resources: [dynamodbrestores/status]
  verbs: [get, update]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create]
{{- end }}
