#!/usr/bin/env bash
# Makes sure a Chromium is on PATH for the browser tests (playwright-core drives it; no download).
set -euo pipefail
for c in chromium chromium-browser google-chrome; do command -v "$c" >/dev/null 2>&1 && exit 0; done
[ -n "${CHROMIUM:-}" ] && [ -x "$CHROMIUM" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "chromium missing: installing Debian's chromium..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
  command -v chromium >/dev/null 2>&1 && exit 0
fi
echo "Chromium is required by the browser tests and could not be installed." >&2
echo "Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM=/path/to/chromium." >&2
exit 1
