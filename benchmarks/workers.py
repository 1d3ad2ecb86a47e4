"""Measurements that run in their own process (``python benchmarks/workers.py NAME JSON``).

Each prints one JSON object on the last line of stdout. The parent reads peak RSS
of the process with ``os.wait4`` and the load average around it.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GLOG_minloglevel", "2")

import numpy as np  # noqa: E402


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _landmarker(model_path: str, settings):
    """The VIDEO-mode landmarker the pipeline's tracker runs with on a one-person clip."""
    from analyzer.track.estimator import create_landmarker

    return create_landmarker(model_path, settings, settings.model_num_poses, True, settings.masks)


def _settings(a: dict):
    from analyzer.pipeline import AnalyzeOptions

    o = AnalyzeOptions(model=a.get("model", "full"))
    if "masks" in a:
        o.masks = bool(a["masks"])
    if "num_poses" in a:
        o.num_poses = int(a["num_poses"])
    return o.pose_settings()


def _model_inputs(frames: list, model_path: str, settings, size: tuple[int, int]) -> tuple[list, float]:
    """The images the pipeline gives the model for ``frames`` [(image, t)] (half size where
    :func:`analyzer.track.settings.use_half_size` says so, found by one untimed pass), and the half-size share."""
    import analyzer.track.estimator as E
    from analyzer.track.recorder import TrackRecorder
    from analyzer.track.settings import half_size

    answers: list[bool] = []
    decide = E.use_half_size

    def recorded(*args):
        answers.append(decide(*args))
        return answers[-1]

    E.use_half_size = recorded  # the name the estimator calls
    try:
        with TrackRecorder(model_path, settings) as rec:
            for img, t in frames:
                rec.add(img, t, size)
    finally:
        E.use_half_size = decide
    out = [(half_size(img) if half else img, t) for (img, t), half in zip(frames, answers)]
    return out, float(np.mean(answers)) if answers else 0.0


def _raw_loop(frames: list, model_path: str, settings) -> tuple[float, float]:
    """fps and CPU/wall of ``mp.Image`` + ``detect_for_video`` over ``frames`` [(image, t)]."""
    import mediapipe as mp

    lm = _landmarker(model_path, settings)
    c0, t0 = _cpu(), time.perf_counter()
    last = -1
    for img, t in frames:
        ms = max(int(round(t * 1000)), last + 1)
        last = ms
        lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=img), ms)
    dt = time.perf_counter() - t0
    lm.close()
    return len(frames) / dt, (_cpu() - c0) / dt


def infer(a: dict) -> dict:
    """(a) bare inference: VIDEO-mode loop on frames decoded (and downscaled) beforehand.

    ``raw``: ``mp.Image`` + ``detect_for_video`` only, on exactly the images the pipeline gives the model
    (decoded at ≤ ``max_side``, then half size while the subject is large enough); ``raw_full``: the same
    loop on the decoded frames at full size (what the model costs without the half-size input);
    ``estimator``: ``TrackRecorder.add`` as the pipeline runs it (adds the half-size resize, landmark
    extraction, subject choice, mask shrinking and packing, and the people count in its side thread).
    """
    from analyzer.capture.video import FileSource
    from analyzer.track.recorder import TrackRecorder

    s = _settings(a)
    src = FileSource(a["clip"], max_side=s.max_side, threaded=False)
    frames = [(f.image, f.t) for f in src]
    W, H = src.info.width, src.info.height
    model_frames, half_share = _model_inputs(frames, a["model_path"], s, (W, H))
    out = {
        "frames": len(frames),
        "model_input": list(frames[0][0].shape[1::-1]),
        "half_size_share": half_share,
        "raw_fps": [],
        "raw_cpu_per_wall": [],
        "raw_full_fps": [],
        "est_fps": [],
        "est_cpu_per_wall": [],
    }
    for _ in range(a["runs"]):
        if a.get("raw", True):
            fps, cw = _raw_loop(model_frames, a["model_path"], s)
            out["raw_fps"].append(fps)
            out["raw_cpu_per_wall"].append(cw)
            if half_share > 0:
                out["raw_full_fps"].append(_raw_loop(frames, a["model_path"], s)[0])
        if a.get("estimator", True):
            with TrackRecorder(a["model_path"], s) as rec:
                c0, t0 = _cpu(), time.perf_counter()
                for img, t in frames:
                    rec.add(img, t, (W, H))
                dt = time.perf_counter() - t0
            out["est_fps"].append(len(frames) / dt)
            out["est_cpu_per_wall"].append((_cpu() - c0) / dt)
    if not out["raw_full_fps"]:
        out["raw_full_fps"] = list(out["raw_fps"])
    return out


