"""Accuracy against synthetic ground truth: ``python benchmarks/accuracy.py [--quick] [--jobs N]``
= ``hinge-analyzer bench accuracy``.

The harness itself is :mod:`analyzer.bench.accuracy` (so the installed CLI has it too).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analyzer.bench.accuracy import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
