"""Metrics of a clip: :func:`compute_metrics` (CleanTrack + Context + kinematics → MetricSet).

Which metric modules run comes from the exercise registry (:mod:`analyzer.exercises`, per view); what each
metric is — label, unit, the views that can measure it — from the metric registry (:mod:`.registry`).
A metric of the exercise that the view cannot measure is ``MetricValue.not_measurable``, never a number.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import numpy as np

from .. import exercises as X
from ..context import reps as S
from ..context.footage import withheld_by
from ..types import Context, MetricSet, MetricValue
from . import common
from .registry import METRICS, computed_by

#: metric module name → its module of this package, for every module the metric registry names (``MetricSpec.module``;
#: "counts" are computed here). Each has ``compute(clean, ctx, kin) -> MetricSet`` and ``NEEDS_SIDE_KINEMATICS``.
MODULES: dict[str, ModuleType] = {
    name: importlib.import_module(f".{name}", __name__)
    for name in dict.fromkeys(m.module for m in METRICS.values())
    if name != "counts"
}
#: Per-frame kinematics columns kept as metric series (charts, CSV).
KIN_SERIES = ("knee_flexion_near", "hip_flexion_near", "trunk_angle", "hip_trunk_angle_near", "shank_angle_near")

#: Confidence factor for changes measured from a lockout instead of a standing second. Engineering choice.
LOCKOUT_BASELINE_CONFIDENCE = 0.7

__all__ = ["compute_metrics", "MODULES", "METRICS"]


def compute_metrics(clean, ctx: Context, kin: dict[str, np.ndarray] | None = None) -> MetricSet:
    """:func:`_compute` and then withhold what the footage makes meaningless (:mod:`analyzer.context.footage`)."""
    ms = _compute(clean, ctx, kin)
    if ctx.baseline_source == "lockout":  # the lockout stood in for standing: changes from it are less sure
        for m in ms.values.values():
            if m.relative_to_baseline and m.value is not None:
                m.confidence *= LOCKOUT_BASELINE_CONFIDENCE
                m.extra = {**(m.extra or {}), "baseline": "lockout"}
    family = getattr(X.get(ctx.exercise), "family", None)
    for i in [i for i in ms.values if family and i in METRICS and METRICS[i].families]:
        if family not in METRICS[i].families:  # e.g. hinge timing on a squat: not this exercise's question
            del ms.values[i]
    for i, m in list(ms.values.items()):  # numbers the synthetic check found untrustworthy for this exercise
        why = dict(METRICS[i].untrusted).get(ctx.exercise or "") if i in METRICS else None
        if why and m.value is not None:
            ms.values[i] = common.insufficient(i, why)
    if ctx.footage:
        for i, m in list(ms.values.items()):
            reason = withheld_by(ctx.footage, METRICS[i].needs) if i in METRICS else None
            if reason and m.value is not None:
                ms.values[i] = common.insufficient(i, reason)
    return ms


def _compute(clean, ctx: Context, kin: dict[str, np.ndarray] | None = None) -> MetricSet:
    """All metrics for the clip's exercise and view (per rep/stride, with confidence and display band).

    ``kin``: the clip's kinematics (:func:`~analyzer.kinematics.frame_kinematics` for the context's
    direction and near side); computed here when not given.
    """
    ms = MetricSet()
    sagittal = ctx.direction in (1, -1) and bool(ctx.near_side)
    if sagittal:
        if kin is None:
            from ..kinematics import frame_kinematics

            kin = frame_kinematics(clean, ctx.direction, ctx.near_side or "left")
        for k in KIN_SERIES:
            ms.series[k] = kin[k]
    ms.series["hip_height"] = S.hip_drop_signal(clean.xy, ctx.baseline)
    spec = X.get(ctx.exercise)
    if spec is None:
        lift_modules = dict.fromkeys(m for e in X.LIFTS for v in X.EXERCISES[e].metric_modules.values() for m in v)
        for name in lift_modules:
            for i in computed_by(name):
                ms.add(common.insufficient(i, "exercise not recognised"))
        ms.add(_rep_count(ctx, n=0))
        return ms
    run = set(spec.modules_for(ctx.view))
    every = dict.fromkeys(m for v in spec.metric_modules.values() for m in v)
    for name in every:
        mod = MODULES[name]
        if name in run and (sagittal or not mod.NEEDS_SIDE_KINEMATICS):
            ms.merge(mod.compute(clean, ctx, kin if sagittal else None))
        else:
            for i in computed_by(name):
                ms.add(common.not_measurable(i))
    if not spec.is_lift:
        n = len([e for e in ctx.gait_events if e.kind == "ic"])
        ms.add(
            MetricValue(
                id="rep_count",
                label="Foot contacts counted",
                unit="steps",
                value=float(n),
                confidence=1.0 if n else 0.0,
                extra={"kind": "steps"},
            )
        )
        return ms
    ms.add(_rep_count(ctx))
    ms.per_rep_rows.extend(_rep_rows(ctx, ms))
    return ms


def _rep_count(ctx: Context, n: int | None = None) -> MetricValue:
    valid = common.valid_reps(ctx)
    lab = METRICS["rep_count"].label
    if n is not None:
        return MetricValue(id="rep_count", label=lab, unit="reps", value=float(n), confidence=0.0)
    return MetricValue(
        id="rep_count",
        label=lab,
        unit="reps",
        value=float(len(valid)),
        per_rep=[1.0 if r.valid else 0.0 for r in ctx.reps],
        frames=[r.bottom for r in ctx.reps],
        times=[r.t_bottom for r in ctx.reps],
        confidence=float(ctx.view_confidence) if ctx.reps else 0.0,
        extra={"n_detected": len(ctx.reps), "invalid_reps": [r.index for r in ctx.reps if not r.valid]},
    )


def _rep_rows(ctx: Context, ms: MetricSet) -> list[dict]:
    """One row per valid rep with the per-rep values of every measured metric."""
    rows = []
    valid = common.valid_reps(ctx)
    for j, r in enumerate(valid):
        row: dict[str, Any] = {"rep": r.index, "t_start": r.t_start, "t_bottom": r.t_bottom, "t_end": r.t_end}
        for mid, m in ms.values.items():
            if m.status == "ok" and len(m.per_rep) == len(valid) and mid != "rep_count":
                row[mid] = m.per_rep[j]
        rows.append(row)
    return rows
