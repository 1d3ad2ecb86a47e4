"""Sideways hip shift at the bottom of each rep, front/back view (method spec §D eq. 19)."""

from __future__ import annotations

import numpy as np

from .. import landmarks as L
from ..context import reps as S
from ..geometry import finite_median, midpoint
from ..types import Context, MetricSet
from . import common as C

#: Whether the module reads the side-view kinematics (direction and near side known); without them its metrics
#: are not measurable.
NEEDS_SIDE_KINEMATICS = False


def compute(clean, ctx: Context, kin: dict | None = None) -> MetricSet:
    """Eq. 19: (MH_x − mid-ankle_x)/hip width at the bottom, + = toward the subject's left."""
    ms = MetricSet()
    xy, t = clean.xy, clean.t
    reps = C.valid_reps(ctx)
    b = [r.bottom for r in reps]
    sgn = 1.0 if ctx.view == "front" else -1.0  # subject's left is image +x from the front
    MH = S.mid_hip(xy)
    MA = midpoint(xy[:, L.L_ANKLE], xy[:, L.R_ANKLE])
    hw = finite_median(np.abs(xy[:, L.L_HIP, 0] - xy[:, L.R_HIP, 0]))
    ls = sgn * (MH[:, 0] - MA[:, 0]) / hw
    ms.series["lateral_shift"] = ls
    vals = ls[b] if b else np.array([])
    big = vals[np.abs(vals) > 0.10] if vals.size else vals
    same = float(max((big > 0).sum(), (big < 0).sum()) / len(vals)) if len(vals) else 0.0
    ms.add(
        C.make(
            "lateral_shift",
            vals,
            b,
            t,
            confidence=C.landmark_confidence(clean, b, (L.L_HIP, L.R_HIP, L.L_ANKLE, L.R_ANKLE)) * ctx.view_confidence,
            extra={"same_direction_fraction": same},
        )
    )
    return ms
