"""Running gait events: initial contacts and toe-offs (side view, spec §E.20), midstance (front/back), cadence
and stride frequency."""

from __future__ import annotations

import numpy as np
from scipy.signal import find_peaks

from .. import landmarks as L
from ..types import GaitEvent
from .reps import _interp_nan, leg_length, mid_hip


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------
def gait_events_side(
    xy: np.ndarray, t: np.ndarray, fs: float, direction: int, *, min_step_s: float = 0.25, prominence: float = 0.1
) -> list[GaitEvent]:
    """Initial contacts and toe-offs per foot in a side view (spec eq. 20, Zeni).

    IC = local max of dir·(HL_x − MH_x); toe-off = local min of dir·(FI_x − MH_x); both in leg
    lengths, peaks at least 2·``min_step_s`` apart per foot and ``prominence`` leg lengths high.
    """
    if direction not in (1, -1):
        return []
    Lg = leg_length(xy)
    mh = mid_hip(xy)[:, 0]
    ev: list[GaitEvent] = []
    dist = max(1, int(round(2 * min_step_s * fs)))
    for side in ("left", "right"):
        _, _, _, hl, fi = L.LEG[side]
        heel = direction * (xy[:, hl, 0] - mh) / Lg
        toe = direction * (xy[:, fi, 0] - mh) / Lg
        if np.isfinite(heel).sum() > 3:
            hs = _interp_nan(heel)
            pk, _ = find_peaks(hs, prominence=prominence, distance=dist)
            ev += [GaitEvent(side, "ic", int(i), float(t[i])) for i in pk if np.isfinite(heel[i])]
        if np.isfinite(toe).sum() > 3:
            ts = _interp_nan(toe)
            pk, _ = find_peaks(-ts, prominence=prominence, distance=dist)
            ev += [GaitEvent(side, "to", int(i), float(t[i])) for i in pk if np.isfinite(toe[i])]
    ev.sort(key=lambda e: e.frame)
    return ev


def midstance_frontal(
    xy: np.ndarray, t: np.ndarray, fs: float, *, min_step_s: float = 0.25, prominence: float = 0.03
) -> list[tuple[str, int]]:
    """Front/back-view fallback: approximate midstance frames per foot as (foot, frame).

    The stance foot is the lower one in the image; its midstance is taken where the swing foot is
    highest above it: peaks of (y_A,stance − y_A,swing)/L_leg. Lower temporal precision than side-view ICs.
    """
    Lg = leg_length(xy)
    d = (xy[:, L.L_ANKLE, 1] - xy[:, L.R_ANKLE, 1]) / Lg  # + = left ankle lower (left stance)
    if np.isfinite(d).sum() < 4:
        return []
    ds = _interp_nan(d)
    dist = max(1, int(round(2 * min_step_s * fs)))
    out = [("left", int(i)) for i in find_peaks(ds, prominence=prominence, distance=dist)[0]]
    out += [("right", int(i)) for i in find_peaks(-ds, prominence=prominence, distance=dist)[0]]
    out.sort(key=lambda e: e[1])
    return out


def cadence_from_times(times: list[float] | np.ndarray) -> float | None:
    """Steps per minute: 60·(N−1)/(t_last − t_first) over step events of both feet (spec eq. 21)."""
    ts = np.sort(np.asarray(times, float))
    if ts.size < 3 or ts[-1] <= ts[0]:
        return None
    return float(60.0 * (ts.size - 1) / (ts[-1] - ts[0]))


def stride_frequency_psd(x: np.ndarray, fs: float, fmin: float = 0.5, fmax: float = 2.5) -> float | None:
    """Dominant frequency (Hz) of a per-foot periodic signal in [fmin, fmax] (Welch PSD): stride frequency."""
    from scipy.signal import welch

    x = np.asarray(x, float)
    if np.isfinite(x).sum() < max(16, int(2 * fs)):
        return None
    xs = _interp_nan(x)
    xs = xs - xs.mean()
    f, p = welch(xs, fs=fs, nperseg=min(len(xs), int(8 * fs)), nfft=max(4096, len(xs)))
    band = (f >= fmin) & (f <= fmax)
    if not band.any() or p[band].max() <= 0:
        return None
    return float(f[band][np.argmax(p[band])])
