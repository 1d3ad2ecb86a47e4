#!/usr/bin/env bash
# Quick start 1: set everything up and analyse a bundled sample clip.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh app,dev)"
clip="${1:-sample_videos/hinge_lumbar_first_side.mp4}"
.venv/bin/hinge-analyzer analyze "$clip" --out runs/demo
echo "Open runs/demo/report.md and runs/demo/annotated.mp4 to see the results."
