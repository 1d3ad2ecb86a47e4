"""Pure cleaning steps over landmark arrays (method spec §F.1–F.5): Hampel, L/R leg-swap fix, short-gap fill,
zero-lag Butterworth.

Time on axis 0; pixel coordinates, seconds, Hz. NaN means "unknown" throughout and is never silently
turned into a number except by :func:`fill_short_gaps` (reported in ``filled``).

Variable frame rate: the Butterworth filter assumes uniform sampling and uses
``fs = 1 / median(dt)`` from the real timestamps; gap lengths use the real timestamps.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.signal import butter, filtfilt

from .. import landmarks as L

_MAD_TO_SIGMA = 1.4826  # MAD → σ for Gaussian noise


_LEFT = np.array(L.LEG["left"])


_RIGHT = np.array(L.LEG["right"])


_LEGS = np.concatenate([_LEFT, _RIGHT])


_LEGS_MIRRORED = np.concatenate([_RIGHT, _LEFT])


@dataclass(frozen=True)
class Gap:
    """A run of frames where ``landmark`` stays unknown after cleaning.

    ``t0``/``t1`` are the timestamps (s) of the first and last missing frame (inclusive).
    """

    landmark: int
    t0: float
    t1: float

    @property
    def duration(self) -> float:
        return self.t1 - self.t0


# ---------------------------------------------------------------------------
# Pure steps
# ---------------------------------------------------------------------------
def sampling_rate(t: np.ndarray, default: float = float("nan")) -> float:
    """fs = 1 / median(dt) over positive finite steps of ``t`` (s) → Hz; ``default`` if undefined."""
    t = np.asarray(t, dtype=np.float64)
    dt = np.diff(t)
    dt = dt[np.isfinite(dt) & (dt > 0)]
    return float(1.0 / np.median(dt)) if dt.size else float(default)


_HAMPEL_BLOCK = 512  # frames per block in :func:`hampel` (temporaries ≈ 4 MB for 33×2 series)


def _sort_columns(cols: list[np.ndarray]) -> list[np.ndarray]:
    """Element-wise sort across a list of same-shape arrays (odd–even transposition network), NaN last.

    Returns the list of k-th smallest values; equals ``np.sort(np.stack(cols, -1), -1)`` unstacked.
    """
    c = list(cols)
    n = len(c)
    for r in range(n):
        for i in range(r % 2, n - 1, 2):
            c[i], c[i + 1] = np.fmin(c[i], c[i + 1]), np.maximum(c[i], c[i + 1])
    return c


def _sorted_median(cols: list[np.ndarray], n: np.ndarray) -> np.ndarray:
    """Median of the ``n`` finite values of sorted columns (NaN last): the middle one, or the mean of the
    two middle ones, exactly as ``np.nanmedian`` computes it; NaN where ``n`` = 0."""
    k = len(cols)
    if k % 2 == 1 and np.all(n == k):
        return cols[k // 2].copy()
    hi = n // 2
    lo = np.where(n % 2 == 1, hi, hi - 1)
    a, b = cols[0].copy(), cols[0].copy()
    for j in range(1, k):
        np.copyto(a, cols[j], where=lo == j)
        np.copyto(b, cols[j], where=hi == j)
    m = (a + b) / 2
    m[n == 0] = np.nan
    return m


def hampel(x: np.ndarray, window: int = 7, n_sigma: float = 3.0, *, return_mask: bool = False, replace: str = "median"):
    """Hampel outlier filter along axis 0, NaN-aware, each trailing element independently.

    A sample is an outlier when |x − med| > n_sigma · 1.4826 · MAD, with med/MAD the median and
    median absolute deviation of the centred ``window`` (odd, samples) ignoring NaN; decided only
    when more than half the window is finite. Outliers are replaced by ``med`` (``replace=
    "median"``) or NaN (``"nan"``). Returns the filtered copy, plus the bool outlier mask when
    ``return_mask``. Medians come from a sorting network over the window's shifted copies
    (same values as ``np.nanmedian``), in blocks of frames so memory stays flat with length.
    """
    x = np.asarray(x, dtype=np.float64)
    if window < 3 or window % 2 == 0:
        raise ValueError("window must be an odd integer ≥ 3")
    if replace not in ("median", "nan"):
        raise ValueError("replace must be 'median' or 'nan'")
    h = window // 2
    T = x.shape[0]
    out = np.zeros(x.shape, dtype=bool)
    y = x.copy()
    thr = n_sigma * _MAD_TO_SIGMA
    with np.errstate(invalid="ignore"):
        for a in range(0, T, _HAMPEL_BLOCK):
            b = min(T, a + _HAMPEL_BLOCK)
            lo, hi = max(0, a - h), min(T, b + h)  # the block with its neighbours, NaN beyond the ends
            xb = np.concatenate(
                [np.full((lo - (a - h),) + x.shape[1:], np.nan), x[lo:hi], np.full((b + h - hi,) + x.shape[1:], np.nan)]
            )
            cols = [xb[j : j + b - a] for j in range(window)]  # j-th sample of each frame's window
            n = sum(np.isfinite(c).astype(np.int64) for c in cols)
            srt = _sort_columns(cols)
            m = _sorted_median(srt, n)
            mad = _sorted_median(_sort_columns([np.abs(c - m) for c in srt]), n)
            o = (n > h) & np.isfinite(x[a:b]) & (np.abs(x[a:b] - m) > thr * mad)
            y[a:b][o] = m[o] if replace == "median" else np.nan
            out[a:b] = o
    return (y, out) if return_mask else y


_MIRROR = np.r_[np.arange(5, 10), np.arange(0, 5)]  # leg landmark j ↔ the same landmark of the other leg


def _ordered_sum(v: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Row sums of ``v`` (F, ≤ 10) over ``ok`` entries, added in the order ``v[ok].sum()`` adds them
    (numpy's pairwise summation: one by one below 8 terms, else 8 partial sums), so bit-identical."""
    order = np.argsort(~ok, axis=1, kind="stable")
    c = np.take_along_axis(np.where(ok, v, 0.0), order, axis=1)
    c = np.concatenate([c, np.zeros((len(c), max(0, 10 - c.shape[1])))], axis=1)
    seq = c[:, 0] + 0.0
    for k in range(1, 8):
        seq = seq + c[:, k]
    pw = ((c[:, 0] + c[:, 1]) + (c[:, 2] + c[:, 3])) + ((c[:, 4] + c[:, 5]) + (c[:, 6] + c[:, 7]))
    for k in range(8, c.shape[1]):
        pw = pw + c[:, k]
    return np.where(ok.sum(axis=1) >= 8, pw, seq)


