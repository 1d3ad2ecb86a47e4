"""MediaPipe BlazePose landmark names, indices and skeleton edges.

The 33 landmarks follow MediaPipe Pose's ordering. "Left"/"right" are the
subject's own sides, not the image's.
"""

from __future__ import annotations

NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
N_LANDMARKS = len(NAMES)
INDEX: dict[str, int] = {n: i for i, n in enumerate(NAMES)}

NOSE = 0
L_EAR, R_EAR = 7, 8
L_SHOULDER, R_SHOULDER = 11, 12
L_ELBOW, R_ELBOW = 13, 14
L_WRIST, R_WRIST = 15, 16
L_HIP, R_HIP = 23, 24
L_KNEE, R_KNEE = 25, 26
L_ANKLE, R_ANKLE = 27, 28
L_HEEL, R_HEEL = 29, 30
L_FOOT, R_FOOT = 31, 32

FACE = tuple(range(0, 11))

#: Leg chains (hip, knee, ankle, heel, foot_index) per side.
LEG = {
    "left": (L_HIP, L_KNEE, L_ANKLE, L_HEEL, L_FOOT),
    "right": (R_HIP, R_KNEE, R_ANKLE, R_HEEL, R_FOOT),
}
#: Arm chains (shoulder, elbow, wrist, pinky, index, thumb) per side.
ARM = {
    "left": (L_SHOULDER, L_ELBOW, L_WRIST, 17, 19, 21),
    "right": (R_SHOULDER, R_ELBOW, R_WRIST, 18, 20, 22),
}

#: Pairs of indices (a, b) for drawing the skeleton.
EDGES: tuple[tuple[int, int], ...] = (
    (11, 12),
    (11, 23),
    (12, 24),
    (23, 24),
    (11, 13),
    (13, 15),
    (12, 14),
    (14, 16),
    (15, 17),
    (15, 19),
    (15, 21),
    (17, 19),
    (16, 18),
    (16, 20),
    (16, 22),
    (18, 20),
    (23, 25),
    (25, 27),
    (27, 29),
    (29, 31),
    (27, 31),
    (24, 26),
    (26, 28),
    (28, 30),
    (30, 32),
    (28, 32),
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 7),
    (0, 4),
    (4, 5),
    (5, 6),
    (6, 8),
    (9, 10),
)


def mirror_index(i: int) -> int:
    """Index of the same landmark on the other side (nose maps to itself)."""
    name = NAMES[i]
    if name.startswith("left_"):
        return INDEX["right_" + name[5:]]
    if name.startswith("right_"):
        return INDEX["left_" + name[6:]]
    if name == "mouth_left":
        return INDEX["mouth_right"]
    if name == "mouth_right":
        return INDEX["mouth_left"]
    return i
