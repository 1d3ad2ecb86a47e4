"""Motions with fault knobs: squat, back squat, deadlift, RDL, hip hinge and treadmill running.

Every motion starts with the subject standing still (a baseline of ``stand_s`` seconds,
with a millimetre-scale sway so a baseline SD exists) and is generated for all frames
at once. A motion returns a :class:`Motion`: the :class:`~analyzer.synth.body.Skeleton`,
the time base, the design series (pelvic tilt, lumbar flexion, …) and the designed
events (rep start/bottom/end, hip- and lumbar-flexion onsets, initial contacts, toe-offs).

Lifts keep the feet planted and solve the legs by two-bone IK (ankle fixed, hip placed
from the designed shank angle and knee flexion); knee valgus is a swivel of the knee
about the hip–ankle axis (= hip adduction + internal rotation), solved so the knee's
frontal-plane projection angle at the bottom equals the requested FPPA. Running uses
forward kinematics of designed joint-angle cycles; the stance foot is kept on the belt.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.interpolate import CubicSpline

from .body import (Body, Skeleton, apply, foot_frame, fppa_3d, leg_from_targets, rot_x, rot_y, rot_z, trunk_fk,
                   two_bone, unit)


#: Knee flexion (deg) at which the squat's ``valgus_fppa`` knob is met (SLS/landing FPPA norms use ~45–60°).
VALGUS_REF_KNEE = 60.0


def ease(x):
    """Smooth 0→1 ramp (half cosine) of x clipped to [0, 1]."""
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))


@dataclass
class Motion:
    """A generated motion. ``series`` (T,) design values in degrees; ``events`` per rep / per contact (s)."""

    t: np.ndarray
    skeleton: Skeleton
    series: dict[str, np.ndarray]
    events: dict
    params: dict
    exercise: str


# ---------------------------------------------------------------------------
# parameters
# ---------------------------------------------------------------------------
@dataclass
class SquatParams:
    """Bodyweight / back squat. Angles in degrees; shift in hip widths (+ = toward subject's left)."""

    depth_knee: float = 125.0  # knee flexion at the bottom
    shank: float = 32.0  # shank forward tilt at the bottom
    trunk: float = 35.0  # trunk angle from vertical at the bottom (lean knob)
    heel_lift: float = 0.0  # heel rise at the bottom (foot pitch about the ball)
    valgus_fppa: float | None = None  # knee FPPA (frontal plane) as the knee passes 60° flexion; None = knees track the toes
    valgus_side: str = "both"  # "both" | "left" | "right"
    lateral_shift: float = 0.0  # pelvis shift at the bottom, hip widths
    lumbar_flex: float = 6.0  # lumbar flexion at the bottom (butt wink)
    stance: float = 0.34  # ankle-to-ankle width, m (scaled by height/1.75)
    toe_out: float = 12.0
    barbell: bool = False  # back squat: bar on the upper back, hands on the bar
    n_reps: int = 3
    descent_s: float = 0.9
    pause_s: float = 0.25
    ascent_s: float = 0.8
    rest_s: float = 0.45
    stand_s: float = 1.8


@dataclass
class HingeParams:
    """Deadlift / RDL / hip hinge. ``lumbar_lead_ms`` > 0: lumbar flexion starts that long before
    hip motion (lumbar-first); < 0: hips lead (hip-first)."""

    kind: str = "rdl"  # "rdl" | "deadlift" | "hinge"
    knee: float | None = None  # knee flexion at the bottom (default by kind)
    shank: float | None = None  # shin angle at the bottom (default by kind)
    hip_flex: float | None = None  # pelvis-on-femur flexion at the bottom (default by kind / solved for the bar)
    lumbar_lead_ms: float = -150.0
    lumbar_flex: float = 4.0  # lumbar flexion at the bottom (rounding knob)
    thoracic_flex: float = 0.0
    apt_offset: float = 0.0  # extra anterior pelvic tilt held throughout (compensated by lumbar extension)
    implement: str | None = None  # "none" | "dumbbells" | "barbell" (default by kind)
    n_reps: int = 3
    descent_s: float = 0.95
    pause_s: float = 0.2
    ascent_s: float = 0.85
    rest_s: float = 0.25
    stand_s: float = 1.6


@dataclass
class RunParams:
    """Treadmill running. ``overstride`` = heel ahead of mid-hip at contact / leg length (spec E.22);
    ``step_width`` = spec E.27 (hip widths, < 0 = crossover); drops in degrees at midstance."""

    cadence: float = 170.0  # steps per minute
    overstride: float = 0.16
    knee_ic: float = 18.0
    pelvic_drop: float = 3.0  # contralateral pelvic drop during left stance (right side drops)
    pelvic_drop_right: float | None = None  # during right stance; None = same as pelvic_drop
    step_width: float = 0.35
    trunk_lean: float = 6.0
    strike: float = 12.0  # foot angle at contact vs horizontal (+ = toe up, rearfoot)
    stance_frac: float = 0.38
    run_s: float = 5.0
    ramp_s: float = 0.6
    stand_s: float = 1.6


# ---------------------------------------------------------------------------
# shared pieces
# ---------------------------------------------------------------------------
def _sway(t: np.ndarray, rng: np.random.Generator, amp_m: float = 0.0015, amp_deg: float = 0.25):
    ph = rng.uniform(0, 2 * np.pi, 3)
    dx = amp_m * np.sin(2 * np.pi * 0.27 * t + ph[0])
    dy = amp_m * np.sin(2 * np.pi * 0.19 * t + ph[1])
    da = amp_deg * np.sin(2 * np.pi * 0.23 * t + ph[2])
    return dx, dy, da


def _rep_timeline(t, stand_s, n_reps, descent, pause, ascent, rest, lead_s=0.0, lum_descent=None):
    """Progress curves for reps: u_hip, u_lum (0 = standing, 1 = bottom) and per-rep event times."""
    u_hip = np.zeros_like(t)
    u_lum = np.zeros_like(t)
    reps = []
    t0 = stand_s
    lum_descent = descent if lum_descent is None else lum_descent
    for _ in range(n_reps):
        if lead_s >= 0:
            t_lum, t_hip = t0, t0 + lead_s
        else:
            t_hip, t_lum = t0, t0 - lead_s
        t_bottom_start = max(t_hip + descent, t_lum + lum_descent)
        t_bottom = t_bottom_start + pause / 2
        t_up = t_bottom_start + pause
        t_end = t_up + ascent
        down_h = ease((t - t_hip) / descent)
        down_l = ease((t - t_lum) / lum_descent)
        up = 1 - ease((t - t_up) / ascent)
        in_rep = (t >= t0) & (t <= t_end)
        u_hip = np.where(in_rep, np.minimum(down_h, up), u_hip)
        u_lum = np.where(in_rep, np.minimum(down_l, up), u_lum)
        reps.append({"start": float(min(t_hip, t_lum)), "bottom": float(t_bottom), "end": float(t_end),
                     "hip_onset": float(t_hip), "lumbar_onset": float(t_lum)})
        t0 = t_end + rest
    return u_hip, u_lum, reps


def _planted_feet(body: Body, T: int, stance: float, toe_out: float, heel_lift):
    """Ankles, foot frames, heels and toes for planted feet with an optional heel lift (deg, about the ball)."""
    out = {}
    for side, s in (("left", 1), ("right", -1)):
        yaw = np.full(T, s * toe_out)
        R0 = foot_frame(yaw, np.zeros(T))
        ankle0 = np.array([0.0, s * stance / 2, body.ankle_height])
        ball = ankle0 + apply(R0, body.ball_offset)
        Rf = foot_frame(yaw, heel_lift)
        ankle = ball - apply(Rf, body.ball_offset)
        out[side] = (ankle, Rf)
    return out


def _sagittal_hip(body: Body, ankle: np.ndarray, shank_deg, knee_deg, dy: float) -> np.ndarray:
    """Hip joint centre above a fixed ankle for a shank tilt and knee flexion (deg), with lateral offset dy."""
    Lt, Ls = body.thigh, body.shank
    ts, k = np.radians(shank_deg), np.radians(knee_deg)
    dx = Ls * np.sin(ts) + Lt * np.sin(ts - k)
    dz = Ls * np.cos(ts) + Lt * np.cos(ts - k)
    D = np.sqrt(Lt ** 2 + Ls ** 2 + 2 * Lt * Ls * np.cos(k)) * 0.9995
    Dp = np.sqrt(np.maximum(D ** 2 - dy ** 2, 1e-6))
    psi = np.arctan2(dx, dz)
    return np.stack([ankle[..., 0] + Dp * np.sin(psi), ankle[..., 1] * 0, ankle[..., 2] + Dp * np.cos(psi)], -1)


def _hand_end(wrist, elbow, body):
    return wrist + unit(wrist - elbow) * 0.085 * body.height


def _arms_hanging(P, body, spread=0.06, forward=0.0):
    for side, s in (("left", 1), ("right", -1)):
        S = P[f"{side}_shoulder"]
        L = body.upper_arm + body.forearm
        W = S + np.array([forward, s * spread, -0.985 * L])
        E = two_bone(S, W, body.upper_arm, body.forearm, np.broadcast_to([-1.0, s * 0.3, 0.0], S.shape))
        P[f"{side}_elbow"], P[f"{side}_wrist"] = E, W
        P[f"{side}_hand"] = _hand_end(W, E, body)


def _arms_forward(P, body, u):
    """Arms reach forward as a counterbalance (u: 0 hanging … 1 horizontal)."""
    for side, s in (("left", 1), ("right", -1)):
        S = P[f"{side}_shoulder"]
        L = (body.upper_arm + body.forearm) * 0.985
        a = np.radians(10 + 75 * np.asarray(u))[..., None]
        dirv = np.concatenate([np.sin(a), np.full_like(a, s * 0.08), -np.cos(a)], -1)
        W = S + L * unit(dirv)
        E = two_bone(S, W, body.upper_arm, body.forearm, np.broadcast_to([0.0, s * 0.3, -1.0], S.shape))
        P[f"{side}_elbow"], P[f"{side}_wrist"] = E, W
        P[f"{side}_hand"] = _hand_end(W, E, body)


def _arms_on_bar(P, F, body, bar_c, half_grip):
    Rt = F["thorax"]
    for side, s in (("left", 1), ("right", -1)):
        S = P[f"{side}_shoulder"]
        W = bar_c + apply(Rt, [0.0, s * half_grip, 0.0])
        E = two_bone(S, W, body.upper_arm, body.forearm, apply(Rt, [-0.6, s * 0.5, -1.0]))
        P[f"{side}_elbow"], P[f"{side}_wrist"] = E, W
        P[f"{side}_hand"] = W + apply(Rt, [0.0, 0.0, 0.05 * body.height])


def _finish_feet(P, F, body, feet):
    for side, (ankle, Rf) in feet.items():
        P[f"{side}_ankle"] = ankle
        F[f"{side}_foot"] = Rf
        P[f"{side}_heel"] = ankle + apply(Rf, body.heel_offset)
        P[f"{side}_foot_index"] = ankle + apply(Rf, body.toe_offset)


# ---------------------------------------------------------------------------
# squat
# ---------------------------------------------------------------------------
def _squat_pose(body, p: SquatParams, u, sway, tilt, swivel_l, swivel_r, shift):
    T = u.shape[0]
    stance = p.stance * body.height / 1.75
    feet = _planted_feet(body, T, stance, p.toe_out, u * p.heel_lift)
    ankle_mid = 0.5 * (feet["left"][0] + feet["right"][0])
    knee = 3.0 + u * (p.depth_knee - 3.0)
    shank = 1.0 + u * (p.shank - 1.0)
    dy = (stance - body.hip_width) / 2
    hip = _sagittal_hip(body, ankle_mid, shank, knee, dy)
    dx, dyy, _ = sway
    pelvis = hip + np.stack([dx, dyy + shift * body.hip_width, np.zeros_like(dx)], -1)
    lumbar = u * p.lumbar_flex
    trunk_guess = tilt
    P, F, spine, sf = trunk_fk(body, pelvis, trunk_guess, 0.0, 0.0, lumbar, 0.0, -0.45 * np.maximum(tilt, 0), 0.0)
    for side, s, sw in (("left", 1, swivel_l), ("right", -1, swivel_r)):
        ankle, Rf = feet[side]
        pole = apply(Rf, [1.0, 0.0, 0.0])
        P[f"{side}_knee"] = leg_from_targets(body, P[f"{side}_hip"], ankle, pole, sw, s)
    _finish_feet(P, F, body, feet)
    extras = {}
    if p.barbell:
        Rt = F["thorax"]
        bar_c = P["c7"] + apply(Rt, [-0.055 * body.height, 0.0, -0.035 * body.height])
        _arms_on_bar(P, F, body, bar_c, 0.27 * body.height / 1.75)
        half = apply(Rt, [0.0, 1.05, 0.0])
        extras = {"bar_left": bar_c + half, "bar_right": bar_c - half, "bar_frame": Rt, "plate_radius": np.array(0.225),
                  "bar_centre": bar_c}
    else:
        _arms_forward(P, body, u ** 0.7)
    return Skeleton(body, P, F, spine, sf, extras)


def _trunk_angle(P) -> np.ndarray:
    """3D sagittal trunk angle MH→MS from vertical, + forward (deg)."""
    mh = 0.5 * (P["left_hip"] + P["right_hip"])
    ms = 0.5 * (P["left_shoulder"] + P["right_shoulder"])
    v = ms - mh
    return np.degrees(np.arctan2(v[..., 0], v[..., 2]))


def squat(body: Body, p: SquatParams, fps: float, rng: np.random.Generator) -> Motion:
    n_t = int(round((p.stand_s + p.n_reps * (p.descent_s + p.pause_s + p.ascent_s + p.rest_s) + 0.3) * fps))
    t = np.arange(n_t) / fps
    u, _, reps = _rep_timeline(t, p.stand_s, p.n_reps, p.descent_s, p.pause_s, p.ascent_s, p.rest_s)
    sway = _sway(t, rng)
    shift = u * p.lateral_shift
    # solve the knee swivel (grows with depth) that gives the requested frontal-plane FPPA when the
    # knee passes VALGUS_REF_KNEE of flexion; deeper, the thigh points at a front camera and FPPA is ill-posed
    sw_b = 0.0
    if p.valgus_fppa is not None:
        u_ref = np.full(1, (VALGUS_REF_KNEE - 3.0) / (p.depth_knee - 3.0))
        zero = (np.zeros(1),) * 3

        def fppa_at(sw):
            sk = _squat_pose(body, p, u_ref, zero, np.full(1, 20.0), np.full(1, sw), np.full(1, sw), 0.0)
            return float(fppa_3d(sk["left_hip"], sk["left_knee"], sk["left_ankle"], 1)[0])

        lo, hi = -40.0, 80.0
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            if fppa_at(mid) < p.valgus_fppa:
                lo = mid
            else:
                hi = mid
        sw_b = 0.5 * (lo + hi)
    ramp = np.clip(u / ((VALGUS_REF_KNEE - 3.0) / (p.depth_knee - 3.0)), 0.0, 1.0)
    sw_l = ramp * sw_b * (p.valgus_side in ("both", "left"))
    sw_r = ramp * sw_b * (p.valgus_side in ("both", "right"))
    # solve pelvic tilt so the trunk angle follows the requested lean (3 fixed-point passes)
    base_trunk = 0.0 + sway[2]
    target = base_trunk + u * (p.trunk - base_trunk)
    tilt = target.copy()
    for _ in range(4):
        sk = _squat_pose(body, p, u, sway, tilt, sw_l, sw_r, shift)
        tilt = tilt + (target - _trunk_angle(sk.points))
    sk = _squat_pose(body, p, u, sway, tilt, sw_l, sw_r, shift)
    series = {"pelvis_tilt_design": tilt, "lumbar_flexion_design": u * p.lumbar_flex, "progress": u,
              "knee_swivel_left": sw_l, "knee_swivel_right": sw_r}
    ex = "back_squat" if p.barbell else "squat"
    return Motion(t, sk, series, {"reps": reps}, asdict(p) | {"knee_swivel_bottom": sw_b}, ex)


# ---------------------------------------------------------------------------
# hinge family
# ---------------------------------------------------------------------------
HINGE_DEFAULTS = {
    "rdl": dict(knee=22.0, shank=4.0, hip_flex=78.0, implement="dumbbells"),
    "hinge": dict(knee=16.0, shank=3.0, hip_flex=72.0, implement="none"),
    "deadlift": dict(knee=62.0, shank=16.0, hip_flex=None, implement="barbell"),
}


def _hinge_pose(body, p: HingeParams, u_hip, u_lum, sway, hip_flex_b, knee_b, shank_b, implement):
    T = u_hip.shape[0]
    stance = 0.26 * body.height / 1.75
    feet = _planted_feet(body, T, stance, 6.0, np.zeros(T))
    ankle_mid = 0.5 * (feet["left"][0] + feet["right"][0])
    knee = 3.0 + u_hip * (knee_b - 3.0)
    shank = 1.0 + u_hip * (shank_b - 1.0)
    dy = (stance - body.hip_width) / 2
    hip = _sagittal_hip(body, ankle_mid, shank, knee, dy)
    dx, dyy, da = sway
    pelvis = hip + np.stack([dx, dyy, np.zeros_like(dx)], -1)
    thigh_fwd = knee - shank
    hip_flex = p.apt_offset + u_hip * hip_flex_b + da
    tilt = hip_flex - thigh_fwd
    lumbar = -p.apt_offset + u_lum * p.lumbar_flex
    thor = u_lum * p.thoracic_flex
    trunk_est = tilt + 0.5 * lumbar
    P, F, spine, sf = trunk_fk(body, pelvis, tilt, 0.0, 0.0, lumbar, thor, -0.35 * np.maximum(trunk_est, 0), 0.0)
    for side, s in (("left", 1), ("right", -1)):
        ankle, Rf = feet[side]
        pole = apply(Rf, [1.0, 0.0, 0.0])
        P[f"{side}_knee"] = leg_from_targets(body, P[f"{side}_hip"], ankle, pole, 0.0, s)
    _finish_feet(P, F, body, feet)
    spread = 0.16 * body.height / 1.75 - body.shoulder_half
    _arms_hanging(P, body, spread=max(spread, 0.03) if implement == "barbell" else 0.05, forward=0.02)
    extras = {}
    grip_c = 0.5 * (P["left_hand"] + P["right_hand"])
    if implement == "barbell":
        yv = np.array([0.0, 1.05, 0.0])
        c = grip_c - np.array([0.0, 0.0, 0.03 * body.height])
        extras = {"bar_left": c + yv, "bar_right": c - yv, "bar_frame": np.broadcast_to(np.eye(3), (T, 3, 3)),
                  "plate_radius": np.array(0.225), "bar_centre": c}
    elif implement == "dumbbells":
        for side in ("left", "right"):
            extras[f"dumbbell_{side}"] = P[f"{side}_hand"] - np.array([0.0, 0.0, 0.01 * body.height])
        extras["dumbbell_frame"] = np.broadcast_to(np.eye(3), (T, 3, 3))
    return Skeleton(body, P, F, spine, sf, extras)


def hinge(body: Body, p: HingeParams, fps: float, rng: np.random.Generator) -> Motion:
    d = HINGE_DEFAULTS[p.kind]
    knee_b = d["knee"] if p.knee is None else p.knee
    shank_b = d["shank"] if p.shank is None else p.shank
    implement = d["implement"] if p.implement is None else p.implement
    lead = p.lumbar_lead_ms / 1000.0
    lum_desc = p.descent_s * (0.55 if lead > 0 else 1.0)
    rep_len = p.descent_s + abs(lead) + p.pause_s + p.ascent_s + p.rest_s
    n_t = int(round((p.stand_s + p.n_reps * rep_len + 0.3) * fps))
    t = np.arange(n_t) / fps
    u_hip, u_lum, reps = _rep_timeline(t, p.stand_s, p.n_reps, p.descent_s, p.pause_s, p.ascent_s, p.rest_s,
                                       lead_s=lead, lum_descent=lum_desc)
    sway = _sway(t, rng)
    hf = d["hip_flex"] if p.hip_flex is None else p.hip_flex
    if hf is None:  # deadlift: bend until the bar (plates on the floor) is in the hands
        target_z = 0.225 + 0.03 * body.height
        one = np.ones(1)
        zero = (np.zeros(1),) * 3
        lo, hi = 20.0, 130.0
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            sk = _hinge_pose(body, p, one, one, zero, mid, knee_b, shank_b, implement)
            z = float(0.5 * (sk["left_hand"][0, 2] + sk["right_hand"][0, 2]))
            lo, hi = (mid, hi) if z > target_z else (lo, mid)
        hf = 0.5 * (lo + hi)
    else:
        hf = hf - 0.7 * p.lumbar_flex
    sk = _hinge_pose(body, p, u_hip, u_lum, sway, hf, knee_b, shank_b, implement)
    series = {"pelvis_tilt_design": p.apt_offset + u_hip * hf - ((3.0 + u_hip * (knee_b - 3.0)) - (1.0 + u_hip * (shank_b - 1.0))),
              "lumbar_flexion_design": -p.apt_offset + u_lum * p.lumbar_flex, "progress": np.maximum(u_hip, u_lum),
              "u_hip": u_hip, "u_lumbar": u_lum}
    params = asdict(p) | {"knee": knee_b, "shank": shank_b, "hip_flex": hf, "implement": implement}
    return Motion(t, sk, series, {"reps": reps}, params, p.kind)


# ---------------------------------------------------------------------------
# running
# ---------------------------------------------------------------------------
def _periodic(knots):
    x = np.array([k[0] for k in knots] + [1.0])
    y = np.array([k[1] for k in knots] + [knots[0][1]])
    return CubicSpline(x, y, bc_type="periodic")


def _leg_fk(body, hip, thigh, knee, adduct, pitch, side):
    """Running leg: world-frame thigh angle (deg, + forward), knee flexion, adduction (+ foot toward midline),
    foot pitch vs horizontal (+ toe up). Returns knee, ankle, foot frame."""
    Rth = rot_x(-side * adduct) @ rot_y(-thigh)
    K = hip + apply(Rth, [0.0, 0.0, -body.thigh])
    Rsh = Rth @ rot_y(knee)
    A = K + apply(Rsh, [0.0, 0.0, -body.shank])
    Rf = rot_z(np.full_like(thigh, side * 6.0)) @ rot_y(-pitch)
    return K, A, Rf


def running(body: Body, p: RunParams, fps: float, rng: np.random.Generator) -> Motion:
    n_t = int(round((p.stand_s + p.ramp_s + p.run_s) * fps))
    t = np.arange(n_t) / fps
    T = n_t
    t_run0 = p.stand_s
    w = ease((t - t_run0) / p.ramp_s)
    f_stride = p.cadence / 120.0
    beta = p.stance_frac
    phase_l = ((t - t_run0) * f_stride) % 1.0
    phase_r = (phase_l + 0.5) % 1.0
    k_ic = p.knee_ic

    def cycles(th_ic):
        thigh = _periodic([(0.0, th_ic), (beta, -20.0), (0.5, -14.0), (0.62, 4.0), (0.8, th_ic + 7.0), (0.92, th_ic + 3.0)])
        knee = _periodic([(0.0, k_ic), (0.4 * beta, 38.0), (beta, 16.0), (0.55, 62.0), (0.69, 100.0), (0.85, 45.0),
                          (0.95, k_ic + 4.0)])
        pitch = _periodic([(0.0, p.strike), (0.12, 0.0), (0.25, 0.0), (beta, -38.0), (0.5, -28.0), (0.7, -8.0),
                           (0.9, p.strike * 0.8)])
        return thigh, knee, pitch

    # overstride: thigh angle at contact that puts the heel p.overstride leg lengths ahead of the hip
    cand = np.linspace(-10, 60, 1401)
    hip0 = np.zeros((cand.size, 3))
    Kc, Ac, Rfc = _leg_fk(body, hip0, cand, np.full_like(cand, k_ic), np.zeros_like(cand), np.full_like(cand, p.strike), 1)
    heel_x = (Ac + apply(Rfc, body.heel_offset))[:, 0]
    th_ic = float(cand[np.argmin(np.abs(heel_x / (body.thigh + body.shank) - p.overstride))])
    thigh_c, knee_c, pitch_c = cycles(th_ic)
    drop_r = p.pelvic_drop if p.pelvic_drop_right is None else p.pelvic_drop_right
    obl = np.where(phase_l < beta, p.pelvic_drop * np.sin(np.pi * phase_l / beta), 0.0) \
        - np.where(phase_r < beta, drop_r * np.sin(np.pi * phase_r / beta), 0.0)
    obl = obl * w
    lean = w * p.trunk_lean
    hw = body.hip_width
    D = body.leg * 0.98
    adduct0 = np.degrees(np.arcsin(np.clip((hw / 2 - p.step_width * hw) / D, -0.9, 0.9)))
    dx, dyy, da = _sway(t, rng)
    z0 = body.leg - 0.01
    pelvis = np.stack([dx * (1 - w), dyy * (1 - w), np.full(T, z0)], -1)

    def build(pelvis, adduct):
        thigh_pf = {}
        P, F, spine, sf = trunk_fk(body, pelvis, lean + da * (1 - w), obl, 0.0, 0.0, 0.0, -0.6 * lean, 0.0)
        for side, s, ph in (("left", 1, phase_l), ("right", -1, phase_r)):
            th = w * thigh_c(ph) + (1 - w) * 0.0
            kn = w * knee_c(ph) + (1 - w) * 3.0
            pt = w * pitch_c(ph)
            ad = w * adduct + (1 - w) * 0.0
            K, A, Rf = _leg_fk(body, P[f"{side}_hip"], th, kn, ad, pt, s)
            P[f"{side}_knee"] = K
            thigh_pf[side] = th
            _finish_feet(P, F, body, {side: (A, Rf)})
        # arms swing opposite to the same-side leg
        for side, s in (("left", 1), ("right", -1)):
            other = "right" if side == "left" else "left"
            sw = w * 0.9 * thigh_pf[other] * 1.0 + (1 - w) * 0.0
            S = P[f"{side}_shoulder"]
            a = np.radians(sw)[..., None]
            up_dir = np.concatenate([np.sin(a), np.full_like(a, s * 0.12), -np.cos(a)], -1)
            E = S + body.upper_arm * unit(up_dir)
            fl = np.radians(w * 85.0 + (1 - w) * 8.0)[..., None] + a
            fore = np.concatenate([np.sin(fl), np.full_like(fl, -s * 0.15), -np.cos(fl)], -1)
            Wr = E + body.forearm * unit(fore)
            P[f"{side}_elbow"], P[f"{side}_wrist"] = E, Wr
            P[f"{side}_hand"] = _hand_end(Wr, E, body)
        return Skeleton(body, P, F, spine, sf, {})

    sk = build(pelvis, adduct0)
    # one correction of adduction so the measured step width at contact matches the request
    ic_idx = np.flatnonzero((np.diff(phase_l) < 0) & (w[1:] > 0.99)) + 1
    if ic_idx.size:
        mh = sk["pelvis"][ic_idx]
        sw_meas = float(np.mean((sk["left_heel"][ic_idx, 1] - mh[:, 1]) / hw))
        adduct0 = adduct0 + np.degrees((sw_meas - p.step_width) * hw / D)
        sk = build(pelvis, adduct0)
    # keep the stance foot on the belt: pelvis height from the lowest stance-foot point
    foot_min = {s: np.minimum(sk[f"{s}_heel"][:, 2], sk[f"{s}_foot_index"][:, 2]) - 0.004 for s in ("left", "right")}
    stance_l, stance_r = phase_l < beta, phase_r < beta
    running_now = w > 0.999
    off = np.full(T, np.nan)
    off = np.where(stance_l & running_now, -foot_min["left"], off)
    off = np.where(stance_r & running_now, -foot_min["right"], off)
    off = np.where(~running_now, -np.minimum(foot_min["left"], foot_min["right"]), off)
    known = ~np.isnan(off)
    off_f = np.interp(t, t[known], off[known])
    # ballistic bump over flight intervals
    flight = ~known
    bump = np.zeros(T)
    idx = np.flatnonzero(flight)
    if idx.size:
        groups = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
        for g in groups:
            a, b = g[0] - 1, g[-1] + 1
            if a < 0 or b >= T:
                continue
            s = (t[g] - t[a]) / (t[b] - t[a])
            tf = t[b] - t[a]
            bump[g] = 4 * (9.81 * tf ** 2 / 8) * s * (1 - s)
    pelvis = pelvis + np.stack([np.zeros(T), np.zeros(T), off_f + bump], -1)
    sk = build(pelvis, adduct0)
    # events: contacts and toe-offs after the ramp
    ev = {"initial_contacts": {"left": [], "right": []}, "toe_offs": {"left": [], "right": []}}
    for side, ph in (("left", phase_l), ("right", phase_r)):
        cyc = (t - t_run0) * f_stride + (0.0 if side == "left" else 0.5)
        n0, n1 = int(np.ceil(cyc[0])), int(np.floor(cyc[-1]))
        for n in range(max(n0, 0), n1 + 1):
            tic = t_run0 + (n - (0.0 if side == "left" else 0.5)) / f_stride
            if tic >= t_run0 + p.ramp_s and tic <= t[-1]:
                ev["initial_contacts"][side].append(float(tic))
            tto = tic + beta / f_stride
            if tto >= t_run0 + p.ramp_s and tto <= t[-1]:
                ev["toe_offs"][side].append(float(tto))
    ev["run_start"] = float(t_run0 + p.ramp_s)
    series = {"lumbar_flexion_design": np.zeros(T), "pelvic_obliquity_design": obl, "trunk_lean_design": lean, "phase_left": phase_l, "ramp": w,
              "thigh_ic_design": np.full(T, th_ic), "hip_adduction_world_design": w * adduct0}
    params = asdict(p) | {"thigh_ic": th_ic, "adduction": float(adduct0)}
    return Motion(t, sk, series, ev, params, "running")
