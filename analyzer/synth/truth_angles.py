"""True joint and segment angles of a synthetic figure: projected into the image (2D, as a camera sees them) and
in 3D (the body's own planes). Degrees; sign conventions as in :mod:`analyzer.kinematics`.
"""

from __future__ import annotations

import numpy as np

from .body import Skeleton, fppa_3d


# ---------------------------------------------------------------------------
# 2D spec formulas (kept local so the truth never depends on the code it checks)
# ---------------------------------------------------------------------------
def _angle3(a, b, c):
    u, v = a - b, c - b
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    return np.degrees(np.arctan2(np.abs(cross), np.sum(u * v, -1)))


def _phi(a, b, direction):
    return np.degrees(np.arctan2(direction * (b[..., 0] - a[..., 0]), a[..., 1] - b[..., 1]))


def fppa_2d(h, k, a, mh_x):
    """Spec A(3): 180−∠HKA from image points, + when K is medial of line H–A (toward ``mh_x``)."""
    ang = 180.0 - _angle3(h, k, a)
    dy = a[..., 1] - h[..., 1]
    s = np.where(np.abs(dy) > 1e-9, (k[..., 1] - h[..., 1]) / np.where(np.abs(dy) > 1e-9, dy, 1), 0.5)
    x_line = h[..., 0] + s * (a[..., 0] - h[..., 0])
    medial = (k[..., 0] - x_line) * (mh_x - x_line) > 0
    return np.where(medial, ang, -ang)


def angles_2d(lm: dict[str, np.ndarray], direction: int) -> dict[str, np.ndarray]:
    out = {}
    mh = 0.5 * (lm["left_hip"] + lm["right_hip"])
    ms = 0.5 * (lm["left_shoulder"] + lm["right_shoulder"])
    for side in ("left", "right"):
        H, K, A = lm[f"{side}_hip"], lm[f"{side}_knee"], lm[f"{side}_ankle"]
        out[f"knee_flexion_{side}"] = 180.0 - _angle3(H, K, A)
        out[f"hip_flexion_{side}"] = 180.0 - _angle3(ms, H, K)
        out[f"fppa_{side}"] = fppa_2d(H, K, A, mh[..., 0])
        out[f"depth_angle_{side}"] = np.degrees(np.arctan2(K[..., 1] - H[..., 1], np.abs(K[..., 0] - H[..., 0])))
        if direction:
            out[f"thigh_angle_{side}"] = _phi(H, K, direction)
            out[f"shank_angle_{side}"] = _phi(A, K, direction)
    if direction:
        out["trunk_angle"] = _phi(mh, ms, direction)
    d = lm["right_hip"] - lm["left_hip"]
    # + = the right hip lower in the image, independent of which hip is on the image's left
    out["pelvis_obliquity"] = np.degrees(np.arctan2(d[..., 1], np.abs(d[..., 0]) + 1e-9))
    return out


def angles_3d(sk: Skeleton, lumbar_design: np.ndarray) -> dict[str, np.ndarray]:
    P, F = sk.points, sk.frames
    out = {}
    Rp = F["pelvis"]
    mh = 0.5 * (P["left_hip"] + P["right_hip"])
    ms = 0.5 * (P["left_shoulder"] + P["right_shoulder"])
    for side, s in (("left", 1), ("right", -1)):
        H, K, A = P[f"{side}_hip"], P[f"{side}_knee"], P[f"{side}_ankle"]
        u, v = H - K, A - K
        out[f"knee_flexion_{side}"] = 180.0 - np.degrees(
            np.arccos(np.clip(np.sum(u * v, -1) / np.linalg.norm(u, axis=-1) / np.linalg.norm(v, axis=-1), -1, 1))
        )
        th = K - H  # thigh in the pelvis frame
        th_p = np.einsum("tji,tj->ti", Rp, th)
        out[f"hip_flexion_{side}"] = np.degrees(np.arctan2(th_p[:, 0], -th_p[:, 2]))
        out[f"hip_adduction_{side}"] = np.degrees(np.arctan2(-s * th_p[:, 1], np.hypot(th_p[:, 0], th_p[:, 2])))
        out[f"shank_angle_{side}"] = np.degrees(np.arctan2(K[:, 0] - A[:, 0], K[:, 2] - A[:, 2]))
        out[f"thigh_angle_{side}"] = np.degrees(np.arctan2(K[:, 0] - H[:, 0], H[:, 2] - K[:, 2]))
        a1, a2 = ms - H, K - H
        out[f"hip_trunk_angle_{side}"] = 180.0 - np.degrees(
            np.arccos(np.clip(np.sum(a1 * a2, -1) / np.linalg.norm(a1, axis=-1) / np.linalg.norm(a2, axis=-1), -1, 1))
        )
        out[f"fppa_{side}"] = fppa_3d(H, K, A, s)
    v = ms - mh
    out["trunk_angle"] = np.degrees(np.arctan2(v[:, 0], v[:, 2]))
    ap = P["asis"] - P["psis"]
    out["pelvic_tilt"] = np.degrees(np.arctan2(-ap[:, 2], np.hypot(ap[:, 0], 1e-12) * np.sign(ap[:, 0] + 1e-12)))
    out["lumbar_flexion"] = np.asarray(lumbar_design, float) * np.ones(len(mh))
    lat = P["left_hip"] - P["right_hip"]
    out["pelvic_obliquity"] = np.degrees(np.arctan2(lat[:, 2], np.hypot(lat[:, 0], lat[:, 1])))
    return out
