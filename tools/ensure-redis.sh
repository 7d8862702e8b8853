#!/bin/sh
# The test suite starts its own redis-server (test/support/redis-global-setup.ts). On a fresh
# machine there is none yet: install Debian's package when we can, else say how.
command -v redis-server >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "redis-server is missing: installing Debian's redis-server package" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null && exit 0
fi
echo "The tests need redis-server on PATH. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis) and run npm test again." >&2
exit 1