def _swap_states(
    C: np.ndarray, t: np.ndarray, ref0: np.ndarray, reft0: np.ndarray, vel0: np.ndarray, max_dt: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference state of :func:`fix_leg_swaps` before each frame of ``C`` and after the last.

    ``C`` (W, n, 2) corrected leg positions px, ``t`` (W,) s, initial state ``ref0`` (n, 2) px,
    ``reft0`` (n,) s, ``vel0`` (n, 2) px/s. Returns ref (W+1, n, 2), ref_t (W+1, n), vel (W+1, n, 2):
    each landmark's last known position, its time, and the velocity computed when it was last known.
    """
    W, n = C.shape[:2]
    known = np.isfinite(C).all(axis=-1)
    last = np.maximum.accumulate(np.where(known, np.arange(W)[:, None], -1), axis=0)
    P = np.concatenate([np.full((1, n), -1), last])  # last known frame before each frame (−1: none here)
    has, Pc, j = P >= 0, np.maximum(P, 0), np.arange(n)
    ref = np.where(has[..., None], C[Pc, j], ref0)
    reft = np.where(has, t[Pc], reft0)
    dt = t[:, None] - reft[:W]
    recent = known & np.isfinite(ref[:W]).all(axis=-1) & (dt > 0) & (dt <= max_dt)
    v = np.where(recent[..., None], (C - ref[:W]) / np.where(recent, dt, 1.0)[..., None], 0.0)
    vel = np.where(has[..., None], v[Pc, j], vel0)
    return ref, reft, vel


def _swap_decisions(
    cur: np.ndarray,
    t: np.ndarray,
    ref: np.ndarray,
    reft: np.ndarray,
    vel: np.ndarray,
    *,
    eps: float,
    ratio: float,
    min_points: int,
    predict: bool,
    max_dt: float,
) -> np.ndarray:
    """(W,) bool: frame's raw leg points ``cur`` (W, 10, 2) fit the mirrored prediction better (see
    :func:`fix_leg_swaps`), given the reference state before each frame (from :func:`_swap_states`)."""
    if predict:
        age = np.clip(t[:, None] - reft, 0.0, max_dt)
        pred = ref + vel * np.where(np.isfinite(age), age, 0.0)[..., None]
    else:
        pred = ref
    fin = np.isfinite(pred).all(axis=-1)
    ok = np.isfinite(cur).all(axis=-1) & fin & fin[:, _MIRROR]
    cnt = ok.sum(axis=1)
    dk, ds = cur - pred, cur - pred[:, _MIRROR]
    c_keep = _ordered_sum(np.hypot(dk[..., 0], dk[..., 1]), ok) + eps * cnt
    c_swap = _ordered_sum(np.hypot(ds[..., 0], ds[..., 1]), ok) + eps * cnt
    return (cnt >= min_points) & (c_swap < ratio * c_keep)


def fix_leg_swaps(
    xy: np.ndarray,
    t: np.ndarray | None = None,
    *,
    ratio: float = 0.5,
    min_points: int = 2,
    predict: bool = True,
    max_dt: float = 0.2,
    jitter_frac: float = 0.02,
) -> tuple[np.ndarray, np.ndarray]:
    """Undo left/right leg-label swaps (spec F.3). ``xy`` is (T, 33, 2) px, NaN where unknown.

    Frame by frame, the 10 leg landmarks (hip, knee, ankle, heel, foot_index × 2) are compared with
    a reference built from each landmark's last known *corrected* position (so a persistent swap
    stays corrected and NaN frames are bridged). C_keep sums |p_j − ref_j|, C_swap sums
    |p_j − ref_mirror(j)| over the landmarks known in the frame and in both references (≥ ``min_points``);
    the chains are exchanged when C_swap < ratio · C_keep.

    With ``predict`` the reference is extrapolated at constant velocity (velocity from the last two
    known positions, ignored when they are more than ``max_dt`` s apart; extrapolation capped at
    ``max_dt``). Plain "displacement from the previous frame" cannot tell which leg is which right
    after the legs cross (both hypotheses cost the same); the prediction can. ``t`` (s) defaults to
    frame indices / 30. Both costs get a floor of ``jitter_frac`` × median thigh length per landmark, so
    where the legs overlap and barely move the few-pixel jitter cannot flip them.
    Returns (corrected copy, (T,) bool swapped).

    Computed window by window: the decisions of a whole window follow from a guess of which frames are
    swapped; at the first frame where a decision contradicts the guess, the guess is flipped from that
    frame on (label swaps persist) and the window restarts there. The result is the frame-by-frame one.
    """
    xy = np.array(xy, dtype=np.float64, copy=True)
    T = xy.shape[0]
    t = np.arange(T) / 30.0 if t is None else np.asarray(t, dtype=np.float64)
    # Landmark jitter puts a floor under both costs: where the legs overlap and stand still (a side-view
    # RDL) "keep" and "swap" are both a few px and noise alone must not flip them. Scale: median thigh.
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        thigh = np.nanmedian(np.hypot(*(xy[:, _LEGS[0]] - xy[:, _LEGS[1]]).T))
    eps = jitter_frac * thigh if np.isfinite(thigh) else 0.0
    raw, mirrored = xy[:, _LEGS], xy[:, _LEGS_MIRRORED]
    n = len(_LEGS)
    swapped = np.zeros(T, dtype=bool)  # the guess; decided for frames < lo
    ref, reft, vel = np.full((n, 2), np.nan), np.full(n, np.nan), np.zeros((n, 2))
    lo, W = 0, 64
    with np.errstate(invalid="ignore", divide="ignore"):
        while lo < T:
            hi = min(T, lo + W)
            C = np.where(swapped[lo:hi, None, None], mirrored[lo:hi], raw[lo:hi])
            R, Rt, V = _swap_states(C, t[lo:hi], ref, reft, vel, max_dt)
            dec = _swap_decisions(
                raw[lo:hi],
                t[lo:hi],
                R[:-1],
                Rt[:-1],
                V[:-1],
                eps=eps,
                ratio=ratio,
                min_points=min_points,
                predict=predict,
                max_dt=max_dt,
            )
            wrong = np.flatnonzero(dec != swapped[lo:hi])
            if wrong.size:
                k = int(wrong[0])
                swapped[lo + k :] ^= True
                ref, reft, vel = R[k], Rt[k], V[k]
                lo, W = lo + k, 32
            else:
                ref, reft, vel = R[-1], Rt[-1], V[-1]
                lo, W = hi, min(2 * W, 1024)
    rows = np.flatnonzero(swapped)
    xy[np.ix_(rows, _LEGS)] = xy[np.ix_(rows, _LEGS_MIRRORED)]
    return xy, swapped


def swap_leg_columns(a: np.ndarray, swapped: np.ndarray) -> np.ndarray:
    """Copy of a (T, 33, ...) array with the leg chains exchanged on frames where ``swapped``."""
    a = np.array(a, copy=True)
    rows = np.flatnonzero(np.asarray(swapped, dtype=bool))
    if rows.size:
        a[np.ix_(rows, _LEGS)] = a[np.ix_(rows, _LEGS_MIRRORED)]
    return a


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index pairs of the True runs of a 1-D bool array."""
    d = np.diff(np.r_[0, mask.astype(np.int8), 0])
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))


