{{- define "ddbr.labels" -}}
app.kubernetes.io/name: dynamodb-restore-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{- define "ddbr.rules" -}}
- apiGroups: [dynamodb.restore.dev]
  resources: [dynamodbrestores]
  # patch: the finalizer, added and removed by JSON Patch. create, delete: a schedule's runs and its history limits.
  verbs: [get, list, watch, patch, create, delete]
- apiGroups: [dynamodb.restore.dev]
  resources: [dynamodbrestores/status]
  verbs: [update]
- apiGroups: [dynamodb.restore.dev]
  resources: [dynamodbrestoreschedules]
  verbs: [list, watch]
- apiGroups: [dynamodb.restore.dev]
  resources: [dynamodbrestoreschedules/status]
  verbs: [update]
# A run's owner reference blocks its schedule's deletion until it is gone (OwnerReferencesPermissionEnforcement).
- apiGroups: [dynamodb.restore.dev]
  resources: [dynamodbrestoreschedules/finalizers]
  verbs: [update]
# A schedule's spec.publish: the ConfigMap it creates and owns, read first (one it does not own is left alone).
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, create, patch]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create]
{{- end }}
