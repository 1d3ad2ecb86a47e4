"""Pelvic tilt and back rounding (spec §B) and back-versus-hip hinge timing (spec §C), side view.

Posture: the pelvic-tilt and back-rounding changes from standing (:mod:`.posture`) at each rep's bottom.
Timing: the onset of back rounding against the onset of the pelvis tipping forward, both at the same share of
their own rep excursion (like with like), so a clean hip hinge is not read as back-first. Without a back outline
neither is judged: the trunk angle is not the back.
"""

from __future__ import annotations

import numpy as np

from .. import landmarks as L
from ..geometry import finite_median
from ..types import Context, MetricSet
from . import common as C
from . import posture as P
from .back_outline import _contour_found, contour_frames, contour_series
from .registry import computed_by

#: Noise floor of the older outline-curve proxy (LCP, fraction of chord), kept in report.json only.
LCP_FLOOR = 0.04


ANGLE_FLOOR = 3.0  # onset floor, deg (spec eq. 11)


SUSTAIN_S = 0.10

#: Onsets like with like: each signal's onset is where it first covers this share of its own rep excursion
#: (and eq. 11's noise threshold). With fixed floors alone a signal that moves 80° crosses 3° long before one
#: that moves 20°, which biased the lag toward "back first". On perfect landmarks with the exact silhouette
#: (``python benchmarks/experiments/hinge_onsets.py``) 0.2 gives a per-rep MAE of 147 ms (bias −40 ms) on the 30°
#: designs and no hip-first design called back-first; 0.1 gave 157 ms. Timing the pelvis on the femur (pelvis
#: plus thigh angle) instead gave 103 ms there, but through the pose model it lost a back-first design (recall
#: 0.75 → 0.63, lag MAE unchanged at 228 ms), so the pelvis angle alone is used. Engineering choice.
ONSET_FRAC = 0.2


def onset(
    x: np.ndarray, base: np.ndarray, lo: int, hi: int, floor: float, fs: float, frac: float = ONSET_FRAC
) -> int | None:
    """First frame in [lo, hi] where x − mean(base) exceeds max(3·SD(base), floor, frac·excursion) for ≥ 100 ms;
    the excursion is the largest x − mean(base) in [lo, hi]. ``frac`` = 0 is spec eq. 11."""
    b = x[base]
    b = b[np.isfinite(b)]
    if b.size < 2 or hi <= lo:
        return None
    seg = x[lo : min(hi + 1, len(x))]
    exc = float(np.nanmax(seg)) - float(np.mean(b)) if np.isfinite(seg).any() else 0.0
    thr = max(3.0 * float(np.std(b)), floor, frac * exc)
    n = max(1, int(np.ceil(SUSTAIN_S * fs)))
    above = (x[lo : min(hi + 1, len(x))] - float(np.mean(b))) > thr  # runs must lie inside [lo, hi] and x
    if above.size < n:
        return None
    c = np.concatenate([[0], np.cumsum(above)])
    run = np.flatnonzero(c[n:] - c[:-n] == n)
    return int(lo + run[0]) if run.size else None


def _base_frames(sig: np.ndarray, lo: int, start: int, fs: float) -> np.ndarray:
    """Quiet frames before a rep: in [lo, start) with the rep signal within 3 % of its rest level; last 0.5 s."""
    if start - lo < 2:
        return np.arange(max(0, start - 3), start)
    seg = sig[lo:start]
    rest = np.nanmin(seg) if np.isfinite(seg).any() else np.nan
    top = np.nanmax(sig[start : start + int(2 * fs)]) if np.isfinite(sig[start : start + int(2 * fs)]).any() else rest
    q = np.flatnonzero(seg <= rest + 0.03 * max(top - rest, 1e-9)) + lo
    if q.size < 3:
        q = np.arange(lo, start)
    # the last contiguous run of quiet frames, capped to 0.5 s
    brk = np.flatnonzero(np.diff(q) > 1)
    q = q[brk[-1] + 1 :] if brk.size else q
    return q[-max(3, int(round(0.5 * fs))) :]


def _rep_bases(sig: np.ndarray, reps: list, fs: float) -> list[np.ndarray]:
    """Quiet frames before each rep (:func:`_base_frames`), each searched from the previous rep's end."""
    bases, prev_end = [], 0
    for r in reps:
        bases.append(_base_frames(sig, prev_end, r.start, fs))
        prev_end = r.end
    return bases


#: Back rounding (deg, change over the rep) below which a rep's back counts as still and its onset is not timed:
#: the onset of noise would be noise. Half of :data:`.posture.ROUNDING_FLOOR_DEG`; engineering choice.
TIMED_ROUNDING_DEG = 5.0


