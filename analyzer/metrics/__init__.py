"""Metrics of a clip: :func:`compute_metrics` (CleanTrack + Context → MetricSet).

Metric ids and their valid views are listed in :mod:`analyzer.metrics.common` (``META``); anything
the view can't measure is ``MetricValue.not_measurable`` ("not measurable from this view").
"""
from __future__ import annotations

from .. import segment as S
from ..types import Context, MetricSet, MetricValue
from . import common, hinge, running, squat, valgus
from .common import META

LIFTS = ("squat", "deadlift", "rdl", "hinge")
LIFT_IDS = ("lcp_delta", "sacral_tangent_delta", "trunk_angle_bottom", "hip_trunk_angle_bottom", "hinge_lag_ms",
            "hinge_early_ratio", "hinge_back_first_fraction", *valgus.IDS, *squat.SAGITTAL_IDS, "lateral_shift", "rep_count")
RUN_IDS = ("cadence_spm", *running.SIDE_IDS, *running.FRONTAL_IDS, "vertical_oscillation", "rep_count")

__all__ = ["compute_metrics", "META", "LIFT_IDS", "RUN_IDS"]


def compute_metrics(clean, ctx: Context) -> MetricSet:
    """All metrics for the clip's exercise and view (per rep/stride, with confidence and display band)."""
    from ..kinematics import frame_kinematics

    ms = MetricSet()
    kin = None
    if ctx.direction in (1, -1) and ctx.near_side:
        kin = frame_kinematics(clean, ctx.direction, ctx.near_side)
        for k in ("knee_flexion_near", "hip_flexion_near", "trunk_angle", "hip_trunk_angle_near", "shank_angle_near"):
            ms.series[k] = kin[k]
    ms.series["hip_height"] = S.hip_drop_signal(clean.xy, ctx.baseline)
    if ctx.exercise == "running":
        running.compute(clean, ctx, kin, ms)
        n = len([e for e in ctx.gait_events if e.kind == "ic"])
        ms.add(MetricValue(id="rep_count", label="Foot contacts counted", unit="steps", value=float(n),
                           confidence=1.0 if n else 0.0, extra={"kind": "steps"}))
        return ms
    if ctx.exercise not in LIFTS:
        for i in LIFT_IDS:
            if i != "rep_count":
                ms.add(common.insufficient(i, "exercise not recognised"))
        ms.add(MetricValue(id="rep_count", label=META["rep_count"][0], unit="reps", value=0.0, confidence=0.0))
        return ms
    side = ctx.view == "side" and kin is not None
    if side:
        hinge.compute(clean, ctx, kin, ms)
        squat.compute_sagittal(clean, ctx, kin, ms)
    else:
        for i in LIFT_IDS[:7] + squat.SAGITTAL_IDS:
            ms.add(common.not_measurable(i))
    valgus.compute(clean, ctx, ms)
    if ctx.view in ("front", "back"):
        squat.compute_lateral_shift(clean, ctx, ms)
    else:
        ms.add(common.not_measurable("lateral_shift"))
    valid = common.valid_reps(ctx)
    ms.add(MetricValue(id="rep_count", label=META["rep_count"][0], unit="reps", value=float(len(valid)),
                       per_rep=[1.0 if r.valid else 0.0 for r in ctx.reps], frames=[r.bottom for r in ctx.reps],
                       times=[r.t_bottom for r in ctx.reps], confidence=float(ctx.view_confidence) if ctx.reps else 0.0,
                       extra={"n_detected": len(ctx.reps), "invalid_reps": [r.index for r in ctx.reps if not r.valid]}))
    ms.per_rep_rows.extend(_rep_rows(ctx, ms))
    return ms


def _rep_rows(ctx: Context, ms: MetricSet) -> list[dict]:
    """One row per valid rep with the per-rep values of every measured metric."""
    rows = []
    valid = common.valid_reps(ctx)
    for j, r in enumerate(valid):
        row = {"rep": r.index, "t_start": r.t_start, "t_bottom": r.t_bottom, "t_end": r.t_end}
        for mid, m in ms.values.items():
            if m.status == "ok" and len(m.per_rep) == len(valid) and mid != "rep_count":
                row[mid] = m.per_rep[j]
        rows.append(row)
    return rows
