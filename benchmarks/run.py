"""Performance benchmark of hinge-analyzer: ``python benchmarks/run.py [--quick]``.

Makes its own clips (720p/1080p × 30/60 fps × 10 s/10 min, a person looped from a
sample clip or the synthetic renderer), then measures

(a) bare inference: the PoseLandmarker VIDEO-mode loop on frames decoded beforehand;
(b) the full CLI ``hinge-analyzer analyze`` with all outputs, as the ratio (b)/(a) in fps;
(c) the naive loop users write (cv2 read → landmarker → draw → cv2.VideoWriter, one thread), as (b)/(c);
(d) peak RSS against clip length (each run in its own process, read with ``os.wait4``);
(e) re-analysis from the landmark cache;
(f) live mode at 640×480: per-frame latency and fps, lite and full models;
plus batch throughput with ``--jobs 1`` and ``--jobs 2``.

Each figure is the median of ``--runs`` runs (default 5; the 10-minute clips ``--long-runs``,
default 1). The load average is recorded with every run. Writes ``docs/PERFORMANCE.md``
and ``docs/performance.json``; ``benchmarks/notes.md`` is appended to the Markdown as is.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import clips as C  # noqa: E402

PY = sys.executable


# ---------------------------------------------------------------------------
def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# A tiny launcher measures the command: a child's ru_maxrss starts from the memory image of the
# process that forked it (vfork/exec keep the high-water mark), so the big benchmark process must not
# be the direct parent. The launcher (~10 MB) forks the command and reports its rusage via os.wait4.
_LAUNCH = """
import json, os, subprocess, sys
p = subprocess.Popen(sys.argv[2:])
_, st, ru = os.wait4(p.pid, 0)
open(sys.argv[1], "w").write(json.dumps({"rc": os.waitstatus_to_exitcode(st), "maxrss_kb": ru.ru_maxrss,
                                         "cpu_s": ru.ru_utime + ru.ru_stime}))
