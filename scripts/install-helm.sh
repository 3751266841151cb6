#!/usr/bin/env bash
# Installs the helm CLI the chart tests run (`helm lint`, `helm template` on
# helm/driftwatch): Helm v3, built from its Go module with the Go toolchain into
#   ${DRIFTWATCH_CACHE:-~/.cache/driftwatch}/helm-<version>/bin/helm
# Why a build: Debian 12 has no helm package, and the release tarballs are not on
# a package registry; helm.sh/helm/v3 is on the Go module proxy, so
# `go install` from it is all it takes.
# Idempotent and quick when the binary is present: nothing is fetched or built
# when the cache dir already holds a helm that reports the wanted version.
# A cold install downloads ~200 Go modules and compiles for a few minutes; Go
# itself comes from apt (golang-go) when it is not on PATH. Helm 3.17 needs Go
# 1.23 or later: when the Go on PATH is older (Debian 12's is 1.19), the Go
# release that helm's go.mod asks for is fetched from the module proxy as the
# golang.org/toolchain module, as Go 1.21+ itself does with GOTOOLCHAIN=auto.
#
# Usage: bash scripts/install-helm.sh   (version: $HELM_VERSION, else 3.17.4)
#        Set HELM_BIN to use a helm of your own instead; nothing is built then.
set -euo pipefail

cd "$(dirname "$0")/.."

log() { printf '[install-helm] %s\n' "$*" >&2; }
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

version="${HELM_VERSION:-3.17.4}"
version="${version#v}"
cache="${DRIFTWATCH_CACHE:-$HOME/.cache/driftwatch}"
home="$cache/helm-$version"
bin="$home/bin/helm"
module="helm.sh/helm/v3"

reports_version() {
  # `helm version --short` prints e.g. "v3.17.4+g595a6c5" (or "v3.17.4" without a commit).
  "$1" version --short 2>/dev/null | grep -Eq "^v$version(\+|$)"
}

if [ -n "${HELM_BIN:-}" ]; then
  if [ ! -x "$HELM_BIN" ]; then
    log "HELM_BIN=$HELM_BIN is not an executable file; unset it to build helm $version instead"
    exit 1
  fi
  log "helm from HELM_BIN: $("$HELM_BIN" version --short 2>/dev/null | head -n1)"
  exit 0
fi

if [ -x "$bin" ] && reports_version "$bin"; then
  log "helm present: $("$bin" version --short) at $bin"
  exit 0
fi

case "$version" in
  3.*) ;;
  *)
    log "HELM_VERSION=$version: only Helm 3 (module $module) is built here; use e.g. 3.17.4"
    exit 1
    ;;
esac

ensure_go "helm $version"

# Every go command below: GOFLAGS=-mod=mod so a developer's -mod=vendor (or
# similar) cannot break the build, and GOTOOLCHAIN=local so the Go chosen here is
# the one that runs (Debian's go.env says local too; a user's auto would switch).
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

# A JSON field of `go mod download -json` output (one module), without a JSON tool.
json_field() { sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",\{0,1\}$/\1/p" | head -n1; }

# "1.23.0" -> a sortable number, 1023000; "1.19" -> 1019000; "go1.26.8" -> 1026008.
go_version_number() {
  local v="${1#go}" major minor patch
  IFS=. read -r major minor patch <<<"$v"
  patch="${patch%%[!0-9]*}"
  echo $((major * 1000000 + ${minor%%[!0-9]*} * 1000 + ${patch:-0}))
}

# helm's go.mod says which Go it needs (`go` line, and `toolchain` when newer) and
# which Kubernetes libraries it is built on (k8s.io/client-go).
log "reading $module@v$version's go.mod from the module proxy"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Outside any module, so a go.mod or go.work of the working directory plays no part.
if ! (cd "$tmp" && go mod download -json "$module@v$version" >"$tmp/helm.json"); then
  log "cannot download $module@v$version: $(json_field Error <"$tmp/helm.json")"
  exit 1
fi
gomod="$(json_field GoMod <"$tmp/helm.json")"
need_go="$(sed -n 's/^toolchain go\([0-9.]*\)$/\1/p' "$gomod")"
[ -n "$need_go" ] || need_go="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$gomod")"
case "$need_go" in *.*.*) ;; *) need_go="$need_go.0" ;; esac # go 1.23 -> release go1.23.0
client_go="$(sed -n 's/^[[:space:]]*k8s\.io\/client-go v\([0-9.]*\)$/\1/p' "$gomod")"
if [ -z "$need_go" ] || [ -z "$client_go" ]; then
  log "cannot read the go version or k8s.io/client-go from $gomod"
  exit 1
fi

gobin="$(command -v go)"
have_go="$(go env GOVERSION)"
if [ "$(go_version_number "$have_go")" -lt "$(go_version_number "$need_go")" ]; then
  toolchain="golang.org/toolchain@v0.0.1-go$need_go.$(go env GOOS)-$(go env GOARCH)"
  log "$have_go is older than go$need_go, which helm $version needs; fetching $toolchain"
  if ! (cd "$tmp" && go mod download -json "$toolchain" >"$tmp/toolchain.json"); then
    log "cannot download $toolchain: $(json_field Error <"$tmp/toolchain.json")"
    exit 1
  fi
  goroot="$(json_field Dir <"$tmp/toolchain.json")"
  # The module cache keeps files read-only and not executable; the go command
  # sets the execute bits of a toolchain it downloads itself in the same way.
  chmod a+x "$goroot"/bin/* "$goroot"/pkg/tool/*/*
  gobin="$goroot/bin/go"
fi

# As helm's Makefile does for a release: the version, and the Kubernetes version
# that `helm template` assumes (.Capabilities.KubeVersion) and that `helm lint`
# checks deprecated APIs against: client-go v0.32.x -> Kubernetes 1.32.
IFS=. read -r k8s_major k8s_minor _ <<<"$client_go"
k8s_major=$((k8s_major + 1))
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=v$version"
ldflags+=" -X helm.sh/helm/v3/internal/version.metadata="
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags+=" -X $pkg.k8sVersionMajor=$k8s_major -X $pkg.k8sVersionMinor=$k8s_minor"
done

log "building helm $version from $module@v$version with $("$gobin" env GOVERSION) (Kubernetes $k8s_major.$k8s_minor)"
mkdir -p "$cache"
# Built beside the final dir and renamed into place, so an interrupted build
# never leaves a half-written binary that the check above would trust.
staging="$(mktemp -d "$cache/helm-$version.tmp.XXXXXX")"
trap 'rm -rf "$tmp" "$staging"' EXIT
chmod 755 "$staging" # mktemp's 0700 would otherwise stick to the final dir
start=$(date +%s)
# CGO_ENABLED=0: helm needs no C, and a static binary does not depend on a C
# compiler being present.
(cd "$tmp" && GOBIN="$staging/bin" CGO_ENABLED=0 \
  "$gobin" install -trimpath -ldflags "$ldflags" "$module/cmd/helm@v$version")

if ! reports_version "$staging/bin/helm"; then
  log "the built helm does not report version $version: $("$staging/bin/helm" version --short 2>&1 | head -n1)"
  exit 1
fi
rm -rf "$home"
mv "$staging" "$home"
log "installed: $("$bin" version --short) at $bin, built in $(($(date +%s) - start)) s"
