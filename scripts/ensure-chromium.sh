#!/usr/bin/env bash
# The approval page is tested in a real browser: Debian's chromium, installed when missing.
set -euo pipefail
browser="${HANDRAIL_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$browser" ]; then exit 0; fi
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" != "0" ]; then sudo="sudo"; fi
  echo "Installing chromium for the browser tests (apt-get)…" >&2
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
  exit 0
fi
echo "The browser tests need Chromium at $browser (set HANDRAIL_CHROMIUM to another path)." >&2
exit 1
