#!/usr/bin/env bash
# Runs the benchmarks in bench/ (figures printed, never asserted). A broker is started by
# the benchmark itself unless KAFKA_BOOTSTRAP names one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh >/dev/null
npx tsx bench/consume.ts
