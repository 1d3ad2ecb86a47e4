"""Regenerate every clip in sample_videos/ (MP4 + ground-truth JSON) deterministically from its seed.

Usage: python scripts/make_samples.py [--out sample_videos] [NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzer.synth import render_scenario, sample_specs  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="render only these sample names")
    ap.add_argument("--out", default=str(ROOT / "sample_videos"))
    a = ap.parse_args(argv)
    out = Path(a.out)
    specs = [s for s in sample_specs() if not a.names or s.name in a.names]
    if not specs:
        print(f"no sample named {a.names}; choose from {[s.name for s in sample_specs()]}", file=sys.stderr)
        return 2
    for spec in specs:
        t0 = time.time()
        mp4 = out / f"{spec.name}.mp4"
        truth = render_scenario(spec, mp4)
        for f in (mp4, mp4.with_suffix(".json")):
            f.chmod(0o644)
        size = mp4.stat().st_size / 1e6
        print(
            f"{spec.name}: {truth.meta['n_frames']} frames @ {truth.fps:g} fps, {size:.2f} MB, "
            f"{time.time() - t0:.1f} s; must report {truth.expected['must_report']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
