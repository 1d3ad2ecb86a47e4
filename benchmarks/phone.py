"""Phone-clip benchmark: ``python benchmarks/phone.py [--runs N] [--only TEXT]``.

The clips people film: the portrait phone clips among the shared real clips (``../shared/realclips``,
never committed) plus clips this script makes from one of them in the phone formats (portrait 1080×1920
and 1440×1920, 30/60/120 fps, H.264 High at phone bitrates and HEVC as iPhones record by default; real
texture, 60/120 fps frames blended between the source's 30 fps frames). For each clip, in one run:

- bare inference: ``benchmarks/workers.py infer`` on exactly the images the pipeline gives the model;
- the pose pass (``pose_pass_s`` of report.json) and the whole CLI, ``hinge-analyzer analyze CLIP --out OUT
  --quiet`` with all outputs and an empty cache (start-up included), as fps and as ratios to bare inference, and
  the CLI's wall time as a multiple of the clip's duration;
- a cached re-run (same command without ``--no-cache``) as a share of the cold run; peak RSS.

Writes ``docs/performance_phone.json`` and the phone-clip section of ``docs/PERFORMANCE.md`` (between its
markers; ``benchmarks/run.py`` keeps that section when it rewrites the file).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as R  # noqa: E402

ROOT = R.ROOT
START, END = "<!-- phone-clips:start -->", "<!-- phone-clips:end -->"
#: The real clip the made clips are cut from (1440×1920, 30 fps, 6 s, a front-view squat in a gym).
SOURCE = "squat_front_01_gym_phone.mp4"
#: Made clips: (width, height, fps, seconds, codec, bitrate in Mbit/s), phone bitrates.
MADE = (
    (1080, 1920, 30, 10, "h264", 16),
    (1080, 1920, 60, 10, "h264", 24),
    (1080, 1920, 120, 10, "h264", 36),
    (1440, 1920, 30, 10, "h264", 20),
    (1440, 1920, 60, 10, "h264", 30),
    (1080, 1920, 30, 10, "hevc", 8),
    (1080, 1920, 60, 10, "hevc", 12),
    (1080, 1920, 30, 20, "h264", 16),
)


def realclips_dir() -> Path | None:
    for d in (os.environ.get("HINGE_REALCLIPS_DIR"), ROOT.parent / "shared" / "realclips"):
        if d and Path(d).is_dir():
            return Path(d)
    return None


def probe(p: Path) -> dict:
    import av

    with av.open(str(p)) as c:
        s = c.streams.video[0]
        cc = s.codec_context
        fps = float(s.average_rate or 0)
        n = int(s.frames) or sum(1 for _ in c.decode(s))
        return {"width": cc.width, "height": cc.height, "fps": fps, "frames": n, "codec": cc.name}


def is_phone(info: dict) -> bool:
    """Portrait, at least 1080 px across: what a phone films upright."""
    return info["height"] > info["width"] >= 1080


def make_clip(src: Path, spec: tuple, out_dir: Path) -> Path:
    """``spec`` (w, h, fps, seconds, codec, Mbit/s) from ``src``: scaled to fill w×h (centre crop), looped
    forwards and backwards, frames between the source's blended linearly. Cached by name in ``out_dir``."""
    import av
    import cv2
    import numpy as np

    w, h, fps, secs, codec, mbps = spec
    path = out_dir / f"phone_{w}x{h}_{fps}fps_{secs}s_{codec}.mp4"
    if path.exists():
        return path
    frames = []
    with av.open(str(src)) as c:
        s = c.streams.video[0]
        src_fps = float(s.average_rate or 30)
        for f in c.decode(s):
            img = f.to_ndarray(format="rgb24")
            ih, iw = img.shape[:2]
            k = max(w / iw, h / ih)
            img = cv2.resize(img, (round(iw * k), round(ih * k)), interpolation=cv2.INTER_AREA)
            y0, x0 = (img.shape[0] - h) // 2, (img.shape[1] - w) // 2
            frames.append(np.ascontiguousarray(img[y0 : y0 + h, x0 : x0 + w]))
    seq = frames + frames[-2:0:-1]  # forwards then backwards: the motion never jumps
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as o:
        st = o.add_stream("libx264" if codec == "h264" else "libx265", rate=fps)
        st.width, st.height, st.pix_fmt = w, h, "yuv420p"
        st.bit_rate = int(mbps * 1e6)
        if codec == "h264":
            st.options = {"profile": "high", "preset": "veryfast"}
        else:
            st.options = {"preset": "ultrafast", "x265-params": "log-level=error"}
            st.codec_tag = "hvc1"
        for i in range(int(round(fps * secs))):
            x = i * src_fps / fps  # position in source frames
            a = int(x)
            t = x - a
            f0, f1 = seq[a % len(seq)], seq[(a + 1) % len(seq)]
            img = f0 if t < 1e-6 else cv2.addWeighted(f0, 1 - t, f1, t, 0)
            for pkt in st.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                o.mux(pkt)
        for pkt in st.encode():
            o.mux(pkt)
    tmp.replace(path)
    return path


