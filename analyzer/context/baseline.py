"""The reference posture: a quiet standing second before the first rep or, when none exists, the steadiest
moment at full height (the lockout of a pull from the floor).

Pixels, y down; times in seconds; windows are [i0, i1) frame ranges.
"""

from __future__ import annotations

import numpy as np

from .reps import _runs, leg_length, mid_hip, motion_speed


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


def lockout_baseline(
    xy: np.ndarray, t: np.ndarray, fs: float, *, min_s: float = 0.25, max_s: float = 1.0, tall_tol: float = 0.05
) -> tuple[int, int] | None:
    """The steadiest stretch at full height, [i0, i1) of ``min_s``–``max_s`` s, when no standing second exists.

    For clips that open at the bottom (a pull from the floor): the lockout stands in for standing. Frames count
    when the hips are within ``tall_tol`` leg lengths of their highest level and move < 0.3 leg lengths/s.
    """
    Lg = leg_length(xy)
    y = mid_hip(xy)[:, 1]
    if len(t) == 0 or not np.isfinite(Lg) or not np.isfinite(y).any():
        return None
    sp = _running_median(motion_speed(xy, t, Lg, robust=True), max(1, int(round(fs / 6))))
    ok = (np.abs(y - np.nanpercentile(y, 5)) < tall_tol * Lg) & (sp < 0.3)
    runs = [(a, b) for a, b in _runs(ok) if b - a >= max(3, int(round(min_s * fs)))]
    if not runs:
        return None
    a, b = max(runs, key=lambda r: r[1] - r[0])
    return (a, min(b, a + max(3, int(round(max_s * fs)))))


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
