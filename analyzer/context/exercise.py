"""Which exercise a clip shows, from the movement: running, squat, deadlift, RDL or hinge.

Periodic alternating legs → running; large knee flexion with hip drop → squat (wrists below the knees →
deadlift); hip–trunk flexion with little knee flexion → hinge / RDL.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import exercises as X
from .. import landmarks as L
from ..geometry import finite_median, midpoint
from . import gait as GAIT
from . import reps as S

# ---------------------------------------------------------------------------
# Exercise
# ---------------------------------------------------------------------------
#: Running stride frequencies searched (strides/s): ~100–300 steps/min. Squat or hinge reps (≤ 0.5 Hz)
#: and walking-pace drifts stay out. Engineering choice.
RUN_STRIDE_HZ = (0.8, 2.5)
#: Wider band for clearly alternating legs: slow-motion footage strides at 0.25–0.8 Hz in clip time.
WIDE_STRIDE_HZ = (0.25, 2.5)
#: SD of the left–right ankle height difference (leg lengths) that only cycling legs reach: real runners
#: 0.20–0.42, real squats/deadlifts/RDLs ≤ 0.10 (shared real clips, docs/REALCLIPS.md). Heights, not x: a
#: left/right label swap of feet standing side by side (front view) flips x, never heights. Engineering choice.
WIDE_SWING_SD = 0.15
#: Runners stay upright: the trunk's lean from vertical (degrees, 75th percentile over the clip) was ≤ 11° on the
#: real running clips and 39–73° on side-view hinges, whose legs can seem to alternate when the model swaps
#: them. Engineering choice.
UPRIGHT_LEAN_DEG = 30.0


def _detrend(x: np.ndarray, win: int) -> np.ndarray:
    """x minus its centred moving average over ``win`` samples (edges padded)."""
    return (
        x - np.convolve(np.pad(x, win // 2, mode="edge"), np.ones(win) / win, mode="same")[win // 2 : win // 2 + len(x)]
    )


def _peak_share(xs: np.ndarray, fs: float, f: float, *, width_hz: float = 0.1, rel: float = 0.15) -> float:
    """Share of the spectrum's power (above ``width_hz``) within ±max(``width_hz``, ``rel``·f, 1.5 bins) of f."""
    spec = np.abs(np.fft.rfft(xs - xs.mean())) ** 2
    freqs = np.fft.rfftfreq(len(xs), 1.0 / fs)
    near = np.abs(freqs - f) <= max(width_hz, rel * f, 1.5 * fs / len(xs))
    return float(spec[near].sum() / max(spec[freqs > width_hz].sum(), 1e-12))


def _alternates(d: np.ndarray, share: float = 0.2, apart: float = 0.1) -> bool:
    """The left–right difference (leg lengths) takes both signs, each in ≥ ``share`` of the frames where the feet
    are ≥ ``apart`` apart: the legs take turns (a single-leg lift keeps the same foot up, so its difference keeps
    one sign; feet side by side, near 0, say nothing)."""
    k = d[np.isfinite(d) & (np.abs(d) >= apart)]
    return bool(len(k)) and min(float((k > 0).mean()), float((k < 0).mean())) >= share


def _trunk_lean_p75(xy: np.ndarray) -> float:
    """75th percentile over the clip of the trunk's lean from vertical (mid-hip → mid-shoulder, degrees)."""
    v = S.mid_shoulder(xy) - S.mid_hip(xy)
    a = np.degrees(np.arctan2(np.abs(v[:, 0]), -v[:, 1]))
    return float(np.nanpercentile(a, 75)) if np.isfinite(a).any() else 90.0


