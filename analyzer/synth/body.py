"""Procedural human body: anthropometrics, rotations, forward/inverse kinematics.

World frame (metres): x = the subject's forward, y = the subject's left, z = up; the
floor is z = 0. Segment frames are rotation matrices whose columns are the segment's
(forward, left, up) axes in world coordinates. Angles are degrees.

Segment lengths follow Winter's anthropometric fractions of standing height H
(thigh 0.245 H, shank 0.246 H, foot 0.152 H, ankle height 0.039 H, upper arm 0.186 H,
forearm 0.146 H); widths scale with ``build``.

Spine: a pelvis (rigid, with ASIS/PSIS points), a lumbar chain and a thoracic chain
of short sub-segments. Pelvic tilt and lumbar flexion are separate degrees of freedom:
tilt rotates the pelvis (and the buttocks and sacrum with it) about the left axis;
lumbar flexion bends the lumbar chain relative to the pelvis, so the back surface
follows the lumbar curve.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Morphological ASIS–PSIS inclination (deg, anterior) of the model pelvis in neutral.
PELVIS_MORPH_TILT = 12.0
#: Standing lordosis spread over the lumbar chain (deg) and thoracic kyphosis (deg).
LORDOSIS = 24.0
KYPHOSIS = 30.0
N_LUMBAR = 5
N_THORACIC = 6


# ---------------------------------------------------------------------------
# rotations (vectorised over leading dims; angles in degrees)
# ---------------------------------------------------------------------------
def _rot(axis: int, deg) -> np.ndarray:
    a = np.deg2rad(np.asarray(deg, float))
    c, s = np.cos(a), np.sin(a)
    R = np.zeros(a.shape + (3, 3))
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    R[..., axis, axis] = 1.0
    R[..., i, i] = c
    R[..., j, j] = c
    R[..., i, j] = -s
    R[..., j, i] = s
    return R


def rot_x(deg) -> np.ndarray:
    """Rotation about the forward axis; + raises the left side (y → z)."""
    return _rot(0, deg)


def rot_y(deg) -> np.ndarray:
    """Rotation about the left axis; + tips the up axis forward (z → x)."""
    return _rot(1, deg)


def rot_z(deg) -> np.ndarray:
    """Rotation about the up axis; + turns forward toward the left (x → y)."""
    return _rot(2, deg)


def apply(R: np.ndarray, v) -> np.ndarray:
    """R (...,3,3) applied to v (...,3) or (3,)."""
    return np.einsum("...ij,...j->...i", R, np.broadcast_to(np.asarray(v, float), R.shape[:-1]))


def unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.maximum(n, 1e-12)


def rodrigues(axis: np.ndarray, deg) -> np.ndarray:
    """(…,3,3) rotation about unit ``axis`` (…,3) by ``deg`` (right-hand rule)."""
    k = unit(axis)
    a = np.deg2rad(np.asarray(deg, float))[..., None, None]
    K = np.zeros(k.shape[:-1] + (3, 3))
    K[..., 0, 1], K[..., 0, 2] = -k[..., 2], k[..., 1]
    K[..., 1, 0], K[..., 1, 2] = k[..., 2], -k[..., 0]
    K[..., 2, 0], K[..., 2, 1] = -k[..., 1], k[..., 0]
    eye = np.eye(3)
    return eye + np.sin(a) * K + (1 - np.cos(a)) * (K @ K)


# ---------------------------------------------------------------------------
# anthropometrics
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Body:
    """Anthropometrics of one figure. ``height`` m; ``build`` scales widths/girths (1 = average)."""

    height: float = 1.75
    build: float = 1.0

    # lengths (m)
    @property
    def thigh(self) -> float:
        return 0.245 * self.height

    @property
    def shank(self) -> float:
        return 0.246 * self.height

    @property
    def ankle_height(self) -> float:
        return 0.039 * self.height

    @property
    def foot_length(self) -> float:
        return 0.152 * self.height

    @property
    def leg(self) -> float:
        """Hip joint centre to floor when standing (m)."""
        return self.thigh + self.shank + self.ankle_height

    @property
    def upper_arm(self) -> float:
        return 0.186 * self.height

    @property
    def forearm(self) -> float:
        return 0.146 * self.height

    @property
    def hip_width(self) -> float:
        """Distance between hip joint centres (m)."""
        return 0.098 * self.height * (0.85 + 0.15 * self.build)

    @property
    def shoulder_half(self) -> float:
        return 0.104 * self.height * (0.9 + 0.1 * self.build)

    @property
    def lumbar_len(self) -> float:
        return 0.10 * self.height

    @property
    def thoracic_len(self) -> float:
        return 0.17 * self.height

    # foot points relative to the ankle joint centre, in the foot frame (m)
    @property
    def heel_offset(self) -> np.ndarray:
        H = self.height
        return np.array([-0.030 * H, 0.0, -0.033 * H])

    @property
    def toe_offset(self) -> np.ndarray:
        H = self.height
        return np.array([0.118 * H, 0.0, -0.030 * H])

    @property
    def ball_offset(self) -> np.ndarray:
        """Metatarsal heads (pivot of a heel lift), on the floor when flat."""
        H = self.height
        return np.array([0.085 * H, 0.0, -self.ankle_height / H * H])


# ---------------------------------------------------------------------------
# kinematics helpers
# ---------------------------------------------------------------------------
def two_bone(root: np.ndarray, target: np.ndarray, l1: float, l2: float, pole: np.ndarray) -> np.ndarray:
    """Middle joint (knee/elbow) of a two-bone chain from ``root`` to ``target``.

    The joint lies on the circle of points l1 from root and l2 from target, on the
    side of the root→target axis that ``pole`` (a direction) points to. Targets out
    of reach are pulled in to 99.9 % of full extension. All (…,3).
    """
    d_vec = target - root
    d = np.linalg.norm(d_vec, axis=-1, keepdims=True)
    d = np.clip(d, abs(l1 - l2) + 1e-6, 0.999 * (l1 + l2))
    n = d_vec / np.maximum(np.linalg.norm(d_vec, axis=-1, keepdims=True), 1e-12)
    a = (l1**2 - l2**2 + d**2) / (2 * d)
    r = np.sqrt(np.maximum(l1**2 - a**2, 0.0))
    p = pole - np.sum(pole * n, axis=-1, keepdims=True) * n
    p = unit(p)
    return root + a * n + r * p


def foot_frame(yaw, pitch) -> np.ndarray:
    """Foot rotation: toe-out ``yaw`` about up (+ = toe turned toward the left), then
    ``pitch`` about the foot's left axis (+ = toe down / heel up)."""
    return rot_z(yaw) @ rot_y(pitch)