def measure(clip: Path, runs: int, model_path: str, work: Path, log) -> dict:
    info = probe(clip)
    log(f"{clip.name}: bare inference x{runs}")
    a = R.worker("infer", {"clip": str(clip), "runs": runs, "model_path": model_path, "estimator": False})
    cold, warm = [], []
    for i in range(runs):
        out = work / f"out_{clip.stem}_{i}"
        cache = work / f"cache_{clip.stem}_{i}"
        env = {"ANALYZER_CACHE_DIR": str(cache)}
        log(f"{clip.name}: CLI run {i + 1}/{runs}")
        # cold: an empty cache (the run fills it), then the cached re-run of the same command
        r = R.run_proc(R.cli_cmd("analyze", clip, "--out", out, "--quiet"), env=env)
        if r["rc"] != 0:
            raise RuntimeError(f"analyze failed on {clip.name}: {r['stderr']}")
        tim = R._find_timings(json.loads((out / "report.json").read_text()))
        shutil.rmtree(out, ignore_errors=True)
        w = R.run_proc(R.cli_cmd("analyze", clip, "--out", out, "--quiet"), env=env)
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        cold.append({"wall_s": r["wall_s"], "rss_mb": r["rss_mb"], "load": r["load_before"], **tim})
        warm.append({"wall_s": w["wall_s"]})
    n = info["frames"]
    bare = R.med(a["raw_fps"])
    wall = R.med([c["wall_s"] for c in cold])
    pose = R.med([c.get("pose_pass_s") for c in cold])
    return {
        **info,
        "duration_s": n / info["fps"] if info["fps"] else None,
        "model_input": a["model_input"],
        "half_size_share": a["half_size_share"],
        "bare_fps": bare,
        "pose_pass_fps": n / pose if pose else None,
        "cli_fps": n / wall if wall else None,
        "cli_wall_s": wall,
        "rerun_wall_s": R.med([x["wall_s"] for x in warm]),
        "rss_mb": max(c["rss_mb"] for c in cold),
        "load": [c["load"][0] for c in cold],
        "runs": {"bare": a["raw_fps"], "cold": cold, "rerun": warm},
    }


