{{/* Names follow `helm create`: the release name, unless it already contains the chart's name; 63 characters at most. */}}
{{- define "ddbr.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ddbr.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* A name derived from the full name, kept within 63 characters: include "ddbr.child" (list . "metrics") */}}
{{- define "ddbr.child" -}}
{{- $root := index . 0 }}
{{- printf "%s-%s" (include "ddbr.fullname" $root | trunc (int (sub 62 (len (index . 1)))) | trimSuffix "-") (index . 1) }}
{{- end }}

{{- define "ddbr.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ddbr.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ddbr.labels" -}}
{{ include "ddbr.selectorLabels" . }}
app.kubernetes.io/version: {{ include "ddbr.version" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ddbr.version" -}}
{{- .Values.image.tag | default .Chart.AppVersion | trunc 63 }}
{{- end }}

{{/* A digest pins the image whatever the tag says. */}}
{{- define "ddbr.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
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
