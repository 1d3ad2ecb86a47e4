"""Deadlift, RDL and hip hinge with fault knobs (hip-first or lumbar-first order, lumbar flexion, lead time)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .body import (
    Body,
    Skeleton,
    apply,
    leg_from_targets,
    trunk_fk,
)
from .motion import (
    Motion,
    arms_hanging,
    body_sway,
    finish_feet,
    planted_feet,
    rep_timeline,
    sagittal_hip,
)
from .timeline import floor_start_timeline, params_dict


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
    floor_start: bool = False  # the clip opens at the bottom (bar on the floor): no standing start
    setup_s: float = 0.5  # floor start: seconds at the bottom before the first pull


#: Knobs added after the first scenarios: left out of ``Motion.params`` at their defaults.
NEW_KNOBS = ("floor_start", "setup_s")


# ---------------------------------------------------------------------------
# hinge family
# ---------------------------------------------------------------------------
HINGE_DEFAULTS: dict[str, dict[str, Any]] = {
    "rdl": dict(knee=22.0, shank=4.0, hip_flex=78.0, implement="dumbbells"),
    "hinge": dict(knee=16.0, shank=3.0, hip_flex=72.0, implement="none"),
    "deadlift": dict(knee=62.0, shank=16.0, hip_flex=None, implement="barbell"),
}


def _hinge_pose(body, p: HingeParams, u_hip, u_lum, sway, hip_flex_b, knee_b, shank_b, implement):
    T = u_hip.shape[0]
    stance = 0.26 * body.height / 1.75
    feet = planted_feet(body, T, stance, 6.0, np.zeros(T))
    ankle_mid = 0.5 * (feet["left"][0] + feet["right"][0])
    knee = 3.0 + u_hip * (knee_b - 3.0)
    shank = 1.0 + u_hip * (shank_b - 1.0)
    dy = (stance - body.hip_width) / 2
    hip = sagittal_hip(body, ankle_mid, shank, knee, dy)
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
    finish_feet(P, F, body, feet)
    spread = 0.16 * body.height / 1.75 - body.shoulder_half
    arms_hanging(P, body, spread=max(spread, 0.03) if implement == "barbell" else 0.05, forward=0.02)
    extras = {}
    grip_c = 0.5 * (P["left_hand"] + P["right_hand"])
    if implement == "barbell":
        yv = np.array([0.0, 1.05, 0.0])
        c = grip_c - np.array([0.0, 0.0, 0.03 * body.height])
        extras = {
            "bar_left": c + yv,
            "bar_right": c - yv,
            "bar_frame": np.broadcast_to(np.eye(3), (T, 3, 3)),
            "plate_radius": np.array(0.225),
            "bar_centre": c,
        }
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
    events: dict = {}
    if p.floor_start:
        n_t = int(round((p.setup_s + p.ascent_s + p.rest_s + (p.n_reps - 1) * rep_len + 0.5) * fps))
        t = np.arange(n_t) / fps
        u_hip, u_lum, reps, standing = floor_start_timeline(
            t, p.n_reps, p.setup_s, p.descent_s, p.pause_s, p.ascent_s, p.rest_s, lead_s=lead, lum_descent=lum_desc
        )
        events["standing"] = [float(standing[0]), float(standing[1])]
    else:
        n_t = int(round((p.stand_s + p.n_reps * rep_len + 0.3) * fps))
        t = np.arange(n_t) / fps
        u_hip, u_lum, reps = rep_timeline(
            t, p.stand_s, p.n_reps, p.descent_s, p.pause_s, p.ascent_s, p.rest_s, lead_s=lead, lum_descent=lum_desc
        )
    sway = body_sway(t, rng)
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
    series = {
        "pelvis_tilt_design": p.apt_offset
        + u_hip * hf
        - ((3.0 + u_hip * (knee_b - 3.0)) - (1.0 + u_hip * (shank_b - 1.0))),
        "lumbar_flexion_design": -p.apt_offset + u_lum * p.lumbar_flex,
        "progress": np.maximum(u_hip, u_lum),
        "u_hip": u_hip,
        "u_lumbar": u_lum,
    }
    params = params_dict(p, NEW_KNOBS) | {"knee": knee_b, "shank": shank_b, "hip_flex": hf, "implement": implement}
    return Motion(t, sk, series, {"reps": reps} | events, params, p.kind)
