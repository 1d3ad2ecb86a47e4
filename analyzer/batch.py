"""Batch analysis of many clips on a local process pool or a Ray cluster.

``run_batch("clips/", BatchOptions(out_dir="out", jobs=2))`` analyses every video in
a folder (or matching a glob) with :func:`analyzer.pipeline.analyze`, one clip per
task, and writes into ``out_dir``:

- ``clips/<name>-<hash8>/`` — the clip's outputs (report.json/.md/.html, tracks.npz,
  kinematics.csv, subject.jpg; annotated.mp4 with ``video=True``);
- ``summary.csv`` — one row per clip: headline metrics and findings, or the error
  (a bad clip is an error row, never fatal); written atomically;
- ``manifest.json`` — finished clips by content SHA-256, so a re-run skips clips
  already analysed (resume after an interruption, or add clips to the folder).

Workers: each worker process (a ``ProcessPoolExecutor`` worker with an initializer,
or a Ray actor) loads MediaPipe and resolves the model once and runs one landmarker
at a time. VIDEO mode keeps tracking state per stream, so each clip gets a fresh
landmarker graph inside its worker. Scheduling is the pool's or Ray's; there is none here.
With Ray, clip paths and ``out_dir`` must be on storage every node can read and write.
"""

from __future__ import annotations

import csv
import glob
import io
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .atomic import write_text
from .batch_ray import run_ray
from .batch_worker import COLUMNS, analyze_clip, init_worker
from .track.cache import file_sha256

VIDEO_EXTS = {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".3gp", ".ts", ".mts"}


MANIFEST = "manifest.json"


SUMMARY = "summary.csv"


MANIFEST_VERSION = 1


@dataclass
class BatchOptions:
    """Settings of a batch run. ``jobs`` None = all local cores (or all Ray CPUs with ``ray``)."""

    out_dir: str | Path = "batch_out"
    jobs: int | None = None
    ray: bool = False
    ray_address: str | None = None  # None = start a local Ray instance (or join RAY_ADDRESS)
    exercise: str = "auto"
    view: str = "auto"
    model: str = "full"
    model_path: str | None = None
    video: bool = False  # also write annotated.mp4 per clip
    use_cache: bool = True
    retry_errors: bool = True  # on resume, analyse clips that failed before again


@dataclass
class BatchResult:
    rows: list[dict]
    summary_path: Path
    analysed: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------
def find_clips(spec: str | os.PathLike | Iterable) -> list[Path]:
    """Video files named by ``spec``: a folder (recursive, by extension), a glob, a file, or a list of those."""
    if not isinstance(spec, (str, os.PathLike)):
        out: list[Path] = []
        for s in spec:
            out += [p for p in find_clips(s) if p not in out]
        return out
    p = Path(spec)
    if p.is_dir():
        return sorted(
            q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in VIDEO_EXTS and not q.name.startswith(".")
        )
    if p.is_file():
        return [p]
    hits = sorted(Path(h) for h in glob.glob(str(spec), recursive=True))
    return [h for h in hits if h.is_file()]


_RAY_ADDRESS = re.compile(r"^(auto|local|ray://\S+|[\w.-]+:\d+)$")


def split_ray_address(args: list[str]) -> tuple[list[str], str | None]:
    """Split CLI positionals into (clip specs, Ray address): an address is ``auto``, ``local``,
    ``ray://…`` or ``HOST:PORT`` that is not an existing path. ``local`` means a new local instance."""
    specs, addr = [], None
    for a in args:
        if addr is None and _RAY_ADDRESS.match(a) and not Path(a).exists():
            addr = a
        else:
            specs.append(a)
    return specs, (None if addr == "local" else addr)


def clip_out_name(path: Path, sha: str) -> str:
    stem = re.sub(r"[^\w.-]+", "_", path.stem, flags=re.UNICODE)[:60] or "clip"
    return f"{stem}-{sha[:8]}"


# ---------------------------------------------------------------------------
class _Manifest:
    """``manifest.json``: content hash → finished row; saved atomically after each clip."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / MANIFEST
        self.entries: dict[str, dict] = {}
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if data.get("version") == MANIFEST_VERSION:
                    self.entries = dict(data.get("clips", {}))
            except (OSError, ValueError):
                self.entries = {}  # unreadable: start afresh (clips are re-analysed, nothing is lost)
        self._last_save = 0.0

    def done(self, sha: str, retry_errors: bool) -> dict | None:
        e = self.entries.get(sha)
        if e is None or (retry_errors and e.get("status") != "ok"):
            return None
        return e

    def add(self, row: dict) -> None:
        self.entries[row["sha256"]] = row

    def save(self, force: bool = True) -> None:
        now = time.monotonic()
        if force or now - self._last_save > 1.0:
            write_text(self.path, json.dumps({"version": MANIFEST_VERSION, "clips": self.entries}, indent=1))
            self._last_save = now


def write_summary(path: Path, rows: list[dict]) -> None:
    """Write ``summary.csv`` atomically (one row per clip, ``COLUMNS`` order)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in COLUMNS})
    write_text(path, buf.getvalue())