def naive(a: dict) -> dict:
    """(c) the loop users write: cv2 read → landmarker (same options) → draw → cv2.VideoWriter; one thread."""
    import cv2
    import mediapipe as mp

    from analyzer.report.overlay import draw_skeleton

    s = _settings(a)
    t0 = time.perf_counter()
    c0 = _cpu()
    cap = cv2.VideoCapture(a["clip"])
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    writer = cv2.VideoWriter(a["out"], cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    lm = _landmarker(a["model_path"], s)
    n = 0
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        res = lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(n * 1000 / fps))
        if res.pose_landmarks:
            pts = np.array([(p.x * w, p.y * h) for p in res.pose_landmarks[0]], np.float32)
            vis = np.array([p.visibility or 0.0 for p in res.pose_landmarks[0]], np.float32)
            draw_skeleton(bgr, pts, vis)
        writer.write(bgr)
        n += 1
    writer.release()
    cap.release()
    lm.close()
    dt = time.perf_counter() - t0
    return {"frames": n, "wall_s": dt, "fps": n / dt, "cpu_per_wall": (_cpu() - c0) / dt}


def reanalyze(a: dict) -> dict:
    """(e) re-analysis from the landmark cache: ``analyze(..., write_video=False)`` with a warm cache.

    Also times the parts: content hash, cache load, post-pose stages, output writing.
    """
    from analyzer.capture import models
    from analyzer.pipeline import AnalyzeOptions, analyze, analyze_track
    from analyzer.track.cache import cache_key, cached_track, file_sha256

    opts = AnalyzeOptions(model=a.get("model", "full"), write_video=False, use_cache=True)
    mpath = models.resolve(opts.model)
    res = {"total_s": [], "sha_s": [], "load_s": [], "stages_s": []}
    for i in range(a["runs"]):
        opts.out_dir = Path(a["out"]) / f"r{i}"
        t0 = time.perf_counter()
        r = analyze(a["clip"], opts)
        res["total_s"].append(time.perf_counter() - t0)
        if not r.timings.get("cache_hit"):
            raise SystemExit("landmark cache miss: run the full analysis first")
        t0 = time.perf_counter()
        sha = file_sha256(a["clip"])
        t1 = time.perf_counter()
        tr = cached_track(cache_key(sha, mpath, opts.pose_settings()))
        t2 = time.perf_counter()
        analyze_track(tr, opts)
        t3 = time.perf_counter()
        res["sha_s"].append(t1 - t0)
        res["load_s"].append(t2 - t1)
        res["stages_s"].append(t3 - t2)
    res["frames"] = len(r.track)
    return res


def live(a: dict) -> dict:
    """(f) live mode at 640×480: per-frame latency (frame in → landmarks smoothed → overlay drawn) and fps.

    Uses ``analyzer.live`` when it provides ``LiveAnalyzer``-style processing, else the
    PoseEstimator loop with a One-Euro filter and the overlay, as live mode does.
    """
    import cv2

    from analyzer.capture.video import FileSource

    frames = []
    for f in FileSource(a["clip"], max_side=None, threaded=False):
        frames.append(cv2.resize(f.image, (640, 480), interpolation=cv2.INTER_AREA))
        if len(frames) >= a.get("n_frames", 300):
            break
    proc, how = _live_processor(a)
    lat = []
    t_start = time.perf_counter()
    c0 = _cpu()
    dt_frame = 1.0 / 30.0
    for i, img in enumerate(frames):
        t0 = time.perf_counter()
        proc(img.copy(), i * dt_frame)
        lat.append(time.perf_counter() - t0)
    wall = time.perf_counter() - t_start
    close = getattr(proc, "close", None)
    if close:
        close()
    lat_ms = np.array(lat[5:]) * 1000  # skip the first frames (detector warm-up)
    return {
        "how": how,
        "frames": len(frames),
        "fps": len(frames) / wall,
        "cpu_per_wall": (_cpu() - c0) / wall,
        "latency_ms_p50": float(np.median(lat_ms)),
        "latency_ms_p95": float(np.percentile(lat_ms, 95)),
        "latency_ms_max": float(lat_ms.max()),
    }


