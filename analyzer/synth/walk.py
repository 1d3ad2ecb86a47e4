"""Walking: a gait laid over a standing figure, for a subject who walks into the picture and for a bystander.

:func:`walk_gait` swings the legs (thigh, knee and foot pitch cycles of normal walking) and arms of a standing
:class:`~analyzer.synth.body.Skeleton` by an amplitude ``w(t)`` (0 = the standing pose itself, 1 = full gait),
keeps the lowest foot point on the floor and moves the whole figure forward (+x, the figure's own forward) so the
foot in contact does not slide. :func:`prepend_walk_in` puts a walk that ends in the motion's first (standing)
frame in front of a lift; :func:`place` turns and moves a figure in the world.
Angles in degrees, lengths in metres, times in seconds.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.interpolate import CubicSpline

from .body import Skeleton, apply, rot_y, rot_z
from .motion import Motion, ease

#: Walking cycles over one stride (phase 0 = heel strike, stance until ≈ 0.6): world thigh angle (+ forward),
#: extra knee flexion and foot pitch (+ toe up), degrees (rounded normal-gait curves).
THIGH = [(0.0, 24.0), (0.3, 4.0), (0.55, -12.0), (0.7, 2.0), (0.87, 26.0)]
KNEE = [(0.0, 2.0), (0.15, 14.0), (0.4, 3.0), (0.6, 36.0), (0.72, 60.0), (0.85, 25.0), (0.95, 4.0)]
PITCH = [(0.0, 14.0), (0.1, 0.0), (0.45, 0.0), (0.62, -28.0), (0.75, -6.0), (0.9, 10.0)]
LEG_POINTS = ("knee", "ankle", "heel", "foot_index")
ARM_POINTS = ("elbow", "wrist", "hand")


def _cycle(knots: list[tuple[float, float]]) -> CubicSpline:
    x = np.array([k[0] for k in knots] + [1.0])
    y = np.array([k[1] for k in knots] + [knots[0][1]])
    return CubicSpline(x, y, bc_type="periodic")


def _about(R: np.ndarray, pivot: np.ndarray, p: np.ndarray) -> np.ndarray:
    return pivot + apply(R, p - pivot)


def _copy(sk: Skeleton) -> Skeleton:
    return Skeleton(
        sk.body,
        {k: v.copy() for k, v in sk.points.items()},
        {k: v.copy() for k, v in sk.frames.items()},
        sk.spine.copy(),
        sk.spine_frames.copy(),
        {k: np.array(v, copy=True) for k, v in sk.extras.items()},
    )


def shifted(sk: Skeleton, offset: np.ndarray) -> Skeleton:
    """The figure moved by ``offset`` (T,3) m (points, spine and prop points; frames unchanged)."""
    out = _copy(sk)
    for k in out.points:
        out.points[k] = out.points[k] + offset
    out.spine = out.spine + offset[:, None, :]
    for k, v in out.extras.items():
        if v.ndim == 2 and v.shape == offset.shape:
            out.extras[k] = v + offset
    return out


def walk_gait(
    sk: Skeleton, t: np.ndarray, w: np.ndarray, cadence: float = 108.0, phase0: float = 0.0
) -> tuple[Skeleton, np.ndarray]:
    """``sk`` (standing, facing +x) walking with amplitude ``w`` (T,) at ``cadence`` steps/min.

    Returns the walking figure (still at the standing figure's place, x offset not applied) and the forward
    travel x(t) (T,) m that keeps the foot in contact still (0 at the first frame)."""
    out = _copy(sk)
    P = out.points
    T = len(t)
    dt = np.diff(t, prepend=t[0])
    phase = phase0 + np.cumsum(w * dt) * cadence / 120.0  # strides advance only while walking
    thigh_c, knee_c, pitch_c = _cycle(THIGH), _cycle(KNEE), _cycle(PITCH)
    thigh: dict[str, np.ndarray] = {}
    for side, ph in (("left", phase % 1.0), ("right", (phase + 0.5) % 1.0)):
        th, kn, pt = w * thigh_c(ph), w * np.maximum(knee_c(ph), 0.0), w * pitch_c(ph)
        thigh[side] = th
        H = P[f"{side}_hip"]
        R_th = rot_y(-th)
        for n in LEG_POINTS:
            P[f"{side}_{n}"] = _about(R_th, H, P[f"{side}_{n}"])
        K = P[f"{side}_knee"]
        R_kn = R_th @ rot_y(kn) @ np.swapaxes(R_th, -1, -2)
        for n in LEG_POINTS[1:]:
            P[f"{side}_{n}"] = _about(R_kn, K, P[f"{side}_{n}"])
        A = P[f"{side}_ankle"]
        R_ft = rot_y(-pt) @ R_kn @ R_th
        for n in LEG_POINTS[2:]:
            P[f"{side}_{n}"] = _about(rot_y(-pt), A, P[f"{side}_{n}"])
        out.frames[f"{side}_foot"] = R_ft @ out.frames[f"{side}_foot"]
    for side, other in (("left", "right"), ("right", "left")):  # arms swing with the opposite leg
        S = P[f"{side}_shoulder"]
        R_arm = rot_y(-0.6 * thigh[other])
        for n in ARM_POINTS:
            P[f"{side}_{n}"] = _about(R_arm, S, P[f"{side}_{n}"])
    # the lowest foot point stays on the floor; the figure moves so the stance foot (the leg in the first half
    # of its stride: heel until 0.15, then the toes) does not slide
    names = [f"{s}_{n}" for s in ("left", "right") for n in ("heel", "foot_index")]
    feet = np.stack([P[n] for n in names], 1)  # (T,4,3)
    lo0 = float(np.min(np.stack([sk[n][0] for n in names])[:, 2]))
    z_off = lo0 - feet[..., 2].min(axis=1)
    ph_l = phase % 1.0
    left_stance = ph_l < 0.5
    ph_st = np.where(left_stance, ph_l, (ph_l + 0.5) % 1.0)
    contact = np.where(left_stance, 0, 2) + (ph_st >= 0.15)
    dx = np.zeros(T)
    dx[1:] = feet[np.arange(T - 1), contact[:-1], 0] - feet[np.arange(1, T), contact[:-1], 0]
    travel = np.cumsum(dx)
    walked = shifted(out, np.stack([np.zeros(T), np.zeros(T), z_off], -1))
    return walked, travel


def place(sk: Skeleton, yaw_deg: float, offset: np.ndarray) -> Skeleton:
    """The figure turned by ``yaw_deg`` about the vertical through the origin (+ = forward turns to the left) and
    then moved by ``offset`` ((3,) or (T,3) m)."""
    R = rot_z(np.float64(yaw_deg))
    out = _copy(sk)
    T = sk.n_frames
    off = np.broadcast_to(np.asarray(offset, float), (T, 3))
    for k, v in out.points.items():
        out.points[k] = v @ R.T + off
    for k, v in out.frames.items():
        out.frames[k] = R @ v
    out.spine = out.spine @ R.T + off[:, None, :]
    out.spine_frames = R @ out.spine_frames
    return out


def prepend_walk_in(motion: Motion, walk_s: float, fps: float, cadence: float = 108.0) -> Motion:
    """``motion`` preceded by ``walk_s`` s of walking forward (+x) into its first (standing) frame.

    The gait is full for all but the last 0.8 s, then eases to a stop in the standing pose; the walk starts about
    ``walk_s`` × 1.1 m behind the stopping point. Event times shift by ``walk_s``; ``events["walk_in"]`` holds the
    walk's (start, end) and ``events["standing"]`` the first standing second after it."""
    n_w = int(round(walk_s * fps))
    sk = motion.skeleton
    t_w = np.arange(n_w) / fps
    first = Skeleton(
        sk.body,
        {k: np.repeat(v[:1], n_w, 0) for k, v in sk.points.items()},
        {k: np.repeat(v[:1], n_w, 0) for k, v in sk.frames.items()},
        np.repeat(sk.spine[:1], n_w, 0),
        np.repeat(sk.spine_frames[:1], n_w, 0),
        {k: (np.repeat(v[:1], n_w, 0) if np.ndim(v) >= 2 else v) for k, v in sk.extras.items()},
    )
    w = 1.0 - ease((t_w - (walk_s - 0.8 - 1.0 / fps)) / 0.8)
    walked, travel = walk_gait(first, t_w, w, cadence)
    x = travel - travel[-1]  # the last walk frame is the standing pose at the motion's place
    walked = shifted(walked, np.stack([x, np.zeros(n_w), np.zeros(n_w)], -1))

    def cat(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.concatenate([a, b], 0)

    joined = Skeleton(
        sk.body,
        {k: cat(walked.points[k], v) for k, v in sk.points.items()},
        {k: cat(walked.frames[k], v) for k, v in sk.frames.items()},
        cat(walked.spine, sk.spine),
        cat(walked.spine_frames, sk.spine_frames),
        {k: (cat(walked.extras[k], v) if np.ndim(v) >= 2 else v) for k, v in sk.extras.items()},
    )
    pad = {
        k: (np.concatenate([np.repeat(np.asarray(v)[:1], n_w), v]) if np.ndim(v) else v)
        for k, v in motion.series.items()
    }
    events = {k: _shift(v, walk_s) for k, v in motion.events.items()}
    events.setdefault("standing", [float(walk_s), float(walk_s) + 1.0])
    events["walk_in"] = [0.0, float(walk_s)]
    t = np.concatenate([t_w, motion.t + n_w / fps])
    params = dict(motion.params) | {"walk_in_s": float(walk_s)}
    return dataclasses.replace(motion, t=t, skeleton=joined, series=pad, events=events, params=params)


def _shift(x: object, dt: float) -> object:
    """Every time in an events structure moved by ``dt`` s (None and non-numbers kept)."""
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, float | int):
        return float(x) + dt
    if isinstance(x, list):
        return [_shift(v, dt) for v in x]
    if isinstance(x, dict):
        return {k: _shift(v, dt) for k, v in x.items()}
    return x
