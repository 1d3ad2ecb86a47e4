"""Rep timelines beyond the standard "stand, rep, rest" of :func:`~analyzer.synth.motion.rep_timeline`, and clip
time versus motion time.

* :func:`eased_path`: a progress curve through (time s, value) knots, half-cosine eased between knots;
* :func:`floor_start_timeline`: a lift that opens at the bottom (bar on the floor), pulls, then does standard reps;
* :func:`failed_rep_curve`: a rep that stalls at the bottom, rises less than a third and sinks back, then is helped
  up slowly (or the clip ends at the bottom);
* :func:`retime`: a motion sampled for slowed footage (clip time = motion time / ``time_scale``).

Progress ``u`` is 0 standing … 1 at the bottom, as in :func:`~analyzer.synth.motion.rep_timeline`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .motion import Motion, ease, rep_timeline


def eased_path(t: np.ndarray, knots: list[tuple[float, float]]) -> np.ndarray:
    """(T,) value through ``knots`` [(time s, value)], eased between consecutive knots, held outside them."""
    ts = np.array([k[0] for k in knots], float)
    vs = np.array([k[1] for k in knots], float)
    out = np.full(t.shape, vs[0])
    for (t0, v0), (t1, v1) in zip(zip(ts[:-1], vs[:-1]), zip(ts[1:], vs[1:])):
        m = (t >= t0) & (t <= t1)
        out = np.where(m, v0 + (v1 - v0) * ease((t - t0) / max(t1 - t0, 1e-9)), out)
    return np.where(t > ts[-1], vs[-1], out)


def floor_start_timeline(
    t: np.ndarray,
    n_reps: int,
    setup_s: float,
    descent: float,
    pause: float,
    ascent: float,
    rest: float,
    lead_s: float = 0.0,
    lum_descent: float | None = None,
) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]], tuple[float, float]]:
    """A clip that opens at the bottom: ``setup_s`` s at the bottom, the first pull (``ascent`` s), ``rest`` s at
    lockout, then ``n_reps`` − 1 standard reps. Returns (u_hip, u_lum, reps, standing window (t0, t1) s).

    The opening rep has no descent: its onsets are None (no hinge lag is defined for it)."""
    t_top = setup_s + ascent
    open_u = np.where(t <= setup_s, 1.0, 1.0 - ease((t - setup_s) / ascent))
    open_u = np.where(t <= t_top, open_u, 0.0)
    u_hip, u_lum, reps = rep_timeline(
        t, t_top + rest, n_reps - 1, descent, pause, ascent, rest, lead_s=lead_s, lum_descent=lum_descent
    )
    first = {"start": 0.0, "bottom": setup_s / 2, "end": float(t_top), "hip_onset": None, "lumbar_onset": None}
    return np.maximum(u_hip, open_u), np.maximum(u_lum, open_u), [first] + reps, (t_top, t_top + rest)


def failed_rep_curve(
    t: np.ndarray,
    t0: float,
    descent: float,
    stuck_s: float = 1.0,
    rise: float = 0.25,
    assist_s: float | None = 2.5,
) -> tuple[np.ndarray, dict[str, float]]:
    """A failed rep starting at ``t0`` s: descent, ``stuck_s`` at the bottom, a grind up by ``rise`` (share of the
    way up, < 1/3), sinking back to the bottom, then a slow helped stand of ``assist_s`` s (None: stays at the
    bottom until the clip ends). Returns (u (T,), event times {start, bottom, stuck_end, end})."""
    tb = t0 + descent
    ts = tb + stuck_s
    knots = [(t0, 0.0), (tb, 1.0), (ts, 1.0), (ts + 0.7, 1.0 - rise), (ts + 1.0, 1.0 - rise), (ts + 1.5, 1.0)]
    end = ts + 1.5
    if assist_s is not None:
        knots += [(end + 0.3, 1.0), (end + 0.3 + assist_s, 0.0)]
        end = end + 0.3 + assist_s
    u = np.where(t >= t0, eased_path(t, knots), 0.0)
    return u, {"start": t0, "bottom": tb + stuck_s / 2, "stuck_end": ts, "end": end}


def params_dict(p: Any, optional: tuple[str, ...]) -> dict[str, Any]:
    """``asdict(p)`` without the ``optional`` fields that are at their defaults, so clips made before those knobs
    existed keep their truth files unchanged."""
    d = dataclasses.asdict(p)
    defaults = {f.name: f.default for f in dataclasses.fields(p)}
    return {k: v for k, v in d.items() if not (k in optional and v == defaults[k])}


def _scaled(x: Any, k: float) -> Any:
    if isinstance(x, bool) or x is None:
        return x
    if isinstance(x, float | int):
        return float(x) * k
    if isinstance(x, list):
        return [_scaled(v, k) for v in x]
    if isinstance(x, dict):
        return {key: _scaled(v, k) for key, v in x.items()}
    return x


def retime(motion: Motion, time_scale: float) -> Motion:
    """The motion as slowed footage shows it: times (``t`` and every event time, s) divided by ``time_scale``
    (0.5 = half speed). Sample the motion at ``fps / time_scale`` (motion time) so one sample is one clip frame."""
    if time_scale == 1.0:
        return motion
    k = 1.0 / time_scale
    events = {key: _scaled(v, k) for key, v in motion.events.items()}
    params = dict(motion.params) | {"time_scale": float(time_scale)}
    return dataclasses.replace(motion, t=motion.t * k, events=events, params=params)