def _live_processor(a: dict):
    """A callable (rgb, t) -> None doing live mode's per-frame work, and a description of it."""
    from analyzer.capture import models
    from analyzer.track.estimator import PoseEstimator
    from analyzer.track.settings import PoseSettings

    mpath = str(models.resolve(a.get("model", "full"), a.get("model_path")))
    try:
        from analyzer.live.coach import LiveCoach, LiveSettings
    except ImportError:
        LiveCoach = None
    if LiveCoach is not None:
        coach = LiveCoach(LiveSettings(model=a.get("model", "full")), model_path=mpath)

        def run(img, t):
            coach.process(img, t)

        run.close = coach.close
        return run, "analyzer.live.coach.LiveCoach.process (pose, One-Euro, setup check, reps, cues, overlay)"
    # Fallback: what live mode does per frame (older revisions: overlay.annotate).
    try:
        from analyzer.report.overlay_view import ViewOverlay

        annotate = ViewOverlay(30.0)
    except ImportError:
        from analyzer.report.overlay import annotate

    try:
        from analyzer.clean.one_euro import OneEuroFilter
    except ImportError:
        OneEuroFilter = None
    s = PoseSettings(model=a.get("model", "full"), num_poses=1, masks=False)
    est = PoseEstimator(mpath, s, live=True).__enter__()
    filt = None

    def run(img, t):
        nonlocal filt
        p = est.process(img, t)
        xy = p.xy
        if OneEuroFilter is not None and p.found:
            if filt is None:
                filt = _one_euro(OneEuroFilter, 30.0)
            xy = _apply_one_euro(filt, xy, t)
        annotate(img, xy, p.visibility)

    run.close = lambda: est.__exit__(None, None, None)
    return run, "PoseEstimator(num_poses=1, masks=False) + One-Euro + overlay"


def _one_euro(cls, fs):
    for kwargs in ({"freq": fs}, {"fs": fs}, {}):
        try:
            return cls(**kwargs)
        except TypeError:
            continue
    return None


def _apply_one_euro(filt, xy, t):
    if filt is None:
        return xy
    for meth in ("__call__", "filter", "update", "step"):
        fn = getattr(filt, meth, None)
        if callable(fn):
            try:
                return np.asarray(fn(xy, t), np.float32).reshape(xy.shape)
            except TypeError:
                try:
                    return np.asarray(fn(t, xy), np.float32).reshape(xy.shape)
                except TypeError:
                    continue
    return xy


def passprofile(a: dict) -> dict:
    """Where the caller thread of ``pose_pass.pose_pass`` spends a frame: in the model, waiting for the
    decoder, or waiting for the overlay/encoder queue (ms per frame). Small waits = the stages overlap."""
    import analyzer.pipeline as P
    import analyzer.track.pose_pass as PP
    from analyzer.capture import models

    acc = {"model": 0.0, "wait_decode": 0.0, "wait_encode": 0.0}
    orig_iter, orig_put, orig_proc = PP.FileSource.__iter__, PP._OverlayWriter.put, PP.TrackRecorder.add

    def it(self):
        g = orig_iter(self)
        while True:
            t0 = time.perf_counter()
            try:
                x = next(g)
            except StopIteration:
                return
            acc["wait_decode"] += time.perf_counter() - t0
            yield x

    def put(self, *x):
        t0 = time.perf_counter()
        orig_put(self, *x)
        acc["wait_encode"] += time.perf_counter() - t0

    def proc(self, *x):
        t0 = time.perf_counter()
        r = orig_proc(self, *x)
        acc["model"] += time.perf_counter() - t0
        return r

    PP.FileSource.__iter__, PP._OverlayWriter.put, PP.TrackRecorder.add = it, put, proc
    info = P.probe(a["clip"])
    s = P.AnalyzeOptions().pose_settings()
    t0, c0 = time.perf_counter(), _cpu()
    tr, _ = PP.pose_pass(
        a["clip"], info, models.resolve("full"), s, video_out=Path(a["out"]), progress=None, sha="bench"
    )
    dt = time.perf_counter() - t0
    n = len(tr)
    out = {k: 1000 * v / n for k, v in acc.items()}
    out.update(frames=n, fps=n / dt, wall_ms=1000 * dt / n, cpu_per_wall=(_cpu() - c0) / dt)
    out["other_ms"] = out["wall_ms"] - out["model"] - out["wait_decode"] - out["wait_encode"]
    return out


WORKERS = {"passprofile": passprofile, "infer": infer, "naive": naive, "reanalyze": reanalyze, "live": live}

if __name__ == "__main__":
    res = WORKERS[sys.argv[1]](json.loads(sys.argv[2]))
    print(json.dumps(res))
