{{/*
Names and labels. A "component" is one of the services; helpers that work on one take
(dict "root" $ "name" <service>) and, when they need its values, "svc" <values of the service>.
*/}}

{{- define "retail-reco.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name; the release name alone when it already contains the chart name. */}}
{{- define "retail-reco.fullname" -}}
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

{{- define "retail-reco.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of a component's objects (Deployment, Service, ConfigMap, …): <fullname>-<service>. */}}
{{- define "retail-reco.componentName" -}}
{{- printf "%s-%s" (include "retail-reco.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "retail-reco.selectorLabels" -}}
app.kubernetes.io/name: {{ include "retail-reco.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "retail-reco.labels" -}}
helm.sh/chart: {{ include "retail-reco.chart" .root }}
{{ include "retail-reco.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: {{ include "retail-reco.name" .root }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{- define "retail-reco.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* Service name of a bundled dependency, as its own chart names it (the usual fullname rule). Takes (dict "root" $ "chart" "nats"). */}}
{{- define "retail-reco.dependencyName" -}}
{{- $values := index .root.Values .chart }}
{{- if $values.fullnameOverride }}
{{- $values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains .chart .root.Release.Name }}
{{- .root.Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .root.Release.Name .chart | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "retail-reco.natsUrl" -}}
{{- if .Values.nats.enabled }}
{{- printf "nats://%s:4222" (include "retail-reco.dependencyName" (dict "root" . "chart" "nats")) }}
{{- else }}
{{- required "messaging.url is required (or nats.enabled)" .Values.messaging.url }}
{{- end }}
{{- end }}

{{/* The Secret holding every service's DATABASE_URL under the key <service>-database-url. */}}
{{- define "retail-reco.databaseSecretName" -}}
{{- if .Values.postgresql.enabled }}
{{- printf "%s-database" (include "retail-reco.fullname" .) }}
{{- else }}
{{- required "database.existingSecret is required: a Secret with a <service>-database-url key per service" .Values.database.existingSecret }}
{{- end }}
{{- end }}

{{/*
A component's plain (non-secret) environment as a YAML map of strings: the ConfigMap's data, or the
container's env when configMap.enabled is false. Every name is in .env.example; the rest keep their defaults.
Peers are reached through their Services, whether or not this release runs them.
*/}}
{{- define "retail-reco.env" -}}
NODE_ENV: {{ .root.Values.nodeEnv | quote }}
LOG_LEVEL: {{ .root.Values.logLevel | quote }}
HTTP_PORT: {{ int .svc.httpPort | quote }}
GRPC_PORT: {{ int .svc.grpcPort | quote }}
DATABASE_MIGRATIONS_RUN: {{ .root.Values.databaseMigrationsRun | quote }}
NATS_URL: {{ include "retail-reco.natsUrl" .root | quote }}
NATS_NAMESPACE: {{ .root.Values.messaging.namespace | quote }}
OTEL_SERVICE_NAME: {{ .name | quote }}
{{- if .root.Values.tracing.enabled }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ required "tracing.endpoint is required when tracing.enabled" .root.Values.tracing.endpoint | quote }}
{{- end }}
{{- range $peer, $peerValues := .root.Values.services }}
{{ $peer | upper | replace "-" "_" }}_GRPC_URL: {{ printf "%s:%d" (include "retail-reco.componentName" (dict "root" $.root "name" $peer)) (int $peerValues.grpcPort) | quote }}
{{- end }}
{{- with .svc.artifacts }}
TRAINING_ARTIFACT_STORE: {{ .store | quote }}
{{- if eq .store "filesystem" }}
TRAINING_ARTIFACT_DIR: {{ .dir | quote }}
{{- end }}
{{- end }}
{{- range $key, $value := .svc.env }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* One probe: gRPC (grpc.health.v1.Health on the gRPC port) or HTTP (the given path). Takes (dict "probe" … "svc" … "path" …). */}}
{{- define "retail-reco.probe" -}}
{{- if eq .probe.type "grpc" -}}
grpc:
  port: {{ .svc.grpcPort }}
{{- else -}}
httpGet:
  path: {{ .path }}
  port: http
{{- end }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end }}

{{/* The pod-level settings shared by the services' Deployments and the migration Jobs. */}}
{{- define "retail-reco.podSettings" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