def running_score(xy: np.ndarray, fs: float) -> tuple[bool, float | None]:
    """(is_running, stride frequency Hz in clip time): periodic alternating leg motion.

    From the left–right ankle difference (x and y, leg lengths), either test passes:

    - *normal pace*: SD > 0.08 leg lengths, a dominant period at 0.8–2.5 strides/s (1-s moving average
      removed) holding ≥ 40 % of its power near the peak, ≥ 3 strides, and hips that bounce step by step;
    - *wide swing*: height difference SD ≥ :data:`WIDE_SWING_SD` with legs that take turns (:func:`_alternates`),
      a period at 0.25–2.5 strides/s (4-s trend removed, so slow motion counts), ≥ 3 strides, a clear peak
      (≥ 40 %) unless the swing is large (SD ≥ 0.25), and an upright trunk (:data:`UPRIGHT_LEAN_DEG`).
    """
    Lg = S.leg_length(xy)
    if not np.isfinite(Lg):
        return False, None
    d = (xy[:, L.L_ANKLE] - xy[:, L.R_ANKLE]) / Lg
    best = None
    wide = None
    win = max(3, int(round(fs)))  # 1-s moving average removed: camera pans and slow drifts are not strides
    for k in (0, 1):
        x = d[:, k]
        if np.isfinite(x).sum() < max(16, 2 * fs) or np.nanstd(x) < 0.08:
            continue
        sd = float(np.nanstd(x))
        xi = S._interp_nan(x)
        dur = len(xi) / fs
        xs = _detrend(xi, win)
        f = GAIT.stride_frequency_psd(xs, fs, fmin=RUN_STRIDE_HZ[0], fmax=RUN_STRIDE_HZ[1])
        if f is not None and _peak_share(xs, fs, f) >= 0.4 and f * dur >= 3 and (best is None or sd > best[1]):
            best = (f, sd)
        if k == 1 and sd >= WIDE_SWING_SD and _alternates(x):
            xw = _detrend(xi, max(3, int(round(4 * fs))))
            fw = GAIT.stride_frequency_psd(xw, fs, fmin=WIDE_STRIDE_HZ[0], fmax=WIDE_STRIDE_HZ[1])
            if fw is not None and fw * dur >= 3 and (sd >= 0.25 or _peak_share(xw, fs, fw) >= 0.4):
                if wide is None or sd > wide[1]:
                    wide = (fw, sd)
    if best is not None and _hip_bounce_fraction(xy, fs, Lg, win) < 0.3:
        best = None  # legs swing periodically but the hips do not bounce step by step: not running
    if wide is not None and _trunk_lean_p75(xy) < UPRIGHT_LEAN_DEG:
        return True, wide[0]
    return (best is not None), (best[0] if best else None)


def _hip_bounce_fraction(xy: np.ndarray, fs: float, Lg: float, win: int) -> float:
    """Share of the mid-hip vertical signal's power (1-s trend removed) near its peak at 1.6–5 Hz.

    Running bounces the hips once per step (≈ 2.5–3 Hz); on real clips this share was 0.48–0.76 for
    runners and ≤ 0.19 for squats and deadlifts whose ankles flickered periodically. Engineering choice.
    """
    y = S.mid_hip(xy)[:, 1] / Lg
    if np.isfinite(y).sum() < max(16, 2 * fs):
        return 0.0
    ys = _detrend(S._interp_nan(y), win)
    f = GAIT.stride_frequency_psd(ys, fs, fmin=1.6, fmax=min(5.0, 0.45 * fs))
    if f is None:
        return 0.0
    return _peak_share(ys, fs, f, width_hz=0.2, rel=0.0)


def _bottom_stats(xy: np.ndarray, kin: dict | None, frames: list[int], near: str) -> dict[str, float]:
    """Median knee flexion, hip–trunk angle, hip drop s and wrist height (vs knee) at given frames."""
    if not frames:
        return {}
    f = np.asarray(frames)
    s = S.hip_drop_signal(xy)
    Lg = S.leg_length(xy)
    wr = np.nanmean(xy[:, [L.L_WRIST, L.R_WRIST], 1], axis=1)
    kn = np.nanmean(xy[:, [L.L_KNEE, L.R_KNEE], 1], axis=1)
    ms_drop = (
        midpoint(xy[:, L.L_SHOULDER], xy[:, L.R_SHOULDER])[:, 1]
        - np.nanpercentile(midpoint(xy[:, L.L_SHOULDER], xy[:, L.R_SHOULDER])[:, 1], 5)
    ) / Lg
    out = {
        "s": finite_median(s[f]),
        "wrist_below_knee": finite_median((wr[f] - kn[f]) / Lg),
        "shoulder_drop": finite_median(ms_drop[f]),
    }
    if kin is not None:
        out["knee"] = finite_median(kin[f"knee_flexion_{near}"][f])
        out["hip_trunk"] = finite_median(kin[f"hip_trunk_angle_{near}"][f])
    return out


#: One ankle this far above the other at the bottoms (leg lengths) makes a hinge single-legged: the free
#: foot of a single-leg hinge rises ≈ 0.5 leg lengths or more; split stances and uneven floors stay < 0.1.
FOOT_LIFT = 0.25


def detect_exercise(clean, view: str, kin: dict | None, near: str | None) -> tuple[str, dict[str, Any]]:
    """The exercise of :func:`_movement_pattern`, unless the clip shows a single-leg hinge: the trunk tips forward
    (side: hip–trunk flexion ≥ 40° on the more flexed hip; front/back: shoulders ≥ 0.15 leg lengths lower) with
    one foot ≥ :data:`FOOT_LIFT` off the floor at the bottoms — then the registry's single-leg hinge."""
    name, st = _movement_pattern(clean, view, kin, near)
    spec = X.get(name)
    single = next((s for s in X.EXERCISES.values() if s.single_leg and s.family == "hinge"), None)
    if single is not None and name != "running" and (spec is None or spec.family == "hinge"):
        ss = _single_leg_stats(clean, view, kin)
        if ss.get("foot_lift", 0.0) >= FOOT_LIFT and ss.get("bend", 0.0) >= (40.0 if "hip_trunk" in ss else 0.15):
            return single.name, ss
    return name, st


