"""Reps (method spec §F.8); the standing baseline is :mod:`.baseline`.

Pixels, y down; times in seconds; frame indices index the track arrays.

- Squat/deadlift rep signal s(t) = (y_MH − y_MH,stand)/L_leg (fraction of leg length, + = hips lower).
- Hinge/RDL rep signal: hip–trunk angle of the near side (degrees; + = flexed).
- Reps = ``scipy.signal.find_peaks`` peaks (prominence 0.15 of leg length for s, 15° for the angle,
  distance 0.8·fs); each rep spans the frames around its peak where the signal is above 10 % of the
  peak (relative to the quiet level); reps with < 80 % valid frames are marked invalid. A clip may open
  at a rep's bottom (a pull from the floor, for exercises that start there) and may end in a descent
  that never comes back up (flagged, not counted).
"""

from __future__ import annotations

import numpy as np
from scipy.signal import find_peaks

from .. import exercises as X
from .. import landmarks as L
from ..geometry import finite_median, midpoint, segment_length
from ..types import Rep

S_PROMINENCE = 0.15  # fraction of leg length (spec F.8)


ANGLE_PROMINENCE = 15.0  # degrees of hip–trunk angle (engineering choice for the hinge signal)


BOUNDARY_FRAC = 0.10


MIN_VALID_FRAC = 0.80


#: A rep is complete when, after its bottom (before the next rep or the clip's end), the signal comes back to
#: within this share of its rise above the level it started from. Engineering choice.
COMPLETE_FRAC = 0.33
#: Percentile of the signal before a rep taken as the level the rep starts from.
REST_PCT = 10


KEY_POINTS = (L.L_SHOULDER, L.R_SHOULDER, L.L_HIP, L.R_HIP, L.L_KNEE, L.R_KNEE, L.L_ANKLE, L.R_ANKLE)


def mid_hip(xy: np.ndarray) -> np.ndarray:
    """(T,2) mid-hip MH in px."""
    return midpoint(xy[:, L.L_HIP], xy[:, L.R_HIP])


def mid_shoulder(xy: np.ndarray) -> np.ndarray:
    """(T,2) mid-shoulder MS in px."""
    return midpoint(xy[:, L.L_SHOULDER], xy[:, L.R_SHOULDER])


def leg_length(xy: np.ndarray, side: str | None = None) -> float:
    """Robust leg length L_leg = |H−K| + |K−A| (px): median over frames, longest side when ``side`` is None.

    Uses the 90th percentile of each segment's length, which is robust to foreshortening frames."""
    out = []
    for s in (side,) if side else ("left", "right"):
        h, k, a = L.LEG[s][:3]
        th = segment_length(xy[:, h], xy[:, k])
        sh = segment_length(xy[:, k], xy[:, a])
        v = [np.nanpercentile(x, 90) if np.isfinite(x).any() else np.nan for x in (th, sh)]
        out.append(v[0] + v[1])
    out = [o for o in out if np.isfinite(o)]
    return float(max(out)) if out else float("nan")


def thigh_length(xy: np.ndarray) -> float:
    """Robust thigh length L_thigh (px), 90th percentile over frames and sides."""
    vals = []
    for s in ("left", "right"):
        h, k = L.LEG[s][:2]
        d = segment_length(xy[:, h], xy[:, k])
        if np.isfinite(d).any():
            vals.append(np.nanpercentile(d, 90))
    return float(max(vals)) if vals else float("nan")


def frame_valid(valid: np.ndarray, points=KEY_POINTS) -> np.ndarray:
    """(T,) bool: the frame can be measured — all key landmarks known, or (side views, where the far
    limbs are often hidden) one whole leg (hip, knee, ankle) plus a shoulder and both hips known."""
    all_known = np.all(valid[:, list(points)], axis=1)
    one_leg = np.zeros(len(valid), bool)
    for side in ("left", "right"):
        one_leg |= np.all(valid[:, list(L.LEG[side][:3])], axis=1)
    trunk = (valid[:, L.L_SHOULDER] | valid[:, L.R_SHOULDER]) & valid[:, L.L_HIP] & valid[:, L.R_HIP]
    return all_known | (one_leg & trunk)


def motion_speed(xy: np.ndarray, t: np.ndarray, scale: float, *, robust: bool = False) -> np.ndarray:
    """(T,) mean (``robust``: median) speed of the key landmarks, in ``scale`` units per second
    (e.g. leg lengths/s)."""
    p = xy[:, list(KEY_POINTS)]
    v = np.gradient(p, t, axis=0) if len(t) > 1 else np.zeros_like(p)
    sp = np.hypot(v[..., 0], v[..., 1])
    if robust:
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                return np.nanmedian(sp, axis=1) / scale
    ok = np.isfinite(sp)
    n = ok.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.where(ok, sp, 0).sum(1) / np.maximum(n, 1), np.nan) / scale


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index runs where ``mask`` is True."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    d = np.diff(m.astype(np.int8))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def hip_drop_signal(xy: np.ndarray, baseline: tuple[int, int] | None = None) -> np.ndarray:
    """s(t) = (y_MH − y_MH,stand)/L_leg: + when the hips are lower than standing (spec F.8)."""
    y = mid_hip(xy)[:, 1]
    Lg = leg_length(xy)
    if baseline is not None:
        y0 = finite_median(y[baseline[0] : baseline[1]])
    else:
        y0 = float(np.nanpercentile(y, 5)) if np.isfinite(y).any() else np.nan
    return (y - y0) / Lg


