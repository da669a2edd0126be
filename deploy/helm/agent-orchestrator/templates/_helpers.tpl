{{/* The release's name prefix for every object, at most 63 characters with a service's name after it. */}}
{{- define "ao.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object; a component's add its selector labels (name and instance), others the instance. */}}
{{- define "ao.labels" -}}
app.kubernetes.io/part-of: agent-orchestrator
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "name" $name) */}}
{{- define "ao.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* The Secret holding the platform's keys: the chart's own, or one the operator made. */}}
{{- define "ao.keysSecret" -}}
{{- .Values.keys.existingSecret | default (printf "%s-keys" (include "ao.fullname" .)) -}}
{{- end -}}

{{- define "ao.databaseSecret" -}}
{{- .Values.postgresql.existingSecret | default (printf "%s-database" (include "ao.fullname" .)) -}}
{{- end -}}

{{- define "ao.appDatabaseSecret" -}}
{{- .Values.postgresql.app.existingSecret | default (printf "%s-database" (include "ao.fullname" .)) -}}
{{- end -}}

{{/* A component's image: its own, else <registry>/<repository>-<name>:<tag>. (dict "root" $ "name" $name "svc" $svc) */}}
{{- define "ao.image" -}}
{{- $image := .root.Values.image -}}
{{- $own := .svc.image | default dict -}}
{{- $repository := $own.repository | default (printf "%s/%s" $image.repository .name) -}}
{{- $tag := $own.tag | default $image.tag | default .root.Chart.AppVersion -}}
{{- if $image.registry -}}{{ $image.registry }}/{{- end -}}{{ $repository }}:{{ $tag }}
{{- end -}}
