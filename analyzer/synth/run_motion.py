"""Treadmill running with fault knobs (cadence, overstride, trunk lean, pelvic drop, step width): forward
kinematics of designed joint-angle cycles, the stance foot kept on the belt.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy.interpolate import CubicSpline

from .body import (
    Body,
    Skeleton,
    apply,
    rot_x,
    rot_y,
    rot_z,
    trunk_fk,
    unit,
)
from .motion import Motion, body_sway, ease, finish_feet, hand_end


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
        thigh = _periodic(
            [(0.0, th_ic), (beta, -20.0), (0.5, -14.0), (0.62, 4.0), (0.8, th_ic + 7.0), (0.92, th_ic + 3.0)]
        )
        knee = _periodic(
            [
                (0.0, k_ic),
                (0.4 * beta, 38.0),
                (beta, 16.0),
                (0.55, 62.0),
                (0.69, 100.0),
                (0.85, 45.0),
                (0.95, k_ic + 4.0),
            ]
        )
        pitch = _periodic(
            [(0.0, p.strike), (0.12, 0.0), (0.25, 0.0), (beta, -38.0), (0.5, -28.0), (0.7, -8.0), (0.9, p.strike * 0.8)]
        )
        return thigh, knee, pitch

    # overstride: thigh angle at contact that puts the heel p.overstride leg lengths ahead of the hip
    cand = np.linspace(-10, 60, 1401)
    hip0 = np.zeros((cand.size, 3))
    Kc, Ac, Rfc = _leg_fk(
        body, hip0, cand, np.full_like(cand, k_ic), np.zeros_like(cand), np.full_like(cand, p.strike), 1
    )
    heel_x = (Ac + apply(Rfc, body.heel_offset))[:, 0]
    th_ic = float(cand[np.argmin(np.abs(heel_x / (body.thigh + body.shank) - p.overstride))])
    thigh_c, knee_c, pitch_c = cycles(th_ic)
    drop_r = p.pelvic_drop if p.pelvic_drop_right is None else p.pelvic_drop_right
    obl = np.where(phase_l < beta, p.pelvic_drop * np.sin(np.pi * phase_l / beta), 0.0) - np.where(
        phase_r < beta, drop_r * np.sin(np.pi * phase_r / beta), 0.0
    )
    obl = obl * w
    lean = w * p.trunk_lean
    hw = body.hip_width
    D = body.leg * 0.98
    adduct0 = np.degrees(np.arcsin(np.clip((hw / 2 - p.step_width * hw) / D, -0.9, 0.9)))
    dx, dyy, da = body_sway(t, rng)
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
            finish_feet(P, F, body, {side: (A, Rf)})
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
            P[f"{side}_hand"] = hand_end(Wr, E, body)
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
            bump[g] = 4 * (9.81 * tf**2 / 8) * s * (1 - s)
    pelvis = pelvis + np.stack([np.zeros(T), np.zeros(T), off_f + bump], -1)
    sk = build(pelvis, adduct0)
    # events: contacts and toe-offs after the ramp
    ev: dict[str, Any] = {"initial_contacts": {"left": [], "right": []}, "toe_offs": {"left": [], "right": []}}
    for side, _ph in (("left", phase_l), ("right", phase_r)):
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
    series = {
        "lumbar_flexion_design": np.zeros(T),
        "pelvic_obliquity_design": obl,
        "trunk_lean_design": lean,
        "phase_left": phase_l,
        "ramp": w,
        "thigh_ic_design": np.full(T, th_ic),
        "hip_adduction_world_design": w * adduct0,
    }
    params = asdict(p) | {"thigh_ic": th_ic, "adduction": float(adduct0)}
    return Motion(t, sk, series, ev, params, "running")
