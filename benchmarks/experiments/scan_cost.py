"""Cost of the pose pass's footage scans (camera motion, other people) on one clip.

usage: python benchmarks/experiments/scan_cost.py [--runs N] VIDEO [VIDEO ...]

Per clip: one warm-up pass, then N rounds (default 3) of the pose pass with scans off, camera scan only and both
scans, interleaved; prints the median ms per frame of each.
The model comes from ANALYZER_MODEL_DIR (or the usual resolver). Figures: benchmarks/performance_notes.md.
"""

from __future__ import annotations

import statistics
import sys
import time

from analyzer.capture import models
from analyzer.capture.video import probe
from analyzer.track.pose_pass import pose_pass
from analyzer.track.settings import PoseSettings

VARIANTS = (
    ("scans off", PoseSettings(scan_people_s=0, scan_camera=False)),
    ("camera scan only", PoseSettings(scan_people_s=0)),
    ("both scans", PoseSettings()),
)


def _ms_per_frame(clip: str, info, model, settings: PoseSettings) -> float:
    t0 = time.perf_counter()
    track, _ = pose_pass(clip, info, model, settings, video_out=None, progress=None, sha="scan-cost")
    return 1000 * (time.perf_counter() - t0) / max(len(track), 1)


def main(argv: list[str]) -> int:
    runs = 3
    if argv[:1] == ["--runs"]:
        runs, argv = int(argv[1]), argv[2:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    model = models.resolve("full")
    for clip in argv:
        info = probe(clip)
        _ms_per_frame(clip, info, model, VARIANTS[0][1])  # warm-up: file cache, model load
        times: dict[str, list[float]] = {name: [] for name, _ in VARIANTS}
        for _ in range(runs):
            for name, settings in VARIANTS:
                times[name].append(_ms_per_frame(clip, info, model, settings))
        shape = f"{info.width}x{info.height} @ {info.fps:.0f} fps, {info.duration:.1f} s"
        row = " → ".join(f"{statistics.median(v):.1f}" for v in times.values())
        print(f"{clip} ({shape}): {' → '.join(times)}: {row} ms/frame (median of {runs})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
