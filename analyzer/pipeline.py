"""The one place that wires the stages: video → pose → clean → context → metrics → findings → report.

The CLI, the Streamlit app and batch all call :func:`analyze`.

Data flow of the single decoding pass (:mod:`analyzer.track.pose_pass`; no frame is decoded twice):
decoder thread (bounded queue) → pose model (caller's thread) → overlay + H.264 encoder thread (bounded queue).
"""

from __future__ import annotations

import csv
import io
import logging
import shutil
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .atomic import OutputSet
from .capture import models
from .capture.video import VideoInfo, probe
from .errors import ClipTooLongError, ClipTooShortError, NoPersonError, WrongViewError
from .track.cache import cache_key, cached_track, cached_video, file_sha256, store_track, store_video
from .track.data import PoseTrack
from .track.pose_pass import Progress, overlay_pass, pose_pass
from .track.settings import PoseSettings
from .track.subject import SubjectChoice, better_subject, target_for, thumbnail
from .types import ClipWarning, Context, Finding, MetricSet, clean_json

if TYPE_CHECKING:
    from .clean.track import CleanTrack
    from .report.model import Report

log = logging.getLogger(__name__)

#: Fraction of frames with a detected person below which the clip is rejected.
MIN_DETECTION_RATE = 0.10
#: Mean frame brightness (0–255) below which a clip without a person is called too dark.
DARK_BRIGHTNESS = 30.0


@dataclass
class AnalyzeOptions:
    """Settings of one analysis. ``exercise``/``view`` = "auto" lets the analyzer decide."""

    exercise: str = "auto"
    view: str = "auto"
    model: str = "full"
    model_path: str | None = None
    out_dir: str | Path | None = None
    write_video: bool = True
    use_cache: bool = True
    max_side: int = 1280
    half_size_reach_px: int = 128  # see PoseSettings; 0 = the model always sees the decoded frame
    masks: bool = True
    num_poses: int = 2
    cutoff_hz: float = 6.0
    min_duration_s: float = 1.0  # shorter clips cannot hold a standing second and a rep
    max_duration_s: float | None = None
    rules_path: str | None = None
    symptoms: dict[str, Any] | None = None  # answers to the short symptom check (analyzer.rules.symptoms.QUESTIONS)
    #: Who to follow: a number of the people preview (``hinge-analyzer people VIDEO``) or a point (x, y) in px
    #: of the frame (or 0..1 fractions); None = chosen automatically (see :mod:`analyzer.track.subject`).
    person: int | tuple[float, float] | None = None
    #: With several people and no ``person``: look at everyone over the whole clip and switch to the person
    #: the clip is about when it is not the one followed from the start.
    whole_clip_subject: bool = True
    #: The clip's name as the user knows it (an upload's own file name), shown in reports instead of the path's.
    display_name: str | None = None

    def pose_settings(self, person: tuple[float, float, float] | None = None) -> PoseSettings:
        return PoseSettings(
            model=self.model,
            num_poses=max(3, self.num_poses) if person is not None else self.num_poses,
            masks=self.masks,
            max_side=self.max_side,
            half_size_reach_px=self.half_size_reach_px,
            person=person,
        )


@dataclass
class Analysis:
    """Everything one run produced; ``outputs`` maps file names to their final paths."""

    video: VideoInfo
    track: PoseTrack
    clean: CleanTrack
    context: Context
    metrics: MetricSet
    findings: list[Finding]
    report: Report
    kinematics: dict[str, np.ndarray]
    outputs: dict[str, Path] = field(default_factory=dict)
    warnings: list[ClipWarning] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------------------
