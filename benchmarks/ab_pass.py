"""A/B experiments on the pose pass behind the analysis in ``benchmarks/notes.md``:
``python benchmarks/ab_pass.py [--clip CLIP] [--runs N]``.

Each run is a fresh process on the 10-s 720p 30 fps benchmark clip (made by ``benchmarks/clips.py``),
and variants are interleaved run by run so a change in machine load hits them alike:

- ``inputs``: bare inference fps (one tracked pose) with and without masks at model input 1280/960/640 px;
- ``nice``: pose-pass fps with the helper threads at nice 0 / 5 / 5 in SCHED_BATCH (as now) / 19 / SCHED_IDLE;
- ``preset``: pose-pass fps with the annotated video written by x264 ultrafast / superfast / veryfast;
- ``bframes``: pose-pass fps, encoder-thread CPU and file size with the annotated video encoded without / with B-frames;
- ``stages``: whole ``analyze()`` seconds and peak RSS with the post-pose stages (``scipy.signal`` …) imported
  in a low-priority thread started with ``analyze()`` / during the pass / as now, after it;
- ``threads``: CPU ms per frame of each thread of the pose pass (``mediapipe`` = its native threads);
- ``opencv``: pose-pass fps and CPU per frame with OpenCV's own thread pool as it comes / set to one thread;
- ``mask``: ms per frame and pixels changed when the person mask is shrunk bilinearly instead of area-averaged;
- ``parallel``: bare inference fps of one landmarker on all frames against two on the two halves, in two threads;
- ``startup``: seconds to import MediaPipe's tasks and build the pass's two landmarkers;
- ``gil``: speed of a pure-Python thread while a PyAV decoder thread runs beside it (1.0 = unaffected);
- ``half``: pose-pass fps and CPU per frame with the model's input at half size while the subject is large
  enough (``half_size_reach_px`` 128) / always at the decoded size (0);
- ``yuv``: pose-pass fps, encoder-thread CPU and file size with the annotated video's RGB → YUV conversion
  done by OpenCV before encoding / by PyAV (swscale) inside it;
- ``neighbour``: bare inference fps on half-size frames alone / beside a process pinned to the last vCPU:
  a pure-Python busy loop (is the second vCPU a free core?), a loop that decodes the clip and encodes it with the
  pipeline's H.264 writer (the pass's helpers without the model) flat out or at 88 fps (0.9 of bare inference,
  the target's pace; sleeping or spinning between frames or bursts of 8 frames; at nice 5, also in SCHED_BATCH
  as the pass's helpers run), or a 64 MB memory copy (DRAM bandwidth);
- ``percall``: ms per frame of ``pose.half_size`` (the model's half-size copy) and ``overlay.annotate``;
- ``cores``: bare inference fps on half-size frames, then pose-pass fps, in one process on one vCPU / on two;
- ``video``: the same, with the pass writing the annotated video / not writing it (as batch workers run);
- ``policy``: the pose pass without the annotated video (as batch workers run it) and live mode ((f)'s
  measurement) with the helper threads at nice 5 / at nice 5 in SCHED_BATCH (as now);
- ``affinity``: pose-pass fps with the helper threads (decode, overlay/encode, people count) free to run on any
  vCPU as now / pinned to the last one / pinned there and the model with MediaPipe's threads pinned to the first.

Writes ``docs/ab_pass.json`` (experiments not re-run keep their earlier results; ``when`` says when each
ran and at what load) and prints one line per figure.
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

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))


def _pass_fps(clip: str, out: Path | None, **options) -> float:
    """Pose-pass fps with the pipeline's settings (``options`` overrides fields of ``AnalyzeOptions``)."""
    import analyzer.pipeline as P
    from analyzer import models
    from analyzer.pose_pass import pose_pass

    info = P.probe(clip)
    t0 = time.perf_counter()
    track, _ = pose_pass(clip, info, models.resolve("full"), P.AnalyzeOptions(**options).pose_settings(),
                         video_out=out, progress=None, sha="ab")
    return len(track) / (time.perf_counter() - t0)


def _pass_threads(clip: str, out: Path, **options) -> dict:
    """Pose-pass fps and the CPU ms per frame of each of its threads (``ms/<thread name>``)."""
    cpu: dict[str, float] = {}
    stop = threading.Event()

    def poll() -> None:  # threads end with the pass: keep their last reading
        while not stop.is_set():
            cpu.update(_thread_cpu())
            time.sleep(0.05)

    th = threading.Thread(target=poll, name="poll")
    th.start()
    t0 = time.perf_counter()
    fps = _pass_fps(clip, out, **options)
    wall = time.perf_counter() - t0
    stop.set()
    th.join()
    n = fps * wall
    ms = {k: 1000 * v / n for k, v in cpu.items() if k != "poll"}
    return {"fps": fps, "cpu_ms_per_frame": sum(ms.values()), **{f"ms/{k}": v for k, v in ms.items()}}


