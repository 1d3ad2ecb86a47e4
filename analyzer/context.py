"""What a clip shows: camera view, facing direction, near side, exercise, reps/strides, setup issues.

Spec §F.6–7, F.9. View from r = |x_LSh − x_RSh| / |MS − MH| (frontal/back if r > FRONTAL_R, side if r < SAGITTAL_R — adjusted from the spec, see below;
else oblique; hip width ×1.9 stands in when shoulders are missing); front vs back from face visibility
and left/right shoulder order; direction/near side from :mod:`analyzer.geometry`. Exercise from the
movement: periodic alternating legs → running; large knee flexion with hip drop → squat (wrists below
the knees → deadlift); hip–trunk flexion with little knee flexion → hinge / RDL. User overrides win.
"""
from __future__ import annotations

import numpy as np

from . import landmarks as L
from . import segment as S
from .geometry import facing_direction, finite_median, midpoint, near_side, segment_length
from .types import Context, Rep, SetupIssue

#: View thresholds on r = shoulder width / torso length. The spec's heuristics (0.45 / 0.15) put real
#: side-view clips (people stand 15–25° off true side-on; measured median r ≈ 0.19 on three gym and
#: treadmill phone clips) into "oblique" and a 45° view into "frontal". With shoulder width ≈ 0.75 ×
#: torso length, r < 0.27 is within ~20° of side-on (the spec's cited tolerable out-of-plane angle)
#: and r > 0.55 is within ~40° of front-on. Engineering choice.
FRONTAL_R, SAGITTAL_R = 0.55, 0.27
HIP_TO_SHOULDER = 1.9  # typical shoulder-width / hip-joint-width ratio (engineering choice)
SAGITTAL_EXERCISES = ("squat", "deadlift", "rdl", "hinge")
EXERCISES = ("squat", "deadlift", "rdl", "hinge", "running")
VIEWS = ("side", "front", "back", "oblique")

#: metrics lost when a sagittal exercise is filmed from the front/back (listed in the setup warning)
SIDE_ONLY = ("pelvis/low-back proxy", "hinge timing", "hip and knee flexion", "squat depth", "trunk and shank angles",
             "knee travel", "heel lift", "bar path")