def shoulder_drop_signal(xy: np.ndarray, baseline: tuple[int, int] | None = None) -> np.ndarray:
    """(y_MS − y_MS,stand)/L_leg: + when the shoulders are lower than standing (hinge seen from front/back)."""
    y = mid_shoulder(xy)[:, 1]
    if baseline is not None:
        y0 = finite_median(y[baseline[0] : baseline[1]])
    else:
        y0 = float(np.nanpercentile(y, 5)) if np.isfinite(y).any() else np.nan
    return (y - y0) / leg_length(xy)


def _interp_nan(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, float).copy()
    ok = np.isfinite(x)
    if ok.sum() < 2:
        return np.where(ok, x, 0.0)
    i = np.arange(len(x))
    x[~ok] = np.interp(i[~ok], i[ok], x[ok])
    return x


def find_reps(
    signal: np.ndarray,
    t: np.ndarray,
    fs: float,
    *,
    prominence: float,
    frame_ok: np.ndarray | None = None,
    boundary_frac: float = BOUNDARY_FRAC,
    min_valid: float = MIN_VALID_FRAC,
    from_bottom: bool = False,
) -> list[Rep]:
    """Reps from a signal that peaks at each rep's bottom (spec F.8).

    Peaks: ``find_peaks(signal, prominence, distance=0.8·fs)``. Boundaries: walking out from the
    peak to where the signal falls below ``rest + boundary_frac·(peak − rest)``, with ``rest`` the
    lower of the two prominence bases. ``frame_ok`` (T,) marks frames with valid landmarks; a rep
    with fewer than ``min_valid`` valid frames (or any unknown signal) is returned with valid=False.
    ``from_bottom``: a clip that opens at the bottom (the signal falls by ≥ ``prominence`` to its first
    low before any peak) also counts that first lift (:func:`_opening_rep`); a clip that ends at the bottom
    never adds one (the last lowering belongs to the rep before it).
    """
    s = np.asarray(signal, float)
    T = len(s)
    if T < 3 or not np.isfinite(s).any():
        return []
    sf = _interp_nan(s)
    peaks, props = find_peaks(sf, prominence=prominence, distance=max(1, int(round(0.8 * fs))))
    reps: list[Rep] = []
    prev_end = 0
    first = _opening_rep(sf, int(peaks[0]) if len(peaks) else T, prominence, boundary_frac) if from_bottom else None
    if first is not None:
        a, p, b = first
        reps.append(_rep(1, a, p, b, t, s, frame_ok, min_valid, from_bottom=True))
        prev_end = b
    for j, p in enumerate(peaks):
        # Walk out to where the signal falls below 10 % of this rep's own rise on each side, never past
        # the lowest point between this rep and its neighbours (people settle into a slightly different
        # standing height between reps, so one clip-wide rest level would merge reps).
        lo_l = max(prev_end, int(peaks[j - 1]) if j else 0)
        hi_r = int(peaks[j + 1]) if j + 1 < len(peaks) else T - 1
        a_min = lo_l + int(np.argmin(sf[lo_l : p + 1]))
        b_min = p + int(np.argmin(sf[p : hi_r + 1]))
        thr_l = sf[a_min] + boundary_frac * (sf[p] - sf[a_min])
        thr_r = sf[b_min] + boundary_frac * (sf[p] - sf[b_min])
        a = p
        while a > a_min and sf[a - 1] > thr_l:
            a -= 1
        b = p
        while b < b_min and sf[b + 1] > thr_r:
            b += 1
        rep = _rep(len(reps) + 1, a, int(p), b, t, s, frame_ok, min_valid)
        # came back up (at any moment after the bottom) to near the level it started from? That level is a low
        # percentile of the stretch before the rep, so a few stray frames there cannot call a good rep failed.
        before = float(np.percentile(sf[lo_l : p + 1], REST_PCT))
        after = float(sf[b_min])
        if after - before > COMPLETE_FRAC * (sf[p] - before):
            rep.complete = False
            rep.note = "did not come back up from the bottom: not counted"
        reps.append(rep)
        prev_end = b
    last = _closing_descent(sf, prev_end, prominence) if not from_bottom else None
    if last is not None:  # went down and never came back up before the clip ended: flagged, not counted
        a, p = last
        rep = _rep(len(reps) + 1, a, p, T - 1, t, s, frame_ok, min_valid)
        rep.complete = False
        rep.note = "did not come back up from the bottom before the clip ended: not counted"
        reps.append(rep)
    return reps