def analyze(
    video: str | Path,
    options: AnalyzeOptions | None = None,
    progress: Progress | None = None,
    *,
    model_path: str | Path | None = None,
) -> Analysis:
    """Analyse one clip and (when ``options.out_dir`` is set) write its outputs atomically.

    Outputs: ``tracks.npz``, ``kinematics.csv``, ``report.json``, ``report.md``, ``report.html``
    and ``annotated.mp4`` (H.264). Either all appear or none do.
    Raises :class:`~analyzer.errors.AnalyzerError` subclasses with user-facing messages.
    """
    opts = options or AnalyzeOptions()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    info = probe(video)
    _check_duration(info, opts)
    mpath = Path(model_path) if model_path else models.resolve(opts.model, opts.model_path)
    choice = SubjectChoice()
    if opts.person is not None:
        choice = target_for(video, info, opts.person, mpath)
    out = OutputSet(opts.out_dir) if opts.out_dir is not None else None
    with out if out is not None else _Null():
        sha = file_sha256(video)
        video_tmp = out.tmp("annotated.mp4") if (out is not None and opts.write_video) else None
        track = _pose(video, info, mpath, opts.pose_settings(choice.target), opts, sha, video_tmp, progress, timings)
        if opts.person is None and opts.whole_clip_subject and (track.meta.get("other_people") or {}).get("several"):
            if "subject_switch" not in track.meta:  # decided once, kept with the cached track
                better = better_subject(video, track, mpath)
                track.meta["subject_switch"] = better.to_json() if better else None
                if opts.use_cache:
                    store_track(cache_key(sha, mpath, opts.pose_settings()), track)
            if sw := track.meta["subject_switch"]:
                choice = SubjectChoice(sw["how"], tuple(sw["target"]), sw["person"], sw["people"])
                settings = opts.pose_settings(choice.target)
                track = _pose(video, info, mpath, settings, opts, sha, video_tmp, progress, timings)
        _check_person(track, info)
        t2 = time.perf_counter()
        result = analyze_track(track, opts, info=info)
        timings["analysis_s"] = time.perf_counter() - t2
        timings["total_s"] = time.perf_counter() - t0
        result.timings = timings
        _attach_run_info(result, opts, mpath, timings)
        result.report.run["subject"] = choice.to_json()
        if opts.display_name:
            result.report.video["name"] = opts.display_name
        if out is not None:
            shot = thumbnail(video, track)
            if shot is not None:
                out.tmp("subject.jpg").write_bytes(shot)
                result.report.run["subject"]["image"] = "subject.jpg"
            _write_outputs(out, result)
            result.outputs = out.commit()
    return result


def _pose(video, info, mpath, settings, opts, sha, video_tmp, progress, timings) -> PoseTrack:
    """The landmark track for ``settings``: from the cache, or from a pose pass (which also draws the video)."""
    key = cache_key(sha, mpath, settings)
    track = cached_track(key) if opts.use_cache else None
    timings["cache_hit"] = float(track is not None)
    if track is None or video_tmp is not None:
        t1 = time.perf_counter()
        if track is None:
            track, warnings = pose_pass(video, info, mpath, settings, video_out=video_tmp, progress=progress, sha=sha)
            # cached with the track, so a re-analysis says them too
            track.meta["warnings"] = [clean_json(w) for w in warnings]
            track.meta["pose_pass_s"] = time.perf_counter() - t1
            if opts.use_cache:
                store_track(key, track)
                if video_tmp is not None:
                    store_video(key, video_tmp)
        elif (drawn := cached_video(key) if opts.use_cache else None) is not None:
            shutil.copyfile(drawn, video_tmp)  # the video drawn with this track before: nothing to decode
            timings["video_cache_hit"] = 1.0
        else:  # a landmark-cache hit without its video: one pass to draw it
            assert video_tmp is not None
            overlay_pass(video, info, track, settings, video_out=video_tmp, progress=progress)
            if opts.use_cache:
                store_video(key, video_tmp)
        timings["pose_pass_s"] = time.perf_counter() - t1
    return track


def analyze_track(track: PoseTrack, opts: AnalyzeOptions | None = None, *, info: VideoInfo | None = None) -> Analysis:
    """Run the post-pose stages on a PoseTrack (no video needed)."""
    opts = opts or AnalyzeOptions()
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        # Missing landmarks are NaN by design; empty-slice means over them are expected, not news.
        warnings.simplefilter("ignore", RuntimeWarning)
        return _analyze_track(track, opts, info)