# ---------------------------------------------------------------------------
# View
# ---------------------------------------------------------------------------
def view_ratio(xy: np.ndarray) -> np.ndarray:
    """(T,) r = shoulder width / torso length (px/px); hip width × 1.9 where shoulders are unknown."""
    MS = midpoint(xy[:, L.L_SHOULDER], xy[:, L.R_SHOULDER])
    MH = midpoint(xy[:, L.L_HIP], xy[:, L.R_HIP])
    torso = segment_length(MH, MS)
    torso = np.where(torso > 0, torso, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        r_sh = np.abs(xy[:, L.L_SHOULDER, 0] - xy[:, L.R_SHOULDER, 0]) / torso
        r_hip = HIP_TO_SHOULDER * np.abs(xy[:, L.L_HIP, 0] - xy[:, L.R_HIP, 0]) / torso
    return np.where(np.isfinite(r_sh), r_sh, r_hip)


def classify_ratio(r: np.ndarray | float) -> np.ndarray:
    """Per-value view class: "frontal" (r > FRONTAL_R), "side" (r < SAGITTAL_R), "oblique", or "unknown" (NaN)."""
    r = np.asarray(r, float)
    out = np.full(r.shape, "oblique", dtype=object)
    out[r > FRONTAL_R] = "frontal"
    out[r < SAGITTAL_R] = "side"
    out[~np.isfinite(r)] = "unknown"
    return out


def _ratio_confidence(r: float) -> float:
    """0..1: how far the median ratio sits from the nearest class threshold (relative)."""
    if not np.isfinite(r):
        return 0.0
    if r > FRONTAL_R:
        m = (r - FRONTAL_R) / 0.15
    elif r < SAGITTAL_R:
        m = (SAGITTAL_R - r) / 0.10
    else:
        m = min(r - SAGITTAL_R, FRONTAL_R - r) / 0.08
    return float(np.clip(0.5 + 0.5 * m, 0.0, 1.0))


def front_or_back(xy: np.ndarray, visibility: np.ndarray, frames: np.ndarray | None = None,
                  z: np.ndarray | None = None) -> tuple[str, float]:
    """("front"|"back", confidence) for a frontal-plane view.

    Cues: the nose's MediaPipe depth relative to the ears (nearer than the ears ⇒ facing the camera;
    weight 0.6) and shoulder order (subject's left shoulder at larger image x ⇒ facing the camera;
    weight 0.4). Face *visibility* is not used: MediaPipe reports the face as visible from behind too
    (measured 1.0 on a synthetic back view). Without z, face visibility stands in for the depth cue.
    """
    idx = slice(None) if frames is None else frames
    dx = xy[idx][:, L.L_SHOULDER, 0] - xy[idx][:, L.R_SHOULDER, 0]
    order = np.nanmedian(dx) if np.isfinite(dx).any() else 0.0
    depth_cue = 0.0
    if z is not None and np.isfinite(z[idx][:, [L.NOSE, L.L_EAR, L.R_EAR]]).any():
        dz = z[idx][:, L.NOSE] - np.nanmean(z[idx][:, [L.L_EAR, L.R_EAR]], axis=1)
        depth_cue = float(np.clip(-np.nanmedian(dz) / 0.1, -1, 1)) if np.isfinite(dz).any() else 0.0
    elif visibility.size:
        face = np.nanmean(visibility[idx][:, [L.NOSE, 1, 2, 4, 5]])
        depth_cue = float(np.clip((face - 0.5) / 0.3, -1, 1))
    score = 0.6 * depth_cue + 0.4 * np.sign(order)
    return ("front" if score >= 0 else "back"), float(min(1.0, abs(score)))


def view_segments(t: np.ndarray, r: np.ndarray, fs: float, min_s: float = 1.0) -> list[tuple[int, int, str]]:
    """Runs of constant view class (frame [i0, i1), class) after a ~0.5 s median filter; runs
    shorter than ``min_s`` merge into their neighbour."""
    from scipy.ndimage import median_filter

    rr = S._interp_nan(r) if np.isfinite(r).any() else r
    k = max(1, int(round(0.5 * fs)) | 1)
    rs = median_filter(rr, size=k, mode="nearest") if np.isfinite(rr).any() else rr
    cls = classify_ratio(rs)
    segs: list[list] = []
    for i, c in enumerate(cls):
        if segs and segs[-1][2] == c:
            segs[-1][1] = i + 1
        else:
            segs.append([i, i + 1, c])
    n_min = max(1, int(round(min_s * fs)))
    changed = True
    while changed and len(segs) > 1:
        changed = False
        for j, (a, b, c) in enumerate(segs):
            if b - a < n_min:
                nb = j - 1 if j > 0 and (j == len(segs) - 1 or segs[j - 1][1] - segs[j - 1][0] >= segs[j + 1][1] - segs[j + 1][0]) else j + 1
                lo, hi = min(j, nb), max(j, nb)
                keep = segs[nb][2]
                segs[lo:hi + 1] = [[segs[lo][0], segs[hi][1], keep]]
                changed = True
                break
    return [(int(a), int(b), str(c)) for a, b, c in segs]


def detect_view(clean) -> tuple[str, float, list[tuple[float, float, str]], bool | None]:
    """(view, confidence, segments as (t0, t1, view), facing_camera) for a CleanTrack."""
    xy, t = clean.xy, clean.t
    r = view_ratio(xy)
    if not np.isfinite(r).any():
        return "unknown", 0.0, [], None
    segs = view_segments(t, r, clean.fs)
    named: list[tuple[float, float, str]] = []
    facing = None
    lengths: dict[str, int] = {}
    for a, b, c in segs:
        v = c
        if c == "frontal":
            v, _ = front_or_back(xy, clean.visibility, np.arange(a, b), clean.z)
        named.append((float(t[a]), float(t[min(b, len(t) - 1)]), v))
        lengths[v] = lengths.get(v, 0) + (b - a)
    view = max(lengths, key=lengths.get)
    frames = np.concatenate([np.arange(a, b) for (a, b, _), (_, _, v) in zip(segs, named) if v == view])
    agree = len(frames) / max(1, np.isfinite(r).sum())
    conf = _ratio_confidence(float(np.nanmedian(r[frames]))) * min(1.0, agree)
    if view in ("front", "back"):
        _, fb_conf = front_or_back(xy, clean.visibility, frames, clean.z)
        conf *= 0.5 + 0.5 * fb_conf
        facing = view == "front"
    return view, float(conf), named, facing


# ---------------------------------------------------------------------------
# Exercise
# ---------------------------------------------------------------------------
#: Running stride frequencies searched (strides/s): ~100–300 steps/min. Squat or hinge reps (≤ 0.5 Hz)
#: and walking-pace drifts stay out. Engineering choice.
RUN_STRIDE_HZ = (0.8, 2.5)


def running_score(xy: np.ndarray, fs: float) -> tuple[bool, float | None]:
    """(is_running, stride frequency Hz): periodic alternating leg motion.

    The left–right ankle difference (x and y, leg lengths) must swing (SD > 0.08 leg lengths), have a
    dominant period at 0.8–2.5 strides/s (after removing a 1-s moving average) holding ≥ 40 % of its power near the peak, and cover ≥ 3 strides.
    """
    Lg = S.leg_length(xy)
    if not np.isfinite(Lg):
        return False, None
    d = (xy[:, L.L_ANKLE] - xy[:, L.R_ANKLE]) / Lg
    best = None
    win = max(3, int(round(fs)))  # 1-s moving average removed: camera pans and slow drifts are not strides
    for k in (0, 1):
        x = d[:, k]
        if np.isfinite(x).sum() < max(16, 2 * fs) or np.nanstd(x) < 0.08:
            continue
        xs = S._interp_nan(x)
        xs = xs - np.convolve(np.pad(xs, win // 2, mode="edge"), np.ones(win) / win, mode="same")[win // 2: win // 2 + len(xs)]
        f = S.stride_frequency_psd(xs, fs, fmin=RUN_STRIDE_HZ[0], fmax=RUN_STRIDE_HZ[1])
        if f is None:
            continue
        spec = np.abs(np.fft.rfft(xs - xs.mean())) ** 2
        freqs = np.fft.rfftfreq(len(xs), 1.0 / fs)
        near = np.abs(freqs - f) <= max(0.2, 1.5 * fs / len(xs))
        frac = spec[near].sum() / max(spec[freqs > 0.2].sum(), 1e-12)
        dur = len(xs) / fs
        if frac >= 0.4 and f * dur >= 3 and (best is None or np.nanstd(x) > best[1]):
            best = (f, np.nanstd(x))
    if best is not None and _hip_bounce_fraction(xy, fs, Lg, win) < 0.3:
        best = None  # legs swing periodically but the hips do not bounce step by step: not running
    return (best is not None), (best[0] if best else None)


def _hip_bounce_fraction(xy: np.ndarray, fs: float, Lg: float, win: int) -> float:
    """Share of the mid-hip vertical signal's power (1-s trend removed) near its peak at 1.6–5 Hz.

    Running bounces the hips once per step (≈ 2.5–3 Hz); on real clips this share was 0.48–0.76 for
    runners and ≤ 0.19 for squats and deadlifts whose ankles flickered periodically. Engineering choice.
    """
    y = S.mid_hip(xy)[:, 1] / Lg
    if np.isfinite(y).sum() < max(16, 2 * fs):
        return 0.0
    ys = S._interp_nan(y)
    ys = ys - np.convolve(np.pad(ys, win // 2, mode="edge"), np.ones(win) / win, mode="same")[win // 2: win // 2 + len(ys)]
    f = S.stride_frequency_psd(ys, fs, fmin=1.6, fmax=min(5.0, 0.45 * fs))
    if f is None:
        return 0.0
    spec = np.abs(np.fft.rfft(ys - ys.mean())) ** 2
    freqs = np.fft.rfftfreq(len(ys), 1.0 / fs)
    near = np.abs(freqs - f) <= max(0.2, 1.5 * fs / len(ys))
    return float(spec[near].sum() / max(spec[freqs > 0.2].sum(), 1e-12))


def _bottom_stats(xy: np.ndarray, kin: dict | None, frames: list[int], near: str) -> dict[str, float]:
    """Median knee flexion, hip–trunk angle, hip drop s and wrist height (vs knee) at given frames."""
    if not frames:
        return {}
    f = np.asarray(frames)
    s = S.hip_drop_signal(xy)
    Lg = S.leg_length(xy)
    wr = np.nanmean(xy[:, [L.L_WRIST, L.R_WRIST], 1], axis=1)
    kn = np.nanmean(xy[:, [L.L_KNEE, L.R_KNEE], 1], axis=1)
    ms_drop = (midpoint(xy[:, L.L_SHOULDER], xy[:, L.R_SHOULDER])[:, 1] - np.nanpercentile(
        midpoint(xy[:, L.L_SHOULDER], xy[:, L.R_SHOULDER])[:, 1], 5)) / Lg
    out = {"s": finite_median(s[f]), "wrist_below_knee": finite_median((wr[f] - kn[f]) / Lg),
           "shoulder_drop": finite_median(ms_drop[f])}
    if kin is not None:
        out["knee"] = finite_median(kin[f"knee_flexion_{near}"][f])
        out["hip_trunk"] = finite_median(kin[f"hip_trunk_angle_{near}"][f])
    return out


def detect_exercise(clean, view: str, kin: dict | None, near: str | None) -> tuple[str, dict[str, float]]:
    """("squat"|"deadlift"|"rdl"|"hinge"|"running"|"unknown", evidence) from the movement pattern.

    Side/oblique (thresholds are engineering heuristics): knee flexion ≥ 60° and hip drop ≥ 0.2 leg
    lengths at the bottom → squat, or deadlift when the wrists are below the knees; hip–trunk ≥ 40° with
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
    if sagittal:
        for sig, prom in ((kin[f"hip_trunk_angle_{near}"], S.ANGLE_PROMINENCE), (S.hip_drop_signal(xy), S.S_PROMINENCE)):
            reps = S.find_reps(sig, clean.t, clean.fs, prominence=prom)
            if reps:
                bottoms = [r.bottom for r in reps]
                break
    else:
        s = S.hip_drop_signal(xy)
        MS = midpoint(xy[:, L.L_SHOULDER], xy[:, L.R_SHOULDER])[:, 1]
        q = (MS - np.nanpercentile(MS, 5)) / S.leg_length(xy) if np.isfinite(MS).any() else MS
        for sig in (s, q):
            reps = S.find_reps(sig, clean.t, clean.fs, prominence=S.S_PROMINENCE)
            if reps:
                bottoms = [r.bottom for r in reps]
                break
    st = _bottom_stats(xy, kin if sagittal else None, bottoms, near)
    if not st:
        return "unknown", {}
    low_wrists = st.get("wrist_below_knee", -1.0) > 0.0
    if sagittal:
        if st["knee"] >= 60 and st["s"] >= 0.2:
            return ("deadlift" if low_wrists else "squat"), st
        if st["hip_trunk"] >= 40:
            return ("rdl" if low_wrists else "hinge"), st
        return "unknown", st
    if st["s"] >= 0.2:
        return ("deadlift" if low_wrists else "squat"), st
    if st["shoulder_drop"] >= 0.25:
        return "hinge", st
    return "unknown", st


# ---------------------------------------------------------------------------
# Setup checks (spec F.9)
# ---------------------------------------------------------------------------
def setup_checks(clean, view: str, exercise: str, baseline: tuple[int, int] | None, *, edge_frac: float = 0.01
                 ) -> list[SetupIssue]:
    """Filming problems, each phrased as what to do."""
    issues: list[SetupIssue] = []
    xy, W, H = clean.xy, clean.width, clean.height
    raw_vis = np.asarray(clean.visibility, float)
    ends = [L.NOSE, L.L_ANKLE, L.R_ANKLE, L.L_HEEL, L.R_HEEL, L.L_FOOT, L.R_FOOT]
    if view in ("side", "oblique"):  # far-side foot may be hidden; require one foot per frame
        pass
    p = xy[:, ends]
    inside = (p[..., 0] > edge_frac * W) & (p[..., 0] < (1 - edge_frac) * W) & (p[..., 1] > edge_frac * H) & (
        p[..., 1] < (1 - edge_frac) * H)
    seen = inside & (raw_vis[:, ends] >= 0.5)
    raw = np.asarray(clean.raw.xy, float)[:, [L.NOSE, L.L_EAR, L.R_EAR]]
    head_ok = ((raw[..., 0] > edge_frac * W) & (raw[..., 0] < (1 - edge_frac) * W) & (raw[..., 1] > edge_frac * H)
               & (raw[..., 1] < (1 - edge_frac) * H)).any(axis=1)  # from behind the face is hidden: position only
    feet_ok = seen[:, 1:].reshape(len(xy), 3, 2).any(axis=2).all(axis=1) if view not in ("side", "oblique") else \
        seen[:, 1:].any(axis=1)
    detected = np.isfinite(clean.raw.xy[:, 0, 0]) if hasattr(clean.raw, "xy") else np.ones(len(xy), bool)
    bad = (~(head_ok & feet_ok)) & detected
    frac_bad = float(bad.mean()) if len(bad) else 0.0
    if frac_bad > 0.2:
        issues.append(SetupIssue("body_not_in_frame",
                                 f"Whole body not in frame in {frac_bad:.0%} of the clip: step back or zoom out so your "
                                 "head and feet stay visible.", "blocking" if frac_bad > 0.6 else "warning"))
    if exercise in SAGITTAL_EXERCISES and view in ("front", "back"):
        issues.append(SetupIssue("turn_sideways",
                                 "Turn 90° so the camera sees your side: from the " + view + " these can't be measured: "
                                 + ", ".join(SIDE_ONLY) + ". Knee tracking is measured from this view."))
    if exercise == "running" and view == "oblique":
        issues.append(SetupIssue("turn_sideways", "Film from straight side-on (or straight behind): an angled "
                                 "view hides overstride, tibia angle and pelvic drop."))
    roll = camera_roll(clean, view, baseline)
    if roll is not None and abs(roll) > 5.0:
        issues.append(SetupIssue("camera_not_level", f"Camera not level (about {abs(roll):.0f}° tilted): level the "
                                 "phone so the floor line is horizontal."))
    fs = clean.fs
    if np.isfinite(fs) and fs < 29:  # 29.97 fps NTSC counts as 30
        issues.append(SetupIssue("low_fps", f"Low frame rate ({fs:.0f} fps): film at 30 fps or more (60 for running)."))
    elif exercise == "running" and np.isfinite(fs) and fs < 60:
        issues.append(SetupIssue("low_fps", f"Running at {fs:.0f} fps: foot-contact metrics (overstride, tibia angle, "
                                 "knee flexion at contact, strike angle) need 60 fps or more."))
    hgt = subject_height_frac(clean, baseline)
    if hgt is not None and hgt < 0.5:
        issues.append(SetupIssue("subject_too_small", f"You fill only {hgt:.0%} of the frame height: move closer "
                                 "(aim for at least half the frame)."))
    if exercise in SAGITTAL_EXERCISES and baseline is None:
        issues.append(SetupIssue("no_baseline", "Stand still for a second before the first rep: back-posture "
                                 "changes are measured against your own standing posture."))
    return issues


def camera_roll(clean, view: str, baseline: tuple[int, int] | None) -> float | None:
    """Camera roll estimate (deg) from standing: floor line between the feet (front/back: ankles;
    side: heel→toe) and, in front/back views, the trunk's image tilt. None when unknown."""
    xy = clean.xy
    sl = slice(*baseline) if baseline else slice(None)
    b = xy[sl]
    if view in ("front", "back"):
        d = b[:, L.R_ANKLE] - b[:, L.L_ANKLE]
        floor = np.degrees(np.arctan2(d[:, 1], np.abs(d[:, 0]) + 1e-9)) * np.sign(d[:, 0])
        MS = midpoint(b[:, L.L_SHOULDER], b[:, L.R_SHOULDER])
        MH = midpoint(b[:, L.L_HIP], b[:, L.R_HIP])
        trunk = np.degrees(np.arctan2(MS[:, 0] - MH[:, 0], MH[:, 1] - MS[:, 1]))
        fl, tr = finite_median(floor), finite_median(trunk)
        if np.isfinite(fl) and np.isfinite(tr) and np.sign(fl) == np.sign(tr):
            return float(np.sign(fl) * min(abs(fl), abs(tr)))  # both agree: a rotated camera
        return None
    if view == "side" and baseline is not None:
        # Clockwise image rotation of the floor line (heel→toe, oriented to +x) and of the standing body
        # axis (mid-ankle→mid-shoulder from image-up). A rolled camera turns both the same way; the heel
        # landmark sits a few cm above the floor, so the foot line alone is not trusted.
        vals = []
        for s in ("left", "right"):
            _, _, _, hl, fi = L.LEG[s]
            d = b[:, fi] - b[:, hl]
            d = d * np.where(d[:, :1] < 0, -1.0, 1.0)
            vals.append(np.degrees(np.arctan2(d[:, 1], d[:, 0] + 1e-9)))
        floor = finite_median(np.concatenate(vals))
        MS = midpoint(b[:, L.L_SHOULDER], b[:, L.R_SHOULDER])
        MA = midpoint(b[:, L.L_ANKLE], b[:, L.R_ANKLE])
        axis = finite_median(np.degrees(np.arctan2(MS[:, 0] - MA[:, 0], MA[:, 1] - MS[:, 1])))
        if np.isfinite(floor) and np.isfinite(axis) and np.sign(floor) == np.sign(axis):
            return float(np.sign(floor) * min(abs(floor), abs(axis)))
        return None
    return None


def subject_height_frac(clean, baseline: tuple[int, int] | None) -> float | None:
    """Standing body height (nose-to-heel span × 1.07) as a fraction of frame height."""
    xy = clean.xy
    sl = slice(*baseline) if baseline else slice(None)
    top = xy[sl, L.NOSE, 1]
    bot = np.nanmax(xy[sl][:, [L.L_HEEL, L.R_HEEL, L.L_FOOT, L.R_FOOT], 1], axis=1) if np.isfinite(
        xy[sl][:, [L.L_HEEL, L.R_HEEL, L.L_FOOT, L.R_FOOT], 1]).any() else np.full(len(top), np.nan)
    span = bot - top
    if not np.isfinite(span).any():
        return None
    return float(np.nanpercentile(span, 90) * 1.07 / clean.height)


# ---------------------------------------------------------------------------
def detect_context(clean, exercise: str = "auto", view: str = "auto") -> Context:
    """Context of a CleanTrack: view (user override wins), direction, near side, exercise, reps or
    gait events, standing baseline and setup issues."""
    from .kinematics import frame_kinematics

    auto_view, v_conf, segs, facing = detect_view(clean)
    view_source = "auto"
    if view != "auto":
        if view not in VIEWS:
            raise ValueError(f"view must be one of {VIEWS} or 'auto', not {view!r}")
        view_source, v_conf = "user", 1.0
        facing = {"front": True, "back": False}.get(view)
    else:
        view = auto_view
    direction, near = 0, None
    if view in ("side", "oblique"):
        direction = facing_direction(clean.xy)
        near = near_side(clean.visibility, clean.z)
    kin = frame_kinematics(clean, direction, near) if direction in (1, -1) and near else None
    ex_source = "auto"
    if exercise != "auto":
        if exercise not in EXERCISES:
            raise ValueError(f"exercise must be one of {EXERCISES} or 'auto', not {exercise!r}")
        ex_source = "user"
    else:
        exercise, _ = detect_exercise(clean, view, kin, near)
    reps: list[Rep] = []
    gait = []
    baseline = None
    if exercise == "running":
        baseline = S.standing_baseline(clean.xy, clean.t, clean.fs)
        if view in ("side", "oblique"):
            gait = S.gait_events_side(clean.xy, clean.t, clean.fs, direction)
    elif exercise != "unknown":
        k = kin if view in ("side", "oblique") else None
        reps = S.segment_reps(clean, exercise, k)
        baseline = S.standing_baseline(clean.xy, clean.t, clean.fs, before=reps[0].start if reps else None)
        if baseline is not None:
            reps = S.segment_reps(clean, exercise, k, baseline)
    ctx = Context(view=view, view_confidence=float(v_conf), direction=int(direction), near_side=near,
                  exercise=exercise, exercise_source=ex_source, view_source=view_source, view_segments=segs,
                  baseline=baseline, reps=reps, gait_events=gait, facing_camera=facing)
    ctx.setup_issues = setup_checks(clean, view, exercise, baseline)
    return ctx


#: Exercises whose headline checks (hinge timing, back posture, depth) need a side view.
SIDE_VIEW_CHECKS = ("deadlift", "rdl", "hinge")


def wrong_view_message(requested_exercise: str, requested_view: str, detected_view: str,
                       detected_confidence: float) -> str | None:
    """Why the check the user *asked for* cannot be done on this clip, or None.

    Only explicit requests are refused (auto mode analyses what the view allows and warns):
    a hinge/RDL/deadlift check on a clip not filmed from the side, or a ``--view`` that
    contradicts a confidently detected view.
    """
    sure = detected_confidence >= 0.6
    frontal = ("front", "back")
    if requested_view != "auto" and sure and detected_view not in ("unknown", requested_view):
        if {requested_view, detected_view} != set(frontal):  # front/back mix-ups are harmless
            return (f"You chose a {requested_view} view, but this clip looks filmed from the {detected_view}; "
                    "choose 'auto' or film again from the view you want checked.")
    view = requested_view if requested_view != "auto" else detected_view
    if requested_exercise in SIDE_VIEW_CHECKS and view in (*frontal, "oblique") and (sure or requested_view != "auto"):
        return (f"A {requested_exercise} check measures hinge timing and back posture, which need a side view, "
                f"but this clip is filmed from the {view}: turn 90° so the camera sees your side.")
    return None
