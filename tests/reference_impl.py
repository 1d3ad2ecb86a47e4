"""Slow reference implementations (the straightforward frame-by-frame versions) of functions that were
rewritten as array code for speed. Tests check the fast versions give the same results on real and
random data. Not used by the analyzer."""

from __future__ import annotations

import csv
import io
import warnings

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import butter, filtfilt

from analyzer import landmarks as L
from analyzer.clean.filters import _runs
from analyzer.context import reps as S
from analyzer.metrics.back_outline import back_contour
from analyzer.metrics.hinge import SUSTAIN_S

_LEGS = np.concatenate([np.array(L.LEG["left"]), np.array(L.LEG["right"])])
_LEGS_MIRRORED = np.concatenate([np.array(L.LEG["right"]), np.array(L.LEG["left"])])


def hampel_ref(x, window=7, n_sigma=3.0, *, return_mask=False, replace="median"):
    """Hampel filter with ``np.nanmedian`` over a sliding window view (one pass)."""
    x = np.asarray(x, dtype=np.float64)
    h = window // 2
    pad = np.full((h,) + x.shape[1:], np.nan)
    win = sliding_window_view(np.concatenate([pad, x, pad]), window, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        m = np.nanmedian(win, axis=-1)
        mad = np.nanmedian(np.abs(win - m[..., None]), axis=-1)
    enough = np.isfinite(win).sum(axis=-1) > h
    with np.errstate(invalid="ignore"):
        out = enough & np.isfinite(x) & (np.abs(x - m) > n_sigma * 1.4826 * mad)
    y = x.copy()
    y[out] = m[out] if replace == "median" else np.nan
    return (y, out) if return_mask else y


def fix_leg_swaps_ref(xy, t=None, *, ratio=0.5, min_points=2, predict=True, max_dt=0.2, jitter_frac=0.02):
    """Leg-swap fix, one frame at a time (see :func:`analyzer.clean.filters.fix_leg_swaps`)."""
    xy = np.array(xy, dtype=np.float64, copy=True)
    T = xy.shape[0]
    t = np.arange(T) / 30.0 if t is None else np.asarray(t, dtype=np.float64)
    swapped = np.zeros(T, dtype=bool)
    n = len(_LEGS)
    ref = np.full((n, 2), np.nan)
    ref_t = np.full(n, np.nan)
    vel = np.zeros((n, 2))
    mirror = np.r_[np.arange(5, 10), np.arange(0, 5)]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        thigh = np.nanmedian(np.hypot(*(xy[:, _LEGS[0]] - xy[:, _LEGS[1]]).T))
    eps = jitter_frac * thigh if np.isfinite(thigh) else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        for i in range(T):
            cur = xy[i, _LEGS]
            age = np.clip(t[i] - ref_t, 0.0, max_dt)
            pred = ref + vel * np.where(np.isfinite(age), age, 0.0)[:, None] if predict else ref
            ok = np.isfinite(cur).all(1) & np.isfinite(pred).all(1) & np.isfinite(pred[mirror]).all(1)
            do_swap = False
            if ok.sum() >= min_points:
                c_keep = np.hypot(*(cur[ok] - pred[ok]).T).sum() + eps * ok.sum()
                c_swap = np.hypot(*(cur[ok] - pred[mirror][ok]).T).sum() + eps * ok.sum()
                do_swap = c_swap < ratio * c_keep
            if do_swap:
                xy[i, _LEGS] = xy[i, _LEGS_MIRRORED]
                swapped[i] = True
                cur = xy[i, _LEGS]
            known = np.isfinite(cur).all(1)
            dt = t[i] - ref_t
            recent = known & np.isfinite(ref).all(1) & (dt > 0) & (dt <= max_dt)
            vel[recent] = (cur[recent] - ref[recent]) / dt[recent, None]
            vel[known & ~recent] = 0.0
            ref[known], ref_t[known] = cur[known], t[i]
    return xy, swapped


def butter_lowpass_ref(x, fs, cutoff_hz=6.0, *, order=2):
    """NaN-aware zero-lag Butterworth, one finite run of one column at a time."""
    x = np.asarray(x, dtype=np.float64)
    y = x.copy()
    if x.shape[0] == 0 or not (np.isfinite(fs) and fs > 0) or cutoff_hz >= 0.5 * fs or cutoff_hz <= 0:
        return y
    b, a = butter(order, cutoff_hz / (0.5 * fs), btype="low")
    padlen = 3 * max(len(a), len(b))
    flat = y.reshape(x.shape[0], -1)
    finite = np.isfinite(flat)
    for c in range(flat.shape[1]):
        for s, e in _runs(finite[:, c]):
            if e - s > padlen:
                flat[s:e, c] = filtfilt(b, a, flat[s:e, c])
    return y


def onset_ref(x, base, lo, hi, floor, fs, frac=0.0):
    """Spec eq. 11 onset by scanning frame by frame (``frac``: share of the excursion in [lo, hi] also needed)."""
    b = x[base]
    b = b[np.isfinite(b)]
    if b.size < 2 or hi <= lo:
        return None
    seg = x[lo : hi + 1]
    exc = float(np.nanmax(seg)) - float(np.mean(b)) if np.isfinite(seg).any() else 0.0
    thr = max(3.0 * float(np.std(b)), floor, frac * exc)
    above = (x - float(np.mean(b))) > thr
    n = max(1, int(np.ceil(SUSTAIN_S * fs)))
    for i in range(lo, max(lo, hi - n + 2)):
        if above[i : i + n].all() and i + n <= len(x):
            return i
    return None


def contour_series_ref(clean, direction):
    """(LCP, σ) of :func:`back_contour` on every frame with a mask, one frame at a time."""
    T = len(clean.t)
    lcp, sig = np.full(T, np.nan), np.full(T, np.nan)
    ms = clean.masks
    if ms is None or direction not in (1, -1):
        return lcp, sig
    scale = (ms.shape[1] / clean.width, ms.shape[0] / clean.height)
    MH, MS = S.mid_hip(clean.xy), S.mid_shoulder(clean.xy)
    for i in range(min(T, len(ms.valid))):
        m = ms.get(i)
        if m is not None:
            lcp[i], sig[i], _ = back_contour(m, scale, MH[i], MS[i], direction)
    return lcp, sig


def kinematics_csv_ref(result) -> str:
    """The kinematics CSV written row by row with the csv module."""
    from analyzer.kinematics import COLUMNS

    track = result.track
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["time_s", "frame", "detected", *COLUMNS])
    det = track.detected
    cols = [result.kinematics[c] for c in COLUMNS]
    for i in range(len(track)):
        w.writerow(
            [f"{track.t[i]:.4f}", i, int(det[i]), *("" if not np.isfinite(c[i]) else f"{c[i]:.2f}" for c in cols)]
        )
    return buf.getvalue()
