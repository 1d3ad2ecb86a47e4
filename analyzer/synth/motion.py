"""What every synthetic motion is made of: the :class:`Motion` result, easing, sway, the rep timeline and the
shared limb helpers of the lifts.

Every motion starts with the subject standing still (a baseline of ``stand_s`` seconds, with a
millimetre-scale sway so a baseline SD exists) and is generated for all frames at once. A motion returns a
:class:`Motion`: the :class:`~analyzer.synth.body.Skeleton`, the time base, the design series (pelvic tilt,
lumbar flexion, …) and the designed events (rep start/bottom/end, hip- and lumbar-flexion onsets, initial
contacts, toe-offs). Lifts keep the feet planted and solve the legs by two-bone IK (ankle fixed, hip placed
from the designed shank angle and knee flexion).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .body import (
    Body,
    Skeleton,
    apply,
    foot_frame,
    two_bone,
    unit,
)

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
# shared pieces
# ---------------------------------------------------------------------------
def body_sway(t: np.ndarray, rng: np.random.Generator, amp_m: float = 0.0015, amp_deg: float = 0.25):
    ph = rng.uniform(0, 2 * np.pi, 3)
    dx = amp_m * np.sin(2 * np.pi * 0.27 * t + ph[0])
    dy = amp_m * np.sin(2 * np.pi * 0.19 * t + ph[1])
    da = amp_deg * np.sin(2 * np.pi * 0.23 * t + ph[2])
    return dx, dy, da


def rep_timeline(t, stand_s, n_reps, descent, pause, ascent, rest, lead_s=0.0, lum_descent=None):
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
        reps.append(
            {
                "start": float(min(t_hip, t_lum)),
                "bottom": float(t_bottom),
                "end": float(t_end),
                "hip_onset": float(t_hip),
                "lumbar_onset": float(t_lum),
            }
        )
        t0 = t_end + rest
    return u_hip, u_lum, reps


def planted_feet(body: Body, T: int, stance: float, toe_out: float, heel_lift):
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


def sagittal_hip(body: Body, ankle: np.ndarray, shank_deg, knee_deg, dy: float) -> np.ndarray:
    """Hip joint centre above a fixed ankle for a shank tilt and knee flexion (deg), with lateral offset dy."""
    Lt, Ls = body.thigh, body.shank
    ts, k = np.radians(shank_deg), np.radians(knee_deg)
    dx = Ls * np.sin(ts) + Lt * np.sin(ts - k)
    dz = Ls * np.cos(ts) + Lt * np.cos(ts - k)
    D = np.sqrt(Lt**2 + Ls**2 + 2 * Lt * Ls * np.cos(k)) * 0.9995
    Dp = np.sqrt(np.maximum(D**2 - dy**2, 1e-6))
    psi = np.arctan2(dx, dz)
    return np.stack([ankle[..., 0] + Dp * np.sin(psi), ankle[..., 1] * 0, ankle[..., 2] + Dp * np.cos(psi)], -1)


def hand_end(wrist, elbow, body):
    return wrist + unit(wrist - elbow) * 0.085 * body.height


def arms_hanging(P, body, spread=0.06, forward=0.0):
    for side, s in (("left", 1), ("right", -1)):
        S = P[f"{side}_shoulder"]
        L = body.upper_arm + body.forearm
        W = S + np.array([forward, s * spread, -0.985 * L])
        E = two_bone(S, W, body.upper_arm, body.forearm, np.broadcast_to([-1.0, s * 0.3, 0.0], S.shape))
        P[f"{side}_elbow"], P[f"{side}_wrist"] = E, W
        P[f"{side}_hand"] = hand_end(W, E, body)


def arms_forward(P, body, u):
    """Arms reach forward as a counterbalance (u: 0 hanging … 1 horizontal)."""
    for side, s in (("left", 1), ("right", -1)):
        S = P[f"{side}_shoulder"]
        L = (body.upper_arm + body.forearm) * 0.985
        a = np.radians(10 + 75 * np.asarray(u))[..., None]
        dirv = np.concatenate([np.sin(a), np.full_like(a, s * 0.08), -np.cos(a)], -1)
        W = S + L * unit(dirv)
        E = two_bone(S, W, body.upper_arm, body.forearm, np.broadcast_to([0.0, s * 0.3, -1.0], S.shape))
        P[f"{side}_elbow"], P[f"{side}_wrist"] = E, W
        P[f"{side}_hand"] = hand_end(W, E, body)


def arms_on_bar(P, F, body, bar_c, half_grip):
    Rt = F["thorax"]
    for side, s in (("left", 1), ("right", -1)):
        S = P[f"{side}_shoulder"]
        W = bar_c + apply(Rt, [0.0, s * half_grip, 0.0])
        E = two_bone(S, W, body.upper_arm, body.forearm, apply(Rt, [-0.6, s * 0.5, -1.0]))
        P[f"{side}_elbow"], P[f"{side}_wrist"] = E, W
        P[f"{side}_hand"] = W + apply(Rt, [0.0, 0.0, 0.05 * body.height])


def finish_feet(P, F, body, feet):
    for side, (ankle, Rf) in feet.items():
        P[f"{side}_ankle"] = ankle
        F[f"{side}_foot"] = Rf
        P[f"{side}_heel"] = ankle + apply(Rf, body.heel_offset)
        P[f"{side}_foot_index"] = ankle + apply(Rf, body.toe_offset)


def trunk_angle(P) -> np.ndarray:
    """3D sagittal trunk angle MH→MS from vertical, + forward (deg)."""
    mh = 0.5 * (P["left_hip"] + P["right_hip"])
    ms = 0.5 * (P["left_shoulder"] + P["right_shoulder"])
    v = ms - mh
    return np.degrees(np.arctan2(v[..., 0], v[..., 2]))
