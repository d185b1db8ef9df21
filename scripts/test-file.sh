#!/usr/bin/env bash
# One or more test files without a full rebuild: both builds are incremental (only what changed
# since the last build is compiled), then node:test runs the compiled files.
#   npm run test:file -- test/righter.e2e-spec.ts libs/protection/src/page/page.spec.ts
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$#" -gt 0 ] || { echo "usage: npm run test:file -- <file.ts> [...]" >&2; exit 2; }
npm run --silent build
files=()
for f in "$@"; do
  case "$f" in -*) files+=("$f"); continue ;; esac
  f="${f%.ts}"; f="${f%.js}"; f="${f#./}"; f="${f#dist/}"
  files+=("dist/$f.js")
done
exec node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
