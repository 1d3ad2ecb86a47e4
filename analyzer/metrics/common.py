"""Shared helpers for metric modules: labels/units/bands, view validity, MetricValue builders."""
from __future__ import annotations

from typing import Iterable

import numpy as np

from ..types import NOT_MEASURABLE_FROM_VIEW, Context, MetricValue, Rep

SIDE = frozenset({"side"})
FRONTAL = frozenset({"front", "back"})
ALL_VIEWS = frozenset({"side", "front", "back", "oblique"})

#: id -> (label, unit, display band ± (spec §G) or None, views where valid (spec "Metric × view"))
META: dict[str, tuple[str, str, float | None, frozenset]] = {
    "lcp_delta": ("Low-back curve vs standing (proxy)", "fraction of chord", None, SIDE),
    "sacral_tangent_delta": ("Lower-back/sacral tilt vs standing (proxy)", "deg", None, SIDE),
    "trunk_angle_bottom": ("Trunk angle at the bottom", "deg", 5.0, SIDE),
    "hip_trunk_angle_bottom": ("Hip–trunk angle at the bottom", "deg", 6.0, SIDE),
    "hinge_lag_ms": ("Hinge timing: back onset minus hip onset", "ms", None, SIDE),
    "hinge_early_ratio": ("Early lumbar:hip ratio (first 30° of hinge)", "ratio", None, SIDE),
    "hinge_back_first_fraction": ("Reps where the back moved before the hips", "fraction", None, SIDE),
    "fppa_left": ("Knee-in angle (FPPA), left", "deg", 6.0, FRONTAL),
    "fppa_right": ("Knee-in angle (FPPA), right", "deg", 6.0, FRONTAL),
    "fppa_delta_left": ("Knee-in change from standing, left", "deg", 6.0, FRONTAL),
    "fppa_delta_right": ("Knee-in change from standing, right", "deg", 6.0, FRONTAL),
    "nksd": ("Knee separation / hip separation (NKSD)", "ratio", None, FRONTAL),
    "kasr": ("Knee separation / ankle separation (KASR)", "ratio", None, FRONTAL),
    "mkd_left": ("Medial knee displacement, left", "fraction of leg length", None, FRONTAL),
    "mkd_right": ("Medial knee displacement, right", "fraction of leg length", None, FRONTAL),
    "knee_flexion_peak": ("Peak knee flexion", "deg", 6.0, SIDE),
    "hip_flexion_peak": ("Peak hip flexion", "deg", 6.0, SIDE),
    "shank_angle_bottom": ("Shank angle at the bottom", "deg", 8.0, SIDE),
    "trunk_shank_diff_bottom": ("Trunk minus shank angle at the bottom", "deg", 8.0, SIDE),
    "depth_angle": ("Depth (hip vs knee, approx.)", "deg", 6.0, SIDE),
    "knee_travel": ("Knee travel past the toes", "fraction of foot length", None, SIDE),
    "heel_lift": ("Heel lift", "fraction of shank length", None, SIDE),
    "bar_path_offset": ("Hands ahead of midfoot (bar-path proxy)", "fraction of foot length", None, SIDE),
    "lateral_shift": ("Sideways hip shift at the bottom (+ = toward your left)", "fraction of hip width", None, FRONTAL),
    "cadence_spm": ("Cadence", "spm", None, ALL_VIEWS),
    "overstride": ("Overstride (heel ahead of hips at contact)", "fraction of leg length", None, SIDE),
    "tibia_angle_ic": ("Tibia angle at contact (+ = ankle ahead of knee)", "deg", 8.0, SIDE),
    "knee_flexion_ic": ("Knee flexion at contact", "deg", 6.0, SIDE),
    "strike_angle": ("Foot strike angle vs standing (+ = heel first)", "deg", 8.0, SIDE),
    "pelvic_drop_deg": ("Pelvic drop at midstance (CPD)", "deg", 3.0, FRONTAL),
    "pelvic_drop_asymmetry": ("Pelvic drop left–right difference", "deg", 3.0, FRONTAL),
    "step_width": ("Step width (− = crossover)", "fraction of hip width", None, FRONTAL),
    "trunk_lean": ("Trunk lean while running", "deg", 5.0, SIDE),
    "vertical_oscillation": ("Vertical oscillation of the hips per step", "fraction of leg length", None, ALL_VIEWS),
    "rep_count": ("Reps counted", "reps", None, ALL_VIEWS),
}


def valid_for_view(id: str, view: str) -> bool:
    return view in META[id][3]


def not_measurable(id: str, reason: str = NOT_MEASURABLE_FROM_VIEW) -> MetricValue:
    label, unit, _, _ = META[id]
    return MetricValue.not_measurable(id, label, unit, reason)


def insufficient(id: str, reason: str) -> MetricValue:
    label, unit, band, _ = META[id]
    return MetricValue(id=id, label=label, unit=unit, value=None, status="insufficient_data", reason=reason,
                       confidence=0.0, band=band)


def _f(x) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def make(id: str, per_rep: Iterable, frames: Iterable, t: np.ndarray, *, confidence: float, value=None,
         agg: str = "mean", reason_if_empty: str = "no valid reps to measure", **kw) -> MetricValue:
    """MetricValue from per-rep values (None/NaN = missing); value = mean (or ``agg``) of the present ones."""
    label, unit, band, _ = META[id]
    pr = [_f(v) for v in per_rep]
    fr = [None if f is None else int(f) for f in frames]
    times = [None if f is None else float(t[f]) for f in fr]
    vals = [v for v in pr if v is not None]
    if value is None:
        if not vals:
            m = insufficient(id, reason_if_empty)
            m.per_rep, m.frames, m.times = pr, fr, times
            m.extra.update(kw.pop("extra", {}))
            return m
        value = {"mean": np.mean, "max": np.max, "min": np.min, "median": np.median}[agg](vals)
    return MetricValue(id=id, label=label, unit=unit, value=_f(value), per_rep=pr, frames=fr, times=times,
                       confidence=float(np.clip(confidence, 0.0, 1.0)), band=band, **kw)


def landmark_confidence(clean, frames: Iterable[int | None], idx: Iterable[int]) -> float:
    """Mean raw visibility of landmarks ``idx`` over ``frames`` (0..1)."""
    fr = [f for f in frames if f is not None]
    if not fr:
        return 0.0
    v = np.asarray(clean.visibility, float)[np.ix_(fr, list(idx))]
    return float(np.nanmean(v)) if v.size else 0.0


def valid_reps(ctx: Context) -> list[Rep]:
    return [r for r in ctx.reps if r.valid]


def baseline_slice(ctx: Context) -> slice | None:
    return slice(*ctx.baseline) if ctx.baseline else None