def fill_short_gaps(t: np.ndarray, x: np.ndarray, max_gap_s: float = 0.2) -> tuple[np.ndarray, np.ndarray, list[Gap]]:
    """Cubic interpolation of short interior NaN gaps (spec F.4).

    ``x`` is (T,), (T, K) or (T, K, D) over times ``t`` (s); point k is missing in a frame when any
    of its D coordinates is NaN. An interior gap is filled when its length — time between the
    bracketing known samples minus one median frame step (= n_missing · dt at constant rate) —
    is ≤ ``max_gap_s``; the fill is a CubicSpline through all known samples of that point (linear
    with fewer than 4 or non-increasing ``t``). Returns (filled copy, bool mask (T,) / (T, K) of
    filled samples, list of :class:`Gap` for every run still unknown — longer interior gaps and
    leading/trailing runs, which cannot be interpolated — where the whole point is set to NaN).
    ``Gap.landmark`` is k (0 for 1-D x).
    """
    t = np.asarray(t, dtype=np.float64)
    x = np.array(x, dtype=np.float64, copy=True)
    shape = x.shape
    x3 = x.reshape(shape[0], 1, 1) if x.ndim == 1 else (x[..., None] if x.ndim == 2 else x)
    T, K = x3.shape[:2]
    filled = np.zeros((T, K), dtype=bool)
    gaps: list[Gap] = []
    dts = np.diff(t)
    dt_med = float(np.median(dts)) if T > 1 else 0.0
    monotonic = bool(np.all(dts > 0)) if T > 1 else True
    for k in range(K):
        bad = ~np.isfinite(x3[:, k]).all(axis=1)
        if not bad.any():
            continue
        fill = np.zeros(T, dtype=bool)
        for s, e in _runs(bad):
            if s > 0 and e < T and (t[e] - t[s - 1] - dt_med) <= max_gap_s + 1e-9:
                fill[s:e] = True
            else:
                x3[s:e, k] = np.nan  # a point with any coordinate unknown is unknown
                gaps.append(Gap(int(k), float(t[s]), float(t[e - 1])))
        if fill.any():
            good = ~bad
            if monotonic and good.sum() >= 4:
                x3[fill, k] = CubicSpline(t[good], x3[good, k], axis=0)(t[fill])
            else:
                x3[fill, k] = np.stack([np.interp(t[fill], t[good], x3[good, k, d]) for d in range(x3.shape[2])], -1)
            filled[fill, k] = True
    out = x3.reshape(shape)
    return out, (filled[:, 0] if x.ndim == 1 else filled), gaps


