#!/bin/sh
# The test suite starts its own redis-server (test/support/redis-global-setup.ts) and drives
# pages in Debian's Chromium (playwright-core cannot download a browser here). On a fresh
# machine neither is there yet: install Debian's packages when we can, else say how.
missing=""
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
[ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "missing:$missing; installing Debian's packages" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null && exit 0
fi
echo "The tests need$missing. Install them (Debian/Ubuntu: sudo apt-get install -y$missing; macOS: brew install redis and a Chromium, then set CHROMIUM_PATH) and run npm test again." >&2
exit 1
