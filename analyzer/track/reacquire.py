"""Noticing, while tracking, that the skeleton has left the person, so the tracker can start afresh.

MediaPipe's VIDEO mode follows the pose it found before and skips its person detector while it is sure,
so once it jumps onto a spotter or the treadmill console it may stay there. :class:`TrackCheck` keeps
the recent size (:func:`~analyzer.geometry.body_scale`, px/m) and hip position of the person followed; a new
pose whose hips moved farther than a person can in one frame is *implausible*, and the estimator rebuilds
its landmarker, so the next detection is a fresh one, and picks the person nearest where the subject was.

Only jumps restart the tracker, not size changes: on the shared real clips plates and racks that hide the
torso at the bottom of a rep shrink the skeleton by half for a moment, and restarting on size cost three clips
their view or rep count (docs/REALCLIPS.md). Size changes are judged afterwards, over the whole clip, by
:mod:`analyzer.clean.plausibility`, which leaves out whatever frames stayed wrong.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from .. import landmarks as L
from ..geometry import body_scale

#: Hip travel (m) in one frame at 30 fps that no person makes; scaled with the frame interval.
JUMP_M = 0.5
#: Frames of recent history the size is the median of, and frames needed before judging.
HISTORY = 15
MIN_HISTORY = 5
#: Seconds between fresh starts, and at most this many in a clip (each costs ≈ 0.5 s of model set-up).
COOLDOWN_S = 2.0
MAX_RESTARTS = 6


class TrackCheck:
    """Recent size and position of the person followed; :meth:`implausible` judges a new pose."""

    def __init__(self) -> None:
        self.scales: deque[float] = deque(maxlen=HISTORY)
        self.hip: np.ndarray | None = None  # px, last plausible frame
        self.t = float("nan")
        self.centre: np.ndarray | None = None  # shoulders-and-hips centre, px, last plausible frame
        self.size: float | None = None  # pose height, px, last plausible frame
        self.last_restart = -np.inf
        self.restarts: list[float] = []  # times (s) the tracker was started afresh

    def implausible(self, xy: np.ndarray, t: float) -> bool:
        """Whether the pose ``xy`` (33, 2) px at ``t`` s jumped farther than the person can move."""
        if len(self.scales) < MIN_HISTORY or self.hip is None:
            return False
        ref = float(np.median(self.scales))
        if not ref > 0:
            return False
        hip = (xy[L.L_HIP] + xy[L.R_HIP]) / 2
        dt = t - self.t if np.isfinite(self.t) else 1 / 30
        return bool(np.linalg.norm(hip - self.hip) / ref > JUMP_M * max(1.0, dt * 30.0))

    def accept(self, xy: np.ndarray, world: np.ndarray, t: float, centre: np.ndarray, size: float) -> None:
        """Remember a plausible pose."""
        s = float(body_scale(xy, world))
        if np.isfinite(s):
            self.scales.append(s)
        self.hip = (xy[L.L_HIP] + xy[L.R_HIP]) / 2
        self.t, self.centre, self.size = float(t), centre, float(size)

    def may_restart(self, t: float) -> bool:
        return t - self.last_restart >= COOLDOWN_S and len(self.restarts) < MAX_RESTARTS

    def restarted(self, t: float) -> None:
        """Note a fresh start; the person's path is learnt anew from it."""
        self.last_restart = t
        self.restarts.append(round(float(t), 3))
        self.scales.clear()
