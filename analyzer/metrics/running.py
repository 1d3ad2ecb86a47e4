"""Running metrics (spec §E, eqs. 20–27). Side view: ICs per foot → cadence, overstride, tibia angle,
knee flexion and strike angle at IC, trunk lean. Front/back: midstance fallback → cadence (lower
precision), pelvic drop (CPD), step width. Vertical oscillation in any view."""

from __future__ import annotations

import numpy as np

from .. import landmarks as L
from ..context import gait as GAIT
from ..context import reps as S
from ..geometry import angle_from_horizontal, finite_median
from ..types import Context, MetricSet
from . import common as C
from . import registry as R
from .registry import computed_by

SIDE_IDS = tuple(i for i in computed_by("running") if R.METRICS[i].views == R.SIDE)
FRONTAL_IDS = tuple(i for i in computed_by("running") if R.METRICS[i].views == R.FRONTAL)


#: Whether the module reads the side-view kinematics (direction and near side known); without them its metrics
#: are not measurable.
NEEDS_SIDE_KINEMATICS = False


def compute(clean, ctx: Context, kin: dict | None) -> MetricSet:
    """Cadence, landing metrics (side view), pelvic drop and step width (front/back), hip bounce (any view)."""
    ms = MetricSet()
    xy, t, fs, view = clean.xy, clean.t, clean.fs, ctx.view
    Lg = S.leg_length(xy)
    MH = S.mid_hip(xy)
    rows = []
    if view in ("side", "oblique") and ctx.gait_events:
        ics = [e for e in ctx.gait_events if e.kind == "ic"]
        cad = GAIT.cadence_from_times([e.t for e in ics])
        f_psd = GAIT.stride_frequency_psd(xy[:, L.L_HEEL, 0] - MH[:, 0], fs)
        conf = C.landmark_confidence(clean, [e.frame for e in ics], (L.L_HEEL, L.R_HEEL, L.L_HIP, L.R_HIP))
        m = C.make(
            "cadence_spm",
            [],
            [],
            t,
            value=cad,
            confidence=conf,
            reason_if_empty="fewer than 3 foot contacts found",
            extra={
                "n_contacts": len(ics),
                "psd_check_spm": None if f_psd is None else 120.0 * f_psd,
                "method": "initial contacts (side view)",
            },
        )
        ms.add(m)
    elif view in ("front", "back"):
        mids = GAIT.midstance_frontal(xy, t, fs)
        cad = GAIT.cadence_from_times([t[i] for _, i in mids])
        ms.add(
            C.make(
                "cadence_spm",
                [],
                [],
                t,
                value=cad,
                confidence=0.6 * ctx.view_confidence,
                reason_if_empty="fewer than 3 steps found",
                extra={
                    "n_steps": len(mids),
                    "method": "midstance of alternating feet (front/back view, lower precision)",
                },
            )
        )
    else:
        ms.add(C.insufficient("cadence_spm", "no foot contacts found"))
    # side-view IC metrics
    if view == "side" and kin is not None:
        d = ctx.direction
        ics = [e for e in ctx.gait_events if e.kind == "ic"]
        low_fps = fs < 60
        os_, tib, kf, sa, fr = [], [], [], [], []
        for e in ics:
            hip, knee, ankle, heel, foot_i = L.LEG[e.foot]
            i = e.frame
            os_.append(d * (xy[i, heel, 0] - MH[i, 0]) / Lg)
            tib.append(-kin[f"shank_angle_{e.foot}"][i])  # + = ankle ahead of the knee (shin reaching forward)
            kf.append(kin[f"knee_flexion_{e.foot}"][i])
            sa.append(float(angle_from_horizontal(xy[i, heel], xy[i, foot_i], d)))
            fr.append(i)
            rows.append(
                {
                    "stride_event": "ic",
                    "foot": e.foot,
                    "frame": i,
                    "t": e.t,
                    "overstride": os_[-1],
                    "tibia_angle": tib[-1],
                    "knee_flexion": kf[-1],
                }
            )
        bsl = C.baseline_slice(ctx)
        foot0 = 0.0
        if bsl is not None:
            vals = [angle_from_horizontal(xy[bsl, L.LEG[s][3]], xy[bsl, L.LEG[s][4]], d) for s in ("left", "right")]
            foot0 = finite_median(np.concatenate(vals))
            foot0 = 0.0 if not np.isfinite(foot0) else foot0
        sa = [x - foot0 for x in sa]
        c = C.landmark_confidence(clean, fr, (L.L_HEEL, L.R_HEEL, L.L_KNEE, L.R_KNEE)) * (0.5 if low_fps else 1.0)
        ex = {"low_fps": low_fps} if low_fps else {}
        ms.add(C.make("overstride", os_, fr, t, confidence=c, extra=dict(ex)))
        ms.add(C.make("tibia_angle_ic", tib, fr, t, confidence=c, extra=dict(ex)))
        ms.add(C.make("knee_flexion_ic", kf, fr, t, confidence=c, extra=dict(ex)))
        ms.add(
            C.make(
                "strike_angle",
                sa,
                fr,
                t,
                confidence=c * 0.8,
                extra={**ex, "relative_to_standing": bsl is not None},
                relative_to_baseline=bsl is not None,
            )
        )
        tr = kin["trunk_angle"]
        ms.add(
            C.make(
                "trunk_lean",
                [],
                [],
                t,
                value=finite_median(tr),
                confidence=C.landmark_confidence(clean, range(len(t)), (L.L_SHOULDER, L.R_SHOULDER, L.L_HIP, L.R_HIP)),
            )
        )
    else:
        for mid in SIDE_IDS:
            ms.add(C.not_measurable(mid))
    if view in ("front", "back"):
        mids = GAIT.midstance_frontal(xy, t, fs)
        hw = finite_median(np.abs(xy[:, L.L_HIP, 0] - xy[:, L.R_HIP, 0]))
        cpd: dict[str, list[float]] = {"left": [], "right": []}
        sw: list[float] = []
        mid_frames: list[int] = []
        for foot, i in mids:
            other = "right" if foot == "left" else "left"
            hs, hw_ = xy[i, L.LEG[foot][0]], xy[i, L.LEG[other][0]]
            drop = float(np.degrees(np.arctan2(hw_[1] - hs[1], abs(hw_[0] - hs[0]))))  # + = swing hip lower
            cpd[foot].append(drop)
            lat = np.sign(hs[0] - MH[i, 0])
            sw.append(float(lat * (xy[i, L.LEG[foot][3], 0] - MH[i, 0]) / hw))
            mid_frames.append(i)
            rows.append(
                {
                    "stride_event": "midstance",
                    "foot": foot,
                    "frame": i,
                    "t": float(t[i]),
                    "pelvic_drop": drop,
                    "step_width": sw[-1],
                }
            )
        c = C.landmark_confidence(clean, mid_frames, (L.L_HIP, L.R_HIP, L.L_HEEL, L.R_HEEL)) * ctx.view_confidence
        ms.add(
            C.make(
                "pelvic_drop_deg",
                [x for _, x in sorted(zip(mid_frames, [cpd[f].pop(0) for f, _ in mids]))],
                mid_frames,
                t,
                confidence=c,
            )
        )
        lm = [r["pelvic_drop"] for r in rows if r.get("foot") == "left" and "pelvic_drop" in r]
        rm = [r["pelvic_drop"] for r in rows if r.get("foot") == "right" and "pelvic_drop" in r]
        asym = abs(np.mean(lm) - np.mean(rm)) if lm and rm else None
        ms.add(
            C.make(
                "pelvic_drop_asymmetry",
                [],
                [],
                t,
                value=asym,
                confidence=c,
                reason_if_empty="needs steps on both feet",
                extra={
                    "left_stance_mean": float(np.mean(lm)) if lm else None,
                    "right_stance_mean": float(np.mean(rm)) if rm else None,
                },
            )
        )
        ms.add(C.make("step_width", sw, mid_frames, t, confidence=c * 0.8, extra={"at": "midstance (approx. contact)"}))
    else:
        for mid in FRONTAL_IDS:
            ms.add(C.not_measurable(mid))
    y = MH[:, 1]
    steps = sorted(
        [e.frame for e in ctx.gait_events if e.kind == "ic"] or [i for _, i in GAIT.midstance_frontal(xy, t, fs)]
    )
    vo = [float(np.nanmax(y[a : b + 1]) - np.nanmin(y[a : b + 1])) / Lg for a, b in zip(steps[:-1], steps[1:]) if b > a]
    ms.add(
        C.make(
            "vertical_oscillation",
            vo,
            steps[1 : len(vo) + 1],
            t,
            confidence=0.7 * ctx.view_confidence,
            reason_if_empty="fewer than 2 steps found",
        )
    )
    ms.series["hip_height_px"] = -y
    ms.per_rep_rows.extend(rows)
    return ms