def _thread_cpu() -> dict[str, float]:
    """CPU seconds per live thread of this process, by Python thread name ('mediapipe' for native threads)."""
    tick = os.sysconf("SC_CLK_TCK")
    names = {str(t.native_id): t.name for t in threading.enumerate()}
    out: dict[str, float] = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            stat = Path(f"/proc/self/task/{tid}/stat").read_text()
            comm = Path(f"/proc/self/task/{tid}/comm").read_text().strip()
        except OSError:
            continue
        f = stat[stat.rindex(")") + 2:].split()
        name = "main (model)" if tid == str(os.getpid()) else names.get(tid, "mediapipe" if comm == "drishti" else comm)
        out[name] = out.get(name, 0.0) + (int(f[11]) + int(f[12])) / tick
    return out


def _neighbour(kind: str, clip: str, fps: float, wait: str, burst: int) -> None:
    """Run one neighbour of the ``neighbour`` experiment until killed (in its own process, pinned to one vCPU).

    ``busy``: pure Python, keeps a core busy and touches almost no memory. ``memcopy``: copies a 64 MB buffer
    (twice the L3) over and over. ``decode+x264``: what the pass's helper threads do, without the model: decode
    the clip and encode it with the pipeline's writer, at ``fps`` frames per second (0: flat out), waiting for
    the next frame by sleeping or spinning (``wait``) once every ``burst`` frames.
    """
    if kind == "busy":
        while True:
            pass
    if kind == "memcopy":
        a = np.ones(2**26, np.uint8)
        b = np.empty_like(a)
        while True:
            np.copyto(b, a)
    from analyzer.video import FileSource, H264Writer

    out = Path(tempfile.mkdtemp()) / "n.mp4"
    src = FileSource(clip, threaded=False)
    dt, t = (1 / fps if fps > 0 else 0.0), time.perf_counter()
    while True:
        with H264Writer(out, src.fps, *src.out_size) as w:
            for f in src:
                w.write(f.image, f.t)
                t += dt
                if f.index % burst:
                    continue
                if wait == "spin":
                    while time.perf_counter() < t:
                        pass
                else:
                    time.sleep(max(0.0, t - time.perf_counter()))


# The ``neighbour`` experiment's variants (besides "alone"): which neighbour, at what nice value and policy
# (``batch``: SCHED_BATCH, as the pass's helper threads run), paced at ``fps`` frames per second (0: flat out),
# waiting for the next frame by sleeping or spinning, once every ``burst`` frames.
_NEIGHBOUR_VARIANTS = {
    "busy loop nice 0": {"kind": "busy", "nice": 0},
    "decode+x264 loop nice 5": {"kind": "decode+x264", "nice": 5},
    "decode+x264 at 88 fps nice 5": {"kind": "decode+x264", "nice": 5, "fps": 88},
    "decode+x264 at 88 fps nice 5 SCHED_BATCH": {"kind": "decode+x264", "nice": 5, "fps": 88, "batch": True},
    "decode+x264 at 88 fps spinning nice 5": {"kind": "decode+x264", "nice": 5, "fps": 88, "wait": "spin"},
    "decode+x264 at 88 fps in bursts of 8 nice 5": {"kind": "decode+x264", "nice": 5, "fps": 88, "burst": 8},
    "memcopy loop nice 5": {"kind": "memcopy", "nice": 5},
}


def _helper_policy(nice: int, policy: int) -> None:
    """From now on, the pipeline's helper threads (``analyzer.threads.lower_priority``) take ``nice`` more and
    ``policy`` (``os.SCHED_OTHER`` / ``SCHED_BATCH`` / ``SCHED_IDLE``) instead of what the pipeline gives them."""
    import analyzer.threads as T
    import analyzer.video as V

    def helper(increment: int = 0) -> None:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
        os.sched_setscheduler(tid, policy, os.sched_param(0))  # keeps the nice value

    T.lower_priority = V.lower_priority = helper


