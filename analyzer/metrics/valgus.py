"""Knee-in (valgus) metrics, front/back view only (spec §A, eqs. 3–6).

FPPA = 180° − ∠(H, K, A), signed + when the knee lies medial of the hip–ankle line (on the same
side of that line as the body midline MH_x; same rule from front and back). Taken at each rep's
bottom (lowest MH ≈ peak knee flexion). NKSD = knee separation / hip separation, KASR = knee
separation / ankle separation (horizontal px ratios). MKD = (d_K − d_K,stand)/L_leg with d_K the
signed knee distance from the hip–ankle line, + = medial.
"""

from __future__ import annotations

import numpy as np

from .. import landmarks as L
from ..context import reps as S
from ..geometry import angle3, finite_median, signed_distance_to_line
from ..types import Context, MetricSet
from . import common as C
from .registry import computed_by

#: FPPA is read at the deepest frame where the thigh still shows at least this fraction of its
#: standing on-screen length. Deeper, the thigh points at the camera and the 2D angle inflates
#: (a deep double-leg squat filmed from the front: a 15° knee-in read 36–50° at the bottom on the
#: synthetic ground truth). SLS/landing FPPA norms come from ~60° knee flexion, where the thigh is
#: ~45° from vertical and shows ~70 % of its standing length. Engineering choice.
MIN_THIGH_FRACTION = 0.7

IDS = computed_by("valgus")


def fppa_series(xy: np.ndarray, side: str) -> tuple[np.ndarray, np.ndarray]:
    """(FPPA deg signed + = knee medial, d_K px signed + = medial) per frame for one leg."""
    h, k, a = L.LEG[side][:3]
    H, K, A = xy[:, h], xy[:, k], xy[:, a]
    MH = S.mid_hip(xy)
    mag = 180.0 - angle3(H, K, A)
    dk = signed_distance_to_line(K, H, A)
    dm = signed_distance_to_line(MH, H, A)
    medial = np.sign(dm)
    d_med = dk * medial
    return mag * np.where(d_med >= 0, 1.0, -1.0), d_med


def fppa_frames(xy: np.ndarray, reps, side: str, ref_slice: slice | None) -> list[int]:
    """Per rep, the frame FPPA is read at: the bottom, or the deepest descent frame whose on-screen
    thigh length is ≥ MIN_THIGH_FRACTION of standing (of the clip's 95th percentile without a baseline)."""
    h, k = L.LEG[side][:2]
    thigh = np.linalg.norm(xy[:, h] - xy[:, k], axis=-1)
    ref = finite_median(thigh[ref_slice]) if ref_slice is not None else np.nan
    if not np.isfinite(ref):
        ref = np.nanpercentile(thigh, 95) if np.isfinite(thigh).any() else np.nan
    out = []
    for r in reps:
        ok = np.flatnonzero(thigh[r.start : r.bottom + 1] >= MIN_THIGH_FRACTION * ref)
        out.append(int(r.start + ok[-1]) if ok.size else r.bottom)
    return out


#: Whether the module reads the side-view kinematics (direction and near side known); without them its metrics
#: are not measurable.
NEEDS_SIDE_KINEMATICS = False


def compute(clean, ctx: Context, kin: dict | None = None) -> MetricSet:
    """FPPA, its change from standing, MKD per knee, and NKSD/KASR per rep (front/back view)."""
    ms = MetricSet()
    if ctx.view not in ("front", "back"):
        for i in IDS:
            ms.add(C.not_measurable(i))
        return ms
    xy, t = clean.xy, clean.t
    reps = C.valid_reps(ctx)
    bottoms = [r.bottom for r in reps]
    bsl = C.baseline_slice(ctx)
    Lg = S.leg_length(xy)
    base_conf = ctx.view_confidence
    for side in ("left", "right"):
        f, dk = fppa_series(xy, side)
        ms.series[f"fppa_{side}"] = f
        at = fppa_frames(xy, reps, side, bsl)
        conf = C.landmark_confidence(clean, at, L.LEG[side][:3]) * base_conf * 0.8  # 2D FPPA validity caveat
        ms.add(
            C.make(
                f"fppa_{side}",
                f[at] if at else [],
                at,
                t,
                confidence=conf,
                extra={
                    "caveat": "knee-in composite (hip adduction/rotation), not knee abduction",
                    "read_at": f"deepest frame with the thigh ≥ {MIN_THIGH_FRACTION:.0%} of its standing "
                    "on-screen length (the bottom unless the thigh points at the camera)",
                    "at_bottom": [a == b for a, b in zip(at, bottoms)],
                },
            )
        )
        if bsl is not None:
            f0, d0 = finite_median(f[bsl]), finite_median(dk[bsl])
            ms.add(
                C.make(
                    f"fppa_delta_{side}",
                    (f - f0)[at] if at else [],
                    at,
                    t,
                    confidence=conf,
                    relative_to_baseline=True,
                    extra={"standing_fppa": f0},
                )
            )
            mkd = (dk - d0) / Lg
            ms.series[f"mkd_{side}"] = mkd
            ms.add(
                C.make(
                    f"mkd_{side}",
                    mkd[bottoms] if bottoms else [],
                    bottoms,
                    t,
                    confidence=conf,
                    relative_to_baseline=True,
                )
            )
        else:
            ms.add(C.insufficient(f"fppa_delta_{side}", "needs ≥1 s of quiet standing before the first rep"))
            ms.add(C.insufficient(f"mkd_{side}", "needs ≥1 s of quiet standing before the first rep"))
    ksep = np.abs(xy[:, L.L_KNEE, 0] - xy[:, L.R_KNEE, 0])
    hsep = np.abs(xy[:, L.L_HIP, 0] - xy[:, L.R_HIP, 0])
    asep = np.abs(xy[:, L.L_ANKLE, 0] - xy[:, L.R_ANKLE, 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        nksd, kasr = ksep / hsep, ksep / asep
    conf = (
        C.landmark_confidence(clean, bottoms, (L.L_KNEE, L.R_KNEE, L.L_HIP, L.R_HIP, L.L_ANKLE, L.R_ANKLE)) * base_conf
    )
    ms.add(C.make("nksd", nksd[bottoms] if bottoms else [], bottoms, t, confidence=conf))
    ms.add(C.make("kasr", kasr[bottoms] if bottoms else [], bottoms, t, confidence=conf))
    return ms
