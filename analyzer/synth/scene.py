"""The room behind the synthetic person: floor, walls, clutter and lights (:class:`Scene`) and its background image."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .camera import Camera
from .raster import PrimBuilder, raster


# ---------------------------------------------------------------------------
# background
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Scene:
    """Backdrop and lighting. Colours RGB 0..255."""

    wall: tuple = (205, 200, 190)
    floor: tuple = (150, 115, 80)
    wall_distance: float = 2.5  # m behind the subject, along the camera's line of sight
    texture: float = 1.0  # 0 = flat colours, 1 = normal texture
    clutter: int = 4  # number of wall/floor objects
    light_azimuth: float = 35.0  # deg around the camera's look direction (0 = from the camera)
    light_elevation: float = 45.0
    ambient: float = 0.35
    key: float = 0.75
    exposure: float = 1.0
    treadmill: bool = False


def hash_noise(ix, iy, seed):
    v = (np.asarray(ix, np.int64) * 73856093) ^ (np.asarray(iy, np.int64) * 19349663) ^ (seed * 83492791)
    return (v % 1000) / 1000.0


def background(
    cam: Camera, scene: Scene, rng: np.random.Generator, room: Camera | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(H,W,3) float RGB 0..1 backdrop and (H,W) depth (ray parameter) for the z-test.

    ``room``: the camera whose line of sight places the wall and the clutter (default ``cam``); a moving camera
    passes its first pose so the room stays put while the camera turns."""
    d = cam.rays()
    o = cam.position
    Hh, W = cam.height, cam.width
    depth = np.full((Hh, W), np.inf)
    img = np.zeros((Hh, W, 3))
    seed = int(rng.integers(0, 2**20))
    # floor z = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        tf = np.where(d[..., 2] < -1e-6, -o[2] / d[..., 2], np.inf)
    # wall: plane perpendicular to the horizontal look direction, wall_distance behind the origin
    look = (cam if room is None else room).R[2].copy()
    look[2] = 0
    look /= np.linalg.norm(look)
    side_ax = np.array([-look[1], look[0], 0.0])
    wall_pt = look * scene.wall_distance
    denom = d @ look
    with np.errstate(divide="ignore", invalid="ignore"):
        tw = np.where(denom > 1e-6, ((wall_pt - o) @ look) / denom, np.inf)
    is_floor = tf < tw
    t = np.minimum(tf, tw)
    depth[:] = t
    P = o + d * t[..., None]
    tex = scene.texture
    # floor: planks along the camera's side axis
    fc = np.asarray(scene.floor, float) / 255
    s_coord = P @ side_ax
    l_coord = P @ look
    plank = np.floor(l_coord / 0.18)
    var = hash_noise(plank, 0, seed) - 0.5
    grain = 0.04 * np.sin(s_coord * 37 + 3 * np.sin(l_coord * 5)) * tex
    seam = (np.abs((l_coord / 0.18) - np.round(l_coord / 0.18)) < 0.03) * 0.25 * tex
    floor_col = fc[None, None, :] * (1 + 0.25 * var * tex + grain - seam)[..., None]
    if scene.treadmill:
        belt = (np.abs(P[..., 0]) < 0.95) & (np.abs(P[..., 1]) < 0.32)
        rail = (np.abs(P[..., 0]) < 1.0) & (np.abs(P[..., 1]) >= 0.32) & (np.abs(P[..., 1]) < 0.42)
        floor_col = np.where(belt[..., None], np.array([0.16, 0.16, 0.17]), floor_col)
        floor_col = np.where(rail[..., None], np.array([0.55, 0.55, 0.58]), floor_col)
    # wall: paint + noise + skirting board
    wc = np.asarray(scene.wall, float) / 255
    hgt = P[..., 2]
    wall_col = wc[None, None, :] * (1 + 0.03 * tex * np.sin(s_coord * 3.1 + hgt * 2.3))[..., None]
    wall_col = np.where((hgt < 0.12)[..., None], wc * 0.55, wall_col)
    # clutter on the wall: posters, a door, a shelf, a window (avoid the subject's column)
    for _ in range(scene.clutter):
        kind = rng.integers(0, 4)
        s0 = rng.uniform(0.6, 2.6) * rng.choice([-1, 1])
        wdt = rng.uniform(0.35, 0.9)
        if kind == 0:  # poster
            h0, hgt_ = rng.uniform(1.1, 1.6), rng.uniform(0.4, 0.8)
            col = rng.uniform(0.15, 0.9, 3)
        elif kind == 1:  # door
            h0, hgt_, wdt = 0.0, 2.05, 0.85
            col = np.array([0.55, 0.42, 0.3]) * rng.uniform(0.8, 1.2)
        elif kind == 2:  # shelf
            h0, hgt_ = rng.uniform(0.8, 1.4), 0.05
            col = np.array([0.35, 0.25, 0.18])
        else:  # window
            h0, hgt_ = 1.0, 0.9
            col = np.array([0.85, 0.9, 0.97]) * 1.05
        m = (~is_floor) & (s_coord > s0) & (s_coord < s0 + wdt) & (hgt > h0) & (hgt < h0 + hgt_)
        wall_col = np.where(m[..., None], col * (1 + 0.06 * tex * np.sin(hgt * 20)[..., None]), wall_col)
    img = np.where(is_floor[..., None], floor_col, wall_col)
    # distance darkening + vertical gradient
    img *= (1.0 - 0.08 * np.clip((t - 2.0) / 4.0, 0, 1))[..., None]
    if tex > 0:
        img += rng.normal(0, 0.012 * tex, img.shape)
    # floor props as ellipsoids (kettlebells, balls) near the wall, not in front of the subject
    n_obj = scene.clutter // 2
    if n_obj:
        pb = PrimBuilder(1)
        for _ in range(n_obj):
            s0 = rng.uniform(0.9, 2.0) * rng.choice([-1, 1])
            back = rng.uniform(0.8, 0.6 * scene.wall_distance + 0.6)
            r = rng.uniform(0.1, 0.2)
            c = wall_pt * (back / scene.wall_distance) + side_ax * s0 + np.array([0, 0, r])
            pb.sphere(c[None], r, tuple(rng.uniform(0.1, 0.8, 3)), gloss=0.3)
        pr = pb.build()
        img, depth = raster(cam, d, pr.C[0], pr.Q[0], pr.R[0], pr.colour, pr.gloss, img, depth, scene)
    return np.clip(img, 0, 1), depth


# ---------------------------------------------------------------------------
# rasteriser
# ---------------------------------------------------------------------------
