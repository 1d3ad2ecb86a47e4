"""Live-mode soak: run the live coaching engine for a long time and watch memory.

``python benchmarks/experiments/soak_live.py [--minutes 30] [--fps 25] [--clip sample_videos/squat_good_side.mp4]``

Frames of a sample clip (640×480, looped) are fed to :class:`analyzer.live.coach.LiveCoach` at a paced
rate, as a camera would, with monotonic timestamps. Every 10 s the process RSS is sampled
(``/proc/self/statm``). Writes ``docs/soak_live.json`` and ``docs/SOAK.md``: RSS at the first and
last minute, the growth, frames processed, fps and per-frame latency percentiles.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def load_frames(clip: Path, size=(640, 480)) -> list:
    import cv2

    from analyzer.capture.video import FileSource

    out = []
    for fr in FileSource(clip, max_side=None):
        img = fr.image
        h, w = img.shape[:2]
        s = min(size[0] / w, size[1] / h)
        small = cv2.resize(img, (int(w * s), int(h * s)), interpolation=cv2.INTER_AREA)
        canvas = __import__("numpy").zeros((size[1], size[0], 3), "uint8")
        y0, x0 = (size[1] - small.shape[0]) // 2, (size[0] - small.shape[1]) // 2
        canvas[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
        out.append(canvas)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--fps", type=float, default=25.0, help="pace frames like a camera (0 = as fast as possible)")
    ap.add_argument("--clip", type=Path, default=ROOT / "sample_videos" / "squat_good_side.mp4")
    ap.add_argument("--model", default="full")
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    a = ap.parse_args(argv)

    from analyzer.live.coach import LiveCoach, LiveSettings

    frames = load_frames(a.clip)
    samples: list[tuple[float, float]] = []
    lat: list[float] = []
    n = reps = 0
    t0 = time.monotonic()
    next_sample = t0
    end = t0 + 60 * a.minutes
    with LiveCoach(LiveSettings(model=a.model)) as coach:
        while (now := time.monotonic()) < end:
            if now >= next_sample:
                samples.append((now - t0, rss_mb()))
                next_sample += 10.0
            w0 = time.perf_counter()
            _, st = coach.process(frames[n % len(frames)], now)
            lat.append(1000 * (time.perf_counter() - w0))
            n += 1
            reps = max(reps, st.total_reps)
            if a.fps > 0:
                time.sleep(max(0.0, t0 + n / a.fps - time.monotonic()))
    samples.append((time.monotonic() - t0, rss_mb()))
    dur = samples[-1][0]
    first = [r for s, r in samples if 50 <= s <= 70] or [samples[min(5, len(samples) - 1)][1]]
    last = [r for s, r in samples if s >= dur - 60] or [samples[-1][1]]
    lat_sorted = sorted(lat)
    res = {
        "command": "python benchmarks/experiments/soak_live.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "model": a.model,
        "minutes": round(dur / 60, 2),
        "frames": n,
        "reps_counted_max": reps,
        "fps_target": a.fps,
        "fps_achieved": round(n / dur, 2),
        "latency_ms_p50": round(lat_sorted[len(lat) // 2], 1),
        "latency_ms_p95": round(lat_sorted[int(0.95 * (len(lat) - 1))], 1),
        "rss_mb_minute_1": round(statistics.median(first), 1),
        "rss_mb_last_minute": round(statistics.median(last), 1),
        "rss_mb_max": round(max(r for _, r in samples), 1),
        "rss_samples": [(round(s, 1), round(r, 1)) for s, r in samples],
        "load_avg_end": [round(x, 2) for x in os.getloadavg()],
    }
    res["rss_growth_pct"] = round(100 * (res["rss_mb_last_minute"] / res["rss_mb_minute_1"] - 1), 2)
    a.out.mkdir(parents=True, exist_ok=True)
    from analyzer.atomic import write_text

    write_text(a.out / "soak_live.json", json.dumps(res, indent=2))
    md = (
        f"# Live-mode soak\n\n`{res['command']}` — {res['date']}, {res['machine']}, model {a.model}, "
        f"load average at the end {res['load_avg_end']}.\n\n"
        "| minutes | frames | fps (target) | latency p50 / p95 (ms) | RSS minute 1 (MB) | RSS last minute (MB) | "
        "growth |\n"
        "|---|---|---|---|---|---|---|\n"
        f"| {res['minutes']} | {n} | {res['fps_achieved']} ({a.fps:g}) | {res['latency_ms_p50']} / "
        f"{res['latency_ms_p95']} | "
        f"{res['rss_mb_minute_1']} | {res['rss_mb_last_minute']} | {res['rss_growth_pct']:+.2f} % |\n\n"
        "RSS is sampled every 10 s from `/proc/self/statm`; the raw series is in `docs/soak_live.json`.\n"
    )
    write_text(a.out / "SOAK.md", md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
