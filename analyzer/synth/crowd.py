"""A second person in the picture: a bystander who walks across the back of the scene.

:class:`Bystander` says when and where: the walker stands out of the picture at one side until ``enter_s``, then
walks across, parallel to the image plane at ``behind_m`` behind the subject (measured along the camera's
horizontal line of sight, so always between the subject and the back wall), and on out of the other side.
:func:`bystander_skeleton` builds the walking figure in world coordinates (the same clip frames as the subject);
:func:`merge_prims` joins its ellipsoids with the subject's so one z-buffer draws both; :func:`in_view` says in
which frames its projected joints are inside the picture. Lengths in metres, times in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .body import Body, Skeleton
from .camera import Camera
from .raster import Prims
from .squat_motion import SquatParams, squat
from .walk import place, shifted, walk_gait


@dataclass(frozen=True)
class Bystander:
    """A person walking through the back of the scene.

    ``enter_s``: when the walk starts (s, clip time); ``behind_m``: depth behind the subject (m, < the wall
    distance); ``start_m``: lateral start offset from the line of sight (m; the walk starts at −``start_m`` ×
    ``direction`` along the camera's right axis, outside the picture); ``direction``: +1 walks toward image right,
    −1 toward image left; ``cadence``: steps/min; ``height_m``/``build``: the body; colours RGB 0..255."""

    enter_s: float = 1.5
    behind_m: float = 1.6
    start_m: float = 3.2
    direction: int = 1
    cadence: float = 96.0
    height_m: float = 1.70
    build: float = 1.05
    shirt: tuple = (200, 60, 50)
    shorts: tuple = (40, 40, 60)
    skin: tuple = (198, 134, 96)
    hair: tuple = (30, 22, 18)
    seed: int = 5


def bystander_skeleton(by: Bystander, cam: Camera, t: np.ndarray) -> Skeleton:
    """The bystander walking over clip times ``t`` (s), placed in the world of the subject filmed by ``cam``."""
    body = Body(by.height_m, by.build)
    T = len(t)
    fps = 1.0 / float(t[1] - t[0]) if T > 1 else 30.0
    stand_s = T / fps + 0.5
    p = SquatParams(n_reps=0, stand_s=stand_s, stance=0.2, toe_out=6.0)
    m = squat(body, p, fps, np.random.default_rng(by.seed))
    sk = Skeleton(
        body,
        {k: v[:T] for k, v in m.skeleton.points.items()},
        {k: v[:T] for k, v in m.skeleton.frames.items()},
        m.skeleton.spine[:T],
        m.skeleton.spine_frames[:T],
        {},
    )
    w = np.clip((t - by.enter_s) / 0.4, 0.0, 1.0)  # a brisk start: full gait after 0.4 s
    walked, travel = walk_gait(sk, t, w, by.cadence)
    look = cam.R[2].copy()
    look[2] = 0.0
    look /= np.linalg.norm(look)
    right = cam.R[0].copy()
    right[2] = 0.0
    right /= np.linalg.norm(right)
    heading = right * by.direction
    yaw = float(np.degrees(np.arctan2(heading[1], heading[0])))
    start = look * by.behind_m - heading * by.start_m  # + look: farther from the camera than the subject
    start[2] = 0.0
    walked = place(walked, yaw, np.zeros(3))
    offset = start[None, :] + heading[None, :] * travel[:, None]
    return shifted(walked, offset)


def merge_prims(a: Prims, b: Prims) -> Prims:
    """One primitive set of two figures over the same frames (``a``'s primitives first)."""
    return Prims(
        np.concatenate([a.C, b.C], 1),
        np.concatenate([a.Q, b.Q], 1),
        np.concatenate([a.R, b.R], 1),
        np.concatenate([a.colour, b.colour], 0),
        np.concatenate([a.gloss, b.gloss], 0),
    )


def in_view(lm: dict[str, np.ndarray], width: int, height: int, min_points: int = 8) -> np.ndarray:
    """(T,) bool: at least ``min_points`` of the projected joints ``lm`` (name → (T,2) px) lie inside the picture."""
    pts = np.stack(list(lm.values()), 1)
    inside = (pts[..., 0] >= 0) & (pts[..., 0] < width) & (pts[..., 1] >= 0) & (pts[..., 1] < height)
    return inside.sum(1) >= min_points
