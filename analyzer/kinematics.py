"""Per-frame sagittal joint and segment angles (method spec §D, §B eqs. 7–9), degrees.

All angles come from cleaned pixel landmarks (y down). ``direction`` (+1 facing +x, −1 facing −x)
gives "forward" its sign; with an unknown direction (0) the signed angles are NaN. Series are (T,)
float64, NaN where a needed landmark is unknown.

Columns (``COLUMNS``, CSV order), for side ∈ {left, right, near}:

- ``knee_flexion_<side>`` = 180 − ∠(H, K, A): 0 straight, + flexed.
- ``hip_flexion_<side>`` = 180 − ∠(MS, H, K): 0 trunk in line with thigh, + flexed (unsigned).
- ``trunk_angle`` = θ_T = φ(MH → MS): trunk from upward vertical, + leaning forward.
- ``thigh_angle_<side>`` = thigh from the *downward* vertical, atan2(dir·(K_x − H_x), K_y − H_y):
  0 standing, +90 thigh horizontal with knee forward, − knee behind hip. (Equals 180 − φ(H → K)
  wrapped, which avoids φ's ±180° jump for a hanging thigh.)
- ``shank_angle_<side>`` = θ_S = φ(A → K): + knee ahead of ankle.
- ``hip_trunk_angle_<side>`` = φ(H → MS) + thigh angle: signed hip–trunk angle, equal to
  180 − ∠(MS, H, K) in flexion and negative in extension (knee behind the trunk line).
- ``depth_angle_<side>`` = α = atan2(y_K − y_H, |x_K − x_H|): α ≤ 0 ⇒ hip centre at/below knee centre.
"""

from __future__ import annotations

import numpy as np

from . import landmarks as L
from .geometry import angle3, midpoint, segment_angle_from_vertical

_SIDES = ("left", "right", "near")
_PER_SIDE = ("knee_flexion", "hip_flexion", "thigh_angle", "shank_angle", "hip_trunk_angle", "depth_angle")

#: Output keys of :func:`frame_kinematics`, in CSV column order.
COLUMNS: tuple[str, ...] = (
    *(f"knee_flexion_{s}" for s in _SIDES),
    *(f"hip_flexion_{s}" for s in _SIDES),
    "trunk_angle",
    *(f"thigh_angle_{s}" for s in _SIDES),
    *(f"shank_angle_{s}" for s in _SIDES),
    *(f"hip_trunk_angle_{s}" for s in _SIDES),
    *(f"depth_angle_{s}" for s in _SIDES),
)


#: Human labels of the charted columns (degrees; near side = the leg nearer the camera).
LABELS: dict[str, str] = {
    "knee_flexion_near": "Knee bend (near side)",
    "hip_flexion_near": "Hip bend (near side)",
    "trunk_angle": "Trunk angle from vertical",
    "hip_trunk_angle_near": "Hip–trunk angle (near side)",
    "shank_angle_near": "Shin angle from vertical",
    "depth_angle_near": "Depth angle (≤ 0 = hip at or below the knee, approx.)",
    "knee_flexion_left": "Knee bend, left",
    "knee_flexion_right": "Knee bend, right",
    "hip_flexion_left": "Hip bend, left",
    "hip_flexion_right": "Hip bend, right",
}


def leg_angles(xy: np.ndarray, side: str, direction: int) -> dict[str, np.ndarray]:
    """Angles of one leg (``side`` "left"/"right") from (T, 33, 2) px; keys = ``_PER_SIDE``."""
    hip, knee, ankle = L.LEG[side][:3]
    H, K, A = xy[:, hip], xy[:, knee], xy[:, ankle]
    MS = midpoint(xy[:, L.L_SHOULDER], xy[:, L.R_SHOULDER])
    d = float(direction) if direction in (1, -1) else np.nan
    with np.errstate(invalid="ignore"):
        thigh = np.degrees(np.arctan2(d * (K[:, 0] - H[:, 0]), K[:, 1] - H[:, 1]))
        depth = np.degrees(np.arctan2(K[:, 1] - H[:, 1], np.abs(K[:, 0] - H[:, 0])))
    return {
        "knee_flexion": 180.0 - angle3(H, K, A),
        "hip_flexion": 180.0 - angle3(MS, H, K),
        "thigh_angle": thigh,
        "shank_angle": segment_angle_from_vertical(A, K, direction),
        "hip_trunk_angle": segment_angle_from_vertical(H, MS, direction) + thigh,
        "depth_angle": depth,
    }


def kinematics_from_xy(xy: np.ndarray, direction: int, near_side: str) -> dict[str, np.ndarray]:
    """:func:`frame_kinematics` on a bare (T, 33, 2) pixel array."""
    if near_side not in ("left", "right"):
        raise ValueError(f"near_side must be 'left' or 'right', not {near_side!r}")
    xy = np.asarray(xy, dtype=np.float64)
    legs = {s: leg_angles(xy, s, direction) for s in ("left", "right")}
    legs["near"] = legs[near_side]
    MH = midpoint(xy[:, L.L_HIP], xy[:, L.R_HIP])
    MS = midpoint(xy[:, L.L_SHOULDER], xy[:, L.R_SHOULDER])
    out = {"trunk_angle": segment_angle_from_vertical(MH, MS, direction)}
    for name in _PER_SIDE:
        for s in _SIDES:
            out[f"{name}_{s}"] = legs[s][name]
    return {c: np.asarray(out[c], dtype=np.float64) for c in COLUMNS}


def with_near(kin: dict[str, np.ndarray], near_side: str) -> dict[str, np.ndarray]:
    """``kin`` with its ``*_near`` columns pointing at ``near_side``'s (the same arrays, nothing recomputed)."""
    out = dict(kin)
    for name in _PER_SIDE:
        out[f"{name}_near"] = kin[f"{name}_{near_side}"]
    return out


def frame_kinematics(clean, direction: int, near_side: str) -> dict[str, np.ndarray]:
    """Per-frame spec §D angles (degrees, (T,) each, keys = ``COLUMNS``) from a CleanTrack.

    ``direction``: +1/−1 facing ±x (0 → signed angles NaN); ``near_side``: "left"/"right", the
    side whose values are copied into the ``*_near`` columns.
    """
    return kinematics_from_xy(clean.xy, direction, near_side)
