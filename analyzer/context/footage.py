"""When the footage lies about time or space, or hides the body: slow motion, a moving camera, hidden legs.

Each condition is a :class:`~analyzer.types.ClipWarning` (code ``slow_motion``, ``camera_moving`` or ``occluded``)
kept on the context. :data:`BREAKS` says which metric property a condition breaks, and the metric registry's
``needs`` says which metrics rely on that property — those are withheld (joint angles stay valid either way).
Hidden legs withhold nothing here: the frames without them are already left out of each rep.
"""

from __future__ import annotations

import numpy as np

from .. import landmarks as L
from ..types import ClipWarning
from .exercise import running_score

#: footage condition → the property of the footage it breaks (``MetricSpec.needs``).
BREAKS: dict[str, str] = {"slow_motion": "real_time", "camera_moving": "still_camera"}

#: Why a metric is withheld under each condition (shown where its number would be).
WITHHELD: dict[str, str] = {
    "slow_motion": "the footage looks slower than real time, so timing and rates would be wrong",
    "camera_moving": "the camera moves, so positions in the frame are not positions in the room",
}

#: Running cadence (steps/min, clip time) below which footage is read as slow motion: uninjured runners step at
#: 171 ± 8 steps/min (method spec §E (21)), so 140 is almost 4 SD below; the shared slow-motion clips give
#: 34–133 in clip time, the real-time treadmill and sprint clips 167 and 290. Engineering choice.
SLOW_RUN_SPM = 140.0


def running_clip_cadence(xy: np.ndarray, fs: float) -> float | None:
    """Steps/min in clip time from the dominant stride period of the alternating ankles (None: not running)."""
    run, f = running_score(xy, fs)
    return 120.0 * f if run and f else None


def slow_motion(xy: np.ndarray, fs: float, exercise: str) -> ClipWarning | None:
    """A ``slow_motion`` warning when a running clip's cadence in clip time is below :data:`SLOW_RUN_SPM`."""
    if exercise != "running":
        return None
    spm = running_clip_cadence(xy, fs)
    if spm is None or spm >= SLOW_RUN_SPM:
        return None
    return ClipWarning(
        "slow_motion",
        f"This footage looks slowed down: the runner takes about {spm:.0f} steps per minute in clip time, slower "
        "than anyone runs. Cadence and timing are left out; joint angles are still shown. Upload the clip at "
        "normal speed for cadence.",
    )


#: Share of the reps' frames with a key leg landmark hidden inside the picture above which the clip is
#: "occluded". Engineering choice: plate-occluded real clips 0.32, unoccluded ≤ 0.01.
OCCLUDED_SHARE = 0.2


def occluded(clean, ctx) -> ClipWarning | None:
    """An ``occluded`` warning when, during the reps, the pose model often marks a hip, knee or ankle as hidden
    (visibility < 0.5) while placing it inside the picture: something stands between the camera and the body.
    Points outside the picture are "out of frame", not hidden, and do not count."""
    if not ctx.reps:
        return None
    sides = [ctx.near_side] if ctx.view in ("side", "oblique") and ctx.near_side else ["left", "right"]
    pts = [i for s in sides for i in L.LEG[s][:3]]
    vis = np.asarray(clean.visibility, float)[:, pts]
    xy = np.asarray(clean.raw.xy, float)[:, pts]  # raw: the cleaned track drops hidden points
    inside = (xy[..., 0] > 0.02 * clean.width) & (xy[..., 0] < 0.98 * clean.width)
    inside &= (xy[..., 1] > 0.02 * clean.height) & (xy[..., 1] < 0.98 * clean.height)
    hidden = ((vis < 0.5) & inside).any(axis=1)
    frames = np.concatenate([np.arange(r.start, r.end + 1) for r in ctx.reps])
    share = float(hidden[frames].mean()) if len(frames) else 0.0
    if share < OCCLUDED_SHARE:
        return None
    return ClipWarning(
        "occluded",
        f"Part of your legs was hidden (for example by the plates or the rack) in {share:.0%} of the rep frames; "
        "those frames were not measured. Film from where nothing stands between the camera and you.",
    )


def footage_checks(clean, exercise: str, camera: dict | None = None, ctx=None) -> list[ClipWarning]:
    """All footage conditions found for the clip (see :data:`BREAKS`), in a stable order.

    ``camera``: the pose pass's camera-motion summary (``PoseTrack.meta["camera_motion"]``), when it made one.
    """
    out = []
    w = slow_motion(clean.xy, clean.fs, exercise)
    if w is not None:
        out.append(w)
    if ctx is not None and (w := occluded(clean, ctx)) is not None:
        out.append(w)
    cam = camera or {}
    if cam.get("moving"):
        out.append(ClipWarning("camera_moving", camera_message(cam)))
    return out


def camera_message(cam: dict) -> str:
    """What the camera did, from the pose pass's camera-motion summary, and what is left out because of it."""
    cuts = cam.get("cut_times_s") or []
    did = (
        f"the video cuts to another shot (at {', '.join(f'{c:.1f} s' for c in cuts[:3])})"
        if cuts
        else "the camera moves (it pans, follows the person or zooms)"
    )
    return (
        f"In this clip {did}, so hip travel and other positions in the frame are left out; joint angles are still "
        "shown. For those, film in one shot with the phone held still."
    )


def withheld_by(footage: list[ClipWarning], needs: frozenset[str]) -> str | None:
    """The reason a metric with these ``needs`` is withheld under ``footage``, or None when it stands."""
    for w in footage:
        if BREAKS.get(w.code) in needs:
            return WITHHELD[w.code]
    return None
