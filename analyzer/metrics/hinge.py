"""Pelvis/low-back posture proxy (spec §B) and lumbar-vs-hip hinge timing (spec §C), side view.

Back contour (eq. 10) from the segmentation mask: rays are cast from the trunk axis (MH→MS) in the
posterior direction at stations u (fraction of trunk length, 0 = MH, 1 = MS) and stop at the mask
edge. The buttock apex is the most posterior point for u ≤ 0.1; the contour runs from the apex up to
u = 0.45 (y_TL = y_MH − 0.45·(y_MH − y_MS) when upright). A cubic is fitted to the contour in chord
coordinates: LCP = signed max contour–chord distance / chord length (+ = bulging backward = rounded,
− = curving inward = arched); sacral tangent σ = angle of the fitted curve just above the apex from
the upward vertical, + = top tilted forward (image frame, so it includes whole-pelvis rotation).
Both are proxies and are reported only as changes from the person's standing baseline.
"""
from __future__ import annotations

import numpy as np

from .. import landmarks as L
from .. import segment as S
from ..geometry import finite_median
from ..types import Context, MetricSet
from . import common as C

TL_U = 0.45
APEX_U = (-0.40, 0.10)
#: Minimum noise floor on LCP (engineering choice). On the synthetic ground-truth clips the outline
#: proxy moved by ≤ 0.035 between a 4° and a 30° lumbar flexion at the stored mask resolution, so a
#: smaller change is not trusted as "more rounded/arched" (see docs/ACCURACY.md).
LCP_FLOOR = 0.04
ANGLE_FLOOR, H_FLOOR = 3.0, 0.03  # onset floors (spec eq. 11)
SUSTAIN_S = 0.10


def lumbar_angle_from_lcp(lcp):
    """Arc angle (deg) of a circular arc with sagitta/chord = LCP: 4·atan(2·LCP) (+ = rounded)."""
    return np.degrees(4.0 * np.arctan(2.0 * np.asarray(lcp, float)))


def back_contour(mask: np.ndarray, scale_xy: tuple[float, float], mh: np.ndarray, ms: np.ndarray, direction: int,
                 n_stations: int = 64) -> tuple[float, float, np.ndarray | None]:
    """(LCP, σ deg, contour points px (N,2)) of one frame; NaN when the contour can't be found.

    ``scale_xy`` = (mask_w / W, mask_h / H); ``mh``/``ms`` in px; ``direction`` ±1.
    """
    nan = (float("nan"), float("nan"), None)
    if direction not in (1, -1) or not (np.all(np.isfinite(mh)) and np.all(np.isfinite(ms))):
        return nan
    h, w = mask.shape
    sx, sy = scale_xy
    a = ms - mh
    Lt = float(np.hypot(*a))
    if Lt < 5:
        return nan
    e = a / Lt
    n = direction * np.array([e[1], -e[0]])  # posterior normal
    u = np.linspace(APEX_U[0], TL_U, n_stations)
    step = 0.5 / min(sx, sy)
    r = np.arange(0.0, 0.6 * Lt, step)
    pts = mh[None, None, :] + (u[:, None, None] * Lt) * e[None, None, :] + r[None, :, None] * n[None, None, :]
    ix = np.round(pts[..., 0] * sx - 0.5).astype(int)
    iy = np.round(pts[..., 1] * sy - 0.5).astype(int)
    inb = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
    inside = np.zeros(ix.shape, bool)
    inside[inb] = mask[iy[inb], ix[inb]]
    start_in = inside[:, 0]
    out_after = ~inside
    first_out = np.where(out_after.any(1), out_after.argmax(1), len(r))
    d = np.where(start_in & (first_out < len(r)), r[np.clip(first_out, 0, len(r) - 1)] - step / 2, np.nan)
    low = (u <= APEX_U[1]) & np.isfinite(d)
    if low.sum() < 3 or np.isfinite(d).sum() < 8:
        return nan
    ia = int(np.flatnonzero(low)[np.argmax(d[low])])
    seg = np.arange(ia, n_stations)
    seg = seg[np.isfinite(d[seg])]
    if seg.size < 6:
        return nan
    P = mh[None, :] + (u[seg, None] * Lt) * e[None, :] + d[seg, None] * n[None, :]
    c0, c1 = P[0], P[-1]
    chord = c1 - c0
    cl = float(np.hypot(*chord))
    if cl < 3:
        return nan
    ch = chord / cl
    nrm = np.array([-ch[1], ch[0]])
    if nrm @ n < 0:
        nrm = -nrm  # + = posterior
    s = (P - c0) @ ch
    off = (P - c0) @ nrm
    coef = np.polyfit(s, off, 3)
    sg = np.linspace(s.min(), s.max(), 100)
    fit = np.polyval(coef, sg)
    fitted = c0[None, :] + sg[:, None] * ch[None, :] + fit[:, None] * nrm[None, :]
    f0, f1 = fitted[0], fitted[-1]
    fc = f1 - f0
    fl = float(np.hypot(*fc))
    fn = np.array([-fc[1], fc[0]]) / fl
    if fn @ n < 0:
        fn = -fn
    dist = (fitted - f0) @ fn
    k = int(np.argmax(np.abs(dist)))
    lcp = float(dist[k] / fl)
    j = min(len(sg) - 1, 15)  # ~15 % of the chord above the apex
    tan = fitted[j] - fitted[max(j - 5, 0)]
    sigma = float(np.degrees(np.arctan2(direction * tan[0], -tan[1])))
    return lcp, sigma, fitted