def _analyze_track(track: PoseTrack, opts: AnalyzeOptions, info: VideoInfo | None) -> Analysis:
    """clean → view → kinematics → context → metrics → rules → report, each stage once."""
    from .clean.plausibility import off_person_warnings
    from .clean.track import clean_track
    from .context.detect import detect_context, orientation
    from .context.setup import wrong_view_message
    from .context.view import detect_view
    from .kinematics import frame_kinematics, with_near
    from .metrics import compute_metrics
    from .report.model import build_report
    from .rules import evaluate_detailed, load_rules, with_symptoms

    rules = load_rules(opts.rules_path)  # a broken rules file fails before any work
    clean = clean_track(track, cutoff_hz=opts.cutoff_hz)
    seen = detect_view(clean)
    if opts.exercise != "auto" or opts.view != "auto":
        msg = wrong_view_message(opts.exercise, opts.view, seen.view, seen.confidence)
        if msg:
            raise WrongViewError(msg)
    _, _, _, direction, near = orientation(clean, seen, opts.view)
    kin = frame_kinematics(clean, direction or 1, near or "left")
    ctx = detect_context(
        clean, exercise=opts.exercise, view=opts.view, seen=seen, kin=kin, camera=track.meta.get("camera_motion")
    )
    if ctx.near_side and ctx.near_side != near:  # a single-leg lift: the standing leg is the one measured
        kin = with_near(kin, ctx.near_side)
    metrics = compute_metrics(clean, ctx, kin)
    evaluation = with_symptoms(evaluate_detailed(metrics, ctx, rules=rules), opts.symptoms)
    if info is None:
        info = VideoInfo(
            str(track.meta.get("video", "")),
            "",
            track.width,
            track.height,
            track.fps,
            float(track.t[-1] - track.t[0]) if len(track) else 0.0,
            len(track),
            0,
        )
    report = build_report(info=info, track=track, clean=clean, context=ctx, metrics=metrics, evaluation=evaluation)
    picture = (track.meta.get("camera_motion") or {}).get("picture")  # inside any black bars
    return Analysis(
        info,
        track,
        clean,
        ctx,
        metrics,
        evaluation.findings,
        report,
        kin,
        warnings=clip_warnings(track) + off_person_warnings(clean, picture) + ctx.footage,
    )


def clip_warnings(track: PoseTrack) -> list[ClipWarning]:
    """What the pose pass found about the footage (kept with the cached track) plus stretches without the person."""
    out = [ClipWarning.from_json(w) for w in track.meta.get("warnings", [])]
    for w in _absence_warnings(track):
        if w not in out:
            out.append(w)
    return out


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return None


def _check_duration(info: VideoInfo, opts: AnalyzeOptions) -> None:
    duration = info.duration or (info.n_frames / info.fps if info.fps else 0.0)
    if duration and duration < opts.min_duration_s:
        raise ClipTooShortError(
            f"The clip is only {duration:.2f} s long; film at least a standing second and one full rep."
        )
    if opts.max_duration_s and info.duration > opts.max_duration_s:
        raise ClipTooLongError(
            f"The clip is {info.duration:.0f} s long; the limit here is {opts.max_duration_s:.0f} s. Trim it to the "
            "set you want checked."
        )


def _check_person(track: PoseTrack, info: VideoInfo) -> None:
    if len(track) == 0:
        from .errors import NoFramesError

        raise NoFramesError("The video holds no decodable frames.")
    rate = track.detection_rate
    luma = track.meta.get("mean_brightness")
    if rate < MIN_DETECTION_RATE and luma is not None and luma < DARK_BRIGHTNESS:
        raise NoPersonError(
            f"The footage is too dark to find a person (average brightness {luma:.0f} of 255; "
            f"detected in {rate:.0%} of frames). Film in better light or turn the lights on."
        )
    if rate < MIN_DETECTION_RATE:
        raise NoPersonError(
            f"No person was found in this clip (detected in {rate:.0%} of frames). Film the whole body, well lit, "
            "with the person filling at least half the frame height."
        )


