#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what the tests need, builds, runs every
# unit and e2e suite (both platforms, memory and a real Redis that the suites start themselves).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-redis.sh
bash scripts/ensure-chromium.sh

[ -d node_modules ] || npm ci --no-audit --no-fund
# Compiled output of deleted or renamed sources must not run as tests: build from scratch.
rm -rf dist libs/protection/dist
npm run build
# Style gates (set -e: a lint error or an unformatted file fails the run).
npm run lint
npm run format:check
node scripts/check-structure.mjs

# consumer.e2e-spec.js (npm pack, npm install and tsc of throwaway apps) runs last, on its own:
# Node 20 bounds a whole test file by --test-timeout, and it needs minutes with a cold npm cache.
mapfile -t files < <(find dist/libs dist/test \( -name '*.spec.js' -o -name '*.e2e-spec.js' \) ! -name consumer.e2e-spec.js | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found under dist/" >&2
  exit 1
fi
# One file at a time: the e2e suites measure timing and must not compete for the two cores.
status=0
node --test --test-concurrency=1 --test-timeout=120000 --test-reporter=spec "$@" "${files[@]}" || status=$?
node --test --test-timeout=900000 --test-reporter=spec "$@" dist/test/consumer.e2e-spec.js || status=$?
exit "$status"
