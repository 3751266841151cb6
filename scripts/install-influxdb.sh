#!/usr/bin/env bash
# Installs the InfluxDB server the integration tests write drift history to:
# InfluxDB OSS 1.8.x, whose HTTP API also serves the v2-compatible endpoints the
# daemon uses (/api/v2/write, and /api/v2/query with Flux), built from its Go
# module with the local Go toolchain into
#   ${DRIFTWATCH_CACHE:-~/.cache/driftwatch}/influxdb-<version>/bin/influxd
# Why a build: Debian 12 ships influxdb 1.6.7, which predates /api/v2/write, and
# the release tarballs are not on a package registry. 1.8 is the last line whose
# Flux engine is pure Go (later releases link libflux, written in Rust), so
# `go install` from the module proxy is all it takes.
# Idempotent and quick when the binary is present: nothing is fetched or built
# when the cache dir already holds an influxd that reports the wanted version.
# A cold install downloads ~100 Go modules and compiles for a minute or two; Go
# itself comes from apt (golang-go) when it is not on PATH.
#
# Usage: bash scripts/install-influxdb.sh   (version: $INFLUXDB_VERSION, else 1.8.10)
#        Set INFLUXD_BIN to use an influxd of your own instead; nothing is built then.
set -euo pipefail

cd "$(dirname "$0")/.."

log() { printf '[install-influxdb] %s\n' "$*" >&2; }
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

version="${INFLUXDB_VERSION:-1.8.10}"
cache="${DRIFTWATCH_CACHE:-$HOME/.cache/driftwatch}"
home="$cache/influxdb-$version"
bin="$home/bin/influxd"

reports_version() {
  # `influxd version` prints e.g. "InfluxDB v1.8.10 (git: ...)".
  "$1" version 2>/dev/null | grep -q "^InfluxDB v$version "
}

if [ -n "${INFLUXD_BIN:-}" ]; then
  if [ ! -x "$INFLUXD_BIN" ]; then
    log "INFLUXD_BIN=$INFLUXD_BIN is not an executable file; unset it to build influxd $version instead"
    exit 1
  fi
  log "influxd from INFLUXD_BIN: $("$INFLUXD_BIN" version 2>/dev/null | head -n1)"
  exit 0
fi

if [ -x "$bin" ] && reports_version "$bin"; then
  log "influxd present: $("$bin" version | head -n1) at $bin"
  exit 0
fi

case "$version" in
  1.8.*) ;;
  *)
    log "INFLUXDB_VERSION=$version: only 1.8.x can be built here (later releases need libflux, a Rust library, and UI assets); use e.g. 1.8.10"
    exit 1
    ;;
esac

ensure_go "influxd $version (Go 1.19 or later)"

log "building influxd $version from github.com/influxdata/influxdb@v$version with $(go version | cut -d' ' -f3)"
mkdir -p "$cache"
# Built beside the final dir and renamed into place, so an interrupted build
# never leaves a half-written binary that the check above would trust.
staging="$(mktemp -d "$cache/influxdb-$version.tmp.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
chmod 755 "$staging" # mktemp's 0700 would otherwise stick to the final dir
start=$(date +%s)
# CGO_ENABLED=0: influxd 1.8 needs no C, and a static binary does not depend on
# a C compiler being present. GOFLAGS is cleared so a developer's -mod=vendor or
# similar cannot break the build; GOTOOLCHAIN=local keeps the installed Go.
# -X main.version makes `influxd version` and the X-Influxdb-Version header
# report the real release instead of "unknown".
GOBIN="$staging/bin" CGO_ENABLED=0 GOFLAGS= GOTOOLCHAIN=local \
  go install -trimpath -ldflags "-s -w -X main.version=$version -X main.branch=v$version" \
  "github.com/influxdata/influxdb/cmd/influxd@v$version"

if ! reports_version "$staging/bin/influxd"; then
  log "the built influxd does not report version $version: $("$staging/bin/influxd" version 2>&1 | head -n1)"
  exit 1
fi
rm -rf "$home"
mv "$staging" "$home"
trap - EXIT
log "installed: $("$bin" version | head -n1) at $bin, built in $(($(date +%s) - start)) s"