#: A rep's back counts as still (so the hips led) only within this share of :data:`.posture.ROUNDING_FLOOR_DEG` of
#: standing (7.5°), however noisy the standing was; beyond it and untimed, the order is not told. Engineering
#: choice: 4° designs read ≤ 5° on the exact outline, and a lumbar-first deadlift read 10–15° through the pose
#: model, where "hips led" would be false praise.
STILL_SHARE = 0.75


#: Whether the module reads the side-view kinematics (direction and near side known); without them its metrics
#: are not measurable.
NEEDS_SIDE_KINEMATICS = True


def compute(clean, ctx: Context, kin: dict) -> MetricSet:
    """The §B/§C metrics of a side view (callers handle other views).

    The back outline (the costly part) is read only on the frames these metrics use (standing baseline, each
    valid rep and the quiet frames before it), so the posture series are NaN on the other frames.
    """
    ms = MetricSet()
    t, fs, d = clean.t, clean.fs, ctx.direction
    near = ctx.near_side or "left"
    reps = C.valid_reps(ctx)
    bsl = C.baseline_slice(ctx)
    hta = kin[f"hip_trunk_angle_{near}"]
    trunk = kin["trunk_angle"]
    bases = _rep_bases(hta, reps, fs)  # rep signal: hip–trunk angle
    need = contour_frames(len(t), bsl, reps, bases)
    lcp, _sig, pel, upb = contour_series(clean, d, need)
    conf_idx = (L.LEG[near][0], L.LEG[near][1], L.L_SHOULDER, L.R_SHOULDER)
    bottoms = [r.bottom for r in reps]
    pos = P.posture(pel, upb, bsl) if bsl is not None else None
    conf_b = C.landmark_confidence(clean, bottoms, conf_idx)
    ms.add(C.make("trunk_angle_bottom", trunk[bottoms] if bottoms else [], bottoms, t, confidence=conf_b))
    ms.add(C.make("hip_trunk_angle_bottom", hta[bottoms] if bottoms else [], bottoms, t, confidence=conf_b))
    if pos is None or bsl is None or not reps:
        why = "no valid reps to measure"
        if pos is None:  # the outline was found on ≥ 3 frames of the clip, or not
            found = _contour_found(clean, d, lcp, need)
            why = "needs a second of standing (or a steady lockout) to compare with" if found else OUTLINE_MISSING
        for mid in computed_by("hinge"):  # what the outline and the reps would have given
            if mid not in ms.values:
                m = C.insufficient(mid, why)
                m.extra.update(method="contour", n_reps=0, flagged_reps=[])
                ms.add(m)
        return ms
    _posture_metrics(ms, pos, lcp, bsl, reps, t, conf_b * 0.6)  # proxy: confidence capped
    _timing_metrics(ms, pos, reps, bases, hta, t, fs, conf_b * 0.7)
    return ms


#: Why posture and hinge order are not judged when the back's outline is missing (a plain sentence).
OUTLINE_MISSING = (
    "the outline of the lower back was not found (loose clothing, an arm or a plate in the way, or too dark), "
    "so back rounding and the order of back and hips can't be judged: film from the side in fitted clothing"
)


def _posture_metrics(ms: MetricSet, pos: P.Posture, lcp, bsl: slice, reps: list, t, conf: float) -> None:
    """Pelvic-tilt and back-rounding changes at each rep's bottom, and the older outline-curve proxy."""
    bottoms = [r.bottom for r in reps]
    ms.series["pelvic_tilt_delta"], ms.series["back_rounding_delta"] = pos.pelvis, pos.rounding
    rnd = [P.near(pos.rounding, b) for b in bottoms]
    ms.add(
        C.make(
            "pelvic_tuck_bottom",
            [P.tuck(pos.pelvis, r.start, r.bottom) for r in reps],
            bottoms,
            t,
            confidence=conf,
            reason_if_empty="the lower back's outline was not found on the way down",
        )
    )
    ms.add(
        C.make(
            "pelvic_tilt_delta",
            [P.near(pos.pelvis, b) for b in bottoms],
            bottoms,
            t,
            confidence=conf,
            relative_to_baseline=True,
            reason_if_empty="the lower back's outline was not found at the bottom of any rep",
            extra={"noise_floor": pos.pelvis_floor, "standing_pelvis_angle_image": pos.pelvis_standing},
        )
    )
    ms.add(
        C.make(
            "back_rounding_delta",
            rnd,
            bottoms,
            t,
            confidence=conf,
            relative_to_baseline=True,
            reason_if_empty="the lower back's outline was not found at the bottom of any rep",
            extra={
                "noise_floor": pos.rounding_floor,
                "state_per_rep": [P.state(v, pos.rounding_floor) for v in rnd],
                "max_per_rep": [P.peak(pos.rounding, r.start, r.end) for r in reps],
            },
        )
    )
    ok = np.isfinite(lcp[bsl])
    if ok.sum() >= 3:
        dl = lcp - finite_median(lcp[bsl][ok])
        ms.add(
            C.make(
                "lcp_delta",
                dl[bottoms] if bottoms else [],
                bottoms,
                t,
                confidence=conf,
                relative_to_baseline=True,
                extra={"noise_floor": max(2.0 * float(np.nanstd(lcp[bsl])), LCP_FLOOR)},
            )
        )
    else:
        ms.add(C.insufficient("lcp_delta", "the outline curve was not found while standing"))


