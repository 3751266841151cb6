#!/usr/bin/env bash
# Copies the canonical Grafana dashboards and Prometheus rules into the Helm chart, which
# can only package files under its own directory:
#   dashboards/*.json                       -> helm/driftwatch/dashboards/
#   deploy/prometheus/driftwatch-rules.yml  -> helm/driftwatch/rules/driftwatch-rules.yml
# The chart's dashboards dir ends up holding exactly the repository's dashboards (a
# dashboard removed from dashboards/ is removed from the chart). Edit the canonical files,
# never the copies; test/integration/helm.test.ts checks that they are identical.
# A source that does not exist yet (no dashboards, no rules file) leaves the chart's copy
# as it is, with a warning.
#
# Usage: bash scripts/sync-chart-assets.sh           copy
#        bash scripts/sync-chart-assets.sh --check   only compare; exit 1 when a copy differs
set -euo pipefail

cd "$(dirname "$0")/.."

log() { printf '[sync-chart-assets] %s\n' "$*" >&2; }

check=0
case "${1:-}" in
  '') ;;
  --check) check=1 ;;
  *)
    log "unknown argument $1; usage: bash scripts/sync-chart-assets.sh [--check]"
    exit 2
    ;;
esac

chart=helm/driftwatch
rules_src=deploy/prometheus/driftwatch-rules.yml
rules_dst=$chart/rules/driftwatch-rules.yml
stale=0

# Copies $1 to $2 unless identical; with --check only reports the difference.
sync_file() {
  if cmp -s "$1" "$2"; then return; fi
  if [ "$check" -eq 1 ]; then
    log "$2 differs from $1"
    stale=1
  else
    mkdir -p "$(dirname "$2")"
    cp "$1" "$2"
    log "copied $1 -> $2"
  fi
}

shopt -s nullglob
sources=(dashboards/*.json)
if [ ${#sources[@]} -eq 0 ]; then
  log "warning: dashboards/ holds no *.json; $chart/dashboards/ left as it is"
else
  for src in "${sources[@]}"; do
    sync_file "$src" "$chart/dashboards/$(basename "$src")"
  done
  for copy in "$chart"/dashboards/*.json; do
    if [ ! -e "dashboards/$(basename "$copy")" ]; then
      if [ "$check" -eq 1 ]; then
        log "$copy has no source in dashboards/"
        stale=1
      else
        rm "$copy"
        log "removed $copy (not in dashboards/)"
      fi
    fi
  done
fi

if [ -f "$rules_src" ]; then
  sync_file "$rules_src" "$rules_dst"
else
  log "warning: $rules_src does not exist; $rules_dst left as it is"
fi

if [ "$stale" -eq 1 ]; then
  log "the chart's copies are out of date; run: bash scripts/sync-chart-assets.sh"
  exit 1
fi
if [ "$check" -eq 1 ]; then log "the chart's copies are up to date"; fi
