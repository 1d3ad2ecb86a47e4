"""Planar geometry on pixel landmarks (pure, vectorised over leading dims).

Conventions (method spec): points are ``(..., 2)`` arrays in image **pixels**, x right,
**y down**; angles are **degrees**. ``direction`` (``dir``) is +1 when the subject faces +x
(image right), -1 when facing -x. NaN in → NaN out; no runtime warnings are emitted.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from . import landmarks as L


def _xy(p) -> np.ndarray:
    return np.asarray(p, dtype=np.float64)


def midpoint(a, b) -> np.ndarray:
    """Midpoint of ``a`` and ``b`` (px), e.g. MH = midpoint(L_HIP, R_HIP)."""
    return (_xy(a) + _xy(b)) / 2.0


def segment_length(a, b) -> np.ndarray:
    """Euclidean length |b − a| in px, shape = leading dims."""
    d = _xy(b) - _xy(a)
    return np.hypot(d[..., 0], d[..., 1])


def angle3(a, b, c) -> np.ndarray:
    """Included angle ∠ABC in degrees, in [0, 180] (spec eq. 1).

    ∠ = atan2(|u×v|, u·v) with u = a − b, v = c − b. 180 = straight (a, b, c collinear with b
    between), 90 = right angle. NaN when any point is NaN or a segment has zero length.
    """
    u = _xy(a) - _xy(b)
    v = _xy(c) - _xy(b)
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = u[..., 0] * v[..., 0] + u[..., 1] * v[..., 1]
    ang = np.degrees(np.arctan2(np.abs(cross), dot))
    degenerate = (np.hypot(u[..., 0], u[..., 1]) == 0) | (np.hypot(v[..., 0], v[..., 1]) == 0)
    return np.where(degenerate, np.nan, ang)


def segment_angle_from_vertical(a, b, direction) -> np.ndarray:
    """Segment angle φ(a→b) from the upward vertical, degrees in (−180, 180] (spec eq. 2).

    φ = atan2(dir·(b_x − a_x), a_y − b_y): 0 when b is straight above a, + when b is tilted
    toward the facing direction ("forward"), − when tilted backward. E.g. trunk
    φ(MH→MS) = +30 for a 30° forward lean. ``direction`` (+1/−1) broadcasts against the
    leading dims; a direction of 0 or NaN gives NaN.
    """
    a, b = _xy(a), _xy(b)
    d = np.asarray(direction, dtype=np.float64)
    d = np.where((d == 1) | (d == -1), d, np.nan)
    dx = b[..., 0] - a[..., 0]
    up = a[..., 1] - b[..., 1]
    ang = np.degrees(np.arctan2(d * dx, up))
    return np.where((dx == 0) & (up == 0), np.nan, ang)


def angle_from_horizontal(a, b, direction) -> np.ndarray:
    """Angle of a→b above the horizontal, degrees in (−180, 180].

    atan2(a_y − b_y, dir·(b_x − a_x)): 0 when b is level with a and ahead (in the facing
    direction), + when b is higher than a (y down), − when lower. E.g. heel→toe > 0 means
    the toes are up (rearfoot strike).
    """
    a, b = _xy(a), _xy(b)
    d = np.asarray(direction, dtype=np.float64)
    d = np.where((d == 1) | (d == -1), d, np.nan)
    dx = b[..., 0] - a[..., 0]
    up = a[..., 1] - b[..., 1]
    ang = np.degrees(np.arctan2(up, d * dx))
    return np.where((dx == 0) & (up == 0), np.nan, ang)


def signed_distance_to_line(p, a, b) -> np.ndarray:
    """Signed perpendicular distance (px) from ``p`` to the line through a→b.

    d = cross(b − a, p − a) / |b − a|, cross(u, v) = u_x·v_y − u_y·v_x, in image coords
    (y down). For a line pointing down the image (a above b), d > 0 when p lies to the
    image-left of it (smaller x), d < 0 to the image-right. NaN when a == b.
    """
    p, a, b = _xy(p), _xy(a), _xy(b)
    u = b - a
    w = p - a
    cross = u[..., 0] * w[..., 1] - u[..., 1] * w[..., 0]
    n = np.hypot(u[..., 0], u[..., 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, cross / np.where(n > 0, n, 1.0), np.nan)


def near_side(visibility, z=None, *, tie_tol: float = 0.02) -> Literal["left", "right"]:
    """Side nearer the camera in a side view (spec F.6).

    Argmax of the mean visibility of the leg chain (hip, knee, ankle, heel, foot_index) over all
    frames. ``visibility`` is (T, 33) or (33,). If the two means differ by less than ``tie_tol``
    and ``z`` (same shape, MediaPipe relative depth, smaller = nearer) is given, the side with the
    more negative mean z wins. Falls back to "left" when nothing decides.
    """
    vis = np.asarray(visibility, dtype=np.float64).reshape(-1, L.N_LANDMARKS)
    vis = np.where(np.isfinite(vis), vis, 0.0)
    vl = vis[:, list(L.LEG["left"])].mean() if vis.size else 0.0
    vr = vis[:, list(L.LEG["right"])].mean() if vis.size else 0.0
    if abs(vl - vr) >= tie_tol:
        return "left" if vl > vr else "right"
    if z is not None:
        zz = np.asarray(z, dtype=np.float64).reshape(-1, L.N_LANDMARKS)
        zl, zr = _nanmean(zz[:, list(L.LEG["left"])]), _nanmean(zz[:, list(L.LEG["right"])])
        if np.isfinite(zl) and np.isfinite(zr) and zl != zr:
            return "left" if zl < zr else "right"
    return "left" if vl >= vr else "right"


def facing_direction(xy, *, min_score: float = 0.03) -> int:
    """Which way the subject faces in a side view: +1 (toward +x), −1 (toward −x), 0 (unknown).

    Two cues per frame, each normalised by torso length |MS − MH| (px/px):
    head = nose_x − mid-ear_x (mid-shoulder_x when the ears are missing) and
    feet = mean over sides of foot_index_x − heel_x. Each cue is reduced by its median over
    frames (robust to a few bad frames); the score is their sum (a missing cue counts 0).
    Returns sign(score) when |score| ≥ ``min_score``, else 0 (e.g. a front view, where both
    cues are ≈ 0). ``xy`` is (T, 33, 2) or (33, 2), NaN where unknown.
    """
    p = np.asarray(xy, dtype=np.float64).reshape(-1, L.N_LANDMARKS, 2)
    ms = midpoint(p[:, L.L_SHOULDER], p[:, L.R_SHOULDER])
    mh = midpoint(p[:, L.L_HIP], p[:, L.R_HIP])
    torso = segment_length(mh, ms)
    torso = np.where(torso > 0, torso, np.nan)
    ears = _nanmean_rows(p[:, [L.L_EAR, L.R_EAR], 0])  # one ear is enough
    head_ref = np.where(np.isfinite(ears), ears, ms[:, 0])
    head = (p[:, L.NOSE, 0] - head_ref) / torso
    toes = np.stack([p[:, L.L_FOOT, 0] - p[:, L.L_HEEL, 0], p[:, L.R_FOOT, 0] - p[:, L.R_HEEL, 0]], axis=1)
    feet = _nanmean_rows(toes) / torso
    score = 0.0
    for cue in (head, feet):
        m = finite_median(cue)
        if np.isfinite(m):
            score += m
    if abs(score) < min_score:
        return 0
    return 1 if score > 0 else -1


# -- NaN helpers without "mean of empty slice" warnings -------------------------------------
def _nanmean(x) -> float:
    x = np.asarray(x, dtype=np.float64)
    ok = np.isfinite(x)
    return float(x[ok].mean()) if ok.any() else float("nan")


def finite_median(x) -> float:
    """Median of the finite values of ``x`` (any shape); NaN when there are none."""
    x = np.asarray(x, dtype=np.float64)
    ok = np.isfinite(x)
    return float(np.median(x[ok])) if ok.any() else float("nan")


def _nanmean_rows(x: np.ndarray) -> np.ndarray:
    """Row-wise mean over the last axis ignoring NaN; NaN for all-NaN rows."""
    ok = np.isfinite(x)
    n = ok.sum(axis=-1)
    s = np.where(ok, x, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / np.maximum(n, 1), np.nan)


#: Segments whose 2D / 3D length ratio gives :func:`body_scale`; the largest ratio is the least foreshortened one.
#: Long segments only: the model's world hip and shoulder widths (≈ 13 and 32 cm) shrink to a few cm when the
#: pelvis or the shoulders turn, and their ratio then explodes (a single-leg RDL seen from behind).
SCALE_SEGMENTS = (
    (L.L_HIP, L.L_KNEE),
    (L.R_HIP, L.R_KNEE),
    (L.L_KNEE, L.L_ANKLE),
    (L.R_KNEE, L.R_ANKLE),
    (L.L_SHOULDER, L.L_HIP),
    (L.R_SHOULDER, L.R_HIP),
    (L.L_SHOULDER, L.L_ELBOW),
    (L.R_SHOULDER, L.R_ELBOW),
)
#: World segment length (m) below which a segment gives no scale.
SCALE_MIN_M = 0.15


def body_scale(xy: np.ndarray, world: np.ndarray) -> np.ndarray:
    """Pixels per metre of the tracked figure, per frame: over :data:`SCALE_SEGMENTS`, the largest image length
    (px, ``xy`` (..., 33, 2)) over its world length (m, ``world`` (..., 33, 3)); NaN when there is no pose.
    Works on one frame (33, k) or a track (T, 33, k)."""
    xy, world = np.asarray(xy, float), np.asarray(world, float)
    a = np.stack([np.linalg.norm(xy[..., i, :] - xy[..., j, :], axis=-1) for i, j in SCALE_SEGMENTS], axis=-1)
    b = np.stack([np.linalg.norm(world[..., i, :] - world[..., j, :], axis=-1) for i, j in SCALE_SEGMENTS], axis=-1)
    long = b > SCALE_MIN_M
    ratio = np.where(long, a / np.where(long, b, 1.0), np.nan)
    ok = np.isfinite(ratio).any(axis=-1)
    return np.where(ok, np.nanmax(np.where(np.isfinite(ratio), ratio, -np.inf), axis=-1), np.nan)