def _absence_warnings(track: PoseTrack, min_gap_s: float = 0.5) -> list[ClipWarning]:
    """One warning per stretch of ≥ ``min_gap_s`` without the person (left the frame, hidden)."""
    det = np.asarray(track.detected, bool)
    t = np.asarray(track.t, float)
    out: list[ClipWarning] = []
    i, n = 0, len(det)
    while i < n:
        if det[i]:
            i += 1
            continue
        j = i
        while j < n and not det[j]:
            j += 1
        t0, t1 = t[i], (t[j] if j < n else t[-1])
        if t1 - t0 >= min_gap_s:
            where = "at the start" if i == 0 else ("at the end" if j >= n else "")
            out.append(
                ClipWarning(
                    "out_of_view",
                    f"The person was out of view from {t0:.1f} s to {t1:.1f} s"
                    f"{(' ' + where) if where else ''}; those frames were left out of the analysis.",
                )
            )
        i = j
    return out


def _attach_run_info(result: Analysis, opts: AnalyzeOptions, mpath: Path, timings: dict) -> None:
    run = {
        "model": opts.model,
        "model_file": mpath.name,
        "exercise_option": opts.exercise,
        "view_option": opts.view,
        "cutoff_hz": opts.cutoff_hz,
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
        "model_input": {
            "max_side_px": opts.max_side,
            "half_size_reach_px": opts.half_size_reach_px,
            "half_size_share": result.track.meta.get("model_half_size_share"),
        },
        "warnings": [clean_json(w) for w in result.warnings],
        "off_person": [
            {"t0_s": round(s.t0, 3), "t1_s": round(s.t1, 3), "frames": [s.i0, s.i1], "why": s.why}
            for s in result.clean.off_spans
        ],
    }
    result.report.run.update(run)


def kinematics_csv(result: Analysis) -> str:
    """Time-first CSV, one row per frame: time, frame, detected, then the spec §D angles.

    Time in s with 4 decimals, angles in degrees with 2, empty where unknown. The body is one ``%``
    over a repeated row template (same text as formatting row by row, ≈ 6× faster).
    """
    from .kinematics import COLUMNS

    track = result.track
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["time_s", "frame", "detected", *COLUMNS])
    det = track.detected
    cols = [np.asarray(result.kinematics[c], dtype=np.float64) for c in COLUMNS]
    t = np.asarray(track.t, dtype=np.float64)
    T = len(track)
    if not np.isfinite(t).all():  # "nan"/"inf" below would then be ambiguous: row by row
        for i in range(T):
            w.writerow([f"{t[i]:.4f}", i, int(det[i]), *("" if not np.isfinite(c[i]) else f"{c[i]:.2f}" for c in cols)])
        return buf.getvalue()
    table = np.column_stack([t, np.arange(T), det.astype(np.int64), *cols]) if T else np.zeros((0, 3 + len(cols)))
    body = (("%.4f,%d,%d" + ",%.2f" * len(cols) + "\n") * T) % tuple(table.ravel().tolist())
    # Unknown angles print as nan/inf/-inf; the CSV leaves them empty.
    return buf.getvalue() + body.replace("-inf", "").replace("inf", "").replace("nan", "")


def _write_outputs(out: OutputSet, result: Analysis) -> None:
    from .report.render import to_html, to_markdown

    result.track.save(out.tmp("tracks.npz"))
    out.tmp("kinematics.csv").write_text(kinematics_csv(result), encoding="utf-8")
    rep = result.report
    out.tmp("report.json").write_text(rep.to_json(), encoding="utf-8")
    out.tmp("report.md").write_text(to_markdown(rep), encoding="utf-8")
    out.tmp("report.html").write_text(to_html(rep), encoding="utf-8")
