"""A/B experiments on the pose pass behind the analysis in ``benchmarks/notes.md``:
``python benchmarks/ab_pass.py [--clip CLIP] [--runs N]``.

Each run is a fresh process on the 10-s 720p 30 fps benchmark clip (made by ``benchmarks/clips.py``),
and variants are interleaved run by run so a change in machine load hits them alike:

- ``inputs``: bare inference fps (one tracked pose) with and without masks at model input 1280/960/640 px;
- ``nice``: pose-pass fps with the helper threads at nice 0 / 5 / 19 / SCHED_IDLE;
- ``preset``: pose-pass fps with the annotated video written by x264 ultrafast / superfast / veryfast;
- ``startup``: seconds to import MediaPipe's tasks and build the pass's two landmarkers;
- ``gil``: speed of a pure-Python thread while a PyAV decoder thread runs beside it (1.0 = unaffected).

Writes ``docs/ab_pass.json`` and prints one line per figure.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))


def _pass_fps(clip: str, out: Path | None) -> float:
    import analyzer.pipeline as P
    from analyzer import models

    info = P.probe(clip)
    t0 = time.perf_counter()
    track, _ = P._pose_pass(clip, info, models.resolve("full"), P.AnalyzeOptions().pose_settings(), cached=None,
                            video_out=out, progress=None, sha="ab")
    return len(track) / (time.perf_counter() - t0)


def child(exp: str, variant: str, clip: str) -> dict:
    """One measurement in this (fresh) process."""
    out = Path(tempfile.mkdtemp(prefix="hinge-ab-")) / "annotated.mp4"
    if exp == "nice":
        import analyzer.threads as T
        import analyzer.video as V

        if variant == "idle":
            def idle(increment: int = 0) -> None:
                os.sched_setscheduler(threading.get_native_id(), os.SCHED_IDLE, os.sched_param(0))
            T.lower_priority = V.lower_priority = idle
        else:
            T.lower_priority.__defaults__ = (int(variant),)
        return {"fps": _pass_fps(clip, out)}
    if exp == "preset":
        import analyzer.video as V

        init = V.H264Writer.__init__
        V.H264Writer.__init__ = lambda self, *a, **k: init(self, *a, **{**k, "preset": variant})
        fps = _pass_fps(clip, out)
        return {"fps": fps, "file_mb": out.stat().st_size / 2**20}
    if exp == "startup":
        from analyzer import models
        from analyzer.pose import PoseSettings, TrackRecorder

        path = models.resolve("full")
        t0 = time.perf_counter()
        with TrackRecorder(path, PoseSettings()):
            return {"s": time.perf_counter() - t0}
    if exp == "inputs":
        import cv2
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        from analyzer import models
        from analyzer.video import FileSource

        side, masks = int(variant.split("/")[0]), variant.endswith("masks")
        frames = []
        for f in FileSource(clip, max_side=1280, threaded=False):
            h, w = f.image.shape[:2]
            frames.append(f.image if w == side else cv2.resize(f.image, (side, side * h // w), interpolation=cv2.INTER_AREA))
        opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(models.resolve("full"))),
                                            running_mode=vision.RunningMode.VIDEO, num_poses=1,
                                            output_segmentation_masks=masks)
        with vision.PoseLandmarker.create_from_options(opts) as lm:
            t0 = time.perf_counter()
            for i, img in enumerate(frames):
                r = lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=img), i * 33)
                if masks and r.segmentation_masks:
                    r.segmentation_masks[0].numpy_view()
            return {"fps": len(frames) / (time.perf_counter() - t0)}
    if exp == "gil":
        import av

        def spin(dur: float) -> int:
            t0, n = time.perf_counter(), 0
            while time.perf_counter() - t0 < dur:
                n += 1
            return n

        base, stop = spin(2.0), threading.Event()

        def decode() -> None:
            while not stop.is_set():
                with av.open(clip) as c:
                    s = c.streams.video[0]
                    s.codec_context.thread_count = 1
                    for fr in c.decode(s):
                        fr.to_ndarray(format="rgb24")
                        if stop.is_set():
                            break

        th = threading.Thread(target=decode)
        th.start()
        time.sleep(0.2)
        n = spin(2.0)
        stop.set()
        th.join()
        return {"ratio": n / base}
    raise ValueError(exp)


PLAN = {"inputs": ["1280/masks", "1280/none", "960/masks", "960/none", "640/masks", "640/none"],
        "nice": ["0", "5", "19", "idle"], "preset": ["ultrafast", "superfast", "veryfast"],
        "startup": ["both landmarkers"], "gil": ["decoder thread"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clip", help="clip (default: the 10-s 720p30 benchmark clip)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default=",".join(PLAN), help="experiments, comma-separated")
    ap.add_argument("--json", type=Path, default=ROOT / "docs" / "ab_pass.json")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(child(*a.child)))
        return 0
    if not a.clip:
        import clips as C

        kind, src = C.default_source()
        a.clip = str(C.make_clip("720p", 30, 10, kind=kind, src=src, tag=f"{Path(src).stem[:24]}_v1", preset="veryfast"))
    env = {**os.environ, "GLOG_minloglevel": "2"}
    res: dict = {"clip": Path(a.clip).name, "runs": a.runs, "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                 "load_at_start": [round(x, 2) for x in os.getloadavg()], "results": {}}
    for exp in a.only.split(","):
        runs: dict[str, list[dict]] = {v: [] for v in PLAN[exp]}
        for _ in range(a.runs):
            for v in PLAN[exp]:  # interleaved
                p = subprocess.run([sys.executable, __file__, "--child", exp, v, a.clip], capture_output=True, text=True,
                                   env=env, cwd=ROOT)
                if p.returncode:
                    raise RuntimeError(p.stderr[-2000:])
                runs[v].append(json.loads(p.stdout.strip().splitlines()[-1]))
        res["results"][exp] = {v: {k: statistics.median(r[k] for r in rs) for k in rs[0]} | {"runs": rs}
                               for v, rs in runs.items()}
        for v, r in res["results"][exp].items():
            print(exp, v, {k: round(x, 3) for k, x in r.items() if k != "runs"}, flush=True)
    from analyzer.atomic import write_text

    write_text(a.json, json.dumps(res, indent=1))
    print(f"wrote {a.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