def _timing_metrics(ms: MetricSet, pos: P.Posture, reps: list, bases: list, hta, t, fs: float, conf: float) -> None:
    """Per-rep hinge lag (back-rounding onset − pelvis onset, ms), the early back : hip ratio and the share of
    reps where the back moved first."""
    margin = max(0.100, 3.0 / fs)
    lags: list[float | None] = []
    ratios: list[float | None] = []
    frames: list[int | None] = []
    flagged: list[int] = []
    neutral: list[int] = []
    unclear: list[int] = []  # the back's order could not be told: neither back-first nor hips-first
    n_rated = 0
    for r, base in zip(reps, bases):
        lo, hi = (int(base[-1]) + 1, r.bottom) if base.size >= 3 else (0, -1)
        th = onset(pos.pelvis, base, lo, hi, ANGLE_FLOOR, fs) if hi > lo else None
        frames.append(th)
        lag, R = None, None
        if th is not None:
            gate = max(3.0 * float(np.nanstd(pos.rounding[base])), TIMED_ROUNDING_DEG)
            moved = P.near(pos.rounding, r.bottom) - float(np.nanmean(pos.rounding[base])) > gate
            tl = onset(pos.rounding, base, lo, hi, ANGLE_FLOOR, fs) if moved else None
            still = not moved and abs(P.near(pos.rounding, r.bottom)) < STILL_SHARE * P.ROUNDING_FLOOR_DEG
            n_rated += still or tl is not None
            if still:
                neutral.append(r.index)
            elif tl is None:  # rounded but untimed, or neither clearly still nor clearly rounded
                unclear.append(r.index)
            else:
                lag = 1000.0 * (t[tl] - t[th])
                if lag <= -1000.0 * margin:
                    flagged.append(r.index)
            h0 = float(np.nanmean(hta[base]))
            idx30 = np.flatnonzero(hta[th : r.bottom + 1] - h0 >= 30.0)
            if idx30.size:  # early ratio R over the first 30° of hip–trunk flexion
                k = th + int(idx30[0])
                R = float((pos.rounding[k] - np.nanmean(pos.rounding[base])) / (hta[k] - h0))
        lags.append(lag)
        ratios.append(R if R is not None and np.isfinite(R) else None)
    extra = {"method": "contour", "neutral_back_reps": neutral, "unclear_reps": unclear, "margin_ms": 1000 * margin}
    reason = (
        "the back stayed within its standing noise on every rep"
        if len(neutral) == len(reps)
        else "the start of the back's or the pelvis's movement could not be found on any rep"
    )
    ms.add(C.make("hinge_lag_ms", lags, frames, t, confidence=conf, reason_if_empty=reason, extra=dict(extra)))
    ms.add(
        C.make(
            "hinge_early_ratio",
            ratios,
            frames,
            t,
            confidence=conf,
            reason_if_empty="the hinge never reached 30° of hip bend",
            extra={"lumbar": "back-rounding change, deg"},
        )
    )
    frac = len(flagged) / n_rated if n_rated else None
    per = [1.0 if r.index in flagged else 0.0 for r in reps]
    m = C.make(
        "hinge_back_first_fraction",
        per,
        frames,
        t,
        confidence=conf,
        value=frac,
        reason_if_empty="the start of the pelvis's movement could not be found",
        extra={**extra, "n_reps": n_rated, "flagged_reps": flagged},
    )
    if frac is None:
        m = C.insufficient("hinge_back_first_fraction", "the order of back and hips could not be told on any rep")
        m.extra.update(extra, n_reps=0, flagged_reps=[])
    ms.add(m)