def contour_series(clean, direction: int) -> tuple[np.ndarray, np.ndarray]:
    """(LCP (T,), σ (T,) deg) for every frame with a mask; NaN elsewhere."""
    T = len(clean.t)
    lcp, sig = np.full(T, np.nan), np.full(T, np.nan)
    ms = clean.masks
    if ms is None or direction not in (1, -1):
        return lcp, sig
    mh_, mw_ = ms.shape
    scale = (mw_ / clean.width, mh_ / clean.height)
    MH, MS = S.mid_hip(clean.xy), S.mid_shoulder(clean.xy)
    for i in range(T):
        m = ms.get(i) if i < len(ms.valid) else None
        if m is None:
            continue
        lcp[i], sig[i], _ = back_contour(m, scale, MH[i], MS[i], direction)
    return lcp, sig


def onset(x: np.ndarray, base: np.ndarray, lo: int, hi: int, floor: float, fs: float) -> int | None:
    """Spec eq. 11: first frame in [lo, hi] where x − mean(base) > max(3·SD(base), floor) for ≥ 100 ms."""
    b = x[base]
    b = b[np.isfinite(b)]
    if b.size < 2 or hi <= lo:
        return None
    thr = max(3.0 * float(np.std(b)), floor)
    above = (x - float(np.mean(b))) > thr
    n = max(1, int(np.ceil(SUSTAIN_S * fs)))
    for i in range(lo, max(lo, hi - n + 2)):
        if above[i:i + n].all() and i + n <= len(x):
            return i
    return None


def _base_frames(sig: np.ndarray, lo: int, start: int, fs: float) -> np.ndarray:
    """Quiet frames before a rep: in [lo, start) with the rep signal within 3 % of its rest level; last 0.5 s."""
    if start - lo < 2:
        return np.arange(max(0, start - 3), start)
    seg = sig[lo:start]
    rest = np.nanmin(seg) if np.isfinite(seg).any() else np.nan
    top = np.nanmax(sig[start:start + int(2 * fs)]) if np.isfinite(sig[start:start + int(2 * fs)]).any() else rest
    q = np.flatnonzero(seg <= rest + 0.03 * max(top - rest, 1e-9)) + lo
    if q.size < 3:
        q = np.arange(lo, start)
    # the last contiguous run of quiet frames, capped to 0.5 s
    brk = np.flatnonzero(np.diff(q) > 1)
    q = q[brk[-1] + 1:] if brk.size else q
    return q[-max(3, int(round(0.5 * fs))):]