def _half_size_frames(clip: str) -> list[tuple[np.ndarray, float]]:
    """The clip's decoded frames at half size, with their times (s): what the pipeline gives the model on the
    benchmark clip, whose subject is large enough for half size on every frame (table (a), column *half*)."""
    from analyzer.pose import half_size
    from analyzer.video import FileSource

    return [(half_size(f.image), f.t) for f in FileSource(clip, threaded=False)]


def _bare_fps(frames: list[tuple[np.ndarray, float]]) -> float:
    """Bare-inference fps over ``frames``: the loop of table (a) (``workers._raw_loop``), with its landmarker."""
    import workers

    from analyzer import models

    return workers._raw_loop(frames, str(models.resolve("full")), workers._settings({}))[0]


def child(exp: str, variant: str, clip: str) -> dict:
    """One measurement in this (fresh) process."""
    out = Path(tempfile.mkdtemp(prefix="child-")) / "annotated.mp4"  # under the TMPDIR main() removes
    if exp == "nice":  # variant "<nice> [batch | idle]" for the helper threads
        _helper_policy(int(variant.split()[0]),
                       {"batch": os.SCHED_BATCH, "idle": os.SCHED_IDLE}.get(variant.split()[-1], os.SCHED_OTHER))
        return {"fps": _pass_fps(clip, out)}
    if exp == "preset":
        import analyzer.video as V

        init = V.H264Writer.__init__
        V.H264Writer.__init__ = lambda self, *a, **k: init(self, *a, **{**k, "preset": variant})
        fps = _pass_fps(clip, out)
        return {"fps": fps, "file_mb": out.stat().st_size / 2**20}
    if exp == "bframes":
        import analyzer.video as V

        init = V.H264Writer.__init__

        def with_b(self, *a, **k):
            init(self, *a, **k)
            self.stream.options = {k_: v for k_, v in self.stream.options.items() if k_ != "x264-params"}

        if variant == "x264 default (3)":
            V.H264Writer.__init__ = with_b
        r = _pass_threads(clip, out)
        return {"fps": r["fps"], "encoder_thread_ms": r["ms/overlay-encode"], "file_mb": out.stat().st_size / 2**20}
    if exp == "stages":
        import importlib
        import resource

        import analyzer.pipeline as P
        import analyzer.pose_pass as PP

        def work() -> None:
            from analyzer.threads import lower_priority

            lower_priority()
            for m in ("context", "filtering", "kinematics", "metrics", "report", "rules"):
                importlib.import_module(f"analyzer.{m}")

        if variant == "at the start":  # in a thread started with analyze(), beside MediaPipe's import and set-up
            threading.Thread(target=work, daemon=True).start()
        if variant == "during the pass":  # import them in a low-priority thread once the model has started
            add, started = PP.TrackRecorder.add, []

            def add_and_start(self, *a, **k):
                r = add(self, *a, **k)
                if not started:
                    started.append(threading.Thread(target=work, daemon=True))
                    started[0].start()
                return r

            PP.TrackRecorder.add = add_and_start
        t0 = time.perf_counter()
        res = P.analyze(clip, P.AnalyzeOptions(out_dir=out.parent / "out", use_cache=False))
        return {"s": time.perf_counter() - t0, "pose_pass_s": res.timings["pose_pass_s"],
                "analysis_s": res.timings["analysis_s"],
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if exp == "threads":
        return _pass_threads(clip, out)
    if exp == "half":
        r = _pass_threads(clip, out, half_size_reach_px=int(variant.split()[-1]))
        return {"fps": r["fps"], "cpu_ms_per_frame": r["cpu_ms_per_frame"], "model_thread_ms": r["ms/main (model)"],
                "mediapipe_ms": r.get("ms/mediapipe", 0.0)}
    if exp == "neighbour":  # bare inference on half-size frames, alone or beside a neighbour on the last vCPU
        frames = _half_size_frames(clip)
        spin = None
        if variant != "alone":
            n = _NEIGHBOUR_VARIANTS[variant]
            cmd = ["nice", "-n", str(n["nice"]), *(["chrt", "-b", "0"] if n.get("batch") else []),
                   "taskset", "-c", str(max(os.sched_getaffinity(0))), sys.executable, __file__, "--neighbour",
                   n["kind"], clip, str(n.get("fps", 0)), n.get("wait", "sleep"), str(n.get("burst", 1))]
            spin = subprocess.Popen(cmd, cwd=ROOT)
            time.sleep(1.0)  # let the neighbour import and start streaming
        try:
            return {"fps": _bare_fps(frames)}
        finally:
            if spin is not None:
                spin.kill()
                spin.wait()
    if exp in ("cores", "video"):  # bare inference, then the pose pass, in one process (MediaPipe imported once)
        if variant.startswith("1 vCPU"):
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # threads started from now on inherit it
        bare = _bare_fps(_half_size_frames(clip))
        fps = _pass_fps(clip, None if variant == "no video" else out)
        return {"bare_fps": bare, "pass_fps": fps, "pass_over_bare": fps / bare}
    if exp == "policy":  # helper threads at nice 5 with or without SCHED_BATCH: the no-video pass (as batch
        # workers run it) and live mode, table (f)'s measurement
        import workers

        if variant == "nice 5":
            _helper_policy(5, os.SCHED_OTHER)
        fps = _pass_fps(clip, None)
        live = workers.live({"clip": clip, "n_frames": 300})
        return {"no_video_pass_fps": fps, "live_fps": live["fps"], "live_p95_ms": live["latency_ms_p95"]}
    if exp == "affinity":  # helper threads (decode, overlay/encode, people count) and the model on separate vCPUs
        import analyzer.threads as T
        import analyzer.video as V

        cpus = sorted(os.sched_getaffinity(0))
        if variant != "as now":
            lower = T.lower_priority

            def lower_and_move(increment: int = T.HELPER_NICE) -> None:
                lower(increment)
                os.sched_setaffinity(0, {cpus[-1]})  # 0 = the calling thread

            T.lower_priority = V.lower_priority = lower_and_move
        if variant.startswith("model"):
            os.sched_setaffinity(0, {cpus[0]})  # MediaPipe's threads, made by this thread, inherit it
        return _pass_threads(clip, out)
    if exp == "percall":  # ms per call of the pipeline's small per-frame steps, on the clip's decoded frames
        from analyzer.overlay import annotate
        from analyzer.pose import half_size
        from analyzer.video import FileSource

        frames = [f.image for f in FileSource(clip, threaded=False)]
        h, w = frames[0].shape[:2]
        xy = np.stack([np.linspace(0.4 * w, 0.6 * w, 33), np.linspace(0.1 * h, 0.9 * h, 33)], 1).astype(np.float32)
        vis = np.ones(33, np.float32)
        t0 = time.perf_counter()
        for img in frames:
            half_size(img)
        t1 = time.perf_counter()
        for img in frames:
            annotate(img, xy, vis)
        t2 = time.perf_counter()
        return {"half_size_ms": 1000 * (t1 - t0) / len(frames), "annotate_ms": 1000 * (t2 - t1) / len(frames)}
    if exp == "yuv":
        import av

        import analyzer.video as V

        if variant == "PyAV rgb24":  # PyAV converts rgb24 → yuv420p with swscale inside the encoder
            V.H264Writer._to_frame = lambda self, image: av.VideoFrame.from_ndarray(image, format="rgb24")
        r = _pass_threads(clip, out)
        return {"fps": r["fps"], "encoder_thread_ms": r["ms/overlay-encode"], "file_mb": out.stat().st_size / 2**20}
    if exp == "opencv":
        import cv2

        if variant != "default":
            cv2.setNumThreads(int(variant.split()[0]))
        r = _pass_threads(clip, out)
        return {"fps": r["fps"], "cpu_ms_per_frame": r["cpu_ms_per_frame"], "other_native_ms": r.get("ms/python", 0.0)}
    if exp == "mask":
        import cv2
        import mediapipe as mp

        from analyzer import models
        from analyzer.pose import PoseSettings, create_landmarker, small_mask_shape
        from analyzer.video import FileSource

        interp = {"area": cv2.INTER_AREA, "bilinear": cv2.INTER_LINEAR}
        maps = []
        with create_landmarker(models.resolve("full"), PoseSettings(), 1, True, True) as lm:
            for i, f in enumerate(FileSource(clip, threaded=False)):
                r = lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=f.image), i * 33)
                if r.segmentation_masks:
                    maps.append(np.squeeze(r.segmentation_masks[0].numpy_view()).copy())
        h, w = maps[0].shape
        sh, sw = small_mask_shape(h, w, PoseSettings().mask_max_side)
        out_: dict = {}
        for name in ("area", variant):
            t0 = time.perf_counter()
            small = [cv2.resize(m, (sw, sh), interpolation=interp[name]) > 0.5 for m in maps]
            out_[name] = (small, 1000 * (time.perf_counter() - t0) / len(maps))
        ref, (got, ms) = out_["area"][0], out_[variant]
        differing = float(np.mean([np.mean(a != b) for a, b in zip(got, ref)]))
        return {"ms": ms, "area_ms": out_["area"][1], "pixels_differing_pct": 100 * differing,
                "person_pct": 100 * float(np.mean([b.mean() for b in ref]))}
    if exp == "parallel":
        import resource

        import mediapipe as mp

        from analyzer import models
        from analyzer.pose import PoseSettings, create_landmarker
        from analyzer.video import FileSource

        frames = [f.image for f in FileSource(clip, threaded=False)]
        k = int(variant.split()[0])
        parts = [frames[j * len(frames) // k:(j + 1) * len(frames) // k] for j in range(k)]
        lms = [create_landmarker(models.resolve("full"), PoseSettings(), 1, True, True) for _ in range(k)]

        def run(lm, part):
            for i, img in enumerate(part):
                r = lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=img), i * 33)
                if r.segmentation_masks:
                    r.segmentation_masks[0].numpy_view()

        ru0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        ths = [threading.Thread(target=run, args=(lm, p)) for lm, p in zip(lms, parts)]
        for t in ths:
            t.start()
        for t in ths:
            t.join()
        wall = time.perf_counter() - t0
        ru1 = resource.getrusage(resource.RUSAGE_SELF)
        for lm in lms:
            lm.close()
        cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
        return {"fps": len(frames) / wall, "cpu_per_wall": cpu / wall}
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

        from analyzer import models
        from analyzer.pose import PoseSettings, create_landmarker
        from analyzer.video import FileSource

        side, masks = int(variant.split("/")[0]), variant.endswith("masks")
        frames = []
        for f in FileSource(clip, max_side=1280, threaded=False):
            h, w = f.image.shape[:2]
            frames.append(f.image if w == side else cv2.resize(f.image, (side, side * h // w), interpolation=cv2.INTER_AREA))
        with create_landmarker(models.resolve("full"), PoseSettings(), 1, True, masks) as lm:
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
        "nice": ["0", "5", "5 batch", "19", "0 idle"], "preset": ["ultrafast", "superfast", "veryfast"],
        "bframes": ["none", "x264 default (3)"], "stages": ["at the start", "during the pass", "after the pass"],
        "threads": ["pose pass"], "opencv": ["default", "1 thread"], "mask": ["bilinear"],
        "parallel": ["1 landmarker", "2 landmarkers"],
        "startup": ["both landmarkers"], "gil": ["decoder thread"],
        "half": ["half size at reach 128", "always full size 0"], "yuv": ["OpenCV I420", "PyAV rgb24"],
        "neighbour": ["alone", *_NEIGHBOUR_VARIANTS],
        "percall": ["half_size + annotate"], "cores": ["1 vCPU", "2 vCPUs"], "video": ["annotated video", "no video"],
        "policy": ["nice 5", "nice 5 SCHED_BATCH"],
        "affinity": ["as now", "helpers on the last vCPU", "model on the first vCPU, helpers on the last"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clip", help="clip (default: the 10-s 720p30 benchmark clip)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default=",".join(PLAN), help="experiments, comma-separated")
    ap.add_argument("--json", type=Path, default=ROOT / "docs" / "ab_pass.json")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--neighbour", nargs=5, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.neighbour:
        kind, clip, fps, wait, burst = a.neighbour
        _neighbour(kind, clip, float(fps), wait, int(burst))
    if a.child:
        print(json.dumps(child(*a.child)))
        return 0
    if not a.clip:
        import clips as C

        kind, src = C.default_source()
        a.clip = str(C.make_clip("720p", 30, 10, kind=kind, src=src, tag=f"{Path(src).stem[:24]}_v1", preset="veryfast"))
    env = {**os.environ, "GLOG_minloglevel": "2"}
    res: dict = {"clip": Path(a.clip).name, "results": {}, "when": {}}
    if a.json.is_file():  # keep the experiments not re-run now
        old = json.loads(a.json.read_text())
        if old.get("clip") == res["clip"] and "when" in old:
            res = old
    for exp in a.only.split(","):
        res["when"][exp] = {"runs": a.runs, "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                            "load_at_start": [round(x, 2) for x in os.getloadavg()]}
        runs: dict[str, list[dict]] = {v: [] for v in PLAN[exp]}
        for _ in range(a.runs):
            for v in PLAN[exp]:  # interleaved
                with tempfile.TemporaryDirectory(prefix="hinge-ab-") as tmp:  # the child's outputs go with it
                    p = subprocess.run([sys.executable, __file__, "--child", exp, v, a.clip], capture_output=True,
                                       text=True, env={**env, "TMPDIR": tmp}, cwd=ROOT)
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