def foot_lift(clean) -> np.ndarray:
    """(T,) |y_L ankle − y_R ankle| / L_leg from the raw landmarks where both ankles are placed (visibility ≥ 0.2).

    Raw, not cleaned: the free foot of a single-leg hinge hides behind the body from the front, so its
    visibility is low (the cleaned track drops it) while MediaPipe still places it where it is.
    """
    xy, vis = np.asarray(clean.raw.xy, float), np.asarray(clean.visibility, float)
    lift = np.abs(xy[:, L.L_ANKLE, 1] - xy[:, L.R_ANKLE, 1]) / S.leg_length(clean.xy)
    return np.where((vis[:, L.L_ANKLE] >= 0.2) & (vis[:, L.R_ANKLE] >= 0.2), lift, np.nan)


def _single_leg_stats(clean, view: str, kin: dict | None) -> dict[str, Any]:
    """Bottom stats of the reps of a single-leg hinge: ``bend`` (hip–trunk flexion of the more flexed hip, deg, in
    side views; else shoulder drop, leg lengths) and ``foot_lift`` (see :func:`foot_lift`)."""
    xy = clean.xy
    if view in ("side", "oblique") and kin is not None:
        sig, prom = np.fmax(kin["hip_trunk_angle_left"], kin["hip_trunk_angle_right"]), S.ANGLE_PROMINENCE
    else:
        MS = midpoint(xy[:, L.L_SHOULDER], xy[:, L.R_SHOULDER])[:, 1]
        if not np.isfinite(MS).any():
            return {}
        sig, prom = (MS - np.nanpercentile(MS, 5)) / S.leg_length(xy), S.S_PROMINENCE
    reps = S.find_reps(sig, clean.t, clean.fs, prominence=prom)
    if not reps:
        return {}
    bottoms = [r.bottom for r in reps]
    st = _bottom_stats(xy, None, bottoms, "left")
    st["bend"] = finite_median(np.asarray(sig)[bottoms])
    st["foot_lift"] = finite_median(foot_lift(clean)[bottoms])
    if view in ("side", "oblique") and kin is not None:
        st["hip_trunk"] = st["bend"]
    return st


def _movement_pattern(clean, view: str, kin: dict | None, near: str | None) -> tuple[str, dict[str, Any]]:
    """("squat"|"deadlift"|"rdl"|"hinge"|"running"|"unknown", evidence) from the movement pattern.

    Bottoms include one the clip opens with (a pull from the floor). Side/oblique (thresholds are
    engineering heuristics): knee flexion ≥ 60° and hip drop ≥ 0.2 leg lengths at the bottom → squat, or
    deadlift when the wrists are below the knees (any hip drop when the clip opens at that bottom: its lockout
    is the only standing seen); hip–trunk ≥ 40° with
    knee < 60° → rdl when the wrists hang below the knees, else hinge. Front/back: hip drop ≥ 0.2 →
    squat/deadlift (wrists), shoulder drop ≥ 0.25 leg lengths with little hip drop → hinge.
    """
    xy = clean.xy
    run, f = running_score(xy, clean.fs)
    if run:
        return "running", {"stride_hz": f}
    near = near or "left"
    sagittal = view in ("side", "oblique") and kin is not None
    bottoms: list[int] = []
    opened = False  # the clip opens at a bottom (a pull from the floor)
    if sagittal and kin is not None:
        for sig, prom in (
            (kin[f"hip_trunk_angle_{near}"], S.ANGLE_PROMINENCE),
            (S.hip_drop_signal(xy), S.S_PROMINENCE),
        ):
            reps = S.find_reps(sig, clean.t, clean.fs, prominence=prom, from_bottom=True)
            if reps:
                bottoms = [r.bottom for r in reps]
                opened = any(r.from_bottom for r in reps)
                break
    else:
        s = S.hip_drop_signal(xy)
        MS = midpoint(xy[:, L.L_SHOULDER], xy[:, L.R_SHOULDER])[:, 1]
        q = (MS - np.nanpercentile(MS, 5)) / S.leg_length(xy) if np.isfinite(MS).any() else MS
        for sig in (s, q):
            reps = S.find_reps(sig, clean.t, clean.fs, prominence=S.S_PROMINENCE, from_bottom=True)
            if reps:
                bottoms = [r.bottom for r in reps]
                break
    st = _bottom_stats(xy, kin if sagittal else None, bottoms, near)
    if not st:
        return "unknown", {}
    low_wrists = st.get("wrist_below_knee", -1.0) > 0.0
    if sagittal:
        if st["knee"] >= 60 and (st["s"] >= 0.2 or (low_wrists and opened)):
            return ("deadlift" if low_wrists else "squat"), st
        if st["hip_trunk"] >= 40:
            return ("rdl" if low_wrists else "hinge"), st
        return "unknown", st
    if st["s"] >= 0.2:
        return ("deadlift" if low_wrists else "squat"), st
    if st["shoulder_drop"] >= 0.25:
        return "hinge", st
    return "unknown", st
