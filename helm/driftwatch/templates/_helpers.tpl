{{/*
Names, labels and the rendered driftwatch configuration, shared by every template.
*/}}

{{/* The chart name, or nameOverride: the app.kubernetes.io/name label. */}}
{{- define "driftwatch.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of every object: fullnameOverride, else "<release>-<chart name>", or just the
release name when it already contains the chart name. At most 63 characters (DNS label).
*/}}
{{- define "driftwatch.fullname" -}}
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

{{/* The namespace of the namespaced objects: namespaceOverride, else the release's. */}}
{{- define "driftwatch.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride }}
{{- end }}

{{/* The helm.sh/chart label: "<chart>-<version>". */}}
{{- define "driftwatch.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The labels a Deployment and its Service select on; never change them in an upgrade. */}}
{{- define "driftwatch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "driftwatch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The labels of every object: the recommended app.kubernetes.io/* set and commonLabels. */}}
{{- define "driftwatch.labels" -}}
helm.sh/chart: {{ include "driftwatch.chart" . }}
{{ include "driftwatch.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/component: daemon
app.kubernetes.io/part-of: driftwatch
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The ServiceAccount the pod runs as. */}}
{{- define "driftwatch.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "driftwatch.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The container image: [registry/]repository[:tag][@digest]; the tag defaults to appVersion. */}}
{{- define "driftwatch.image" -}}
{{- $repo := .Values.image.repository }}
{{- with .Values.image.registry }}
{{- $repo = printf "%s/%s" . $repo }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repo .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* Where the config file and the secret files are mounted in the container. */}}
{{- define "driftwatch.configDir" -}}/etc/driftwatch/config{{- end }}
{{- define "driftwatch.configFile" -}}{{ include "driftwatch.configDir" . }}/driftwatch.yaml{{- end }}
{{- define "driftwatch.secretsDir" -}}/etc/driftwatch/secrets{{- end }}

{{/*
The Secret volumes: one per entry of .Values.secrets whose existingSecret is set, as a YAML
list of {name, secretName, dir, items: [{key, path}]}. The Deployment mounts them and
driftwatch.config points the *_file keys at <dir>/<path>.
*/}}
{{- define "driftwatch.secretVolumes" -}}
{{- $dir := include "driftwatch.secretsDir" . }}
{{- $s := .Values.secrets }}
{{- $volumes := list }}
{{- with $s.kafkaSasl.existingSecret }}
{{- $volumes = append $volumes (dict "name" "kafka-sasl" "secretName" . "dir" (printf "%s/kafka-sasl" $dir) "items" (list (dict "key" $s.kafkaSasl.key "path" "password"))) }}
{{- end }}
{{- with $s.kafkaTls.existingSecret }}
{{- $items := list }}
{{- with $s.kafkaTls.caKey }}{{ $items = append $items (dict "key" . "path" "ca.crt") }}{{ end }}
{{- with $s.kafkaTls.certKey }}{{ $items = append $items (dict "key" . "path" "tls.crt") }}{{ end }}
{{- with $s.kafkaTls.keyKey }}{{ $items = append $items (dict "key" . "path" "tls.key") }}{{ end }}
{{- if not $items }}
{{- fail "secrets.kafkaTls: existingSecret is set but caKey, certKey and keyKey are all empty; name at least one key of the Secret" }}
{{- end }}
{{- if ne (empty $s.kafkaTls.certKey) (empty $s.kafkaTls.keyKey) }}
{{- fail "secrets.kafkaTls: certKey and keyKey go together (a client certificate needs its key); set both or neither" }}
{{- end }}
{{- $volumes = append $volumes (dict "name" "kafka-tls" "secretName" . "dir" (printf "%s/kafka-tls" $dir) "items" $items) }}
{{- end }}
{{- with $s.smtp.existingSecret }}
{{- $volumes = append $volumes (dict "name" "smtp" "secretName" . "dir" (printf "%s/smtp" $dir) "items" (list (dict "key" $s.smtp.key "path" "password"))) }}
{{- end }}
{{- with $s.adminToken.existingSecret }}
{{- $volumes = append $volumes (dict "name" "admin-token" "secretName" . "dir" (printf "%s/admin-token" $dir) "items" (list (dict "key" $s.adminToken.key "path" "token"))) }}
{{- end }}
{{- with $s.webhookHmac.existingSecret }}
{{- $volumes = append $volumes (dict "name" "webhook-hmac" "secretName" . "dir" (printf "%s/webhook-hmac" $dir) "items" (list (dict "key" $s.webhookHmac.key "path" "hmac-secret"))) }}
{{- end }}
{{- with $s.influxToken.existingSecret }}
{{- $volumes = append $volumes (dict "name" "influx-token" "secretName" . "dir" (printf "%s/influx-token" $dir) "items" (list (dict "key" $s.influxToken.key "path" "token"))) }}
{{- end }}
{{- toYaml $volumes }}
{{- end }}

{{/*
The driftwatch configuration file: .Values.config with what the chart decides set over it:
server.host and server.port (the container port the probes and the Service use),
state.directory (the state volume), and the *_file key of every secret in .Values.secrets
(the literal or ${VAR} key of the same secret removed: driftwatch refuses both).
*/}}
{{- define "driftwatch.config" -}}
{{- $config := deepCopy (.Values.config | default dict) }}
{{- $dir := include "driftwatch.secretsDir" . }}
{{- $s := .Values.secrets }}
{{- $_ := set $config "server" (dict "host" "0.0.0.0" "port" (int .Values.containerPort)) }}
{{- $_ = set $config "state" (dict "directory" .Values.persistence.mountPath) }}
{{- if or $s.kafkaSasl.existingSecret $s.kafkaTls.existingSecret }}
{{- if not (kindIs "map" $config.kafka) }}
{{- fail "secrets.kafkaSasl / secrets.kafkaTls are set but config.kafka is not: configure config.kafka.brokers (and config.kafka.sasl.mechanism and username for SASL)" }}
{{- end }}
{{- end }}
{{- if $s.kafkaSasl.existingSecret }}
{{- $sasl := $config.kafka.sasl }}
{{- if not (kindIs "map" $sasl) }}
{{- fail "secrets.kafkaSasl.existingSecret is set but config.kafka.sasl is not: set config.kafka.sasl.mechanism and config.kafka.sasl.username" }}
{{- end }}
{{- $_ = unset $sasl "password" }}
{{- $_ = set $sasl "password_file" (printf "%s/kafka-sasl/password" $dir) }}
{{- end }}
{{- if $s.kafkaTls.existingSecret }}
{{- $tls := $config.kafka.tls }}
{{- if not (kindIs "map" $tls) }}
{{- $tls = dict }}
{{- $_ = set $config.kafka "tls" $tls }}
{{- end }}
{{- with $s.kafkaTls.caKey }}{{ $_ = set $tls "ca_file" (printf "%s/kafka-tls/ca.crt" $dir) }}{{ end }}
{{- with $s.kafkaTls.certKey }}{{ $_ = set $tls "cert_file" (printf "%s/kafka-tls/tls.crt" $dir) }}{{ end }}
{{- with $s.kafkaTls.keyKey }}{{ $_ = set $tls "key_file" (printf "%s/kafka-tls/tls.key" $dir) }}{{ end }}
{{- end }}
{{- if or $s.smtp.existingSecret $s.adminToken.existingSecret $s.webhookHmac.existingSecret }}
{{- if not (kindIs "map" $config.alerts) }}
{{- $_ = set $config "alerts" dict }}
{{- end }}
{{- end }}
{{- if $s.smtp.existingSecret }}
{{- $smtp := $config.alerts.smtp }}
{{- if not (kindIs "map" $smtp) }}
{{- fail "secrets.smtp.existingSecret is set but config.alerts.smtp is not: set config.alerts.smtp.host, from and username" }}
{{- end }}
{{- $_ = unset $smtp "password" }}
{{- $_ = set $smtp "password_file" (printf "%s/smtp/password" $dir) }}
{{- end }}
{{- if $s.adminToken.existingSecret }}
{{- $_ = unset $config.alerts "admin_token" }}
{{- $_ = set $config.alerts "admin_token_file" (printf "%s/admin-token/token" $dir) }}
{{- end }}
{{- if $s.webhookHmac.existingSecret }}
{{- $wanted := $s.webhookHmac.receivers | default list }}
{{- $found := list }}
{{- range $receiver := ($config.alerts.receivers | default list) }}
{{- if and (kindIs "map" $receiver) (eq (toString $receiver.type) "webhook") (or (not $wanted) (has $receiver.name $wanted)) }}
{{- $_ := unset $receiver "hmac_secret" }}
{{- $_ = set $receiver "hmac_secret_file" (printf "%s/webhook-hmac/hmac-secret" $dir) }}
{{- $found = append $found $receiver.name }}
{{- end }}
{{- end }}
{{- range $wanted }}
{{- if not (has . $found) }}
{{- fail (printf "secrets.webhookHmac.receivers names %q, which is not a webhook receiver in config.alerts.receivers" .) }}
{{- end }}
{{- end }}
{{- if not $found }}
{{- fail "secrets.webhookHmac.existingSecret is set but config.alerts.receivers has no webhook receiver to sign for" }}
{{- end }}
{{- end }}
{{- if $s.influxToken.existingSecret }}
{{- if not (kindIs "map" $config.influx) }}
{{- fail "secrets.influxToken.existingSecret is set but config.influx is not: set config.influx.url and bucket" }}
{{- end }}
{{- $_ = unset $config.influx "token" }}
{{- $_ = set $config.influx "token_file" (printf "%s/influx-token/token" $dir) }}
{{- end }}
{{- toYaml $config }}
{{- end }}
