#!/usr/bin/env bash
# The replay benchmark (bench/replay.ts) with its numpy/scipy peer and, when it installs, Evidently,
# in the virtualenv of bench-stats.sh (cache directory, outside the work tree).
#
#   bash scripts/bench-replay.sh            # the benchmark (npm run bench:replay)
#   bash scripts/bench-replay.sh --fixture  # regenerate test/fixtures/replay/ and its scipy figures
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${DRIFTWATCH_CACHE:-$HOME/.cache/driftwatch}"
venv="$cache/bench-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r bench/peer/requirements.txt
fi
if ! "$venv/bin/python" -c 'import pandas, orjson, pyarrow' 2>/dev/null; then
  "$venv/bin/pip" install -q -r bench/peer/requirements-replay.txt
fi

if [ "${1:-}" = "--fixture" ]; then
  out=test/fixtures/replay
  npx tsx bench/gen/replayData.ts --profile fixture --out "$out"
  "$venv/bin/python" bench/peer/replay_peer.py --model fixture-model --train "$out/train.csv" \
    --events "$out/events.jsonl" --prediction-column score --out "$out/expected.scipy.json" --fixture
  npx prettier --log-level warn --write "$out/expected.scipy.json" "$out/bad_lines.json"
  exit 0
fi

# Evidently is optional: one attempt (10 minutes at most), with numpy/scipy held at the pinned
# versions; a failure is remembered in the cache (delete the log to try again) and the benchmark
# goes on without it.
evidently_log="$cache/bench-replay-evidently-install.log"
if [ "${BENCH_EVIDENTLY:-1}" != "0" ] && ! "$venv/bin/python" -c 'import evidently' 2>/dev/null \
  && [ ! -s "$evidently_log" ]; then
  echo "installing Evidently (bench/peer/requirements-evidently.txt) ..."
  if ! timeout 600 "$venv/bin/pip" install -q -r bench/peer/requirements-evidently.txt \
    -c bench/peer/requirements.txt -c bench/peer/requirements-replay.txt >"$evidently_log" 2>&1; then
    echo "Evidently did not install (see $evidently_log); going on without it"
  elif ! "$venv/bin/python" -c 'import evidently' >>"$evidently_log" 2>&1; then
    echo "Evidently installed but does not import (see $evidently_log); going on without it"
  else
    rm -f "$evidently_log"
  fi
fi

npm run --silent build || echo "npm run build failed: the driftwatch side runs dist/ as it is, if at all"
BENCH_PYTHON="$venv/bin/python" BENCH_EVIDENTLY_LOG="$evidently_log" npx tsx bench/replay.ts
