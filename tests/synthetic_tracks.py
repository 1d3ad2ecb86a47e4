"""Synthetic PoseTracks from known kinematics (no video, no model) for context/segment/metrics tests.

A stick body is built in 3-D body coordinates (metres): X = subject's left, Y = forward, Z = up,
then projected orthographically into an image seen from a camera at azimuth ``alpha`` measured
from the subject's front toward the subject's left (0 = front, 90 = camera at the subject's left,
180 = back, -90 = camera at the subject's right). Image x unit vector in (X, Y) = (cos α, −sin α),
so a side view from the right (α = −90) shows the subject facing +x (direction +1, near side right)
and a side view from the left (α = +90) shows them facing −x (direction −1, near side left).

Everything is vectorised over frames; side views can carry a rendered silhouette mask whose
posterior lumbar curve is controlled by ``kin["lordosis"]`` (metres of inward curve; negative =
rounded), so the back-contour proxy is exercised.
"""

from __future__ import annotations

import numpy as np

from analyzer import landmarks as L
from analyzer.track.data import PoseTrack
from analyzer.track.masks import MaskStore

# segment lengths (m)
SHANK, THIGH, TRUNK = 0.43, 0.45, 0.52
HIP_HALF, SH_HALF, ANKLE_HALF = 0.10, 0.19, 0.12
ANKLE_H = 0.08

VIEW_ALPHA = {"front": 0.0, "back": 180.0}


def ramp(x: np.ndarray) -> np.ndarray:
    """Smooth 0→1 ramp (half cosine) for x in [0, 1], clipped outside."""
    x = np.clip(x, 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * x)


def rep_profile(
    t: np.ndarray, starts: np.ndarray, down: float, hold: float, up: float, delay: float = 0.0
) -> np.ndarray:
    """0→1→0 profile per rep: ramp up over ``down`` s from start+delay, hold, ramp down over ``up`` s."""
    out = np.zeros_like(t)
    for s in starts:
        s0 = s + delay
        x_up = (t - s0) / down
        x_dn = (t - (s + down + hold)) / up  # the return is not delayed (all signals end together)
        prof = np.where(t < s + down + hold, ramp(x_up), 1.0 - ramp(x_dn)) * (t >= s0)
        prof = np.where(t > s + down + hold, np.minimum(prof, ramp(x_up)), prof)
        out = np.maximum(out, prof)
    return out


