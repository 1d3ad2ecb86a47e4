"""A camera that moves during the clip: a pan (yaw about the vertical) and a sideways slide, back and forth.

:class:`CameraPath` gives the yaw (deg) and the sideways shift (m, along the camera's right axis) at each clip
time; :func:`cameras` turns a still :class:`~analyzer.synth.camera.Camera` into one camera per frame, and
:func:`project_path` projects world points with them. :class:`MovingRenderer` re-casts the backdrop for each
camera (the room stays put, so the picture's texture moves as a real pan's does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .body import rot_z
from .camera import Camera
from .render import Renderer
from .scene import Scene, background


@dataclass(frozen=True)
class CameraPath:
    """Pan of ``yaw_deg`` (amplitude, deg) and slide of ``shift_m`` (amplitude, m) as sines of period
    ``period_s`` (s), still until ``start_s`` and eased in over ``ramp_s`` (s)."""

    yaw_deg: float = 0.0
    shift_m: float = 0.0
    period_s: float = 6.0
    start_s: float = 0.5
    ramp_s: float = 0.5

    @property
    def moving(self) -> bool:
        return bool(self.yaw_deg or self.shift_m)

    def offsets(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(yaw deg (T,), shift m (T,)) at clip times ``t`` (s)."""
        tt = np.asarray(t, float) - self.start_s
        gain = np.clip(tt / max(self.ramp_s, 1e-9), 0.0, 1.0)
        s = np.where(tt > 0, np.sin(2 * np.pi * np.maximum(tt, 0.0) / self.period_s), 0.0) * gain
        return self.yaw_deg * s, self.shift_m * s


def moved(cam: Camera, yaw_deg: float, shift_m: float) -> Camera:
    """``cam`` turned by ``yaw_deg`` about the vertical through itself (+ = toward its left) and slid ``shift_m``
    along its horizontal right axis."""
    R = rot_z(np.float64(yaw_deg))
    right = cam.R[0].copy()
    right[2] = 0.0
    right /= max(float(np.linalg.norm(right)), 1e-12)
    pos = cam.position + shift_m * right
    return Camera(pos, cam.R @ R.T, cam.f, cam.width, cam.height, cam.azimuth)


def cameras(cam: Camera, path: CameraPath, t: np.ndarray) -> list[Camera]:
    """One camera per clip time ``t`` (s)."""
    yaw, shift = path.offsets(t)
    return [moved(cam, float(a), float(s)) for a, s in zip(yaw, shift)]


def project_path(cams: list[Camera], pts: np.ndarray) -> np.ndarray:
    """World points (T,3) seen by their frame's camera → (T,2) px."""
    return np.stack([c.project(p) for c, p in zip(cams, pts)])


class MovingRenderer(Renderer):
    """A :class:`~analyzer.synth.render.Renderer` whose camera can change between frames (:meth:`set_camera`)."""

    def __init__(self, cam: Camera, scene: Scene = Scene(), seed: int = 0):
        super().__init__(cam, scene, seed=seed)
        self._room = cam
        self._bg_seed = seed + 7919

    def set_camera(self, cam: Camera) -> None:
        """Film the next frames from ``cam``: new rays and a re-cast backdrop (the same room and clutter)."""
        self.cam = self._cam_hi = cam
        self.rays = cam.rays()
        self.bg, self.bg_depth = background(cam, self.scene, np.random.default_rng(self._bg_seed), room=self._room)
