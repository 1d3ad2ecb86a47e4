"""Pose-model settings of a run and the half-size model-input rule.

All settings enter the landmark cache key. Pixels are those of the decoded frame unless stated.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

import numpy as np

from .. import landmarks as L


@dataclass(frozen=True)
class PoseSettings:
    """Inference settings; all of them enter the landmark cache key."""

    model: str = "full"
    num_poses: int = 2  # >1 lets us notice bystanders and lock on one subject
    #: With ``num_poses`` > 1: the model tracks one person (MediaPipe then skips its person detector
    #: while tracking, ≈ 1.5× faster) and a separate person count runs every ``people_check_s`` seconds
    #: of video; once it sees more than one person, the model tracks ``num_poses`` people on every
    #: frame from then on. 0 = track ``num_poses`` people on every frame from the start.
    people_check_s: float = 1.0
    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    masks: bool = True  # segmentation mask for the back-contour proxy
    mask_max_side: int = 256  # stored mask size (px, longer side)
    max_side: int = 1280  # frames are decoded at most this size (px, longer side); the overlay is drawn on them
    #: The model gets the frame at half size while the subject's reach in the previous frame, measured at
    #: half size, is at least this many px (:func:`use_half_size`); 0 = always the decoded size. On the real
    #: clips decoded at 1280 px this moves landmarks about as far as a 1 % resize does.
    half_size_reach_px: int = 128
    #: Seconds between the frames scanned for other people with the subject blacked out
    #: (:mod:`analyzer.track.people_scan`); 0 = no scan.
    scan_people_s: float = 0.5
    #: Estimate camera motion from the background on every frame (:mod:`analyzer.track.camera_motion`).
    scan_camera: bool = True
    #: Start the tracker afresh when the pose jumps farther than a person moves (:mod:`analyzer.track.reacquire`).
    reacquire: bool = True
    #: Follow the person at this point: (t s, x, y in 0..1 of the frame), from ``--person``
    #: (:mod:`analyzer.track.people`). None = the largest, most central person at the start.
    person: tuple[float, float, float] | None = None

    @property
    def adaptive(self) -> bool:
        """True when the model starts with one pose and a periodic people count decides about more."""
        return self.num_poses > 1 and self.people_check_s > 0 and self.person is None

    @property
    def model_num_poses(self) -> int:
        """``num_poses`` the landmarker starts with (what a single-person clip runs with throughout)."""
        return 1 if self.adaptive else self.num_poses

    def key(self) -> str:
        d = dataclasses.asdict(self)
        if d["person"] is None:  # added later: at its default the key stays what it was
            del d["person"]
        return json.dumps(d, sort_keys=True)


#: Half-size model input only when its longer side stays at least this (px): the size of the synthetic
#: renders the accuracy report validates (480×640).
HALF_MIN_SIDE = 640


def subject_reach(xy: np.ndarray) -> float:
    """Largest distance (px) from the hip centre to any of the 33 landmarks ``xy`` (33, 2) px; NaN if unknown.

    MediaPipe crops the landmark model's input around the hip centre, about 2.5 reaches wide, and
    resamples that crop to 256×256 px; at a reach of 128 px the crop is ≈ 320 px, so nothing is lost.
    """
    hip = (xy[L.L_HIP] + xy[L.R_HIP]) / 2
    d = np.linalg.norm(xy - hip, axis=1)
    return float(np.nanmax(d)) if np.isfinite(d).any() else float("nan")


def use_half_size(w: int, h: int, reach_px: float, reach_min: float, was_half: bool) -> bool:
    """Whether a decoded frame of ``w`` × ``h`` px can go to the model at half size.

    ``reach_px``: the subject's :func:`subject_reach` in the previous frame, in px of this frame (NaN when
    nobody was found: then full size, so the person detector sees every pixel). Half size needs even
    dimensions, a longer side of at least 2 × :data:`HALF_MIN_SIDE`, and a half-size reach of at least
    ``reach_min`` (``0.9 * reach_min`` to stay at half size, so a reach near the limit does not flip sizes).
    """
    if reach_min <= 0 or w % 2 or h % 2 or max(w, h) < 2 * HALF_MIN_SIDE or not np.isfinite(reach_px):
        return False
    return reach_px / 2 >= (0.9 if was_half else 1.0) * reach_min


def half_size(image: np.ndarray) -> np.ndarray:
    """``image`` (h, w[, c]) with even sides, halved by area averaging: what the model gets under
    :func:`use_half_size`."""
    import cv2

    h, w = image.shape[:2]
    return cv2.resize(image, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
