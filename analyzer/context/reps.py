"""Reps and the standing baseline (method spec §F.8).

Pixels, y down; times in seconds; frame indices index the track arrays.

- Squat/deadlift rep signal s(t) = (y_MH − y_MH,stand)/L_leg (fraction of leg length, + = hips lower).
- Hinge/RDL rep signal: hip–trunk angle of the near side (degrees; + = flexed).
- Reps = ``scipy.signal.find_peaks`` peaks (prominence 0.15 of leg length for s, 15° for the angle,
  distance 0.8·fs); each rep spans the frames around its peak where the signal is above 10 % of the
  peak (relative to the quiet level); reps with < 80 % valid frames are marked invalid.
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


def standing_baseline(
    xy: np.ndarray,
    t: np.ndarray,
    fs: float,
    *,
    before: int | None = None,
    min_s: float = 1.0,
    quiet: float = 0.15,
    tall_tol: float = 0.05,
) -> tuple[int, int] | None:
    """Quiet-standing window [i0, i1) of ≥ ``min_s`` s, or None.

    A frame is "quiet standing" when the key landmarks move < ``quiet`` leg lengths/s and the hips
    are within ``tall_tol`` leg lengths of their highest (5th percentile y) level. The first such
    window that ends before frame ``before`` (e.g. the first rep's start) wins; otherwise the
    window with the lowest mean speed anywhere. The window is the longest quiet run, capped at 2 s.
    """
    T = len(t)
    if T == 0:
        return None
    Lg = leg_length(xy)
    if not np.isfinite(Lg) or Lg <= 0:
        return None
    y = mid_hip(xy)[:, 1]
    if not np.isfinite(y).any():
        return None
    tall = np.nanpercentile(y, 5)
    # Median over the key points and over ~⅓ s: one flickering far-side landmark must not break a window.
    sp = _running_median(motion_speed(xy, t, Lg, robust=True), max(1, int(round(fs / 3))))
    ok = (sp < quiet) & (np.abs(y - tall) < tall_tol * Lg) & np.isfinite(y)
    n_min = max(3, int(round(min_s * fs)))
    runs = _runs(ok)
    runs = [(a, b) for a, b in runs if b - a >= n_min]
    if not runs:
        return None
    cap = max(n_min, int(round(2.0 * fs)))
    if before is not None:
        pre = [(a, min(b, before)) for a, b in runs if min(b, before) - a >= n_min]
        if pre:
            a, b = pre[0]
            return (max(a, b - cap), b)
    best = min(runs, key=lambda r: float(np.nanmean(sp[r[0] : r[1]])))
    a, b = best
    return (a, min(b, a + cap))


def _running_median(x: np.ndarray, k: int) -> np.ndarray:
    """Centred running median over ``k`` samples (NaN-aware; odd window)."""
    if k <= 1 or len(x) == 0:
        return x
    from numpy.lib.stride_tricks import sliding_window_view

    k = k | 1
    pad = np.pad(np.asarray(x, float), k // 2, mode="edge")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(sliding_window_view(pad, k), axis=1)


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
) -> list[Rep]:
    """Reps from a signal that peaks at each rep's bottom (spec F.8).

    Peaks: ``find_peaks(signal, prominence, distance=0.8·fs)``. Boundaries: walking out from the
    peak to where the signal falls below ``rest + boundary_frac·(peak − rest)``, with ``rest`` the
    lower of the two prominence bases. ``frame_ok`` (T,) marks frames with valid landmarks; a rep
    with fewer than ``min_valid`` valid frames (or any unknown signal) is returned with valid=False.
    """
    s = np.asarray(signal, float)
    T = len(s)
    if T < 3 or not np.isfinite(s).any():
        return []
    sf = _interp_nan(s)
    peaks, props = find_peaks(sf, prominence=prominence, distance=max(1, int(round(0.8 * fs))))
    reps: list[Rep] = []
    prev_end = 0
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
        ok = frame_ok[a : b + 1] if frame_ok is not None else np.ones(b - a + 1, bool)
        ok = ok & np.isfinite(s[a : b + 1])
        frac = float(ok.mean()) if ok.size else 0.0
        valid = frac >= min_valid
        reps.append(
            Rep(
                index=len(reps) + 1,
                start=int(a),
                bottom=int(p),
                end=int(b),
                t_start=float(t[a]),
                t_bottom=float(t[p]),
                t_end=float(t[b]),
                valid=valid,
                note=None if valid else f"only {frac:.0%} of frames have valid landmarks",
            )
        )
        prev_end = b
    return reps


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
    return find_reps(sig, clean.t, clean.fs, prominence=prom, frame_ok=frame_valid(clean.valid))


def stance_side(xy: np.ndarray, frame: int) -> str:
    """The standing leg at ``frame``: the one whose ankle is lower in the image (larger y)."""
    la, ra = xy[frame, L.L_ANKLE, 1], xy[frame, L.R_ANKLE, 1]
    return "left" if not np.isfinite(ra) or (np.isfinite(la) and la >= ra) else "right"
