"""Pelvis/low-back posture proxy (spec §B) and lumbar-versus-hip hinge timing (spec §C), side view.

The posture proxy is the change of the back outline (:mod:`.back_outline`) from standing at each rep's
bottom; hinge timing compares the onsets of the back signal and of posterior hip travel.
"""

from __future__ import annotations

import numpy as np

from .. import landmarks as L
from ..context import reps as S
from ..geometry import finite_median
from ..types import Context, MetricSet
from . import common as C
from .back_outline import (
    _contour_found,
    contour_frames,
    contour_series,
    lumbar_angle_from_lcp,
)
from .registry import computed_by

#: Minimum noise floor on LCP (engineering choice). On the synthetic ground-truth clips the outline
#: proxy moved by ≤ 0.035 between a 4° and a 30° lumbar flexion at the stored mask resolution, so a
#: smaller change is not trusted as "more rounded/arched" (see docs/ACCURACY.md).
LCP_FLOOR = 0.04


ANGLE_FLOOR, H_FLOOR = 3.0, 0.03  # onset floors (spec eq. 11)


SUSTAIN_S = 0.10

#: Onsets like with like: a share of each signal's own rep excursion that its onset must also cover (besides
#: the spec eq. 11 noise threshold). With eq. 11's fixed floors a trunk that moves 80° crosses 3° long before
#: hips that travel 0.3 thigh lengths cross 0.03, which biases the lag toward "back first". On perfect synthetic
#: landmarks (``python benchmarks/experiments/hinge_onsets.py``) a share of 0.10 moves hip-first designs from
#: −133…0 ms to −67…+67 ms, but through the pose model it cost three lumbar-first detections of the synthetic
#: matrix and fixed one false alarm (docs/ACCURACY.md, recall 0.72 → 0.64), so it stays 0 (eq. 11) until the
#: lumbar signal itself is sound (issue: the hinge and the pelvis, truly measured).
ONSET_FRAC = 0.0


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


#: Whether the module reads the side-view kinematics (direction and near side known); without them its metrics
#: are not measurable.
NEEDS_SIDE_KINEMATICS = True


