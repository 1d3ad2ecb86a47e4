"""What the half-size model input costs in accuracy: ``python benchmarks/half_size.py [--quick]``.

The pipeline gives the pose model each frame at half size while the subject is large enough
(``PoseSettings.half_size_reach_px``). Two checks, each analysing clips with it on and off:

* **synthetic truth**: every scenario of the accuracy report (rendered at 480×640, cached by
  ``benchmarks/accuracy.py``) scaled 2× to 960×1280 (bicubic), so half size is the rendered size; errors
  of both runs against the renderer's truth, as in ``docs/ACCURACY.md``;
* **real clips** (``../shared/realclips``, skipped when absent), those at least 1280 px on the long side:
  how far the landmarks move (% of the subject's torso length, 8 key landmarks on frames where both runs
  found the subject) and whether view, exercise, rep count or findings change; against the same figures for
  a 1.25 % smaller input (1264 px), which is the model's own sensitivity to a resize that loses nothing.

Writes ``docs/half_size.json`` and prints a summary; ``benchmarks/notes.md`` quotes it.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

REALCLIPS = Path(os.environ.get("HINGE_REALCLIPS", ROOT.parent / "shared" / "realclips"))


def _upscaled(mp4: Path, out: Path) -> Path:
    import cv2

    from analyzer.video import FileSource, H264Writer, probe

    info = probe(mp4)
    with H264Writer(out, info.fps, 2 * info.width, 2 * info.height, crf=18, preset="veryfast") as w:
        for fr in FileSource(mp4, max_side=None, threaded=False):
            w.write(cv2.resize(fr.image, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC), fr.t)
    return out


def synthetic(quick: bool, cache: Path) -> dict:
    import accuracy as A

    from analyzer.pipeline import AnalyzeOptions, analyze
    from analyzer.synth import GroundTruth, render_scenario

    errors: dict[str, dict[str, list[float]]] = {"half": {}, "full": {}}
    counts = {name: {"tp": 0, "fn": 0, "fp": 0} for name in errors}
    differ: list[dict] = []
    findings_same, n, shares = 0, 0, []
    with tempfile.TemporaryDirectory(prefix="hinge-half-") as tmp:
        for spec in A.select(quick):
            mp4 = cache / "renders" / f"{spec.name}-{A.render_key(spec)}.mp4"
            if not (mp4.is_file() and mp4.with_suffix(".json").is_file()):
                mp4.parent.mkdir(parents=True, exist_ok=True)
                render_scenario(spec, mp4, truth_path=mp4.with_suffix(".json"))
            truth = GroundTruth.load(mp4.with_suffix(".json"))
            big = _upscaled(mp4, Path(tmp) / "x2.mp4")
            got = {}
            for name, reach in (("half", 128), ("full", 0)):
                a = analyze(big, AnalyzeOptions(out_dir=None, write_video=False, use_cache=False,
                                                half_size_reach_px=reach))
                ev = A.evaluate(a, truth)
                for k, e in ev["errors"].items():
                    errors[name].setdefault(k, []).extend(e)
                got[name] = sorted(f.rule_id for f in a.findings)
                for c in counts[name]:
                    counts[name][c] += len(ev[c])
                got[name + " scored"] = {c: sorted(ev[c]) for c in ("tp", "fn", "fp")}
                if name == "half":
                    shares.append(a.track.meta["model_half_size_share"])
            n += 1
            findings_same += got["half"] == got["full"]
            if got["half"] != got["full"]:
                differ.append({"scenario": spec.name, "half": got["half scored"], "full": got["full scored"],
                               "only_half": sorted(set(got["half"]) - set(got["full"])),
                               "only_full": sorted(set(got["full"]) - set(got["half"]))})
            print(f"  {spec.name}: half-size share {shares[-1]:.2f}, findings {'same' if got['half'] == got['full'] else 'DIFFER'}",
                  flush=True)
    mae = {k: {name: round(float(np.mean(np.abs(errors[name][k]))), 3) for name in ("half", "full")}
           for k in sorted(errors["full"]) if k in errors["half"]}
    pr = {name: {"precision": round(c["tp"] / max(c["tp"] + c["fp"], 1), 3),
                 "recall": round(c["tp"] / max(c["tp"] + c["fn"], 1), 3), **c} for name, c in counts.items()}
    return {"scenarios": n, "half_size_share_median": statistics.median(shares), "findings_identical": findings_same,
            "findings": pr, "differing": differ, "mae": mae}


def real(quick: bool) -> dict | None:
    from analyzer.errors import AnalyzerError
    from analyzer.pipeline import AnalyzeOptions, analyze
    from analyzer.segment import KEY_POINTS, mid_hip, mid_shoulder
    from analyzer.video import probe

    if not REALCLIPS.is_dir():
        return None
    clips = [p for p in sorted(REALCLIPS.glob("*.mp4")) if max((i := probe(p)).width, i.height) >= 1280]
    if quick:
        clips = clips[:4]
    variants = {"full": {}, "half": {"half_size_reach_px": 128}, "resize 1264 px": {"max_side": 1264}}
    out: dict = {"clips": len(clips), "variants": {}}
    runs: dict[str, dict] = {}
    for clip in clips:
        for name, opts in variants.items():
            o = AnalyzeOptions(out_dir=None, write_video=False, use_cache=False,
                               half_size_reach_px=opts.get("half_size_reach_px", 0), max_side=opts.get("max_side", 1280))
            try:
                a = analyze(clip, o)
                runs[(clip.name, name)] = {"xy": a.track.xy, "ctx": (str(a.context.view), str(a.context.exercise),
                                                                      len(a.context.reps)),
                                           "findings": sorted(f.rule_id for f in a.findings),
                                           "share": a.track.meta.get("model_half_size_share")}
            except AnalyzerError as exc:
                runs[(clip.name, name)] = {"error": type(exc).__name__}
        print(f"  {clip.name}", flush=True)
    for name in ("half", "resize 1264 px"):
        d_all, ctx, fnd, shares = [], 0, 0, []
        for clip in clips:
            b, o = runs[(clip.name, "full")], runs[(clip.name, name)]
            if "error" in b or "error" in o:
                ctx += b.get("error") != o.get("error")
                continue
            xb, xo = b["xy"], o["xy"]
            k = min(len(xb), len(xo))
            xb, xo = xb[:k], xo[:k]
            both = ~np.isnan(xb[:, 0, 0]) & ~np.isnan(xo[:, 0, 0])
            torso = np.nanmedian(np.linalg.norm(mid_shoulder(xb) - mid_hip(xb), axis=1))
            keys = list(KEY_POINTS)
            d_all.append((np.linalg.norm(xb[both][:, keys] - xo[both][:, keys], axis=2) / torso).ravel())
            ctx += b["ctx"] != o["ctx"]
            fnd += b["findings"] != o["findings"]
            if o["share"] is not None:
                shares.append(o["share"])
        d = np.concatenate(d_all) if d_all else np.zeros(0)
        out["variants"][name] = {
            "landmark_shift_pct_of_torso": {q: round(float(np.percentile(d, p)) * 100, 2)
                                            for q, p in (("median", 50), ("p90", 90), ("p95", 95))} if d.size else None,
            "context_changed": ctx, "findings_changed": fnd,
            "half_size_share_median": statistics.median(shares) if name == "half" and shares else None}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="the 8 quick scenarios and 4 real clips")
    ap.add_argument("--json", type=Path, default=ROOT / "docs" / "half_size.json")
    a = ap.parse_args(argv)
    os.environ.setdefault("GLOG_minloglevel", "2")
    import accuracy as A

    from analyzer.atomic import write_text

    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    print("synthetic scenarios, scaled 2×:", flush=True)
    syn = synthetic(a.quick, A.DEFAULT_CACHE)
    print("real clips ≥ 1280 px:", flush=True)
    rl = real(a.quick)
    res = {"command": "python benchmarks/half_size.py" + (" --quick" if a.quick else ""), "started": started,
           "finished": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "synthetic_x2": syn, "real_clips": rl}
    write_text(a.json, json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