def compute(clean, ctx: Context, kin: dict, ms: MetricSet) -> None:
    """Add the §B/§C metrics for a side view (callers handle other views)."""
    t, fs, d = clean.t, clean.fs, ctx.direction
    near = ctx.near_side or "left"
    reps = C.valid_reps(ctx)
    lcp, sig = contour_series(clean, d)
    has_mask = np.isfinite(lcp).sum() >= 3
    bsl = C.baseline_slice(ctx)
    MH = S.mid_hip(clean.xy)
    L_thigh = S.thigh_length(clean.xy)
    mh0 = finite_median(MH[bsl, 0]) if bsl else (finite_median(MH[reps[0].start - 3:reps[0].start, 0]) if reps else np.nan)
    hback = -d * (MH[:, 0] - mh0) / L_thigh
    trunk, hta = kin["trunk_angle"], kin[f"hip_trunk_angle_{near}"]
    ms.series["hip_back"] = hback
    conf_idx = (L.LEG[near][0], L.LEG[near][1], L.L_SHOULDER, L.R_SHOULDER)

    # --- posture proxy: ΔLCP and Δσ at the bottom of each rep -------------------------------
    bottoms = [r.bottom for r in reps]
    if has_mask and bsl is not None and np.isfinite(lcp[bsl]).sum() >= 3:
        lcp0, sig0 = finite_median(lcp[bsl]), finite_median(sig[bsl])
        floor = max(2.0 * float(np.nanstd(lcp[bsl])), LCP_FLOOR)
        sfloor = max(2.0 * float(np.nanstd(sig[bsl])), ANGLE_FLOOR)
        dl, ds = lcp - lcp0, sig - sig0
        ms.series["lcp_delta"], ms.series["sacral_tangent_delta"] = dl, ds
        state = ["more rounded" if v > floor else "more arched" if v < -floor else "neutral"
                 for v in dl[bottoms]] if bottoms else []
        conf = C.landmark_confidence(clean, bottoms, conf_idx) * 0.6  # proxy: capped
        ms.add(C.make("lcp_delta", dl[bottoms] if bottoms else [], bottoms, t, confidence=conf, proxy=True,
                      relative_to_baseline=True, extra={"noise_floor": floor, "state_per_rep": state,
                                                        "standing_lcp": lcp0, "max_per_rep": [
                                                            float(np.nanmax(dl[r.start:r.end + 1])) for r in reps]}))
        ms.add(C.make("sacral_tangent_delta", ds[bottoms] if bottoms else [], bottoms, t, confidence=conf, proxy=True,
                      relative_to_baseline=True, extra={"noise_floor": sfloor, "standing_sigma": sig0}))
    else:
        why = ("needs the body outline (segmentation mask)" if not has_mask
               else "needs ≥1 s of quiet standing before the first rep")
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
    lags, trunk_lags, ratios, flagged, frames, n_rated, neutral = [], [], [], [], [], 0, []
    rep_method: list[str | None] = []  # per rated rep: what the lag/flag came from
    rep_sig = hta
    prev_end = 0
    for r in reps:
        base = _base_frames(rep_sig, prev_end, r.start, fs)
        prev_end = r.end
        if base.size < 3:
            lags.append(None), trunk_lags.append(None), ratios.append(None), frames.append(None)
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
            contour_flag = (lag is not None and lag <= -1000.0 * margin
                            and dl[th] - float(np.nanmean(dl[base])) > floor)
            # Spec C fallback ("trunk tips before hips move back": θ_T +5° while the hips have not moved):
            # used without a mask, and also when the outline proxy — weak on real backs — saw nothing.
            trunk_lag = trunk_lags[-1]
            trunk_flag = (trunk_lag is not None and trunk_lag <= -1000.0 * margin
                          and trunk[th] - base_trunk >= 5.0)
            if contour_flag:
                flagged.append(r.index)
                rep_method.append("contour")
            elif trunk_flag and not contour_flag:
                flagged.append(r.index)
                rep_method.append("trunk")
            else:
                rep_method.append("contour" if lag is not None else "trunk")
            if lag is None:
                lag = trunk_lag
        else:
            rep_method.append(None)
        lags.append(lag)
        # early ratio R over the first 30° of hip–trunk flexion (needs the contour)
        R = None
        if dl is not None and th_h is not None:
            h0 = float(np.nanmean(hta[base]))
            idx30 = np.flatnonzero(hta[th_h:r.bottom + 1] - h0 >= 30.0)
            if idx30.size:
                k = th_h + int(idx30[0])
                lum = lumbar_angle_from_lcp(lcp)
                R = float((lum[k] - np.nanmean(lum[base])) / (hta[k] - h0))
        ratios.append(R)
    conf_t = C.landmark_confidence(clean, [f for f in frames if f is not None], conf_idx) * (0.7 if method == "contour" else 0.5)
    flagged_by = {rep_method[i] for i, r in enumerate(reps) if r.index in flagged}
    if flagged_by:
        method = "contour" if "contour" in flagged_by else "trunk"
    extra = {"method": method, "trunk_lag_ms": trunk_lags, "neutral_back_reps": neutral, "margin_ms": 1000 * margin,
             "rep_method": rep_method}
    if not reps:
        for mid in ("hinge_lag_ms", "hinge_early_ratio", "hinge_back_first_fraction"):
            ms.add(C.insufficient(mid, "no valid reps to measure"))
        return
    reason = ("the back stayed within its standing noise floor on every rep" if method == "contour" and len(neutral) == len(reps)
              else "hip or back onset not found")
    ms.add(C.make("hinge_lag_ms", lags, frames, t, confidence=conf_t, reason_if_empty=reason, extra=dict(extra)))
    if dl is None:
        ms.add(C.insufficient("hinge_early_ratio", "needs the body outline (segmentation mask)"))
    else:
        ms.add(C.make("hinge_early_ratio", ratios, frames, t, confidence=conf_t, proxy=True,
                      reason_if_empty="hinge never reached 30° of hip–trunk flexion",
                      extra={"lumbar": "arc angle 4·atan(2·LCP), deg"}))
    frac = len(flagged) / n_rated if n_rated else None
    per = [1.0 if r.index in flagged else 0.0 for r in reps]
    m = C.make("hinge_back_first_fraction", per, frames, t, confidence=conf_t, value=frac,
               proxy=method == "contour", reason_if_empty="hip onset not found",
               extra={**extra, "n_reps": n_rated, "flagged_reps": flagged})
    if frac is None:
        m = C.insufficient("hinge_back_first_fraction", "hip onset not found on any rep")
        m.extra.update(extra, n_reps=0, flagged_reps=[])
    ms.add(m)
