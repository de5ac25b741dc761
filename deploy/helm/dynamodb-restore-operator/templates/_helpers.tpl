{{- define "ddbr.labels" -}}
app.kubernetes.io/name: dynamodb-restore-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{- define "ddbr.rules" -}}
- apiGroups: [dynamodb.restore.dev]
  resources: [dynamodbrestores]
  # patch: the deletionPolicy Delete finalizer, added and removed by JSON Patch.
  verbs: [get, list, watch, patch]
- apiGroups: [dynamodb.restore.dev]
  resources: [dynamodbrestores/status]
  verbs: [update]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create]
{{- end }}