def frontal_angle(h: np.ndarray, k: np.ndarray, a: np.ndarray) -> np.ndarray:
    """180° − ∠HKA of points given as (…,2) in any plane (degrees)."""
    u, v = h - k, a - k
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = np.sum(u * v, axis=-1)
    return 180.0 - np.degrees(np.arctan2(np.abs(cross), dot))


@dataclass
class Skeleton:
    """World-space joint centres and segment frames over T frames.

    ``points`` name → (T,3) m. ``frames`` name → (T,3,3) rotation. ``spine`` (T,n,3)
    chain points from sacrum (S1) to C7 with ``spine_frames`` (T,n-1,3,3).
    ``extras`` holds props (bar, dumbbells) as named point arrays.
    """

    body: Body
    points: dict[str, np.ndarray]
    frames: dict[str, np.ndarray]
    spine: np.ndarray
    spine_frames: np.ndarray
    extras: dict[str, np.ndarray] = field(default_factory=dict)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.points[name]

    @property
    def n_frames(self) -> int:
        return int(self.spine.shape[0])


def trunk_fk(
    body: Body, pelvis_pos: np.ndarray, tilt, obliquity, yaw, lumbar_flex, thoracic_flex, neck_flex, head_flex
) -> tuple[dict, dict, np.ndarray, np.ndarray]:
    """Pelvis, spine, neck, head and shoulder girdle from the pelvis pose and spine angles.

    ``tilt``: pelvis sagittal rotation (deg, + anterior) from the neutral standing pelvis
    (whose ASIS–PSIS line is ``PELVIS_MORPH_TILT`` anterior). ``lumbar_flex``: flexion of the
    lumbar chain relative to the pelvis from neutral lordosis (deg, + = rounding, − = arching).
    ``thoracic_flex`` likewise for the thoracic chain. ``neck_flex``/``head_flex`` (deg, + = chin down).
    Returns (points, frames, spine points (T,n,3), spine frames (T,n-1,3,3)).
    """
    H = body.height
    T = pelvis_pos.shape[0]
    tilt, obliquity, yaw = (np.broadcast_to(np.asarray(x, float), (T,)) for x in (tilt, obliquity, yaw))
    lumbar_flex, thoracic_flex = (np.broadcast_to(np.asarray(x, float), (T,)) for x in (lumbar_flex, thoracic_flex))
    neck_flex, head_flex = (np.broadcast_to(np.asarray(x, float), (T,)) for x in (neck_flex, head_flex))
    Rp = rot_z(yaw) @ rot_x(obliquity) @ rot_y(tilt)
    P = {"pelvis": pelvis_pos.copy()}
    F = {"pelvis": Rp}
    hw = body.hip_width / 2
    P["left_hip"] = pelvis_pos + apply(Rp, [0.0, hw, 0.0])
    P["right_hip"] = pelvis_pos + apply(Rp, [0.0, -hw, 0.0])
    asis = np.array([0.045 * H, 0.0, 0.05 * H])
    L = 0.09 * H
    tr = np.radians(PELVIS_MORPH_TILT)
    psis = asis - L * np.array([np.cos(tr), 0.0, -np.sin(tr)])
    P["asis"] = pelvis_pos + apply(Rp, asis)
    P["psis"] = pelvis_pos + apply(Rp, psis)
    s1 = pelvis_pos + apply(Rp, [-0.03 * H, 0.0, 0.055 * H])
    pts = [s1]
    frs = []
    seg_l = body.lumbar_len / N_LUMBAR
    for k in range(N_LUMBAR):
        ang = LORDOSIS / 2 + k / (N_LUMBAR - 1) * (-LORDOSIS + lumbar_flex)
        R = Rp @ rot_y(ang)
        frs.append(R)
        pts.append(pts[-1] + apply(R, [0.0, 0.0, seg_l]))
    end_l = LORDOSIS / 2 - LORDOSIS + lumbar_flex
    seg_t = body.thoracic_len / N_THORACIC
    for k in range(N_THORACIC):
        ang = end_l + (k + 1) / N_THORACIC * (KYPHOSIS + thoracic_flex)
        R = Rp @ rot_y(ang)
        frs.append(R)
        pts.append(pts[-1] + apply(R, [0.0, 0.0, seg_t]))
    spine = np.stack(pts, axis=1)
    spine_frames = np.stack(frs, axis=1)
    Rt = frs[-1]
    c7 = pts[-1]
    P["s1"], P["t12"], P["c7"] = s1, pts[N_LUMBAR], c7
    F["thorax"] = Rt
    F["lumbar_top"] = frs[N_LUMBAR - 1]
    sh = body.shoulder_half
    P["left_shoulder"] = c7 + apply(Rt, [0.012 * H, sh, -0.014 * H])
    P["right_shoulder"] = c7 + apply(Rt, [0.012 * H, -sh, -0.014 * H])
    Rn = Rt @ rot_y(-(LORDOSIS / 2 - LORDOSIS + KYPHOSIS) - 2.0 + neck_flex)
    F["neck"] = Rn
    neck_top = c7 + apply(Rn, [0.012 * H, 0.0, 0.052 * H])
    P["neck_top"] = neck_top
    Rh = Rn @ rot_y(head_flex)
    F["head"] = Rh
    P["head"] = neck_top + apply(Rh, [0.012 * H, 0.0, 0.052 * H])
    # face landmarks (MediaPipe-like) in the head frame
    face = {
        "nose": [0.068, 0.0, -0.006],
        "left_eye": [0.052, 0.019, 0.010],
        "right_eye": [0.052, -0.019, 0.010],
        "left_eye_inner": [0.055, 0.010, 0.010],
        "right_eye_inner": [0.055, -0.010, 0.010],
        "left_eye_outer": [0.048, 0.027, 0.010],
        "right_eye_outer": [0.048, -0.027, 0.010],
        "left_ear": [0.0, 0.050, 0.0],
        "right_ear": [0.0, -0.050, 0.0],
        "mouth_left": [0.050, 0.013, -0.030],
        "mouth_right": [0.050, -0.013, -0.030],
    }
    for name, off in face.items():
        P[name] = P["head"] + apply(Rh, np.asarray(off) * H)
    return P, F, spine, spine_frames


