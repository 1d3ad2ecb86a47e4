"""The single-leg Romanian deadlift with fault knobs (hinge order, lumbar flexion, pelvic drop, stance knee-in).

The figure stands on both feet for the standing baseline, then hinges on the stance leg while the free leg
swings back in line with the trunk (its knee slightly bent), and returns to standing on both feet after
each rep. The stance leg is solved like an RDL's (ankle planted, hip placed from the designed shank angle
and knee flexion); the pelvis shifts over the stance foot, and at the bottom it may drop on the free side
(``pelvic_drop``, deg) and the stance knee may turn in (``knee_in``, deg of swivel about the hip–ankle axis).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .body import Body, Skeleton, apply, foot_frame, leg_from_targets, trunk_fk
from .motion import Motion, arms_hanging, body_sway, ease, finish_feet, planted_feet, rep_timeline, sagittal_hip


@dataclass
class SingleLegParams:
    """Single-leg RDL. ``lumbar_lead_ms`` > 0: the low back flexes that long before the hips move (back first)."""

    stance: str = "left"  # the standing leg
    knee: float = 20.0  # stance knee flexion at the bottom (deg)
    shank: float = 5.0  # stance shin angle at the bottom (deg)
    hip_flex: float = 72.0  # stance pelvis-on-femur flexion at the bottom (deg)
    swing_knee: float = 12.0  # free-leg knee flexion at the bottom (deg)
    lumbar_lead_ms: float = -150.0
    lumbar_flex: float = 4.0
    thoracic_flex: float = 0.0
    pelvic_drop: float = 0.0  # free-side hip below the stance-side hip at the bottom (deg)
    knee_in: float = 0.0  # medial swivel of the stance knee at the bottom (deg)
    n_reps: int = 3
    descent_s: float = 1.1
    pause_s: float = 0.3
    ascent_s: float = 1.0
    rest_s: float = 0.5
    stand_s: float = 1.6


def _pose(body: Body, p: SingleLegParams, u_hip, u_lum, sway) -> tuple[Skeleton, np.ndarray]:
    """The skeleton, and the designed pelvic obliquity (deg, + = free side lower)."""
    T = u_hip.shape[0]
    s = 1 if p.stance == "left" else -1
    free = "right" if p.stance == "left" else "left"
    stance_w = body.hip_width
    feet = planted_feet(body, T, stance_w, 6.0, np.zeros(T))
    ankle = feet[p.stance][0]
    knee = 3.0 + u_hip * (p.knee - 3.0)
    shank = 1.0 + u_hip * (p.shank - 1.0)
    hip = sagittal_hip(body, ankle, shank, knee, 0.0)
    dx, dyy, da = sway
    shift = ease(np.clip(u_hip / 0.25, 0, 1))  # the weight moves over the stance foot early in the descent
    pelvis = hip + np.stack([dx, dyy + s * shift * stance_w / 2, np.zeros_like(dx)], -1)
    thigh_fwd = knee - shank
    tilt = u_hip * p.hip_flex + da - thigh_fwd
    lumbar = u_lum * p.lumbar_flex
    drop = u_hip * p.pelvic_drop
    trunk_est = tilt + 0.5 * lumbar
    P, F, spine, sf = trunk_fk(
        body, pelvis, tilt, s * drop, 0.0, lumbar, u_lum * p.thoracic_flex, -0.35 * np.maximum(trunk_est, 0), 0.0
    )
    # stance leg: ankle planted; the hip sits over it (the pelvis shift moves it, the IK keeps the ankle)
    Rf = feet[p.stance][1]
    pole = apply(Rf, [1.0, 0.0, 0.0])
    P[f"{p.stance}_knee"] = leg_from_targets(body, P[f"{p.stance}_hip"], ankle, pole, u_hip * p.knee_in, s)
    # free leg: in line with the trunk, swinging back; its foot lifts off as the hinge starts
    back = np.radians(np.clip(trunk_est, 0, None))[..., None]
    bend = np.radians(u_hip * p.swing_knee)[..., None]
    thigh_dir = np.concatenate([-np.sin(back), np.zeros_like(back), -np.cos(back)], -1)
    shank_dir = np.concatenate([-np.sin(back + bend), np.zeros_like(back), -np.cos(back + bend)], -1)
    hip_f = P[f"{free}_hip"]
    knee_f = hip_f + body.thigh * thigh_dir
    ankle_f = knee_f + body.shank * shank_dir
    lift = np.clip(u_hip / 0.15, 0, 1)[..., None]  # planted while standing, free once the rep is under way
    planted = feet[free][0]
    ankle_f = (1 - lift) * planted + lift * ankle_f
    P[f"{free}_knee"] = (1 - lift) * leg_from_targets(
        body, hip_f, planted, apply(feet[free][1], [1.0, 0, 0]), 0.0, -s
    ) + lift * knee_f
    pitch = np.degrees(np.clip(back + bend, 0, None))[:, 0] * lift[:, 0]
    feet[free] = (ankle_f, foot_frame(np.full(T, -s * 6.0), pitch))
    finish_feet(P, F, body, feet)
    arms_hanging(P, body, spread=0.05, forward=0.02)
    extras = {
        f"dumbbell_{side}": P[f"{side}_hand"] - np.array([0.0, 0.0, 0.01 * body.height]) for side in ("left", "right")
    }
    extras["dumbbell_frame"] = np.broadcast_to(np.eye(3), (T, 3, 3))
    return Skeleton(body, P, F, spine, sf, extras), drop


def single_leg_rdl(body: Body, p: SingleLegParams, fps: float, rng: np.random.Generator) -> Motion:
    lead = p.lumbar_lead_ms / 1000.0
    lum_desc = p.descent_s * (0.55 if lead > 0 else 1.0)
    rep_len = p.descent_s + abs(lead) + p.pause_s + p.ascent_s + p.rest_s
    t = np.arange(int(round((p.stand_s + p.n_reps * rep_len + 0.3) * fps))) / fps
    u_hip, u_lum, reps = rep_timeline(
        t, p.stand_s, p.n_reps, p.descent_s, p.pause_s, p.ascent_s, p.rest_s, lead_s=lead, lum_descent=lum_desc
    )
    hf = p.hip_flex - 0.7 * p.lumbar_flex
    params = SingleLegParams(**{**asdict(p), "hip_flex": hf})
    sk, drop = _pose(body, params, u_hip, u_lum, body_sway(t, rng))
    knee = 3.0 + u_hip * (p.knee - 3.0)
    shank = 1.0 + u_hip * (p.shank - 1.0)
    series = {
        "pelvis_tilt_design": u_hip * hf - (knee - shank),
        "lumbar_flexion_design": u_lum * p.lumbar_flex,
        "pelvic_obliquity_design": drop,
        "progress": np.maximum(u_hip, u_lum),
        "u_hip": u_hip,
        "u_lumbar": u_lum,
    }
    events = {"reps": reps, "stance": p.stance}
    return Motion(t, sk, series, events, asdict(p), "single_leg_rdl")
