#!/usr/bin/env bash
# Lint and type-check (run by CI after the tests): ruff (rules and format) on the repository, mypy on analyzer/.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh app,dev,ray)"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