def timeline(
    n_reps: int,
    fps: float,
    lead: float = 1.5,
    down: float = 1.0,
    hold: float = 0.3,
    up: float = 1.0,
    rest: float = 1.0,
    tail: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Frame times and rep start times for ``n_reps`` reps after ``lead`` s of standing."""
    period = down + hold + up + rest
    dur = lead + n_reps * period + tail
    t = np.arange(int(round(dur * fps))) / fps
    starts = lead + period * np.arange(n_reps)
    return t, starts


def base_kin(t: np.ndarray) -> dict[str, np.ndarray]:
    z = np.zeros_like(t)
    return dict(
        shank=z + 2.0,
        thigh=z.copy(),
        trunk=z + 3.0,
        knee_in_left=z.copy(),
        knee_in_right=z.copy(),
        lordosis=z + 0.03,
        arms=np.array("hang"),
    )


def squat_kin(n_reps: int = 5, fps: float = 30.0, valgus_deg: float = 0.0) -> dict[str, np.ndarray]:
    """Bodyweight/back squat: knee flexion ≈ 110° at the bottom, trunk 40°, arms at the shoulders."""
    t, starts = timeline(n_reps, fps)
    p = rep_profile(t, starts, 1.0, 0.3, 1.0)
    k = base_kin(t)
    k.update(
        t=t,
        shank=2.0 + 33.0 * p,
        thigh=75.0 * p,
        trunk=3.0 + 37.0 * p,
        knee_in_left=valgus_deg * p,
        knee_in_right=valgus_deg * p,
        arms=np.array("shoulder"),
    )
    return k


def hinge_kin(
    n_reps: int = 3, fps: float = 30.0, lumbar_lead_s: float = 0.0, round_m: float = 0.05, hip_lead_s: float = 0.0
) -> dict[str, np.ndarray]:
    """RDL-style hinge (arms hanging). ``lumbar_lead_s`` > 0: the back rounds (lordosis falls by
    ``round_m``) and the trunk tips that long before the hips start to move back. ``hip_lead_s`` > 0:
    the hips lead the trunk; the lumbar curve then changes only late and mildly."""
    t, starts = timeline(n_reps, fps)
    hips = rep_profile(t, starts, 1.0, 0.3, 1.0, delay=max(lumbar_lead_s, 0.0))
    trunk = rep_profile(t, starts, 1.0, 0.3, 1.0, delay=hip_lead_s)
    if lumbar_lead_s > 0:
        lum = rep_profile(t, starts, 0.6, 0.7, 1.0)  # lumbar-dominant early phase: the back rounds fast
        lord = 0.03 - round_m * lum
    else:
        lum = rep_profile(t, starts, 1.0, 0.3, 1.0, delay=hip_lead_s + 0.4)
        lord = 0.03 - 0.01 * lum
    k = base_kin(t)
    k.update(t=t, shank=2.0 + 6.0 * hips, thigh=28.0 * hips, trunk=3.0 + 72.0 * trunk, lordosis=lord)
    return k


def running_kin(cadence_spm: float = 170.0, fps: float = 60.0, duration: float = 6.0) -> dict[str, np.ndarray]:
    """Treadmill running at ``cadence_spm`` steps/min; per-leg phase offset ½ stride."""
    t = np.arange(int(round(duration * fps))) / fps
    f = cadence_spm / 120.0  # strides per second
    k = base_kin(t)
    k.update(t=t, running=np.array(True), trunk=8.0 + 0 * t, hip_z=0.95 + 0.03 * np.cos(4 * np.pi * f * t))
    for side, off in (("left", 0.0), ("right", 0.5)):
        ph = 2 * np.pi * (f * t + off)
        k[f"thigh_{side}"] = 10.0 + 28.0 * np.cos(ph)
        kf = 55.0 - 45.0 * np.cos(ph - 2.2)  # knee flexion 10..100°
        k[f"shank_{side}"] = kf - k[f"thigh_{side}"]
    k["arms"] = np.array("run")
    return k


# ---------------------------------------------------------------------------
def body_points(k: dict[str, np.ndarray]) -> np.ndarray:
    """(T,33,3) body coordinates in metres from a kinematics dict (see module docstring)."""
    t = k["t"]
    T = t.shape[0]
    P = np.zeros((T, 33, 3))
    sin, cos = (lambda a: np.sin(np.radians(a))), (lambda a: np.cos(np.radians(a)))
    running = bool(k.get("running", False))
    for side, s in (("left", 1.0), ("right", -1.0)):
        hi, ki, ai, he, fi = L.LEG[side]
        if running:
            th, sh = k[f"thigh_{side}"], k[f"shank_{side}"]
            H = np.stack([s * HIP_HALF + 0 * t, 0 * t, k["hip_z"]], -1)
            K = H + np.stack([0 * t, THIGH * sin(th), -THIGH * cos(th)], -1)
            A = K - np.stack([0 * t, SHANK * sin(sh), SHANK * cos(sh)], -1)
        else:
            th, sh = k["thigh"], k["shank"]
            A = np.stack([s * ANKLE_HALF + 0 * t, 0 * t, ANKLE_H + 0 * t], -1)
            K = A + np.stack([0 * t, SHANK * sin(sh), SHANK * cos(sh)], -1)
            H = K + np.stack([s * (HIP_HALF - ANKLE_HALF) + 0 * t, -THIGH * sin(th), THIGH * cos(th)], -1)
            K[:, 0] = s * (
                ANKLE_HALF + (HIP_HALF - ANKLE_HALF) * (SHANK * cos(sh)) / (SHANK * cos(sh) + THIGH * cos(th))
            )
            # knee-in: move the knee medially in the frontal (X, Z) plane so FPPA = knee_in (deg)
            g = np.radians(k[f"knee_in_{side}"])
            h2, a2, k2 = H[:, [0, 2]], A[:, [0, 2]], K[:, [0, 2]]
            u = (a2 - h2) / np.linalg.norm(a2 - h2, axis=1, keepdims=True)
            F = h2 + ((k2 - h2) * u).sum(1, keepdims=True) * u
            p = np.linalg.norm(F - h2, axis=1)
            q = np.linalg.norm(a2 - F, axis=1)
            tg = np.tan(g)
            with np.errstate(invalid="ignore", divide="ignore"):
                m = np.where(np.abs(tg) > 1e-9, (-(p + q) + np.sqrt((p + q) ** 2 + 4 * tg**2 * p * q)) / (2 * tg), 0.0)
            K[:, 0] = F[:, 0] - s * m  # medial = toward X = 0
        # foot: heel behind/below the ankle, toes ahead along the floor (or pitched when running)
        pitch = np.zeros(T)
        HL = A + np.stack([0 * t, -0.06 + 0 * t, -0.05 + 0 * t], -1)
        FI = HL + np.stack([0 * t, 0.22 * cos(pitch), 0.22 * sin(pitch)], -1)
        P[:, hi], P[:, ki], P[:, ai], P[:, he], P[:, fi] = H, K, A, HL, FI
    MH = (P[:, L.L_HIP] + P[:, L.R_HIP]) / 2
    tr = k["trunk"]
    up = np.stack([0 * t, sin(tr), cos(tr)], -1)  # trunk axis
    fwd = np.stack([0 * t, cos(tr), -sin(tr)], -1)  # anterior normal to the trunk
    lat = np.array([1.0, 0.0, 0.0])
    MS = MH + TRUNK * up
    P[:, L.L_SHOULDER], P[:, L.R_SHOULDER] = MS + SH_HALF * lat, MS - SH_HALF * lat
    head = MS + 0.20 * up
    P[:, L.NOSE] = head + 0.10 * fwd
    for side, s in (("left", 1.0), ("right", -1.0)):
        i_in, i_eye, i_out = (1, 2, 3) if side == "left" else (4, 5, 6)
        for j, dx in ((i_in, 0.015), (i_eye, 0.03), (i_out, 0.045)):
            P[:, j] = head + 0.08 * fwd + 0.04 * up + s * dx * lat
        P[:, L.L_EAR if side == "left" else L.R_EAR] = head + s * 0.07 * lat - 0.01 * fwd
        P[:, 9 if side == "left" else 10] = head + 0.09 * fwd - 0.04 * up + s * 0.025 * lat
        sh = P[:, L.L_SHOULDER if side == "left" else L.R_SHOULDER]
        arms = str(k.get("arms", "hang"))
        down = np.array([0.0, 0.0, -1.0])
        if arms == "shoulder":
            el = sh + np.array([0.05 * s, -0.05, -0.25])
            wr = sh + np.array([0.02 * s, -0.02, 0.02])
        elif arms == "run":
            el = sh + 0.28 * down + np.array([0.0, 0.02, 0.0])
            wr = el + np.array([0.0, 0.22, 0.08])
        else:
            el = sh + 0.29 * down
            wr = el + 0.26 * down
        e_i, w_i = (L.L_ELBOW, L.L_WRIST) if side == "left" else (L.R_ELBOW, L.R_WRIST)
        P[:, e_i], P[:, w_i] = el, wr
        for j, off in zip(L.ARM[side][3:], ((0.0, 0.02, -0.06), (0.0, 0.04, -0.07), (0.0, 0.05, -0.03))):
            P[:, j] = wr + np.array(off)
    return P


def project(
    P: np.ndarray, alpha_deg: float, width: int, height: int, scale: float, ground_y: float, cx: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Orthographic camera at azimuth α: returns pixel xy (T,33,2) and MediaPipe-like z (T,33)."""
    a = np.radians(alpha_deg)
    ex = np.array([np.cos(a), -np.sin(a), 0.0])
    c = np.array([np.sin(a), np.cos(a), 0.0])
    cx = width / 2 if cx is None else cx
    x = cx + scale * (P @ ex)
    y = ground_y - scale * P[..., 2]
    z = -(P @ c) * scale / width
    return np.stack([x, y], -1), z


def _render_masks(
    P: np.ndarray,
    alpha: float,
    k: dict,
    width: int,
    height: int,
    scale: float,
    ground_y: float,
    mask_max_side: int = 256,
) -> MaskStore:
    """Silhouette masks (bit-packed) with a posterior trunk curve driven by ``k['lordosis']``."""
    import cv2

    s = mask_max_side / max(width, height)
    mh, mw = int(round(height * s)), int(round(width * s))
    T = P.shape[0]
    tr = np.radians(k["trunk"])
    up = np.stack([0 * tr, np.sin(tr), np.cos(tr)], -1)
    fwd = np.stack([0 * tr, np.cos(tr), -np.sin(tr)], -1)
    MH = (P[:, L.L_HIP] + P[:, L.R_HIP]) / 2
    u = np.linspace(-0.38, 1.0, 60)
    lord = np.asarray(k["lordosis"])[:, None]
    post = (
        0.11
        + 0.05 * np.exp(-(((u + 0.13) / 0.12) ** 2))[None, :]
        - lord * np.sin(np.pi * np.clip(u / 0.55, 0, 1))[None, :]
    )
    back = MH[:, None, :] + TRUNK * u[None, :, None] * up[:, None, :] - post[..., None] * fwd[:, None, :]
    front = MH[:, None, :] + TRUNK * u[None, ::-1, None] * up[:, None, :] + 0.12 * fwd[:, None, :]
    poly3 = np.concatenate([back, front], axis=1)
    poly, _ = project(poly3, alpha, width, height, scale, ground_y)
    pts, _ = project(P, alpha, width, height, scale, ground_y)
    SH = 4  # cv2 fractional bits

    def f(q):
        return np.round(q * s * (1 << SH)).astype(np.int32)

    bits = np.zeros((T, (mh * mw + 7) // 8), np.uint8)

    def r(metres):
        return max(1, int(round(metres * scale * s)))

    for i in range(T):
        m = np.zeros((mh, mw), np.uint8)
        cv2.fillPoly(m, [f(poly[i])], 1, lineType=cv2.LINE_8, shift=SH)
        for a_, b_, rad in (
            (L.L_HIP, L.L_KNEE, 0.07),
            (L.R_HIP, L.R_KNEE, 0.07),
            (L.L_KNEE, L.L_ANKLE, 0.05),
            (L.R_KNEE, L.R_ANKLE, 0.05),
            (L.L_HEEL, L.L_FOOT, 0.03),
            (L.R_HEEL, L.R_FOOT, 0.03),
            (L.L_SHOULDER, L.L_ELBOW, 0.04),
            (L.R_SHOULDER, L.R_ELBOW, 0.04),
            (L.L_ELBOW, L.L_WRIST, 0.035),
            (L.R_ELBOW, L.R_WRIST, 0.035),
        ):
            cv2.line(m, tuple(f(pts[i, a_])), tuple(f(pts[i, b_])), 1, thickness=2 * r(rad), shift=SH)
        head = (pts[i, L.L_EAR] + pts[i, L.R_EAR]) / 2
        cv2.circle(m, tuple(f(head)), r(0.11) << SH, 1, thickness=-1, shift=SH)
        bits[i] = np.packbits(m.ravel().astype(bool))
    return MaskStore((mh, mw), bits, np.ones(T, bool))


def make_track(
    k: dict[str, np.ndarray],
    view: str = "side",
    direction: int = 1,
    *,
    alpha: float | None = None,
    fps: float | None = None,
    width: int = 720,
    height: int = 1280,
    body_frac: float = 0.75,
    masks: bool = False,
    noise_px: float = 0.3,
    seed: int = 0,
    cx: float | None = None,
) -> PoseTrack:
    """PoseTrack of the kinematics ``k`` seen from ``view`` ("side", "front", "back", "oblique").

    Side views: ``direction`` +1 puts the camera at the subject's right (faces +x, near side right),
    −1 at the left. Oblique = 30° off the side view, toward the front. ``alpha`` overrides the azimuth.
    """
    t = np.asarray(k["t"], float)
    fps = fps or float(round(1.0 / np.median(np.diff(t))))
    if alpha is None:
        side_alpha = -90.0 if direction > 0 else 90.0
        alpha = {
            "front": 0.0,
            "back": 180.0,
            "side": side_alpha,
            "oblique": side_alpha + (30.0 if direction > 0 else -30.0),
        }[view]
    P = body_points(k)
    scale = body_frac * height / 1.80
    ground_y = height * 0.93
    xy, z = project(P, alpha, width, height, scale, ground_y, cx)
    rng = np.random.default_rng(seed)
    xy = xy + rng.normal(0.0, noise_px, xy.shape)
    T = t.shape[0]
    # visibility: far-side limbs lower in side-ish views, face low from behind
    c = np.array([np.sin(np.radians(alpha)), np.cos(np.radians(alpha))])
    vis = np.full((T, 33), 0.95)
    lat_toward_cam = c[0]  # +: the subject's left faces the camera
    for i, name in enumerate(L.NAMES):
        if name.startswith("left_") and lat_toward_cam < -0.5 or name.startswith("right_") and lat_toward_cam > 0.5:
            vis[:, i] = 0.6
    if c[1] < -0.3:  # seen from behind
        vis[:, list(L.FACE)] = 0.15
    presence = np.full((T, 33), 0.98)
    world = (P - (P[:, [L.L_HIP], :] + P[:, [L.R_HIP], :]) / 2).astype(np.float32)
    ms = _render_masks(P, alpha, k, width, height, scale, ground_y) if masks else None
    return PoseTrack(
        t=t,
        xy=xy.astype(np.float32),
        z=z.astype(np.float32),
        visibility=vis.astype(np.float32),
        presence=presence.astype(np.float32),
        world=world,
        n_people=np.ones(T, np.int8),
        width=width,
        height=height,
        fps=float(fps),
        model="synthetic",
        masks=ms,
        meta={"synthetic": True, "alpha": alpha},
    )


def make_clean(k: dict[str, np.ndarray], view: str = "side", direction: int = 1, **kw):
    """CleanTrack via the real filtering stage."""
    from analyzer.clean.track import clean_track

    return clean_track(make_track(k, view, direction, **kw))
