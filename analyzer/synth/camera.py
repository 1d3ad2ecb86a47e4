"""Pinhole camera placed around the subject.

World frame as in :mod:`analyzer.synth.body` (x = subject's forward, y = subject's left,
z = up, metres). Camera frame: x right, y down, z forward (looking direction); image
pixels (u right, v down) with the principal point at the image centre.

Views are named by where the camera stands relative to the subject:
``front`` (azimuth 0°, camera ahead of the subject), ``side_left`` (90°, camera on the
subject's left), ``back`` (180°), ``side_right`` (−90°), ``oblique30``/``oblique45``
(turned 30°/45° from the left side toward the front: azimuth 60°/45°) and
``oblique30_right``/``oblique45_right`` (−60°/−45°).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

VIEW_AZIMUTH = {
    "front": 0.0,
    "side_left": 90.0,
    "back": 180.0,
    "side_right": -90.0,
    "oblique30": 60.0,
    "oblique45": 45.0,
    "oblique30_right": -60.0,
    "oblique45_right": -45.0,
}


def view_kind(view: str) -> str:
    """'side' | 'front' | 'back' | 'oblique' for a view name."""
    if view.startswith("side"):
        return "side"
    if view.startswith("oblique"):
        return "oblique"
    return view


@dataclass(frozen=True)
class Camera:
    """A static pinhole camera. ``R`` rows are the camera's right/down/forward axes in world coords."""

    position: np.ndarray  # (3,) m
    R: np.ndarray  # (3,3) world → camera
    f: float  # focal length, px
    width: int
    height: int
    azimuth: float  # deg (see module doc)

    @property
    def cx(self) -> float:
        return self.width / 2.0

    @property
    def cy(self) -> float:
        return self.height / 2.0

    def to_camera(self, p: np.ndarray) -> np.ndarray:
        """World points (…,3) → camera coordinates (…,3)."""
        return (np.asarray(p, float) - self.position) @ self.R.T

    def project(self, p: np.ndarray) -> np.ndarray:
        """World points (…,3) → pixels (…,2) (u right, v down)."""
        c = self.to_camera(p)
        z = np.maximum(c[..., 2], 1e-6)
        return np.stack([self.f * c[..., 0] / z + self.cx, self.f * c[..., 1] / z + self.cy], axis=-1)

    def rays(self) -> np.ndarray:
        """(H,W,3) world ray directions through pixel centres, scaled so camera depth = ray parameter t."""
        u = np.arange(self.width) + 0.5
        v = np.arange(self.height) + 0.5
        uu, vv = np.meshgrid((u - self.cx) / self.f, (v - self.cy) / self.f)
        d_cam = np.stack([uu, vv, np.ones_like(uu)], axis=-1)
        return d_cam @ self.R  # camera → world (R orthonormal)

    def facing_direction(self) -> int:
        """+1 if the subject's forward (+x world) points to image +u, −1 if to −u, 0 for front/back views."""
        s = float(np.dot(self.R[0], [1.0, 0.0, 0.0]))
        if abs(s) < 0.5:
            return 0
        return 1 if s > 0 else -1

    def as_dict(self) -> dict:
        return {
            "position_m": [round(float(x), 4) for x in self.position],
            "R_world_to_camera": np.round(self.R, 6).tolist(),
            "focal_px": round(self.f, 3),
            "width": self.width,
            "height": self.height,
            "azimuth_deg": self.azimuth,
        }


def look_at(position, target, tilt_deg: float = 0.0) -> np.ndarray:
    """World→camera rotation looking from ``position`` at ``target``, then pitched down by ``tilt_deg``."""
    f = np.asarray(target, float) - np.asarray(position, float)
    f /= np.linalg.norm(f)
    right = np.cross(f, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    down = np.cross(f, right)
    if tilt_deg:  # pitch down about the right axis
        a = np.radians(tilt_deg)
        f, down = f * np.cos(a) + down * np.sin(a), down * np.cos(a) - f * np.sin(a)
    return np.stack([right, down, f])


def make_camera(
    view: str | float = "side_left",
    width: int = 480,
    height: int = 640,
    *,
    distance: float | None = None,
    cam_height: float = 1.0,
    tilt_deg: float = 0.0,
    fov_v_deg: float = 45.0,
    target_height: float = 0.9,
    subject_height: float = 1.75,
    fill: float = 0.78,
    target_xy=(0.0, 0.0),
) -> Camera:
    """Camera for a named view (or azimuth in degrees).

    ``distance`` (m, horizontal, from the target) defaults to the distance at which a standing
    subject fills ``fill`` of the frame height. ``cam_height`` m above the floor; ``tilt_deg``
    extra downward pitch after aiming at the point ``target_height`` m above ``target_xy``.
    """
    az = VIEW_AZIMUTH[view] if isinstance(view, str) else float(view)
    f = (height / 2.0) / np.tan(np.radians(fov_v_deg) / 2.0)
    if distance is None:
        distance = subject_height * f / (fill * height)
    a = np.radians(az)
    tgt = np.array([target_xy[0], target_xy[1], target_height], float)
    pos = tgt + np.array([distance * np.cos(a), distance * np.sin(a), 0.0])
    pos[2] = cam_height
    R = look_at(pos, tgt, tilt_deg)
    return Camera(pos, R, float(f), int(width), int(height), float(az))