def _closing_descent(sf: np.ndarray, after: int, prominence: float) -> tuple[int, int] | None:
    """(start, bottom) of a descent after frame ``after`` that the clip ends in, or None.

    The signal must rise ≥ ``prominence`` above its low after ``after`` and still be within :data:`COMPLETE_FRAC`
    of that rise at the clip's end (a lift that comes back up was a peak of :func:`find_reps`).
    """
    if len(sf) - after < 3:
        return None
    low = after + int(np.argmin(sf[after:]))
    if len(sf) - low < 3:
        return None
    bottom = low + int(np.argmax(sf[low:]))
    rise = sf[bottom] - sf[low]
    if rise < prominence or sf[-1] - sf[low] < (1 - COMPLETE_FRAC) * rise:
        return None
    a = low + int(np.argmax(sf[low : bottom + 1] > sf[low] + BOUNDARY_FRAC * rise))
    return a, bottom


def _opening_rep(sf: np.ndarray, p0: int, prominence: float, boundary_frac: float) -> tuple[int, int, int] | None:
    """(start, bottom, end) of a lift the clip opens with, before the first peak ``p0``, or None.

    The lowest point before ``p0`` is the lockout; the highest point before it is the bottom, which must stand
    ≥ ``prominence`` above the lockout. The rep runs from frame 0 to where the signal is within ``boundary_frac``
    of the rise above the lockout.
    """
    if p0 < 3:
        return None
    lock = int(np.argmin(sf[:p0]))
    if lock < 1:
        return None
    bottom = int(np.argmax(sf[:lock]))
    if sf[bottom] - sf[lock] < prominence:
        return None
    thr = sf[lock] + boundary_frac * (sf[bottom] - sf[lock])
    b = bottom
    while b < lock and sf[b + 1] > thr:
        b += 1
    return 0, bottom, b


def _rep(
    index: int,
    a: int,
    p: int,
    b: int,
    t: np.ndarray,
    s: np.ndarray,
    frame_ok: np.ndarray | None,
    min_valid: float,
    *,
    from_bottom: bool = False,
) -> Rep:
    """A :class:`Rep` over frames [a, b] with bottom p; invalid when < ``min_valid`` of its frames are usable."""
    ok = frame_ok[a : b + 1] if frame_ok is not None else np.ones(b - a + 1, bool)
    ok = ok & np.isfinite(s[a : b + 1])
    frac = float(ok.mean()) if ok.size else 0.0
    valid = frac >= min_valid
    return Rep(
        index=index,
        start=int(a),
        bottom=int(p),
        end=int(b),
        t_start=float(t[a]),
        t_bottom=float(t[p]),
        t_end=float(t[b]),
        valid=valid,
        note=None if valid else f"only {frac:.0%} of frames have valid landmarks",
        from_bottom=from_bottom,
    )


def rep_signal(
    xy: np.ndarray, exercise: str, kin: dict[str, np.ndarray] | None, baseline: tuple[int, int] | None = None
) -> tuple[np.ndarray, float, str]:
    """(signal, prominence, name) used to count reps: the exercise's rep signal (:mod:`analyzer.exercises`).

    ``hip_trunk_angle`` needs the side-view kinematics; without them the shoulder drop stands in.
    """
    spec = X.get(exercise)
    if spec is not None and spec.rep_signal == "hip_trunk_angle":
        hta = kin.get("hip_trunk_angle_near") if kin is not None else None
        if kin is not None and spec.single_leg:  # the standing leg flexes; the free leg stays in line with the trunk
            hta = np.fmax(kin["hip_trunk_angle_left"], kin["hip_trunk_angle_right"])
        if hta is not None and np.isfinite(hta).any():
            return hta, ANGLE_PROMINENCE, "hip_trunk_angle"
        return shoulder_drop_signal(xy, baseline), S_PROMINENCE, "shoulder_height"
    return hip_drop_signal(xy, baseline), S_PROMINENCE, "hip_height"


def segment_reps(
    clean, exercise: str, kin: dict[str, np.ndarray] | None = None, baseline: tuple[int, int] | None = None
) -> list[Rep]:
    """Reps of a CleanTrack for ``exercise`` (see :func:`rep_signal`, :func:`find_reps`)."""
    sig, prom, _ = rep_signal(clean.xy, exercise, kin, baseline)
    spec = X.get(exercise)
    return find_reps(
        sig,
        clean.t,
        clean.fs,
        prominence=prom,
        frame_ok=frame_valid(clean.valid),
        from_bottom=bool(spec and spec.starts_at_bottom),
    )


def stance_side(xy: np.ndarray, frame: int) -> str:
    """The standing leg at ``frame``: the one whose ankle is lower in the image (larger y)."""
    la, ra = xy[frame, L.L_ANKLE, 1], xy[frame, L.R_ANKLE, 1]
    return "left" if not np.isfinite(ra) or (np.isfinite(la) and la >= ra) else "right"
