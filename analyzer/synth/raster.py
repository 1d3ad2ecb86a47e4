"""Ray-casting shaded ellipsoids into an image with a z-buffer: the primitives (:class:`Prims`) and :func:`raster`.

Every body part, face feature and prop is an ellipsoid given by its centre ``C`` and a 3×3 matrix; a pixel's
ray hits it where the quadratic form equals one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .body import unit
from .camera import Camera


class Lighting(Protocol):
    """What the rasteriser needs of a scene: a key light's direction (deg) and strength, ambient light, exposure."""

    @property
    def light_azimuth(self) -> float: ...
    @property
    def light_elevation(self) -> float: ...
    @property
    def ambient(self) -> float: ...
    @property
    def key(self) -> float: ...
    @property
    def exposure(self) -> float: ...


# ---------------------------------------------------------------------------
# primitives
# ---------------------------------------------------------------------------
@dataclass
class Prims:
    """Primitives over T frames: centres (T,N,3), quadrics (T,N,3,3), bound radii (T,N), colours (N,3) 0..1,
    gloss (N,)."""

    C: np.ndarray
    Q: np.ndarray
    R: np.ndarray
    colour: np.ndarray
    gloss: np.ndarray


class PrimBuilder:
    def __init__(self, T: int):
        self.T = T
        self.C: list[np.ndarray] = []
        self.Q: list[np.ndarray] = []
        self.R: list[np.ndarray] = []
        self.col: list[np.ndarray] = []
        self.gloss: list[float] = []

    def _add(self, C, Q, R, colour, gloss):
        T = self.T
        self.C.append(np.broadcast_to(C, (T, 3)))
        self.Q.append(np.broadcast_to(Q, (T, 3, 3)))
        self.R.append(np.broadcast_to(R, (T,)))
        self.col.append(np.asarray(colour, float) / (255.0 if max(colour) > 1.0 else 1.0))
        self.gloss.append(gloss)

    def sphere(self, c, r, colour, gloss=0.0):
        self._add(c, np.eye(3) / r**2, np.full(self.T, r), colour, gloss)

    def spheroid(self, p0, p1, r, colour, *, c: float = 0.5, k: float = 0.55, gloss=0.0):
        """Spheroid along p0→p1 centred at fraction ``c``, half-length ``k``·|p1−p0|, radius ``r``."""
        v = p1 - p0
        L = np.linalg.norm(v, axis=-1)
        a = v / np.maximum(L, 1e-9)[..., None]
        h = np.maximum(k * L, r * 1.01)
        Q = np.eye(3) / r**2 + a[..., :, None] * a[..., None, :] * (1 / h**2 - 1 / r**2)[..., None, None]
        self._add(p0 + c * v, Q, np.maximum(h, r), colour, gloss)

    def ellipsoid(self, c, frame, radii, colour, gloss=0.0):
        """Ellipsoid with axes = columns of ``frame`` (T,3,3) scaled by ``radii`` (3,)."""
        radii = np.asarray(radii, float)
        Q = frame @ np.diag(1.0 / radii**2) @ np.swapaxes(frame, -1, -2)
        self._add(c, Q, np.full(self.T, radii.max()), colour, gloss)

    def build(self) -> Prims:
        return Prims(
            np.stack(self.C, 1).astype(np.float64),
            np.stack(self.Q, 1).astype(np.float64),
            np.stack(self.R, 1).astype(np.float64),
            np.stack(self.col),
            np.asarray(self.gloss),
        )


def raster(cam: Camera, rays: np.ndarray, C, Q, Rb, colour, gloss, img, depth, scene: Lighting):
    """Ray-cast N ellipsoids into ``img``/``depth`` (modified copies returned)."""
    img = img.copy()
    depth = depth.copy()
    o = cam.position
    Hh, W = depth.shape
    cc = cam.to_camera(C)
    Ld, V = light_dirs(cam, scene)
    for j in range(C.shape[0]):
        zc = cc[j, 2]
        r = Rb[j]
        if zc - r < 0.05:
            continue
        u = cam.f * cc[j, 0] / zc + cam.cx
        v = cam.f * cc[j, 1] / zc + cam.cy
        rad = cam.f * r / np.sqrt(max(zc**2 - r**2, 1e-6)) + 2
        x0, x1 = max(int(u - rad), 0), min(int(u + rad) + 1, W)
        y0, y1 = max(int(v - rad), 0), min(int(v + rad) + 1, Hh)
        if x0 >= x1 or y0 >= y1:
            continue
        d = rays[y0:y1, x0:x1]
        Qj = Q[j]
        oc = o - C[j]
        Qd = d @ Qj
        a = np.einsum("ijk,ijk->ij", Qd, d)
        Qoc = Qj @ oc
        b = 2.0 * (d @ Qoc)
        c = oc @ Qoc - 1.0
        disc = b * b - 4 * a * c
        hit = disc > 0
        if not hit.any():
            continue
        t = (-b - np.sqrt(np.where(hit, disc, 0))) / (2 * a)
        sub = depth[y0:y1, x0:x1]
        m = hit & (t > 0) & (t < sub)
        if not m.any():
            continue
        tm = t[m]
        nrm = unit(Qoc[None, :] + tm[:, None] * Qd[m])
        lam = np.clip(nrm @ Ld, 0, None)
        fill = np.clip(nrm @ V, 0, None)
        hv = unit(Ld + V)
        spec = gloss[j] * np.clip(nrm @ hv, 0, None) ** 24
        rim = 0.12 * (1 - fill) ** 3
        shade = scene.ambient + scene.key * lam + 0.25 * fill
        col = colour[j][None, :] * shade[:, None] + (spec + rim * 0.3)[:, None]
        sub[m] = tm
        img[y0:y1, x0:x1][m] = col * scene.exposure
    return img, depth


def light_dirs(cam: Camera, scene: Lighting) -> tuple[np.ndarray, np.ndarray]:
    look = cam.R[2]
    back = -look  # toward the camera
    a, e = np.radians(scene.light_azimuth), np.radians(scene.light_elevation)
    right = cam.R[0]
    up = np.array([0.0, 0.0, 1.0])
    Ld = np.cos(e) * (np.cos(a) * back + np.sin(a) * right) + np.sin(e) * up
    return unit(Ld), unit(back)
