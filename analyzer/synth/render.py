"""Ray-cast rasteriser of shaded ellipsoids with a z-buffer (numpy + OpenCV only).

Every body part, face feature and prop is an ellipsoid given by its centre ``C`` and
quadric ``Q`` (points p with (p−C)ᵀQ(p−C) = 1). For each primitive only the pixels
inside its projected bounding circle are ray-cast; the nearest hit wins (z-buffer).
Shading is Lambert (key light + camera fill + ambient) with a faint specular term.
The background (floor, wall, clutter) is ray-cast once per clip and its depth takes
part in the z-test, so the floor clips feet and props occlude nothing in front.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .body import Skeleton, apply
from .camera import Camera
from .raster import PrimBuilder, Prims, raster
from .scene import Scene, background


@dataclass(frozen=True)
class Style:
    """Colours (RGB 0..255) of skin, clothing and hair."""

    skin: tuple = (224, 172, 138)
    shirt: tuple = (40, 90, 170)
    shorts: tuple = (35, 35, 40)
    shoes: tuple = (235, 235, 235)
    hair: tuple = (60, 40, 25)
    sleeves: str = "short"  # "short" | "long" | "none"
    legwear: str = "shorts"  # "shorts" | "tights"


SKIN_TONES = [(240, 200, 170), (224, 172, 138), (198, 134, 96), (150, 100, 70), (105, 70, 50)]


SHIRTS = [(40, 90, 170), (180, 40, 45), (40, 130, 80), (230, 230, 225), (90, 90, 95), (230, 140, 40), (120, 60, 140)]


BOTTOMS = [(35, 35, 40), (40, 50, 90), (70, 70, 75), (20, 20, 20), (110, 90, 70)]


HAIR = [(30, 22, 18), (60, 40, 25), (120, 80, 40), (200, 170, 110), (90, 90, 90)]


def _shade(c, k: float) -> tuple:
    return tuple(float(min(255, x * k)) for x in c)


def body_prims(sk: Skeleton, style: Style = Style()) -> Prims:
    """Ellipsoid primitives of the figure (and its props) for every frame."""
    b = sk.body
    H = b.height
    w = b.build
    P = sk.points
    T = sk.n_frames
    pb = PrimBuilder(T)
    skin, shirt, shorts, shoes, hair = style.skin, style.shirt, style.shorts, style.shoes, style.hair
    # --- pelvis, buttocks ---------------------------------------------------
    Rp = sk.frames["pelvis"]
    pc = P["pelvis"]
    pb.ellipsoid(pc + apply(Rp, [-0.008 * H, 0, 0.035 * H]), Rp, [0.062 * H * w, 0.098 * H * w, 0.068 * H], shorts)
    for s in (1, -1):
        pb.ellipsoid(
            pc + apply(Rp, [-0.036 * H, s * 0.042 * H * w, -0.004 * H]),
            Rp,
            [0.050 * H * w, 0.047 * H * w, 0.058 * H],
            shorts,
        )
    # --- lumbar / abdomen and thoracic / chest along the spine --------------
    spine, sf = sk.spine, sk.spine_frames
    n = spine.shape[1] - 1
    n_l = 5
    for k in range(n):
        p0, p1 = spine[:, k], spine[:, k + 1]
        mid = 0.5 * (p0 + p1)
        R = sf[:, k]
        f = k / (n - 1)
        if k < n_l:
            dep, lat = (0.060 + 0.006 * (1 - f)) * H * w, (0.090 - 0.004 * k) * H * w
        else:
            ft = (k - n_l) / max(n - n_l - 1, 1)
            dep, lat = (0.060 + 0.014 * np.sin(np.pi * min(ft * 1.2, 1.0))) * H * w, (0.084 + 0.022 * ft) * H * w
        seg = np.linalg.norm(p1 - p0, axis=-1).mean()
        back_margin = 0.014 * H
        col = shirt if k >= 1 else shirt
        pb.ellipsoid(mid + apply(R, [dep - back_margin, 0, 0]), R, [dep, lat, max(seg * 2.6, 0.06 * H)], col)
    # shoulder girdle / upper chest
    Rt = sk.frames["thorax"]
    ls, rs = P["left_shoulder"], P["right_shoulder"]
    sm = 0.5 * (ls + rs)
    pb.ellipsoid(sm + apply(Rt, [0.004 * H, 0, -0.030 * H]), Rt, [0.056 * H * w, 0.112 * H * w, 0.050 * H], shirt)
    # --- neck and head --------------------------------------------------------
    pb.spheroid(P["c7"] + apply(Rt, [0.01 * H, 0, -0.01 * H]), P["neck_top"], 0.030 * H, skin, c=0.5, k=0.75)
    Rh = sk.frames["head"]
    hc = P["head"]

    def hh(off):
        return hc + apply(Rh, np.asarray(off) * H)

    pb.ellipsoid(hh([0, 0, 0]), Rh, [0.057 * H, 0.046 * H, 0.064 * H], skin, gloss=0.15)
    pb.ellipsoid(hh([0.024, 0, -0.036]), Rh, [0.036 * H, 0.036 * H, 0.030 * H], skin, gloss=0.1)  # jaw
    pb.ellipsoid(hh([-0.013, 0, 0.016]), Rh, [0.058 * H, 0.0495 * H, 0.061 * H], hair)  # hair cap
    for s in (1, -1):
        pb.ellipsoid(hh([0.0, s * 0.047, 0.0]), Rh, [0.012 * H, 0.007 * H, 0.019 * H], _shade(skin, 0.88))  # ears
        pb.sphere(hh([0.0475, s * 0.019, 0.010]), 0.0078 * H, (245, 245, 240), gloss=0.4)  # eye whites
        pb.sphere(hh([0.0535, s * 0.019, 0.010]), 0.0040 * H, (25, 20, 20), gloss=0.6)  # pupils
        pb.ellipsoid(
            hh([0.0505, s * 0.019, 0.0235]), Rh, [0.004 * H, 0.011 * H, 0.0025 * H], _shade(hair, 0.8)
        )  # brows
    pb.ellipsoid(hh([0.0575, 0, -0.006]), Rh, [0.013 * H, 0.0075 * H, 0.016 * H], _shade(skin, 0.95))  # nose
    pb.ellipsoid(hh([0.0505, 0, -0.030]), Rh, [0.0065 * H, 0.0145 * H, 0.0042 * H], (150, 60, 60))  # mouth
    # --- arms -------------------------------------------------------------------
    sleeve = shirt if style.sleeves in ("short", "long") else skin
    fore = shirt if style.sleeves == "long" else skin
    for side in ("left", "right"):
        S, E, W = P[f"{side}_shoulder"], P[f"{side}_elbow"], P[f"{side}_wrist"]
        pb.sphere(S, 0.031 * H * w, sleeve)
        mid = 0.5 * (S + E)
        pb.spheroid(S, mid, 0.027 * H * w, sleeve, c=0.5, k=0.75)
        pb.spheroid(mid, E, 0.023 * H * w, fore if style.sleeves == "long" else skin, c=0.5, k=0.7)
        pb.sphere(E, 0.021 * H * w, fore)
        pb.spheroid(E, W, 0.020 * H * w, fore, c=0.45, k=0.55)
        hand_end = P[f"{side}_hand"]
        pb.spheroid(W, hand_end, 0.016 * H, skin, c=0.5, k=0.6)
    # --- legs ---------------------------------------------------------------------
    thigh_low = skin if style.legwear == "shorts" else shorts
    for side in ("left", "right"):
        Hp, K, A = P[f"{side}_hip"], P[f"{side}_knee"], P[f"{side}_ankle"]
        mid = Hp + 0.45 * (K - Hp)
        pb.spheroid(Hp, mid, 0.056 * H * w, shorts, c=0.45, k=0.85)
        pb.spheroid(mid, K, 0.045 * H * w, thigh_low, c=0.42, k=0.68)
        pb.sphere(K, 0.031 * H * w, thigh_low if style.legwear == "tights" else skin)
        pb.spheroid(K, A, 0.034 * H * w, thigh_low if style.legwear == "tights" else skin, c=0.36, k=0.5)
        pb.spheroid(K, A, 0.022 * H * w, thigh_low if style.legwear == "tights" else skin, c=0.72, k=0.33)
        pb.sphere(A, 0.021 * H, shoes)
        Rf = sk.frames[f"{side}_foot"]
        heel, toe = P[f"{side}_heel"], P[f"{side}_foot_index"]
        fm = 0.5 * (heel + toe) + apply(Rf, [0, 0, 0.014 * H])
        pb.ellipsoid(fm, Rf, [0.5 * b.foot_length * 1.0, 0.026 * H, 0.024 * H], shoes, gloss=0.2)
        pb.ellipsoid(
            heel + apply(Rf, [0.028 * H, 0, 0.02 * H]), Rf, [0.032 * H, 0.024 * H, 0.026 * H], shoes, gloss=0.2
        )
    # --- props ----------------------------------------------------------------------
    ex = sk.extras
    if "bar_left" in ex:
        steel = (170, 170, 180)
        pb.spheroid(ex["bar_left"], ex["bar_right"], 0.016, steel, c=0.5, k=0.5, gloss=0.8)
        Rb = ex["bar_frame"]
        rad = float(ex.get("plate_radius", np.array(0.225)))
        for end in ("bar_left", "bar_right"):
            pc_ = ex[end] + (ex["bar_right"] - ex["bar_left"]) * (0.08 if end == "bar_left" else -0.08)
            pb.ellipsoid(pc_, Rb, [rad, 0.035, rad], (30, 30, 35), gloss=0.3)
    if "dumbbell_left" in ex:
        for side in ("left", "right"):
            c = ex[f"dumbbell_{side}"]
            Rb = ex["dumbbell_frame"]
            for s in (1, -1):
                pb.ellipsoid(c + apply(Rb, [0, s * 0.09, 0]), Rb, [0.06, 0.04, 0.06], (40, 40, 45), gloss=0.3)
            pb.ellipsoid(c, Rb, [0.018, 0.1, 0.018], (150, 150, 155), gloss=0.6)
    return pb.build()


def _shadow(cam: Camera, sk: Skeleton, i: int, shape) -> np.ndarray:
    """Soft multiplicative floor shadow under the feet and body (H,W) in (0,1]."""
    Hh, W = shape
    s = 4
    m = np.zeros((Hh // s + 1, W // s + 1), np.float32)
    P = sk.points
    pts = []
    for name, rad in (
        ("left_heel", 0.07),
        ("right_heel", 0.07),
        ("left_foot_index", 0.07),
        ("right_foot_index", 0.07),
        ("pelvis", 0.22),
    ):
        p = P[name][i].copy()
        h = p[2]
        p[2] = 0.0
        pts.append((p, rad, float(np.clip(1 - h / 1.5, 0.2, 1))))
    for p, rad, strength in pts:
        ring = np.array([p + rad * np.array([np.cos(a), np.sin(a), 0]) for a in np.linspace(0, 2 * np.pi, 16)])
        uv = cam.project(ring) / s
        if not np.isfinite(uv).all():
            continue
        cv2.fillConvexPoly(m, np.round(uv).astype(np.int32), float(strength), lineType=cv2.LINE_AA)
    m = cv2.GaussianBlur(m, (0, 0), 2.5)
    m = cv2.resize(m, (W, Hh), interpolation=cv2.INTER_LINEAR)
    return 1.0 - 0.35 * np.clip(m, 0, 1)


@dataclass(frozen=True)
class Nuisance:
    """Image degradations. ``noise`` σ in 8-bit levels; ``blur`` optical σ px; ``motion_blur`` sub-frames."""

    noise: float = 2.0
    blur: float = 0.6
    motion_blur: int = 1
    jpeg_quality: int | None = None


class Renderer:
    """Renders frames of one clip: fixed camera, scene and backdrop."""

    def __init__(self, cam: Camera, scene: Scene = Scene(), seed: int = 0, supersample: int = 1):
        self.cam = cam
        self.scene = scene
        self.rng = np.random.default_rng(seed)
        self.ss = supersample
        if supersample > 1:
            self._cam_hi = Camera(
                cam.position, cam.R, cam.f * supersample, cam.width * supersample, cam.height * supersample, cam.azimuth
            )
        else:
            self._cam_hi = cam
        self.rays = self._cam_hi.rays()
        self.bg, self.bg_depth = background(self._cam_hi, scene, np.random.default_rng(seed + 7919))

    def frame(
        self,
        prims: Prims,
        sk: Skeleton,
        i: int,
        nuisance: Nuisance = Nuisance(),
        sub_prims: list[tuple[Prims, int]] | None = None,
    ) -> np.ndarray:
        """RGB uint8 frame ``i``. ``sub_prims`` (other prims, index) are averaged in for motion blur."""
        cam = self._cam_hi
        shadow = _shadow(cam, sk, i, self.bg.shape[:2])
        base = self.bg * shadow[..., None]
        img, _ = raster(
            cam,
            self.rays,
            prims.C[i],
            prims.Q[i],
            prims.R[i],
            prims.colour,
            prims.gloss,
            base,
            self.bg_depth,
            self.scene,
        )
        if sub_prims:
            acc = img.copy()
            for pr, j in sub_prims:
                im2, _ = raster(
                    cam, self.rays, pr.C[j], pr.Q[j], pr.R[j], pr.colour, pr.gloss, base, self.bg_depth, self.scene
                )
                acc += im2
            img = acc / (1 + len(sub_prims))
        img = np.clip(img, 0, 1)
        out = (img * 255).astype(np.float32)
        if self.ss > 1:
            out = cv2.resize(out, (self.cam.width, self.cam.height), interpolation=cv2.INTER_AREA)
        if nuisance.blur > 0:
            out = cv2.GaussianBlur(out, (0, 0), nuisance.blur)
        if nuisance.noise > 0:
            out += self.rng.normal(0, nuisance.noise, out.shape).astype(np.float32)
        out = np.clip(out, 0, 255).astype(np.uint8)
        if nuisance.jpeg_quality:
            ok, enc = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(nuisance.jpeg_quality)])
            out = cv2.imdecode(enc, cv2.IMREAD_UNCHANGED)
        return out
