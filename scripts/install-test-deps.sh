#!/usr/bin/env bash
# Installs what the integration tests need on a Debian 12 machine (CI or dev):
#   - prometheus + promtool from Debian's archive (one package ships both);
#   - Alertmanager from Debian's archive (binary prometheus-alertmanager), for the
#     alert-delivery tests (or set ALERTMANAGER_BIN to an Alertmanager binary);
#   - chromium from Debian's archive, for the tests that open HTML reports in a
#     headless browser (or set CHROMIUM_BIN to a Chromium/Chrome binary);
#   - the Kafka broker jars from Maven Central into ${DRIFTWATCH_CACHE:-~/.cache/driftwatch};
#   - influxd (InfluxDB 1.8, built from its Go module) into the same cache, by
#     scripts/install-influxdb.sh.
# Idempotent and quick when everything is present: apt is only touched when a
# binary is missing, and the jars are only fetched when their cache dir is absent.
#
# Usage: bash scripts/install-test-deps.sh [kafka-version ...]
#        (default: $KAFKA_VERSION, else 3.9.1)
set -euo pipefail

cd "$(dirname "$0")/.."

log() { printf '[install-test-deps] %s\n' "$*" >&2; }
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

# Installs a Debian package that ships a server (prometheus, prometheus-alertmanager) without
# starting its service: the package's postinst would start a system-wide daemon on a fixed
# port (via init.d when systemd is not PID 1, e.g. in containers), while the tests run their own
# instances on free ports, and if the port is taken the failed start would even make dpkg fail
# the install. policy-rc.d exit code 101 ("action forbidden") is honoured by both invoke-rc.d
# and deb-systemd-invoke; it is removed only if created here (container images often ship their
# own). The service is also disabled for the next boot. --no-install-recommends: recommended
# packages (node-exporter) would start daemons of their own.
install_service_package() {
  local package="$1" policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
    created_policy=1
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
  fi

  log "installing $package from apt"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null

  if [ "$created_policy" -eq 1 ]; then
    as_root rm -f "$policy"
    trap - EXIT
  fi
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    as_root systemctl disable --now "$package.service" >/dev/null 2>&1 || true
  elif [ -x /usr/sbin/update-rc.d ]; then
    as_root update-rc.d "$package" disable >/dev/null 2>&1 || true
  fi
}

install_prometheus() {
  if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    log "prometheus present: $(prometheus --version 2>&1 | head -n1)"
    return
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "prometheus/promtool missing and apt-get unavailable; install Prometheus 2.x and put it on PATH"
    exit 1
  fi

  install_service_package prometheus
  log "installed: $(prometheus --version 2>&1 | head -n1)"
}

install_alertmanager() {
  # An explicit ALERTMANAGER_BIN is what test/support/alertmanager.ts will run, so
  # it must work; falling back to another binary would only hide the mistake.
  if [ -n "${ALERTMANAGER_BIN:-}" ]; then
    if ! command -v "$ALERTMANAGER_BIN" >/dev/null 2>&1; then
      log "ALERTMANAGER_BIN=$ALERTMANAGER_BIN is not an executable; fix it, or unset it to install Debian's package"
      exit 1
    fi
    log "alertmanager present: $("$ALERTMANAGER_BIN" --version 2>&1 | head -n1)"
    return
  fi
  # Debian names the binary prometheus-alertmanager; upstream releases call it alertmanager.
  local bin
  for bin in prometheus-alertmanager alertmanager; do
    if command -v "$bin" >/dev/null 2>&1; then
      log "alertmanager present: $("$bin" --version 2>&1 | head -n1)"
      return
    fi
  done
  if ! command -v apt-get >/dev/null 2>&1; then
    log "alertmanager missing and apt-get unavailable; install Alertmanager and put it on PATH, or set ALERTMANAGER_BIN"
    exit 1
  fi

  # Its service would listen on 0.0.0.0:9093 (and a cluster listener on 9094).
  install_service_package prometheus-alertmanager
  log "installed: $(prometheus-alertmanager --version 2>&1 | head -n1)"
}

install_chromium() {
  local bin
  for bin in "${CHROMIUM_BIN:-}" chromium chromium-browser; do
    if [ -n "$bin" ] && command -v "$bin" >/dev/null 2>&1; then
      log "chromium present: $("$bin" --version 2>/dev/null | head -n1)"
      return
    fi
  done
  if ! command -v apt-get >/dev/null 2>&1; then
    log "chromium missing and apt-get unavailable; install Chromium and put it on PATH, or set CHROMIUM_BIN"
    exit 1
  fi

  log "installing chromium from apt"
  as_root apt-get update -qq
  # --no-install-recommends keeps out the desktop extras; a font is needed for the
  # screenshots to show text, and minimal images may ship none.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium fonts-dejavu-core >/dev/null
  log "installed: $(chromium --version 2>/dev/null | head -n1)"
}

fetch_kafka() {
  for tool in java mvn; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      log "$tool not found; the Kafka broker needs Java 17+ and Maven 3.8+"
      exit 1
    fi
  done
  if [ ! -x node_modules/.bin/tsx ]; then
    log "node_modules missing; run 'npm install' first"
    exit 1
  fi
  local versions=("$@")
  if [ ${#versions[@]} -eq 0 ]; then versions=("${KAFKA_VERSION:-3.9.1}"); fi
  for v in "${versions[@]}"; do
    log "kafka $v jars: $(node_modules/.bin/tsx scripts/kafka.ts ensure "$v")"
  done
}

install_prometheus
install_alertmanager
install_chromium
fetch_kafka "$@"
bash scripts/install-influxdb.sh
bash scripts/install-helm.sh