def render(res: dict) -> str:
    f = R._f
    L = [
        START,
        "## Phone clips",
        "",
        f"Generated by `{res['command']}`, {res['started']} → {res['finished']}; median of {res['runs']} run(s) per "
        f"figure; load average at start {res['load_at_start']}. Shared clips: the portrait phone clips of "
        f"`../shared/realclips` (not in the repository); made clips: cut from `{SOURCE}` by `benchmarks/phone.py` "
        "(scaled and centre-cropped, looped forwards and backwards, 60/120 fps frames blended).",
        "",
        "*bare* = frames / time of `detect_for_video` alone on the images the pipeline gives the model; *pass* ="
        " frames / the pose pass (decode → model → overlay → encode); *CLI* = frames / wall time of the whole "
        "`hinge-analyzer analyze CLIP --quiet` with all outputs and an empty cache (start-up and model load included); "
        "*× clip* = CLI wall time / clip duration; *re-run* = the same command with a warm cache, as a share of "
        "the cold run.",
        "",
        "| clip | size | fps | codec | frames | bare fps | pass fps | CLI fps | **pass / bare** | **CLI / bare** | "
        "CLI s | × clip | re-run s | re-run / cold | peak RSS MB | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in res["clips"].items():
        pb = r["pose_pass_fps"] / r["bare_fps"] if r["pose_pass_fps"] and r["bare_fps"] else None
        cb = r["cli_fps"] / r["bare_fps"] if r["cli_fps"] and r["bare_fps"] else None
        xc = r["cli_wall_s"] / r["duration_s"] if r["duration_s"] else None
        rc = r["rerun_wall_s"] / r["cli_wall_s"] if r["cli_wall_s"] else None
        L.append(
            f"| {name} | {r['width']}×{r['height']} | {r['fps']:.0f} | {r['codec']} | {r['frames']} | "
            f"{f(r['bare_fps'])} | {f(r['pose_pass_fps'])} | {f(r['cli_fps'])} | **{f(pb, 2)}** | **{f(cb, 2)}** | "
            f"{f(r['cli_wall_s'])} | {f(xc, 2)} | {f(r['rerun_wall_s'])} | {f(rc, 2)} | {r['rss_mb']:.0f} | "
            f"{min(r['load']):.1f}–{max(r['load']):.1f} |"
        )
    L += ["", *targets(res), "", END]
    return "\n".join(L)


def targets(res: dict) -> list[str]:
    """The issue's speed targets against this run, one line each."""
    rows = list(res["clips"].values())

    def ratio(r, k):
        return r[k] / r["bare_fps"] if r.get(k) and r.get("bare_fps") else 0.0

    at30 = [ratio(r, "pose_pass_fps") for r in rows if round(r["fps"]) <= 30]
    long30 = [ratio(r, "cli_fps") for r in rows if round(r["fps"]) <= 30 and (r["duration_s"] or 0) >= 19]
    fast = [ratio(r, "cli_fps") for r in rows if round(r["fps"]) >= 60]
    rerun = [r["rerun_wall_s"] / r["cli_wall_s"] for r in rows if r.get("cli_wall_s")]
    rss = [r["rss_mb"] for r in rows]

    def line(name, values, goal, ok):
        if not values:
            return f"- {name}: no clip of that kind in this run."
        worst = min(values) if ok(1, 0) else max(values)
        met = "met" if all(ok(v, goal) for v in values) else "not met"
        return f"- {name}: target {goal:g}, worst {worst:.2f}: {met}."

    ge, le = (lambda v, g: v >= g), (lambda v, g: v <= g)
    return [
        "Targets (issue 19):",
        line("pose pass / bare on every 30 fps clip", at30, 0.9, ge),
        line("whole CLI / bare on a 20-s portrait 30 fps clip", long30, 0.85, ge),
        line("whole CLI / bare frame rate on 60 and 120 fps clips", fast, 1.6, ge),
        line("cached re-run / cold run", rerun, 0.1, le),
        line("peak RSS (MB)", rss, 600, le),
    ]


def write_section(md: Path, section: str) -> None:
    """Put ``section`` into ``md`` between the markers (replacing the old one), or append it."""
    text = md.read_text(encoding="utf-8") if md.exists() else "# Performance\n"
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    tmp = md.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(md)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    p.add_argument("--only", action="append", help="only clips whose name contains this (repeatable)")
    p.add_argument("--no-made", action="store_true", help="shared real clips only")
    p.add_argument("--clip-cache", type=Path, default=Path.home() / ".cache" / "hinge-analyzer" / "phone-clips")
    p.add_argument("--md", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    p.add_argument("--json", type=Path, default=ROOT / "docs" / "performance_phone.json")
    p.add_argument("--render-only", action="store_true", help="rewrite the section from --json, measuring nothing")
    a = p.parse_args(argv)
    if a.render_only:
        write_section(a.md, render(json.loads(a.json.read_text())))
        return 0
    if not os.environ.get("ANALYZER_MODEL_DIR") and (ROOT.parent / "shared" / "models").is_dir():
        os.environ["ANALYZER_MODEL_DIR"] = str(ROOT.parent / "shared" / "models")
    os.environ.update({"GLOG_minloglevel": "2", "ANALYZER_NO_DOWNLOAD": "1"})
    from analyzer.capture import models

    model_path = str(models.resolve("full", download=False))

    def log(*x):
        print(time.strftime("%H:%M:%S"), *x, flush=True)

    real = realclips_dir()
    if real is None:
        print("no shared real clips (../shared/realclips or HINGE_REALCLIPS_DIR): nothing to measure", file=sys.stderr)
        return 2
    clips: list[Path] = [c for c in sorted(real.glob("*.mp4")) if is_phone(probe(c))]
    if not a.no_made:
        a.clip_cache.mkdir(parents=True, exist_ok=True)
        for spec in MADE:
            log(f"making {spec}")
            clips.append(make_clip(real / SOURCE, spec, a.clip_cache))
    if a.only:
        clips = [c for c in clips if any(o in c.name for o in a.only)]
    res = {
        "command": " ".join(["python benchmarks/phone.py", *(argv if argv is not None else sys.argv[1:])]),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "runs": a.runs,
        "load_at_start": R.load(),
        "machine": R.machine(),
        "clips": {},
    }
    work = Path(tempfile.mkdtemp(prefix="hinge-bench-phone-"))
    try:
        for c in clips:
            res["clips"][c.name] = measure(c, a.runs, model_path, work, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    res["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    a.json.write_text(json.dumps(res, indent=1) + "\n")
    write_section(a.md, render(res))
    print(render(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
