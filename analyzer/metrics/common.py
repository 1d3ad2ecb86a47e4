"""Shared helpers for metric modules: :class:`~analyzer.types.MetricValue` builders (labels, units and bands
from :mod:`analyzer.metrics.registry`), landmark confidence, valid reps, the baseline slice."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..types import NOT_MEASURABLE_FROM_VIEW, Context, MetricValue, Rep
from . import registry as R


def not_measurable(id: str, reason: str = NOT_MEASURABLE_FROM_VIEW) -> MetricValue:
    m = R.get(id)
    return MetricValue.not_measurable(id, m.label, m.unit, reason)


def insufficient(id: str, reason: str) -> MetricValue:
    m = R.get(id)
    return MetricValue(
        id=id,
        label=m.label,
        unit=m.unit,
        value=None,
        status="insufficient_data",
        reason=reason,
        confidence=0.0,
        band=m.band,
        proxy=m.proxy,
    )


def _f(x) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def make(
    id: str,
    per_rep: Iterable,
    frames: Iterable,
    t: np.ndarray,
    *,
    confidence: float,
    value=None,
    agg: str = "mean",
    reason_if_empty: str = "no valid reps to measure",
    **kw,
) -> MetricValue:
    """MetricValue from per-rep values (None/NaN = missing); value = mean (or ``agg``) of the present ones."""
    spec = R.get(id)
    label, unit, band = spec.label, spec.unit, spec.band
    kw.setdefault("proxy", spec.proxy)
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
        reduce: dict[str, Any] = {"mean": np.mean, "max": np.max, "min": np.min, "median": np.median}
        value = reduce[agg](vals)
    return MetricValue(
        id=id,
        label=label,
        unit=unit,
        value=_f(value),
        per_rep=pr,
        frames=fr,
        times=times,
        confidence=float(np.clip(confidence, 0.0, 1.0)),
        band=band,
        **kw,
    )


def landmark_confidence(clean, frames: Iterable[int | None], idx: Iterable[int]) -> float:
    """Mean raw visibility of landmarks ``idx`` over ``frames`` (0..1)."""
    fr = [f for f in frames if f is not None]
    if not fr:
        return 0.0
    v = np.asarray(clean.visibility, float)[np.ix_(fr, list(idx))]
    return float(np.nanmean(v)) if v.size else 0.0


def valid_reps(ctx: Context) -> list[Rep]:
    """Reps that are measured: enough usable landmarks and completed (back up from the bottom)."""
    return [r for r in ctx.reps if r.valid and r.complete]


def baseline_slice(ctx: Context) -> slice | None:
    return slice(*ctx.baseline) if ctx.baseline else None
