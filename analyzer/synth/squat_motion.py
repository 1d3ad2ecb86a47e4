"""The squat and back squat with fault knobs (depth, trunk lean, heel lift, knee valgus, lateral shift).

Knee valgus is a swivel of the knee about the hip–ankle axis (= hip adduction + internal rotation), solved so
the knee's frontal-plane projection angle at the bottom equals the requested FPPA.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .body import (
    Body,
    Skeleton,
    apply,
    fppa_3d,
    leg_from_targets,
    trunk_fk,
)
from .motion import (
    VALGUS_REF_KNEE,
    Motion,
    arms_forward,
    arms_on_bar,
    body_sway,
    finish_feet,
    planted_feet,
    rep_timeline,
    sagittal_hip,
    trunk_angle,
)
from .timeline import failed_rep_curve, params_dict


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
    valgus_fppa: float | None = (
        None  # knee FPPA (frontal plane) as the knee passes 60° flexion; None = knees track the toes
    )
    valgus_side: str = "both"  # "both" | "left" | "right"
    lateral_shift: float = 0.0  # pelvis shift at the bottom, hip widths
    lumbar_flex: float = 6.0  # lumbar flexion at the bottom (butt wink)
    wink_from: float = 0.0  # share of the descent before the lumbar spine starts to flex (0.7: a late tuck)
    stance: float = 0.34  # ankle-to-ankle width, m (scaled by height/1.75)
    toe_out: float = 12.0
    barbell: bool = False  # back squat: bar on the upper back, hands on the bar
    n_reps: int = 3
    descent_s: float = 0.9
    pause_s: float = 0.25
    ascent_s: float = 0.8
    rest_s: float = 0.45
    stand_s: float = 1.8
    fail_last: bool = False  # one more rep after the n_reps good ones that fails at the bottom (not a rep)
    fail_stuck_s: float = 1.0  # failed rep: seconds stuck at the bottom
    fail_rise: float = 0.25  # failed rep: share of the way up it rises before sinking back (< 1/3)
    fail_assist_s: float | None = 2.5  # failed rep: a slow helped stand (s); None = the clip ends at the bottom


#: Knobs added after the first scenarios: left out of ``Motion.params`` at their defaults.
NEW_KNOBS = ("fail_last", "fail_stuck_s", "fail_rise", "fail_assist_s", "wink_from")


def wink(u, p: SquatParams):
    """Lumbar flexion (deg) at descent progress ``u``: none until ``wink_from``, then up to ``lumbar_flex``."""
    return p.lumbar_flex * np.clip((u - p.wink_from) / max(1.0 - p.wink_from, 1e-9), 0.0, 1.0)


# ---------------------------------------------------------------------------
# squat
# ---------------------------------------------------------------------------
def _squat_pose(body, p: SquatParams, u, sway, tilt, swivel_l, swivel_r, shift):
    T = u.shape[0]
    stance = p.stance * body.height / 1.75
    feet = planted_feet(body, T, stance, p.toe_out, u * p.heel_lift)
    ankle_mid = 0.5 * (feet["left"][0] + feet["right"][0])
    knee = 3.0 + u * (p.depth_knee - 3.0)
    shank = 1.0 + u * (p.shank - 1.0)
    dy = (stance - body.hip_width) / 2
    hip = sagittal_hip(body, ankle_mid, shank, knee, dy)
    dx, dyy, _ = sway
    pelvis = hip + np.stack([dx, dyy + shift * body.hip_width, np.zeros_like(dx)], -1)
    lumbar = wink(u, p)
    trunk_guess = tilt
    P, F, spine, sf = trunk_fk(body, pelvis, trunk_guess, 0.0, 0.0, lumbar, 0.0, -0.45 * np.maximum(tilt, 0), 0.0)
    for side, s, sw in (("left", 1, swivel_l), ("right", -1, swivel_r)):
        ankle, Rf = feet[side]
        pole = apply(Rf, [1.0, 0.0, 0.0])
        P[f"{side}_knee"] = leg_from_targets(body, P[f"{side}_hip"], ankle, pole, sw, s)
    finish_feet(P, F, body, feet)
    extras = {}
    if p.barbell:
        Rt = F["thorax"]
        bar_c = P["c7"] + apply(Rt, [-0.055 * body.height, 0.0, -0.035 * body.height])
        arms_on_bar(P, F, body, bar_c, 0.27 * body.height / 1.75)
        half = apply(Rt, [0.0, 1.05, 0.0])
        extras = {
            "bar_left": bar_c + half,
            "bar_right": bar_c - half,
            "bar_frame": Rt,
            "plate_radius": np.array(0.225),
            "bar_centre": bar_c,
        }
    else:
        arms_forward(P, body, u**0.7)
    return Skeleton(body, P, F, spine, sf, extras)


def squat(body: Body, p: SquatParams, fps: float, rng: np.random.Generator) -> Motion:
    rep_len = p.descent_s + p.pause_s + p.ascent_s + p.rest_s
    fail_len = p.descent_s + p.fail_stuck_s + 1.5 + (1.0 if p.fail_assist_s is None else 0.3 + p.fail_assist_s + 1.0)
    n_t = int(round((p.stand_s + p.n_reps * rep_len + (fail_len if p.fail_last else 0.3)) * fps))
    t = np.arange(n_t) / fps
    u, _, reps = rep_timeline(t, p.stand_s, p.n_reps, p.descent_s, p.pause_s, p.ascent_s, p.rest_s)
    events: dict = {}
    if p.fail_last:
        t0 = p.stand_s + p.n_reps * rep_len
        u_f, ev = failed_rep_curve(t, t0, p.descent_s, p.fail_stuck_s, p.fail_rise, p.fail_assist_s)
        u = np.maximum(u, u_f)
        events["failed_reps"] = [ev]
    sway = body_sway(t, rng)
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
        tilt = tilt + (target - trunk_angle(sk.points))
    sk = _squat_pose(body, p, u, sway, tilt, sw_l, sw_r, shift)
    series = {
        "pelvis_tilt_design": tilt,
        "lumbar_flexion_design": wink(u, p),
        "progress": u,
        "knee_swivel_left": sw_l,
        "knee_swivel_right": sw_r,
    }
    ex = "back_squat" if p.barbell else "squat"
    params = params_dict(p, NEW_KNOBS) | {"knee_swivel_bottom": sw_b}
    return Motion(t, sk, series, {"reps": reps} | events, params, ex)