# ---------------------------------------------------------------------------
def run_batch(
    spec, options: BatchOptions | None = None, progress: Callable[[int, int, dict], None] | None = None
) -> BatchResult:
    """Analyse every clip of ``spec``; skip those already in the manifest; write summary.csv.

    ``progress(done, total, row)`` is called after each clip finishes (also for skipped ones).
    """
    from .errors import AnalyzerError

    o = options or BatchOptions()
    t0 = time.perf_counter()
    out = Path(o.out_dir)
    try:
        (out / "clips").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from .errors import OutputError

        raise OutputError(f"Cannot write to the batch output folder {out}: {exc.strerror or exc}.") from exc
    clips = find_clips(spec)
    if not clips:
        raise AnalyzerError(f"No video files found in {spec}.")
    manifest = _Manifest(out)
    rows: dict[int, dict] = {}
    todo: list[tuple[int, str, str, str]] = []  # (index, path, sha, out_dir)
    first_of_sha: dict[str, int] = {}
    dups: dict[int, int] = {}
    res = BatchResult([], out / SUMMARY)
    total = len(clips)
    for i, c in enumerate(clips):
        try:
            sha = file_sha256(c)
        except OSError as exc:
            rows[i] = {
                "clip": str(c),
                "sha256": "",
                "status": "error",
                "error_code": "video_unreadable",
                "error": f"{c.name} could not be read: {exc.strerror or exc}.",
            }
            res.failed += 1
            continue
        if sha in first_of_sha:  # the same content twice: analyse once
            dups[i] = first_of_sha[sha]
            continue
        first_of_sha[sha] = i
        prev = manifest.done(sha, o.retry_errors)
        if prev is not None:
            rows[i] = dict(prev, clip=str(c))
            res.skipped += 1
            if progress:
                progress(len(rows), total, rows[i])
            continue
        todo.append((i, str(c), sha, str(out / "clips" / clip_out_name(c, sha))))

    def finished(i: int, row: dict) -> None:
        rows[i] = row
        manifest.add(row)
        manifest.save(force=False)
        if row.get("status") == "ok":
            res.analysed += 1
        else:
            res.failed += 1
        if progress:
            progress(len(rows), total, row)

    wopts = {
        k: v for k, v in asdict(o).items() if k in ("exercise", "view", "model", "model_path", "video", "use_cache")
    }
    try:
        if todo:
            if o.ray:
                run_ray(todo, wopts, o.ray_address, o.jobs, finished)
            else:
                _run_pool(todo, wopts, o.jobs or os.cpu_count() or 1, finished)
    finally:
        manifest.save()
        for i, j in dups.items():
            if j in rows:
                rows[i] = dict(rows[j], clip=str(clips[i]))
        ordered = [rows[i] for i in sorted(rows)]
        write_summary(out / SUMMARY, ordered)
    res.rows = ordered
    res.errors = [f"{Path(r['clip']).name}: {r.get('error')}" for r in ordered if r.get("status") != "ok"]
    res.seconds = time.perf_counter() - t0
    return res


def _run_pool(todo, wopts: dict, jobs: int, finished) -> None:
    """Local ``ProcessPoolExecutor`` (spawned workers, one model each). A crashed worker
    (e.g. a native crash on a bad file) fails only its clips: they are retried one at a
    time in a fresh single-worker pool and reported as errors if they crash again."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    crashed: list = []
    with ProcessPoolExecutor(
        max_workers=max(1, min(jobs, len(todo))), mp_context=ctx, initializer=init_worker, initargs=(wopts,)
    ) as pool:
        futs = {pool.submit(analyze_clip, p, sha, d): (i, p, sha, d) for i, p, sha, d in todo}
        pending = set(futs)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                try:
                    finished(futs[f][0], f.result())
                except BrokenProcessPool:
                    crashed.append(futs[f])
    for item in crashed:
        i, p, sha, d = item
        try:
            with ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=init_worker, initargs=(wopts,)) as pool:
                row = pool.submit(analyze_clip, p, sha, d).result()
        except BrokenProcessPool:
            row = {
                "clip": p,
                "sha256": sha,
                "status": "error",
                "error_code": "worker_crashed",
                "error": f"{Path(p).name}: the analysis process crashed on this file; it may be corrupt.",
            }
        finished(i, row)
