"""Agreement with the labelled real clips: ``python benchmarks/realclips.py [--jobs N]``
= ``hinge-analyzer bench realclips``.

The harness itself is :mod:`analyzer.bench.realclips` (so the installed CLI has it too).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analyzer.bench.realclips import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
