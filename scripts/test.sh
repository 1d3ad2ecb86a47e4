#!/usr/bin/env bash
# Quick start 2: set everything up and run the test suite (unit, end-to-end, robustness, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh app,dev,ray)"
# Browser tests drive Debian's chromium through Playwright; install it when we can.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "chromium could not be installed; browser tests will be skipped" >&2
fi
export ANALYZER_NO_DOWNLOAD=1
.venv/bin/python -m pytest "$@"
