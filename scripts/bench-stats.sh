#!/usr/bin/env bash
# The statistics kernel benchmark with its numpy/scipy peer, in a virtualenv kept in the
# cache directory (outside the work tree) with the versions the reference vectors used.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${DRIFTWATCH_CACHE:-$HOME/.cache/driftwatch}/bench-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r bench/peer/requirements.txt
fi
BENCH_PYTHON="$venv/bin/python" npx tsx bench/stats.ts