def compute(clean, ctx: Context, kin: dict) -> MetricSet:
    """The §B/§C metrics of a side view (callers handle other views).

    The back contour is computed only on the frames these metrics read (standing baseline, each valid
    rep and the quiet frames before it), so ``series["lcp_delta"]``/``["sacral_tangent_delta"]`` are NaN
    on the other frames.
    """
    ms = MetricSet()
    t, fs, d = clean.t, clean.fs, ctx.direction
    near = ctx.near_side or "left"
    reps = C.valid_reps(ctx)
    bsl = C.baseline_slice(ctx)
    hta = kin[f"hip_trunk_angle_{near}"]
    bases = _rep_bases(hta, reps, fs)  # rep signal: hip–trunk angle
    # The contour (the costly part) only where it is read: baseline and reps (plus their base frames).
    need = contour_frames(len(t), bsl, reps, bases)
    lcp, sig = contour_series(clean, d, need)
    MH = S.mid_hip(clean.xy)
    L_thigh = S.thigh_length(clean.xy)
    mh0 = (
        finite_median(MH[bsl, 0])
        if bsl
        else (finite_median(MH[reps[0].start - 3 : reps[0].start, 0]) if reps else np.nan)
    )
    hback = -d * (MH[:, 0] - mh0) / L_thigh
    trunk = kin["trunk_angle"]
    ms.series["hip_back"] = hback
    conf_idx = (L.LEG[near][0], L.LEG[near][1], L.L_SHOULDER, L.R_SHOULDER)

    # --- posture proxy: ΔLCP and Δσ at the bottom of each rep -------------------------------
    bottoms = [r.bottom for r in reps]
    if bsl is not None and np.isfinite(lcp[bsl]).sum() >= 3:
        lcp0, sig0 = finite_median(lcp[bsl]), finite_median(sig[bsl])
        floor = max(2.0 * float(np.nanstd(lcp[bsl])), LCP_FLOOR)
        sfloor = max(2.0 * float(np.nanstd(sig[bsl])), ANGLE_FLOOR)
        dl, ds = lcp - lcp0, sig - sig0
        ms.series["lcp_delta"], ms.series["sacral_tangent_delta"] = dl, ds
        state = (
            ["more rounded" if v > floor else "more arched" if v < -floor else "neutral" for v in dl[bottoms]]
            if bottoms
            else []
        )
        conf = C.landmark_confidence(clean, bottoms, conf_idx) * 0.6  # proxy: capped
        ms.add(
            C.make(
                "lcp_delta",
                dl[bottoms] if bottoms else [],
                bottoms,
                t,
                confidence=conf,
                proxy=True,
                relative_to_baseline=True,
                extra={
                    "noise_floor": floor,
                    "state_per_rep": state,
                    "standing_lcp": lcp0,
                    "max_per_rep": [float(np.nanmax(dl[r.start : r.end + 1])) for r in reps],
                },
            )
        )
        ms.add(
            C.make(
                "sacral_tangent_delta",
                ds[bottoms] if bottoms else [],
                bottoms,
                t,
                confidence=conf,
                proxy=True,
                relative_to_baseline=True,
                extra={"noise_floor": sfloor, "standing_sigma": sig0},
            )
        )
    else:
        has_mask = _contour_found(clean, d, lcp, need)  # the contour was found on ≥ 3 frames of the clip
        why = (
            "needs the body outline (segmentation mask)"
            if not has_mask
            else "needs ≥1 s of quiet standing before the first rep"
        )
        ms.add(C.insufficient("lcp_delta", why))
        ms.add(C.insufficient("sacral_tangent_delta", why))
        floor = LCP_FLOOR
        dl = None
    conf_b = C.landmark_confidence(clean, bottoms, conf_idx)
    ms.add(C.make("trunk_angle_bottom", trunk[bottoms] if bottoms else [], bottoms, t, confidence=conf_b))
    ms.add(C.make("hip_trunk_angle_bottom", hta[bottoms] if bottoms else [], bottoms, t, confidence=conf_b))

    # --- hinge timing ------------------------------------------------------------------------
    method = "contour" if dl is not None else "trunk"
    margin = max(0.100, 3.0 / fs)
    lags: list[float | None] = []
    trunk_lags: list[float | None] = []
    ratios: list[float | None] = []
    frames: list[int | None] = []
    flagged: list[int] = []
    neutral: list[int] = []
    n_rated = 0
    rep_method: list[str | None] = []  # per rated rep: what the lag/flag came from
    lum = lumbar_angle_from_lcp(lcp) if dl is not None else None
    for r, base in zip(reps, bases):
        if base.size < 3:
            for lst in (lags, trunk_lags, ratios, frames):
                lst.append(None)
            rep_method.append(None)
            continue
        lo, hi = int(base[-1]) + 1, r.bottom
        th = onset(hback, base, lo, hi, H_FLOOR, fs)
        tt = onset(trunk, base, lo, hi, ANGLE_FLOOR, fs)
        tl = onset(dl, base, lo, hi, floor, fs) if dl is not None else None
        th_h = onset(hta, base, lo, hi, ANGLE_FLOOR, fs)
        frames.append(th)
        trunk_lags.append(None if th is None or tt is None else 1000.0 * (t[tt] - t[th]))
        lag = None
        if method == "contour":
            lag = None if th is None or tl is None else 1000.0 * (t[tl] - t[th])
            if th is not None and tl is None:
                neutral.append(r.index)
        if th is not None:
            n_rated += 1
            base_trunk = float(np.nanmean(trunk[base]))
            contour_flag = (
                dl is not None
                and lag is not None
                and lag <= -1000.0 * margin
                and dl[th] - float(np.nanmean(dl[base])) > floor
            )
            # Spec C fallback ("trunk tips before hips move back": θ_T +5° while the hips have not moved):
            # used without a mask, and also when the outline proxy — weak on real backs — saw nothing.
            trunk_lag = trunk_lags[-1]
            trunk_flag = trunk_lag is not None and trunk_lag <= -1000.0 * margin and trunk[th] - base_trunk >= 5.0
            if contour_flag:
                flagged.append(r.index)
                rep_method.append("contour")
            elif trunk_flag and not contour_flag:
                flagged.append(r.index)
                rep_method.append("trunk")
            else:
                rep_method.append("contour" if lag is not None else "trunk")
            if lag is None or (rep_method[-1] == "trunk" and trunk_lag is not None):
                lag = trunk_lag  # the lag shown for a rep is the one its verdict came from
        else:
            rep_method.append(None)
        lags.append(lag)
        # early ratio R over the first 30° of hip–trunk flexion (needs the contour)
        R = None
        if dl is not None and th_h is not None:
            h0 = float(np.nanmean(hta[base]))
            idx30 = np.flatnonzero(hta[th_h : r.bottom + 1] - h0 >= 30.0)
            if idx30.size:
                k = th_h + int(idx30[0])
                assert lum is not None  # the ratio needs the outline, like dl
                R = float((lum[k] - np.nanmean(lum[base])) / (hta[k] - h0))
        ratios.append(R)
    conf_t = C.landmark_confidence(clean, [f for f in frames if f is not None], conf_idx) * (
        0.7 if method == "contour" else 0.5
    )
    flagged_by = {rep_method[i] for i, r in enumerate(reps) if r.index in flagged}
    if flagged_by:
        method = "contour" if "contour" in flagged_by else "trunk"
    extra = {
        "method": method,
        "trunk_lag_ms": trunk_lags,
        "neutral_back_reps": neutral,
        "margin_ms": 1000 * margin,
        "rep_method": rep_method,
    }
    if not reps:
        for mid in computed_by("hinge"):  # the timing metrics
            if mid not in ms.values:
                ms.add(C.insufficient(mid, "no valid reps to measure"))
        return ms
    reason = (
        "the back stayed within its standing noise floor on every rep"
        if method == "contour" and len(neutral) == len(reps)
        else "hip or back onset not found"
    )
    ms.add(C.make("hinge_lag_ms", lags, frames, t, confidence=conf_t, reason_if_empty=reason, extra=dict(extra)))
    if dl is None:
        ms.add(C.insufficient("hinge_early_ratio", "needs the body outline (segmentation mask)"))
    else:
        ms.add(
            C.make(
                "hinge_early_ratio",
                ratios,
                frames,
                t,
                confidence=conf_t,
                proxy=True,
                reason_if_empty="hinge never reached 30° of hip–trunk flexion",
                extra={"lumbar": "arc angle 4·atan(2·LCP), deg"},
            )
        )
    frac = len(flagged) / n_rated if n_rated else None
    per = [1.0 if r.index in flagged else 0.0 for r in reps]
    m = C.make(
        "hinge_back_first_fraction",
        per,
        frames,
        t,
        confidence=conf_t,
        value=frac,
        proxy=method == "contour",
        reason_if_empty="hip onset not found",
        extra={**extra, "n_reps": n_rated, "flagged_reps": flagged},
    )
    if frac is None:
        m = C.insufficient("hinge_back_first_fraction", "hip onset not found on any rep")
        m.extra.update(extra, n_reps=0, flagged_reps=[])
    ms.add(m)
    return ms
