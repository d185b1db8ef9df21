#!/usr/bin/env bash
# Makes sure redis-server is on PATH: tests start their own on a free loopback port.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "redis-server missing: installing Debian's redis-server..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  # The package starts a system service; our tests start their own servers instead.
  (service redis-server stop || systemctl stop redis-server || true) >/dev/null 2>&1
  command -v redis-server >/dev/null 2>&1 && exit 0
fi
echo "redis-server is required by the tests and could not be installed." >&2
echo "Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_SERVER=/path/to/redis-server." >&2
exit 1