"""


def run_proc(cmd: list[str], env: dict | None = None, timeout: float = 7200) -> dict:
    """Run ``cmd``; return wall time, peak RSS (MB) of that process, exit code, stdout and load."""
    e = dict(os.environ)
    e.update(env or {})
    l0 = load()
    fd, rfile = tempfile.mkstemp(prefix="hinge-bench-ru-", suffix=".json")
    os.close(fd)
    try:
        t0 = time.perf_counter()
        p = subprocess.run(
            [PY, "-c", _LAUNCH, rfile, *cmd], capture_output=True, text=True, env=e, cwd=ROOT, timeout=timeout
        )
        wall = time.perf_counter() - t0
        ru = json.loads(Path(rfile).read_text() or "{}")
    finally:
        Path(rfile).unlink(missing_ok=True)
    return {
        "cmd": cmd,
        "wall_s": wall,
        "rss_mb": ru.get("maxrss_kb", 0) / 1024,
        "rc": ru.get("rc", p.returncode),
        "stdout": p.stdout,
        "stderr": p.stderr[-3000:],
        "load_before": l0,
        "load_after": load(),
        "cpu_s": ru.get("cpu_s"),
    }


def worker(name: str, args: dict) -> dict:
    r = run_proc([PY, str(HERE / "workers.py"), name, json.dumps(args)])
    if r["rc"] != 0:
        raise RuntimeError(f"worker {name} failed:\n{r['stderr']}")
    res = json.loads(r["stdout"].strip().splitlines()[-1])
    res.update(rss_mb=r["rss_mb"], load_before=r["load_before"], load_after=r["load_after"])
    return res


def med(xs) -> float | None:
    xs = [x for x in xs if x is not None]
    return float(statistics.median(xs)) if xs else None


def cli_cmd(*args) -> list[str]:
    return [PY, "-m", "analyzer", *map(str, args)]


def n_frames(clip: Path) -> int:
    import av

    with av.open(str(clip)) as c:
        s = c.streams.video[0]
        return int(s.frames) or sum(1 for _ in c.decode(s))


# ---------------------------------------------------------------------------
class Bench:
    def __init__(self, a: argparse.Namespace):
        self.a = a
        self.work = Path(tempfile.mkdtemp(prefix="hinge-bench-run-"))
        self.cache = self.work / "cache"
        self.env = {"ANALYZER_CACHE_DIR": str(self.cache), "GLOG_minloglevel": "2", "ANALYZER_NO_DOWNLOAD": "1"}
        os.environ.update(self.env)
        if not os.environ.get("ANALYZER_MODEL_DIR") and (ROOT.parent / "shared" / "models").is_dir():
            os.environ["ANALYZER_MODEL_DIR"] = str(ROOT.parent / "shared" / "models")
        from analyzer.capture import models

        self.model_path = str(models.resolve("full", download=False))
        try:
            self.lite_path = a.lite or str(models.resolve("lite", download=False))
        except Exception:
            self.lite_path = None
        self.kind, self.src = ("clip", a.source) if a.source else C.default_source()
        self.results: dict = {
            "machine": machine(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
            "quick": a.quick,
            "runs": a.runs,
            "long_runs": a.long_runs,
            "content": f"{self.kind}: {Path(self.src).name}",
            "clips": {},
        }

    def log(self, *x):
        print(time.strftime("%H:%M:%S"), *x, flush=True)

    def clip(self, size, fps, secs, tag="v1", start=0) -> Path:
        tag = f"{Path(self.src).stem[:24]}_{tag}"
        p = C.make_clip(
            size,
            fps,
            secs,
            kind=self.kind,
            src=self.src,
            tag=tag,
            start=start,
            preset="veryfast" if secs <= 60 else "ultrafast",
            log=self.log,
        )
        return p

    # -- (a) (b) (c) ---------------------------------------------------------
    def throughput(self, size, fps, secs):
        clip = self.clip(size, fps, secs)
        key = f"{size}{fps}_{int(secs)}s"
        n = n_frames(clip)
        runs = self.a.runs
        if secs <= 10:
            self.log(f"(a) bare inference {key} x{runs}")
            a = worker("infer", {"clip": str(clip), "runs": runs, "model_path": self.model_path})
        else:  # a longer clip's frames do not fit in memory decoded; the model's time per frame does not depend
            # on length
            a = next(
                t["a_runs"]
                for t in self.results["throughput"]
                if (t["size"], t["fps"], t["seconds"]) == (size, fps, 10)
            )
        self.log(f"(b) full CLI {key} x{runs}")
        b_runs = []
        for i in range(runs):
            out = self.work / f"b_{key}_{i}"
            r = run_proc(cli_cmd("analyze", clip, "--out", out, "--no-cache", "--quiet"))
            if r["rc"] != 0:
                raise RuntimeError(f"analyze failed: {r['stderr']}")
            rep = json.loads((out / "report.json").read_text())
            tim = _find_timings(rep)
            b_runs.append(
                {
                    "wall_s": r["wall_s"],
                    "rss_mb": r["rss_mb"],
                    "load": r["load_before"],
                    "analyze_total_s": tim.get("total_s"),
                    "pose_pass_s": tim.get("pose_pass_s"),
                    "analysis_s": tim.get("analysis_s"),
                    "cpu_s": r["cpu_s"],
                }
            )
            shutil.rmtree(out, ignore_errors=True)
        prof = (
            worker("passprofile", {"clip": str(clip), "out": str(self.work / f"prof_{key}.mp4")})
            if secs <= 10
            else None
        )
        self.log(f"(c) naive loop {key} x{runs}")
        c_runs = []
        for _ in range(runs):
            c_runs.append(
                worker(
                    "naive",
                    {"clip": str(clip), "model_path": self.model_path, "out": str(self.work / f"naive_{key}.mp4")},
                )
            )
        b_fps = med([n / r["wall_s"] for r in b_runs])
        b_fps_in = med([n / r["analyze_total_s"] for r in b_runs if r["analyze_total_s"]])
        b_fps_pose = med([n / r["pose_pass_s"] for r in b_runs if r["pose_pass_s"]])
        res = {
            "clip": clip.name,
            "frames": n,
            "size": size,
            "fps": fps,
            "seconds": secs,
            "a_raw_fps": med(a["raw_fps"]),
            "a_est_fps": med(a["est_fps"]),
            "a_full_fps": med(a.get("raw_full_fps", [])),
            "a_half_size_share": a.get("half_size_share"),
            "a_from_10s": secs > 10,
            "a_cpu_per_wall": med(a["raw_cpu_per_wall"]),
            "a_model_input": a["model_input"],
            "a_runs": a,
            "b_cli_fps": b_fps,
            "b_analyze_fps": b_fps_in,
            "b_pose_pass_fps": b_fps_pose,
            "b_rss_mb": med([r["rss_mb"] for r in b_runs]),
            "b_cpu_per_wall": med([r["cpu_s"] / r["wall_s"] for r in b_runs]),
            "b_runs": b_runs,
            "c_fps": med([r["fps"] for r in c_runs]),
            "c_cpu_per_wall": med([r["cpu_per_wall"] for r in c_runs]),
            "c_runs": c_runs,
            **({"pass_profile": prof} if prof else {}),
            "load": [
                *([a["load_before"]] if secs <= 10 else []),
                *[r["load"] for r in b_runs],
                *[r["load_before"] for r in c_runs],
            ],
        }
        res["b_over_a"] = res["b_cli_fps"] / res["a_raw_fps"]
        res["b_analyze_over_a"] = (res["b_analyze_fps"] or 0) / res["a_raw_fps"]
        res["b_over_c"] = res["b_cli_fps"] / res["c_fps"]
        res["commands"] = {
            "a": f'python benchmarks/workers.py infer \'{{"clip": "{clip.name}", "runs": {runs}}}\'',
            "b": f"hinge-analyzer analyze {clip.name} --out OUT --no-cache --quiet",
            "c": f'python benchmarks/workers.py naive \'{{"clip": "{clip.name}"}}\'',
        }
        self.results["throughput"] = self.results.get("throughput", []) + [res]
        self.log(
            f"    a={res['a_raw_fps']:.1f} fps  b={b_fps:.1f} fps (analyze() {b_fps_in:.1f})  c={res['c_fps']:.1f} fps"
            f"  b/a={res['b_over_a']:.2f}  b/c={res['b_over_c']:.2f}"
        )
        self._save()

    # -- (d) ----------------------------------------------------------------
    def memory(self, size, fps, secs, runs):
        clip = self.clip(size, fps, secs)
        n = n_frames(clip)
        key = f"{size}{fps}_{int(secs)}s"
        self.log(f"(d) peak RSS {key} ({n} frames) x{runs}")
        rs = []
        for i in range(runs):
            out = self.work / f"d_{key}_{i}"
            # the first run fills the landmark cache (for (e)); later runs ignore it.
            args = ["analyze", clip, "--out", out, "--quiet"] + ([] if i == 0 else ["--no-cache"])
            r = run_proc(cli_cmd(*args))
            if r["rc"] != 0:
                raise RuntimeError(f"analyze failed: {r['stderr']}")
            tim = _find_timings(json.loads((out / "report.json").read_text()))
            rs.append(
                {
                    "wall_s": r["wall_s"],
                    "rss_mb": r["rss_mb"],
                    "load": r["load_before"],
                    "analyze_total_s": tim.get("total_s"),
                    "sizes_mb": {p.name: round(p.stat().st_size / 2**20, 2) for p in out.iterdir()},
                }
            )
            shutil.rmtree(out, ignore_errors=True)
        res = {
            "clip": clip.name,
            "size": size,
            "fps": fps,
            "seconds": secs,
            "frames": n,
            "runs": rs,
            "rss_mb": med([r["rss_mb"] for r in rs]),
            "cli_fps": med([n / r["wall_s"] for r in rs]),
            "command": f"hinge-analyzer analyze {clip.name} --out OUT --quiet  (peak RSS via os.wait4)",
        }
        self.results.setdefault("memory", []).append(res)
        self.log(f"    peak RSS {res['rss_mb']:.0f} MB, {res['cli_fps']:.1f} fps")
        self._save()
        return clip

    # -- (e) ----------------------------------------------------------------
    def reanalysis(self, clip: Path):
        self.log(f"(e) re-analysis from cache {clip.name} x{self.a.runs}")
        r = worker("reanalyze", {"clip": str(clip), "runs": self.a.runs, "out": str(self.work / "e")})
        res = {
            "clip": clip.name,
            "frames": r["frames"],
            "total_s": med(r["total_s"]),
            "sha_s": med(r["sha_s"]),
            "load_s": med(r["load_s"]),
            "stages_s": med(r["stages_s"]),
            "rss_mb": r["rss_mb"],
            "load": r["load_before"],
            "runs": r,
            "command": f"analyze({clip.name}, AnalyzeOptions(write_video=False, use_cache=True)) "
            "with a warm cache = hinge-analyzer analyze CLIP --no-video (in-process time)",
        }
        self.results["reanalysis"] = res
        self.log(
            f"    {res['total_s']:.2f} s (hash {res['sha_s']:.2f}, load {res['load_s']:.2f}, stages "
            f"{res['stages_s']:.2f})"
        )
        self._save()

    # -- (f) ----------------------------------------------------------------
    def live(self):
        clip = self.clip("480p", 30, 10)
        out = []
        for model, path in (("full", self.model_path), ("lite", self.lite_path)):
            if path is None:
                out.append({"model": model, "available": False})
                self.log(f"(f) live {model}: model not available")
                continue
            self.log(f"(f) live {model} x{self.a.runs}")
            rs = [
                worker("live", {"clip": str(clip), "model": model, "model_path": path, "n_frames": 300})
                for _ in range(self.a.runs)
            ]
            out.append(
                {
                    "model": model,
                    "available": True,
                    "how": rs[0]["how"],
                    "frames": rs[0]["frames"],
                    "fps": med([r["fps"] for r in rs]),
                    "latency_ms_p50": med([r["latency_ms_p50"] for r in rs]),
                    "latency_ms_p95": med([r["latency_ms_p95"] for r in rs]),
                    "cpu_per_wall": med([r["cpu_per_wall"] for r in rs]),
                    "load": [r["load_before"] for r in rs],
                    "runs": rs,
                    "command": f'python benchmarks/workers.py live \'{{"clip": "{clip.name}", "model": "{model}"}}\'',
                }
            )
            self.log(
                f"    {out[-1]['fps']:.1f} fps, p50 {out[-1]['latency_ms_p50']:.1f} ms, p95 "
                f"{out[-1]['latency_ms_p95']:.1f} ms"
            )
        self.results["live"] = out
        self._save()

    # -- batch ----------------------------------------------------------------
    def batch(self, n_clips: int, secs: float, runs: int):
        d = self.work / "batch_in"
        d.mkdir(exist_ok=True)
        total = 0
        for k in range(n_clips):
            c = self.clip("720p", 30, secs, tag=f"b{k}", start=17 * k + 5)
            dst = d / c.name
            if not dst.exists():
                os.symlink(c, dst)
            total += n_frames(c)
        res = {"clips": n_clips, "frames": total, "seconds_each": secs}
        modes = [("jobs1", ["--jobs", "1"]), ("jobs2", ["--jobs", "2"])]
        if self.a.ray:
            modes.append(("ray2", ["--jobs", "2", "--ray"]))
        for name, extra in modes:
            rs = []
            for i in range(runs):
                out = self.work / f"batch_{name}_{i}"
                cache = self.work / f"batch_cache_{name}_{i}"
                self.log(f"batch {name} run {i + 1}/{runs}")
                r = run_proc(cli_cmd("batch", d, "--out", out, *extra), env={"ANALYZER_CACHE_DIR": str(cache)})
                if r["rc"] != 0:
                    raise RuntimeError(f"batch failed: {r['stderr']}")
                rs.append({"wall_s": r["wall_s"], "load": r["load_before"], "cpu_s": r["cpu_s"]})
                shutil.rmtree(out, ignore_errors=True)
                shutil.rmtree(cache, ignore_errors=True)
            res[name] = {
                "wall_s": med([r["wall_s"] for r in rs]),
                "fps": med([total / r["wall_s"] for r in rs]),
                "runs": rs,
                "command": f"hinge-analyzer batch DIR --out OUT {' '.join(extra)}",
            }
            self.log(f"    {name}: {res[name]['fps']:.1f} fps")
        res["speedup_jobs2"] = res["jobs2"]["fps"] / res["jobs1"]["fps"]
        self.results["batch"] = res
        self._save()

    def _save(self):
        self.results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        from analyzer.atomic import write_text

        (ROOT / "docs").mkdir(exist_ok=True)
        write_text(self.a.json, json.dumps(self.results, indent=1, default=str))
        md = render_markdown(self.results)
        old = self.a.md.read_text(encoding="utf-8") if self.a.md.exists() else ""
        start, end = "<!-- phone-clips:start -->", "<!-- phone-clips:end -->"
        if start in old and end in old:  # the phone-clip section belongs to benchmarks/phone.py: keep it
            md = md.rstrip() + "\n\n" + old[old.index(start) : old.index(end) + len(end)] + "\n"
        write_text(self.a.md, md)


def _find_timings(rep: dict) -> dict:
    """``timings_s`` from report.json wherever the report puts the run info."""
    stack = [rep]
    while stack:
        d = stack.pop()
        if isinstance(d, dict):
            if "timings_s" in d and isinstance(d["timings_s"], dict):
                return d["timings_s"]
            stack.extend(d.values())
    return {}


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    vers = {}
    for mod in ("mediapipe", "av", "numpy", "cv2", "scipy"):
        try:
            vers[mod] = __import__(mod).__version__
        except Exception:
            vers[mod] = "?"
    aff = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": aff,
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": vers,
        "load_at_start": load(),
    }


# ---------------------------------------------------------------------------
def _f(x, nd=1, suffix=""):
    return "–" if x is None else f"{x:.{nd}f}{suffix}"


def render_markdown(R: dict) -> str:
    m = R["machine"]
    L = [
        "# Performance",
        "",
        f"Generated by `python {R['command']}` ({'quick' if R['quick'] else 'full'} mode), "
        f"{R['started']} → {R.get('finished', '')}. Do not edit by hand: re-run the benchmark. "
        "The notes below the tables are `benchmarks/performance_notes.md`.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']} — {m['cores']} cores ({m['cores_usable']} usable); memory {m['memory']}; {m['os']}; "
        f"Python {m['python']}",
        "- " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        f"- load average at start (1/5/15 min): {m['load_at_start']}. The machine is shared: every run records "
        "its 1-minute load average (column *load*); figures taken under load > 1 understate what a quiet machine does.",
        f"- clip content: {R['content']} (letterboxed, looped forwards/backwards); clips are H.264 (libx264 veryfast; "
        "ultrafast for the 10-minute clips, to make them in minutes), made by `benchmarks/clips.py` outside the "
        "repository.",
        f"- every figure is the median of {R['runs']} runs unless the table says otherwise "
        f"(10-minute clips: {R['long_runs']} run(s)).",
        *[f"- {n}" for n in R.get("notes", [])],
        "",
    ]
    T = R.get("throughput") or []
    if T:
        L += [
            "## (a) bare inference, (b) full CLI, (c) naive loop",
            "",
            "(a) = `PoseLandmarker.detect_for_video` on frames decoded beforehand, with the landmarker the pipeline "
            "runs on a one-person clip (full model, 1 tracked pose, segmentation masks), on exactly the images the "
            "pipeline gives the model: decoded at ≤ 1280 px, then at half size while the subject is large enough "
            "(*half* = share of such frames; `PoseSettings.half_size_reach_px`). (a full) = the same loop on the "
            "decoded frames at full size, as before the half-size input. (a') = the pipeline's own per-frame call, "
            "`TrackRecorder.add`, which adds the half-size resize and what the pipeline does around the model "
            "(landmark arrays, subject choice, mask shrinking and packing, and the people count once a second in a "
            "side thread). Rows longer than 10 s reuse (a) of the 10-s clip of the same size and rate (the model's "
            "time per frame does not depend on clip length; a longer clip's frames do not fit in memory). (b) = "
            "`hinge-analyzer analyze CLIP --out OUT --no-cache --quiet` "
            "writing all outputs (tracks.npz, kinematics.csv, report.json/.md/.html, annotated.mp4), fps = frames / "
            "wall "
            "time of the whole process (interpreter start and model load included); (b in) = frames / `analyze()` time "
            "from report.json; (b pass) = frames / the single decode→model→overlay→encode pass (`pose_pass_s`), i.e. "
            "without "
            "start-up, model load and the post-pose stages, which are fixed costs that weigh on a 10-s clip. (c) = "
            "cv2.VideoCapture → same landmarker options → draw → cv2.VideoWriter, one thread, full-size frames.",
            "",
            "| clip | frames | (a) fps | half | (a full) fps | (a') fps | (a) CPU/wall | (b) fps | (b in) fps | "
            "(b pass) fps | (c) fps | **(b)/(a)** | (b in)/(a) | (b pass)/(a) | **(b)/(c)** | (b) CPU/wall | "
            "peak RSS (b) MB | load |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in T:
            lo = r["load"]
            pass_ratio = (r["b_pose_pass_fps"] or 0) / r["a_raw_fps"]
            L.append(
                f"| {r['size']} {r['fps']} fps {_dur(r['seconds'])} | {r['frames']} | {_f(r['a_raw_fps'])} | "
                f"{_f(r.get('a_half_size_share'), 2)} | {_f(r.get('a_full_fps'))} | {_f(r['a_est_fps'])} | "
                f"{_f(r['a_cpu_per_wall'], 2)} | {_f(r['b_cli_fps'])} | {_f(r['b_analyze_fps'])} | "
                f"{_f(r['b_pose_pass_fps'])} | "
                f"{_f(r['c_fps'])} | **{_f(r['b_over_a'], 2)}** | {_f(r['b_analyze_over_a'], 2)} | "
                f"{_f(pass_ratio, 2)} | "
                f"**{_f(r['b_over_c'], 2)}** | {_f(r.get('b_cpu_per_wall'), 2)} | {_f(r['b_rss_mb'], 0)} | "
                f"{min(x[0] for x in lo):.1f}–{max(x[0] for x in lo):.1f} |"
            )
        L += ["", "Commands: " + "; ".join(f"({k}) `{v}`" for k, v in T[0]["commands"].items()), ""]
        if any("pass_profile" in r for r in T):
            L += [
                "Where the model thread of the pose pass spends a frame (one instrumented run, "
                '`python benchmarks/workers.py passprofile \'{"clip": CLIP, "out": OUT.mp4}\'`): '
                "if the waits are small, decoding and overlay/encoding are hidden behind the model.",
                "",
                "| clip | pass fps | wall ms/frame | in the model | waiting for the decoder | waiting for the "
                "encoder queue | other | CPU/wall | load |",
                "|---|---|---|---|---|---|---|---|---|",
            ]
            for r in T:
                p = r.get("pass_profile")
                if p:
                    L.append(
                        f"| {r['size']} {r['fps']} fps | {_f(p['fps'])} | {_f(p['wall_ms'])} | {_f(p['model'])} | "
                        f"{_f(p['wait_decode'])} | {_f(p['wait_encode'])} | {_f(p['other_ms'])} | "
                        f"{_f(p['cpu_per_wall'], 2)} | "
                        f"{p['load_before'][0]} |"
                    )
            L.append("")
    M = R.get("memory") or []
    if M:
        L += [
            "## (d) peak RSS against clip length",
            "",
            "Each run is a fresh `hinge-analyzer analyze CLIP --out OUT --quiet` process with all outputs; "
            "peak RSS is that process's `ru_maxrss` from `os.wait4`.",
            "",
            "| clip | frames | runs | peak RSS MB | fps (whole CLI) | ÷ (a) of the 10-s clip | ÷ (a full) | outputs "
            "MB (tracks.npz / annotated.mp4) | load |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        a_by = {(t["size"], t["fps"]): t["a_raw_fps"] for t in T}
        af_by = {(t["size"], t["fps"]): t.get("a_full_fps") for t in T}
        for r in M:
            sz = r["runs"][0]["sizes_mb"]
            ar, af = a_by.get((r["size"], r["fps"])), af_by.get((r["size"], r["fps"]))
            L.append(
                f"| {r['size']} {r['fps']} fps {_dur(r['seconds'])} | {r['frames']} | {len(r['runs'])} | "
                f"{_f(r['rss_mb'], 0)} | "
                f"{_f(r['cli_fps'])} | {_f(r['cli_fps'] / ar if ar else None, 2)} | "
                f"{_f(r['cli_fps'] / af if af else None, 2)} | "
                f"{sz.get('tracks.npz', '–')} / {sz.get('annotated.mp4', '–')} | "
                f"{', '.join(str(x['load'][0]) for x in r['runs'])} |"
            )
        for size, fps in sorted({(r["size"], r["fps"]) for r in M}):
            by = {r["seconds"]: r["rss_mb"] for r in M if (r["size"], r["fps"]) == (size, fps)}
            if 60 in by and 600 in by:
                L.append(f"\n{size} {fps} fps: growth from 1 to 10 minutes = {100 * (by[600] / by[60] - 1):+.1f} %.")
        L += ["", f"Command: `{M[0]['command']}`", ""]
    E = R.get("reanalysis")
    if E:
        L += [
            "## (e) re-analysis from the landmark cache",
            "",
            "| clip | frames | total s | content hash s | cache load s | clean→context→metrics→rules→report s | load |",
            "|---|---|---|---|---|---|---|",
            f"| {E['clip']} | {E['frames']} | **{_f(E['total_s'], 2)}** | {_f(E['sha_s'], 2)} | {_f(E['load_s'], 2)} | "
            f"{_f(E['stages_s'], 2)} | {E['load'][0]} |",
            "",
            f"Command: `{E['command']}`; total = `analyze()` with a cache hit and all outputs but the video "
            "(tracks.npz, kinematics.csv, report.json/.md/.html).",
            "",
        ]
    F = R.get("live")
    if F:
        L += [
            "## (f) live mode at 640×480",
            "",
            "Frames are fed as fast as they are processed; latency = frame in → annotated frame out.",
            "",
            "| model | per-frame work | fps | latency p50 ms | latency p95 ms | CPU/wall | load |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in F:
            if not r.get("available"):
                L.append(f"| {r['model']} | model file not available on this machine (offline) | – | – | – | – | – |")
                continue
            L.append(
                f"| {r['model']} | {r['how']} | {_f(r['fps'])} | {_f(r['latency_ms_p50'])} | "
                f"{_f(r['latency_ms_p95'])} | "
                f"{_f(r['cpu_per_wall'], 2)} | {min(x[0] for x in r['load']):.1f}–{max(x[0] for x in r['load']):.1f} |"
            )
        L += [
            "",
            "Command: "
            f"`{[r for r in F if r.get('available')][0]['command'] if any(r.get('available') for r in F) else ''}`",
            "",
        ]
        if R.get("live_run"):
            L += [f"Measured in a separate run (`{R['live_run']['command']}`, {R['live_run']['started']}).", ""]
    B = R.get("batch")
    if B:
        L += [
            "## Batch throughput",
            "",
            f"{B['clips']} distinct 720p 30 fps clips of {int(B['seconds_each'])} s ({B['frames']} frames), no "
            "annotated video, "
            "fresh landmark cache per run. CPU = user+sys of the batch process and its workers.",
            "",
            "| mode | wall s | fps | CPU ms/frame | CPU/wall | runs | load | command |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for k in ("jobs1", "jobs2", "ray2"):
            if k in B:
                r = B[k]
                cpu = med([x["cpu_s"] for x in r["runs"] if x.get("cpu_s")])
                cw = med([x["cpu_s"] / x["wall_s"] for x in r["runs"] if x.get("cpu_s")])
                L.append(
                    f"| {k} | {_f(r['wall_s'])} | {_f(r['fps'])} | {_f(1000 * cpu / B['frames'] if cpu else None)} | "
                    f"{_f(cw, 2)} | {len(r['runs'])} | "
                    f"{', '.join(str(x['load'][0]) for x in r['runs'])} | `{r['command']}` |"
                )
        L += ["", f"Speed-up of `--jobs 2` over `--jobs 1`: **{B['speedup_jobs2']:.2f}×**.", ""]
    notes = HERE / "performance_notes.md"
    if notes.is_file():
        L += [notes.read_text(encoding="utf-8")]
    return "\n".join(L) + "\n"


def _dur(s: float) -> str:
    return f"{int(s)} s" if s < 60 else f"{int(s // 60)} min"


def _combos(spec: str) -> list[tuple[str, int]]:
    """ "720p30,1080p60" → [("720p", 30), ("1080p", 60)]."""
    out = []
    for item in spec.split(","):
        size, fps = item.strip().split("p")
        out.append((size + "p", int(fps)))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="720p 30 fps only, 10 s and 60 s clips: a few minutes")
    p.add_argument("--runs", type=int, default=None, help="runs per figure (default 5; quick 5)")
    p.add_argument("--long-runs", type=int, default=1, help="runs for the 10-minute clips (default 1)")
    p.add_argument("--skip-long", action="store_true", help="no 10-minute clips")
    p.add_argument("--sizes", default="720p30,720p60,1080p30,1080p60", help="10-s clips for (a)(b)(c)")
    p.add_argument(
        "--throughput-1min",
        default="720p30",
        help="1-minute clips for (b)(c) as well ('' = none; (a) comes from the 10-s clip)",
    )
    p.add_argument(
        "--long",
        default="1080p30,720p30,720p60,1080p60",
        help="10-minute clips for (d) (the first one is also used for (e))",
    )
    p.add_argument("--only", default="abcdefB", help="which parts: letters of a b c d e f, B = batch (default all)")
    p.add_argument("--ray", action="store_true", help="also time batch --ray on a local Ray instance")
    p.add_argument(
        "--lite",
        default=os.environ.get("HINGE_LITE_MODEL"),
        help="pose_landmarker_lite.task for (f) when models/ has none (see benchmarks/make_lite_task.py)",
    )
    p.add_argument("--source", help="video to loop as clip content (default: sample_videos/ or analyzer.synth)")
    p.add_argument("--md", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    p.add_argument("--json", type=Path, default=ROOT / "docs" / "performance.json")
    a = p.parse_args(argv)
    a.runs = a.runs or 5
    b = Bench(a)
    b.log(f"work dir {b.work}; clips in {C.clip_dir()}; content {b.kind}:{b.src}; load {load()}")
    try:
        if set("abc") & set(a.only):
            combos = [("720p", 30, 10)] if a.quick else [(sz, fps, 10) for sz, fps in _combos(a.sizes)]
            if not a.quick and a.throughput_1min:
                combos += [(sz, fps, 60) for sz, fps in _combos(a.throughput_1min) if (sz, fps, 10) in combos]
            for size, fps, secs in combos:
                b.throughput(size, fps, secs)
        if "f" in a.only:
            b.live()
        if "B" in a.only:
            b.batch(4 if not a.quick else 2, 10, 1 if a.quick else 3)
        long_clip = None
        if "d" in a.only or "e" in a.only:
            if a.quick:
                plan = [("720p", 30, 10, a.runs), ("720p", 30, 60, 1)]
            else:
                plan = [("1080p", 30, 10, a.runs), ("1080p", 30, 60, 3)]
                if not a.skip_long:
                    plan += [(sz, fps, 600, a.long_runs) for sz, fps in _combos(a.long)]
            if "d" not in a.only:  # (e) alone: only the clip it needs
                plan = [max(plan[:3], key=lambda x: x[2])[:3] + (1,)]
            for size, fps, secs, runs in plan:
                c = b.memory(size, fps, secs, runs)
                if (size, fps) == plan[0][:2] and (long_clip is None or secs > long_clip[1]):
                    long_clip = (c, secs)
        if "e" in a.only and long_clip is not None:
            b.reanalysis(long_clip[0])
    finally:
        b._save()
        shutil.rmtree(b.work, ignore_errors=True)
    b.log(f"wrote {a.md} and {a.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
