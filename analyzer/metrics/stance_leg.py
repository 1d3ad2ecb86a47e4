"""Single-leg exercises seen from the front or back: knee-in of the standing leg and pelvic drop on the free side.

At each rep's bottom the standing leg is the one whose ankle is lower in the image (the free foot swings up
and back). Knee-in is the FPPA of that leg (:func:`analyzer.metrics.valgus.fppa_series`, + = knee inside the
hip–ankle line), read where :func:`~analyzer.metrics.valgus.fppa_frames` reads it. Pelvic drop is the angle of
the hip line from horizontal, + when the free-leg hip is lower than the standing hip, as a change from the
standing baseline when there is one (degrees, image plane).
"""

from __future__ import annotations

import numpy as np

from .. import landmarks as L
from ..context.reps import stance_side
from ..geometry import finite_median
from ..types import Context, MetricSet
from . import common as C
from .valgus import fppa_frames, fppa_series

#: Whether the module reads the side-view kinematics (direction and near side known); without them its metrics
#: are not measurable.
NEEDS_SIDE_KINEMATICS = False


def pelvic_drop(xy: np.ndarray, stance: str) -> np.ndarray:
    """(T,) angle (deg) of the hip line from horizontal, + when the free-leg hip is lower than the stance hip."""
    s_hip, f_hip = (L.L_HIP, L.R_HIP) if stance == "left" else (L.R_HIP, L.L_HIP)
    d = xy[:, f_hip] - xy[:, s_hip]
    return np.degrees(np.arctan2(d[:, 1], np.abs(d[:, 0]) + 1e-9))


def compute(clean, ctx: Context, kin: dict | None = None) -> MetricSet:
    """``stance_knee_in`` and ``stance_pelvic_drop`` per rep (front/back view)."""
    ms = MetricSet()
    xy, t = clean.xy, clean.t
    reps = C.valid_reps(ctx)
    bsl = C.baseline_slice(ctx)
    sides = [stance_side(xy, r.bottom) for r in reps]
    knee_in, k_frames, drops = [], [], []
    for r, side in zip(reps, sides):
        f, _ = fppa_series(xy, side)
        at = fppa_frames(xy, [r], side, bsl)[0]
        knee_in.append(f[at])
        k_frames.append(at)
        pd = pelvic_drop(xy, side)
        base = finite_median(pd[bsl]) if bsl is not None else 0.0
        drops.append(pd[r.bottom] - (base if np.isfinite(base) else 0.0))
    legs = {"stance_legs": sides}
    conf_k = C.landmark_confidence(clean, k_frames, (L.L_HIP, L.R_HIP, L.L_KNEE, L.R_KNEE, L.L_ANKLE, L.R_ANKLE))
    bottoms = [r.bottom for r in reps]
    conf_p = C.landmark_confidence(clean, bottoms, (L.L_HIP, L.R_HIP))
    ms.add(
        C.make(
            "stance_knee_in",
            knee_in,
            k_frames,
            t,
            confidence=conf_k * ctx.view_confidence * 0.8,
            extra={**legs, "caveat": "knee-in composite (hip adduction/rotation), not knee abduction"},
        )
    )
    ms.add(
        C.make(
            "stance_pelvic_drop",
            drops,
            bottoms,
            t,
            confidence=conf_p * ctx.view_confidence,
            relative_to_baseline=bsl is not None,
            extra=dict(legs),
        )
    )
    return ms