_BUTTER_COLS = 8  # columns per filtfilt call in :func:`butter_lowpass`


def butter_lowpass(x: np.ndarray, fs: float, cutoff_hz: float = 6.0, *, order: int = 2) -> np.ndarray:
    """Zero-lag low-pass along axis 0: Butterworth ``butter(order)`` applied with ``filtfilt``.

    Forward-backward doubles the order (2 → 4th-order effective response, −6 dB at ``cutoff_hz``).
    NaN-aware: each contiguous finite run of each trailing element is filtered separately; runs no
    longer than filtfilt's padding (3·(order+1) samples) are returned unchanged, as is everything
    when ``cutoff_hz`` ≥ fs/2 or fs is unknown. ``fs`` in Hz (use :func:`sampling_rate`).
    """
    x = np.asarray(x, dtype=np.float64)
    y = x.copy()
    if x.shape[0] == 0 or not (np.isfinite(fs) and fs > 0) or cutoff_hz >= 0.5 * fs or cutoff_hz <= 0:
        return y
    b, a = butter(order, cutoff_hz / (0.5 * fs), btype="low")
    padlen = 3 * max(len(a), len(b))
    flat = y.reshape(x.shape[0], -1)
    finite = np.isfinite(flat)
    # One filtfilt call per distinct run (and ≤ _BUTTER_COLS columns): columns are filtered independently,
    # so the result is the same as one by one.
    runs: dict[tuple[int, int], list[int]] = {}
    for c in range(flat.shape[1]):
        for s, e in _runs(finite[:, c]):
            if e - s > padlen:
                runs.setdefault((int(s), int(e)), []).append(c)
    for (s, e), cols in runs.items():
        for k in range(0, len(cols), _BUTTER_COLS):  # a few columns per call: temporaries stay small
            part = cols[k : k + _BUTTER_COLS]
            flat[s:e, part] = filtfilt(b, a, flat[s:e, part], axis=0)
    return y
