#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs the real servers the integration tests talk
# to (Kafka from Maven Central, Prometheus from Debian), builds, lints, and runs unit and
# integration tests. The integration tests start and stop their own servers on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
npm run --silent build
npm run --silent lint

mkdir -p test-results
rc=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || rc=$?
node scripts/test-summary.mjs test-results/vitest.json || rc=1
exit "$rc"
