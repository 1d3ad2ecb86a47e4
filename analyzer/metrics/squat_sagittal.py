"""Squat/deadlift metrics of a side view, near side (method spec §D, eqs. 14–18): knee and hip flexion, shank
and trunk–shank angles, depth, knee travel, heel lift and the bar-path proxy, per rep.
"""

from __future__ import annotations

import numpy as np

from .. import landmarks as L
from ..geometry import finite_median, midpoint, segment_length
from ..types import Context, MetricSet
from . import common as C
from .registry import computed_by

SAGITTAL_IDS = computed_by("squat_sagittal")


#: Heel rise (shank lengths) that counts as a lift, held ≥ 100 ms. The spec's heuristic is 0.03; MediaPipe's
#: heel landmark rises by up to 0.05 shank lengths in a flat-footed squat as the shin tilts (measured on
#: the synthetic squat_good_side clip), and a true 4.8 cm lift reads ≈ 0.10, so 0.06 is used.
HEEL_LIFT_THR, HEEL_LIFT_S = 0.06, 0.10


def _rep_extreme(x: np.ndarray, reps, fn=np.nanmax) -> tuple[list[float | None], list[int]]:
    """Per rep, the largest (``fn=np.nanmax``) or smallest value of ``x`` between its start and end, and its frame."""
    vals: list[float | None] = []
    frames: list[int] = []
    for r in reps:
        seg = x[r.start : r.end + 1]
        if not np.isfinite(seg).any():
            vals.append(None)
            frames.append(r.bottom)
            continue
        j = int(np.nanargmax(seg) if fn is np.nanmax else np.nanargmin(seg))
        vals.append(float(seg[j]))
        frames.append(r.start + j)
    return vals, frames


#: Whether the module reads the side-view kinematics (direction and near side known); without them its metrics
#: are not measurable.
NEEDS_SIDE_KINEMATICS = True


def compute(clean, ctx: Context, kin: dict) -> MetricSet:
    """Knee and hip flexion, shank and trunk–shank angles, depth, knee travel, heel lift and bar path per rep
    (side view, near side)."""
    ms = MetricSet()
    xy, t, d = clean.xy, clean.t, ctx.direction
    near = ctx.near_side or "left"
    reps = C.valid_reps(ctx)
    hip, knee, ankle, heel, foot = L.LEG[near]

    def conf(fr, idx=(hip, knee, ankle)):
        return C.landmark_confidence(clean, fr, idx)

    v, f = _rep_extreme(kin[f"knee_flexion_{near}"], reps)
    ms.add(C.make("knee_flexion_peak", v, f, t, confidence=conf(f)))
    v, f = _rep_extreme(kin[f"hip_flexion_{near}"], reps)
    ms.add(C.make("hip_flexion_peak", v, f, t, confidence=conf(f, (L.L_SHOULDER, hip, knee))))
    b = [r.bottom for r in reps]
    sh = kin[f"shank_angle_{near}"]
    ms.add(C.make("shank_angle_bottom", sh[b] if b else [], b, t, confidence=conf(b, (knee, ankle))))
    ms.add(
        C.make(
            "trunk_shank_diff_bottom",
            (kin["trunk_angle"] - sh)[b] if b else [],
            b,
            t,
            confidence=conf(b, (L.L_SHOULDER, hip, knee, ankle)),
        )
    )
    v, f = _rep_extreme(kin[f"depth_angle_{near}"], reps, np.nanmin)
    ms.add(
        C.make(
            "depth_angle",
            v,
            f,
            t,
            confidence=conf(f, (hip, knee)),
            extra={"parallel_or_below": [None if x is None else x <= 0 for x in v], "approx": True},
        )
    )
    Lfoot = finite_median(segment_length(xy[:, heel], xy[:, foot]))
    kt = d * (xy[:, knee, 0] - xy[:, foot, 0]) / Lfoot
    v, f = _rep_extreme(kt, reps)
    ms.add(C.make("knee_travel", v, f, t, confidence=conf(f, (knee, foot)), extra={"report_only": True}))
    ms.series["knee_travel"] = kt
    bsl = C.baseline_slice(ctx)
    if bsl is not None:
        Lsh = float(np.nanpercentile(segment_length(xy[:, knee], xy[:, ankle]), 90))
        lift = (finite_median(xy[bsl, heel, 1]) - xy[:, heel, 1]) / Lsh
        ms.series["heel_lift"] = lift
        v, f = _rep_extreme(lift, reps)
        n = max(1, int(np.ceil(HEEL_LIFT_S * clean.fs)))
        lifted = []
        for r in reps:
            above = np.nan_to_num(lift[r.start : r.end + 1]) > HEEL_LIFT_THR
            run = np.convolve(above.astype(int), np.ones(n, int), "valid") if above.size >= n else np.array([0])
            lifted.append(bool((run >= n).any()))
        ms.add(
            C.make(
                "heel_lift",
                v,
                f,
                t,
                confidence=conf(f, (heel, ankle)),
                extra={"lifted_reps": [r.index for r, x in zip(reps, lifted) if x], "threshold": HEEL_LIFT_THR},
            )
        )
    else:
        ms.add(C.insufficient("heel_lift", "needs ≥1 s of quiet standing before the first rep"))
    wrist = midpoint(xy[:, L.L_WRIST], xy[:, L.R_WRIST])
    wrist[:, 0] = np.where(np.isfinite(wrist[:, 0]), wrist[:, 0], np.nanmean(xy[:, [L.L_WRIST, L.R_WRIST], 0], axis=1))
    mid = midpoint(xy[:, heel], xy[:, foot])
    bp = d * (wrist[:, 0] - mid[:, 0]) / Lfoot
    ms.series["bar_path_offset"] = bp
    ms.add(
        C.make(
            "bar_path_offset",
            bp[b] if b else [],
            b,
            t,
            confidence=conf(b, (L.L_WRIST, L.R_WRIST, heel, foot)) * 0.7,
            proxy=True,
            extra={
                "at": "bottom",
                "max_abs_per_rep": [
                    float(np.nanmax(np.abs(bp[r.start : r.end + 1])))
                    if np.isfinite(bp[r.start : r.end + 1]).any()
                    else None
                    for r in reps
                ],
            },
        )
    )
    return ms