def leg_from_targets(body: Body, hip: np.ndarray, ankle: np.ndarray, pole: np.ndarray, swivel, side: int) -> np.ndarray:
    """Knee centre by two-bone IK with the knee turned ``swivel`` deg medially about the hip–ankle axis.

    ``side`` +1 for the left leg, −1 for the right (medial = −side·y). Returns (T,3).
    """
    n = unit(ankle - hip)
    # about the downward hip→ankle axis a right-hand turn moves a forward pole toward −y,
    # i.e. medially for the left leg; the right leg turns the other way.
    sw = np.broadcast_to(np.asarray(swivel, float), n.shape[:-1])
    p = apply(rodrigues(n, side * sw), np.broadcast_to(pole, n.shape))
    return two_bone(hip, ankle, body.thigh, body.shank, p)


def fppa_3d(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, side: int) -> np.ndarray:
    """FPPA (deg) in the body's frontal (y–z) plane: 180−∠HKA, + when the knee lies medial of line H–A."""
    h, k, a = hip[..., 1:], knee[..., 1:], ankle[..., 1:]
    ang = frontal_angle(h, k, a)
    # lateral position of knee vs the H–A line at the knee's height
    t = np.where(np.abs(a[..., 1] - h[..., 1]) > 1e-9, (k[..., 1] - h[..., 1]) / (a[..., 1] - h[..., 1]), 0.5)
    y_line = h[..., 0] + t * (a[..., 0] - h[..., 0])
    medial = -side * (k[..., 0] - y_line) > 0
    return np.where(medial, ang, -ang)
