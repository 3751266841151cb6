# Shared by the install scripts (install-test-deps.sh, install-influxdb.sh, install-helm.sh):
# sourced, never run. Each caller defines log() first.

# Runs a command as root: directly when root, else through sudo; fails with the command named.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    log "need root (or sudo) to run: $*"
    exit 1
  fi
}

# Makes sure a Go toolchain is on PATH, installing Debian's golang-go when apt-get is there.
# $1 names what needs it, for the message when it cannot be had.
ensure_go() {
  command -v go >/dev/null 2>&1 && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    log "go not found and apt-get unavailable; building $1 needs the Go toolchain on PATH"
    exit 1
  fi
  # ca-certificates: the module proxy is reached over HTTPS, and minimal images lack them.
  log "go not found; installing golang-go from apt"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    golang-go ca-certificates >/dev/null
  log "installed: $(go version)"
}
