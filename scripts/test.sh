#!/usr/bin/env bash
# The test command: installs what the suite needs, lints, type-checks, runs every vitest project,
# and ends with one plain line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser --postgres
export ONNXRUNTIME_NODE_INSTALL=skip

echo "[test] lint"
pnpm exec biome check . --diagnostic-level=error

echo "[test] typecheck"
pnpm -r --workspace-concurrency=1 run typecheck

echo "[test] vitest"
results=.vitest-results.json
rm -f "$results"
set +e
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@"
status=$?
set -e
node scripts/summarize-results.mjs "$results" || status=1
exit "$status"
