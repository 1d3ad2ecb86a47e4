"""Camera view of the person: side, front, back or oblique (method spec §F.7), with its confidence and segments.

View from r = |x_LSh − x_RSh| / |MS − MH| (frontal/back if r > FRONTAL_R, side if r < SAGITTAL_R — adjusted
from the spec, see below; else oblique; hip width ×1.9 stands in when shoulders are missing); front vs back
from the nose depth and left/right shoulder order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import landmarks as L
from ..geometry import midpoint, segment_length
from . import reps as S

#: View thresholds on r = shoulder width / torso length. The spec's heuristics (0.45 / 0.15) put real
#: side-view clips (people stand 15–25° off true side-on; measured median r ≈ 0.19 on three gym and
#: treadmill phone clips) into "oblique" and a 45° view into "frontal". With shoulder width ≈ 0.75 ×
#: torso length, r < 0.27 is within ~20° of side-on (the spec's cited tolerable out-of-plane angle)
#: and r > 0.55 is within ~40° of front-on. Engineering choice.
FRONTAL_R, SAGITTAL_R = 0.55, 0.27


HIP_TO_SHOULDER = 1.9  # typical shoulder-width / hip-joint-width ratio (engineering choice)


# ---------------------------------------------------------------------------
# View
# ---------------------------------------------------------------------------
def view_ratio(xy: np.ndarray) -> np.ndarray:
    """(T,) r = shoulder width / torso length (px/px); hip width × 1.9 where shoulders are unknown."""
    MS = midpoint(xy[:, L.L_SHOULDER], xy[:, L.R_SHOULDER])
    MH = midpoint(xy[:, L.L_HIP], xy[:, L.R_HIP])
    torso = segment_length(MH, MS)
    torso = np.where(torso > 0, torso, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        r_sh = np.abs(xy[:, L.L_SHOULDER, 0] - xy[:, L.R_SHOULDER, 0]) / torso
        r_hip = HIP_TO_SHOULDER * np.abs(xy[:, L.L_HIP, 0] - xy[:, L.R_HIP, 0]) / torso
    return np.where(np.isfinite(r_sh), r_sh, r_hip)


def classify_ratio(r: np.ndarray | float) -> np.ndarray:
    """Per-value view class: "frontal" (r > FRONTAL_R), "side" (r < SAGITTAL_R), "oblique", or "unknown" (NaN)."""
    r = np.asarray(r, float)
    out = np.full(r.shape, "oblique", dtype=object)
    out[r > FRONTAL_R] = "frontal"
    out[r < SAGITTAL_R] = "side"
    out[~np.isfinite(r)] = "unknown"
    return out


def _ratio_confidence(r: float) -> float:
    """0..1: how far the median ratio sits from the nearest class threshold (relative)."""
    if not np.isfinite(r):
        return 0.0
    if r > FRONTAL_R:
        m = (r - FRONTAL_R) / 0.15
    elif r < SAGITTAL_R:
        m = (SAGITTAL_R - r) / 0.10
    else:
        m = min(r - SAGITTAL_R, FRONTAL_R - r) / 0.08
    return float(np.clip(0.5 + 0.5 * m, 0.0, 1.0))


def front_or_back(
    xy: np.ndarray, visibility: np.ndarray, frames: np.ndarray | None = None, z: np.ndarray | None = None
) -> tuple[str, float]:
    """("front"|"back", confidence) for a frontal-plane view.

    Cues: the nose's MediaPipe depth relative to the ears (nearer than the ears ⇒ facing the camera;
    weight 0.6) and shoulder order (subject's left shoulder at larger image x ⇒ facing the camera;
    weight 0.4). Face *visibility* is not used: MediaPipe reports the face as visible from behind too
    (measured 1.0 on a synthetic back view). Without z, face visibility stands in for the depth cue.
    """
    idx = slice(None) if frames is None else frames
    dx = xy[idx][:, L.L_SHOULDER, 0] - xy[idx][:, L.R_SHOULDER, 0]
    order = np.nanmedian(dx) if np.isfinite(dx).any() else 0.0
    depth_cue = 0.0
    if z is not None and np.isfinite(z[idx][:, [L.NOSE, L.L_EAR, L.R_EAR]]).any():
        dz = z[idx][:, L.NOSE] - np.nanmean(z[idx][:, [L.L_EAR, L.R_EAR]], axis=1)
        depth_cue = float(np.clip(-np.nanmedian(dz) / 0.1, -1, 1)) if np.isfinite(dz).any() else 0.0
    elif visibility.size:
        face = np.nanmean(visibility[idx][:, [L.NOSE, 1, 2, 4, 5]])
        depth_cue = float(np.clip((face - 0.5) / 0.3, -1, 1))
    score = 0.6 * depth_cue + 0.4 * np.sign(order)
    return ("front" if score >= 0 else "back"), float(min(1.0, abs(score)))


def view_segments(t: np.ndarray, r: np.ndarray, fs: float, min_s: float = 1.0) -> list[tuple[int, int, str]]:
    """Runs of constant view class (frame [i0, i1), class) after a ~0.5 s median filter; runs
    shorter than ``min_s`` merge into their neighbour."""
    from scipy.ndimage import median_filter

    rr = S._interp_nan(r) if np.isfinite(r).any() else r
    k = max(1, int(round(0.5 * fs)) | 1)
    rs = median_filter(rr, size=k, mode="nearest") if np.isfinite(rr).any() else rr
    cls = classify_ratio(rs)
    segs: list[list] = []
    for i, c in enumerate(cls):
        if segs and segs[-1][2] == c:
            segs[-1][1] = i + 1
        else:
            segs.append([i, i + 1, c])
    n_min = max(1, int(round(min_s * fs)))
    changed = True
    while changed and len(segs) > 1:
        changed = False
        for j, (a, b, _c) in enumerate(segs):
            if b - a < n_min:
                nb = (
                    j - 1
                    if j > 0
                    and (j == len(segs) - 1 or segs[j - 1][1] - segs[j - 1][0] >= segs[j + 1][1] - segs[j + 1][0])
                    else j + 1
                )
                lo, hi = min(j, nb), max(j, nb)
                keep = segs[nb][2]
                segs[lo : hi + 1] = [[segs[lo][0], segs[hi][1], keep]]
                changed = True
                break
    return [(int(a), int(b), str(c)) for a, b, c in segs]


@dataclass(frozen=True)
class ViewEstimate:
    """The camera view detected on a clip: the view of most frames, a 0..1 confidence, the runs of one
    view as (t0 s, t1 s, view), and for front/back views whether the person faces the camera."""

    view: str
    confidence: float
    segments: list[tuple[float, float, str]] = field(default_factory=list)
    facing_camera: bool | None = None


def detect_view(clean) -> ViewEstimate:
    """The view of a CleanTrack (see :class:`ViewEstimate`)."""
    xy, t = clean.xy, clean.t
    r = view_ratio(xy)
    if not np.isfinite(r).any():
        return ViewEstimate("unknown", 0.0)
    segs = view_segments(t, r, clean.fs)
    named: list[tuple[float, float, str]] = []
    facing = None
    lengths: dict[str, int] = {}
    for a, b, c in segs:
        v = c
        if c == "frontal":
            v, _ = front_or_back(xy, clean.visibility, np.arange(a, b), clean.z)
        named.append((float(t[a]), float(t[min(b, len(t) - 1)]), v))
        lengths[v] = lengths.get(v, 0) + (b - a)
    view = max(lengths, key=lambda v: lengths[v])
    frames = np.concatenate([np.arange(a, b) for (a, b, _), (_, _, v) in zip(segs, named) if v == view])
    agree = len(frames) / max(1, np.isfinite(r).sum())
    conf = _ratio_confidence(float(np.nanmedian(r[frames]))) * min(1.0, agree)
    if view in ("front", "back"):
        _, fb_conf = front_or_back(xy, clean.visibility, frames, clean.z)
        conf *= 0.5 + 0.5 * fb_conf
        facing = view == "front"
    return ViewEstimate(view, float(conf), named, facing)
