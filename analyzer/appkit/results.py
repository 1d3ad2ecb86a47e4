"""A picklable, UI-ready summary of one analysis (what the page shows and offers for download).

:func:`build_result` turns a pipeline :class:`~analyzer.pipeline.Analysis` (plus its output files)
into an :class:`AppResult`: cue cards with thumbnails, the per-rep table, chart series with rep
boundaries and rule thresholds, headline metrics, drills, notes and the download payloads. It holds
only plain Python values and bytes, so ``st.cache_data`` can store it and the temp files can go.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..metrics.registry import METRICS, chart_series, headline_ids
from ..report.model import unchecked_message
from ..report.render import rep_table_of, subject_caption

SEVERITY_ORDER = {"red": 0, "amber": 1, "info": 2, "positive": 3}
SEVERITY_LABEL = {"red": "Fix first", "amber": "Worth fixing", "info": "Note", "positive": "Good"}

#: Kinematics columns charted, per view family (labels in :data:`analyzer.kinematics.LABELS`).
CHART_SERIES = {
    "sagittal": (
        "knee_flexion_near",
        "hip_flexion_near",
        "trunk_angle",
        "hip_trunk_angle_near",
        "shank_angle_near",
        "depth_angle_near",
    ),
    "frontal": ("knee_flexion_left", "knee_flexion_right", "hip_flexion_left", "hip_flexion_right"),
}
#: Metric series charted beside the angles when the clip has them: those the metric modules compute per frame
#: (their registry ``series`` is their own id), such as the pelvic-tilt change.
POSTURE_SERIES = tuple(m.id for m in METRICS.values() if m.series == m.id)


@dataclass
class Card:
    """One finding as a cue card."""

    rule_id: str
    severity: str
    category: str
    title: str
    cue: str
    why: str
    evidence: str
    reps: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    frame: int | None = None  # frame shown in the thumbnail
    thumbnail: bytes | None = None  # PNG
    confidence: float = 1.0
    proxy: bool = False
    drills: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return SEVERITY_LABEL.get(self.severity, self.severity)


@dataclass
class AppResult:
    key: str
    label: str  # what the user called the clip (display only)
    options: dict[str, Any]
    exercise: str
    view: str
    view_confidence: float
    reps: list[dict[str, Any]]
    setup_issues: list[dict[str, str]]
    cards: list[Card]
    per_rep: list[dict[str, Any]]
    drills: list[dict[str, Any]]
    safety_note: str
    disclaimer: str
    notes: list[str]
    not_measurable: list[dict[str, Any]]
    headline: list[dict[str, Any]]
    series: dict[str, list[float | None]]  # "t" + columns
    thresholds: list[dict[str, Any]]  # {"series", "value", "severity", "rule"}
    warnings: list[str]
    unchecked: str | None  # why "no findings" is not an all-clear (report.model.unchecked_message), or None
    timings: dict[str, float]
    duration_s: float
    n_frames: int
    fps: float
    downloads: dict[str, bytes] = field(default_factory=dict)  # file name -> content
    video: bytes | None = None  # annotated.mp4 (H.264)
    rep_table: tuple[list[str], list[list[str]], list[str]] = ([], [], [])  # header, rows, sign notes (in words)
    subject_image: bytes | None = None  # subject.jpg: the first frame with the person analysed boxed in green
    subject_caption: str | None = None  # who was followed, in words (report.render.subject_caption)

    @property
    def n_reps(self) -> int:
        return len(self.reps)

    def headline_value(self, metric_id: str) -> dict[str, Any] | None:
        return next((h for h in self.headline if h["id"] == metric_id), None)


# ---------------------------------------------------------------------------------------------
def _num(x: Any) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def series_for_chart(
    kinematics: dict[str, np.ndarray],
    t: np.ndarray,
    view: str,
    extra: dict[str, np.ndarray] | None = None,
    max_points: int = 1500,
) -> dict[str, list[float | None]]:
    """Chart data: ``t`` plus the key angle columns for the view (NaN → None), decimated to ``max_points``."""
    family = "frontal" if view in ("front", "back") else "sagittal"
    cols = [c for c in CHART_SERIES[family] if c in kinematics]
    for k, v in (extra or {}).items():
        if k not in cols and np.asarray(v).shape == np.asarray(t).shape:
            cols.append(k)
    step = max(1, int(math.ceil(len(t) / max_points)))
    out: dict[str, list[float | None]] = {"t": [round(float(x), 4) for x in np.asarray(t)[::step]]}
    src = {**kinematics, **(extra or {})}
    for c in cols:
        arr = np.asarray(src[c], dtype=float)[::step]
        if not np.isfinite(arr).any():
            continue
        out[c] = [round(float(v), 2) if np.isfinite(v) else None for v in arr]
    return out


def rule_thresholds(view: str, exercise: str, columns: set[str], rules_path: str | None = None) -> list[dict[str, Any]]:
    """Fixed-number rule thresholds whose metric is drawn from one of ``columns`` (for chart lines)."""
    try:
        from ..rules.loader import load_rules

        rs = load_rules(rules_path)
    except Exception:  # the chart is still useful without threshold lines
        return []
    out = []
    for r in rs.rules:
        if r.views and view not in r.views:
            continue
        if r.exercises and exercise not in r.exercises:
            continue
        for m in r.metrics:
            col = chart_series().get(m, m)
            if col not in columns:
                continue
            for sev, th in (r.thresholds or {}).items():
                v = _num(getattr(th, "number", None))
                if v is not None:
                    out.append({"series": col, "value": v, "severity": sev, "rule": r.id, "comparator": r.comparator})
    return out


def frames_to_png(video_path: str | Path, frames: set[int], max_side: int = 360) -> dict[int, bytes]:
    """Decode the requested frame indices of ``video_path`` (one pass) as small PNG thumbnails."""
    import cv2

    from ..capture.video import FileSource

    want = {int(f) for f in frames if f is not None and f >= 0}
    out: dict[int, bytes] = {}
    if not want:
        return out
    last = max(want)
    try:
        for fr in FileSource(video_path, max_side=max_side, threaded=False):
            if fr.index in want:
                ok, buf = cv2.imencode(".png", cv2.cvtColor(fr.image, cv2.COLOR_RGB2BGR))
                if ok:
                    out[fr.index] = buf.tobytes()
            if fr.index >= last:
                break
    except Exception:  # thumbnails are a nicety; a decode problem must not lose the result
        pass
    return out


def build_result(
    analysis, *, key: str, label: str, options: dict[str, Any], rules_path: str | None = None
) -> AppResult:
    """Summarise an Analysis (its ``outputs`` files must still exist) into an :class:`AppResult`."""
    from ..pipeline import kinematics_csv

    ctx, rep, metrics, track = analysis.context, analysis.report, analysis.metrics, analysis.track
    fdicts = rep.finding_dicts() if hasattr(rep, "finding_dicts") else []
    cards: list[Card] = []
    for f, d in zip(analysis.findings if not fdicts else rep.findings, fdicts or [{}] * len(analysis.findings)):
        frame = next((int(i) for i in (f.frames or []) if i is not None), None)
        cards.append(
            Card(
                rule_id=f.rule_id,
                severity=f.severity,
                category=f.category,
                title=f.title,
                cue=f.cue,
                why=f.why,
                evidence=d.get("evidence") or f.evidence(),
                reps=list(f.reps or []),
                times=[float(x) for x in (f.times or []) if x is not None],
                frame=frame,
                confidence=float(f.confidence),
                proxy=bool(f.proxy),
                drills=[dr.name for dr in f.drills],
            )
        )
    cards.sort(key=lambda c: SEVERITY_ORDER.get(c.severity, 9))
    outputs = {k: Path(v) for k, v in (analysis.outputs or {}).items()}
    video_path = outputs.get("annotated.mp4")
    if video_path is not None and video_path.is_file():
        thumbs = frames_to_png(video_path, {c.frame for c in cards if c.frame is not None})
        for c in cards:
            c.thumbnail = thumbs.get(c.frame) if c.frame is not None else None
    t = np.asarray(track.t, dtype=float)
    posture = {k: metrics.series[k] for k in POSTURE_SERIES if k in metrics.series}
    series = series_for_chart(analysis.kinematics, t, ctx.view, extra=posture)
    thresholds = rule_thresholds(ctx.view, ctx.exercise, set(series) - {"t"}, rules_path)
    headline = []
    for mid in headline_ids():
        m = metrics.get(mid)
        if m is None:
            continue
        spec = METRICS[mid]
        v = _num(m.value)
        text = spec.shown(v) if v is not None else ""
        if mid == "rep_count" and v is not None:
            text = f"{v:.0f} {m.unit}"  # reps, or steps for a run
        headline.append(
            {
                "id": m.id,
                "label": m.label,
                "value": v,
                "unit": m.unit,
                "status": m.status,
                "reason": m.reason,
                "proxy": bool(m.proxy),
                "band": _num(m.band),
                "text": text,  # for people: symbol, sensible precision, ± band only when narrower than the value
                "sign": spec.sign,
            }
        )
    if not any(h["id"] == "rep_count" for h in headline):
        headline.insert(
            0,
            {
                "id": "rep_count",
                "label": "Reps",
                "value": float(len(ctx.reps)),
                "unit": "",
                "status": "ok",
                "reason": None,
                "proxy": False,
                "band": None,
            },
        )
    downloads: dict[str, bytes] = {}
    for name in ("report.json", "report.md", "report.html", "kinematics.csv"):
        p = outputs.get(name)
        if p is not None and p.is_file():
            downloads[name] = p.read_bytes()
    if "report.json" not in downloads:
        downloads["report.json"] = rep.to_json().encode()
    if "report.md" not in downloads:
        from ..report.render import to_markdown

        downloads["report.md"] = to_markdown(rep).encode()
    if "kinematics.csv" not in downloads:
        downloads["kinematics.csv"] = kinematics_csv(analysis).encode()
    video = video_path.read_bytes() if video_path is not None and video_path.is_file() else None
    info = analysis.video
    return AppResult(
        key=key,
        label=label,
        options=dict(options),
        exercise=ctx.exercise,
        view=ctx.view,
        view_confidence=float(ctx.view_confidence or 0.0),
        reps=[
            {"rep": r.index, "t_start": r.t_start, "t_bottom": r.t_bottom, "t_end": r.t_end, "valid": r.valid}
            for r in ctx.reps
        ],
        setup_issues=[{"code": s.code, "message": s.message, "severity": s.severity} for s in ctx.setup_issues],
        cards=cards,
        per_rep=list(getattr(rep, "per_rep", []) or []),
        rep_table=rep_table_of(rep),
        drills=list(getattr(rep, "drills", []) or []),
        safety_note=getattr(rep, "safety_note", "") or "",
        disclaimer=getattr(rep, "disclaimer", "") or "",
        notes=list(getattr(rep, "notes", []) or []),
        not_measurable=list(getattr(rep, "not_measurable", []) or []),
        headline=headline,
        series=series,
        thresholds=thresholds,
        warnings=[w.message for w in analysis.warnings],
        unchecked=unchecked_message(ctx, analysis.metrics, analysis.findings),
        timings=dict(analysis.timings),
        duration_s=float(getattr(info, "duration", 0.0) or 0.0),
        n_frames=len(track),
        fps=float(track.fps),
        downloads=downloads,
        video=video,
        subject_image=_read(analysis.outputs.get("subject.jpg")),
        subject_caption=subject_caption(rep.run.get("subject")),
    )


def _read(path) -> bytes | None:
    try:
        return path.read_bytes() if path is not None else None
    except OSError:
        return None
