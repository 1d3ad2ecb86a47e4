#!/usr/bin/env bash
# Create .venv (if needed) and install hinge-analyzer with the given extras. Idempotent.
# Usage: scripts/setup.sh [extras]   (default extras: app,dev)
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-app,dev}"
py="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
stamp=".venv/.installed-$(echo "$extras" | tr ',' '-')"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  # (filter the noise some pip configs print about missing local index folders)
  .venv/bin/python -m pip install --quiet --upgrade pip 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2) >/dev/null
  .venv/bin/python -m pip install --quiet -e ".[$extras]" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  touch "$stamp"
fi
# Offline machines: use the shared pose model bundle when no model is configured.
if [ -z "${ANALYZER_MODEL_DIR:-}" ] && [ -f ../shared/models/pose_landmarker_full.task ]; then
  echo "export ANALYZER_MODEL_DIR=$(cd ../shared/models && pwd)"
fi
