"""The pose pass's footage scans on frames the test draws: camera motion (pan, still, cut) and the subject box."""

from __future__ import annotations

import numpy as np

from analyzer.track.camera_motion import CameraScan, box_from_landmarks
from analyzer.track.people_scan import subject_box


def _scene(w: int = 640, h: int = 360, seed: int = 0) -> np.ndarray:
    """A textured background wider than the frame (random blocks, smoothed): corners to follow."""
    import cv2

    rng = np.random.default_rng(seed)
    big = rng.integers(0, 255, (h // 8, (w + 400) // 8), dtype=np.uint8)
    big = cv2.resize(big, ((w + 400), h), interpolation=cv2.INTER_NEAREST)
    return cv2.GaussianBlur(cv2.cvtColor(big, cv2.COLOR_GRAY2BGR), (3, 3), 0)


def _run(frames, fs: float = 30.0) -> dict:
    scan = CameraScan()
    person = np.full((33, 2), np.nan)
    person[:4] = [[0.45, 0.3], [0.55, 0.3], [0.45, 0.9], [0.55, 0.9]]  # a person standing in the middle
    for i, f in enumerate(frames):
        scan.update(f, i / fs, person)
    return scan.summary()


def test_a_panning_camera_is_noticed_and_a_still_one_is_not():
    bg = _scene()
    still = [bg[:, 100:740].copy() for _ in range(90)]
    pan = [bg[:, 40 + 4 * i : 680 + 4 * i].copy() for i in range(90)]  # 4 px/frame = 0.19 frame widths/s
    s_still, s_pan = _run(still), _run(pan)
    assert not s_still["moving"] and s_still["motion"] < 0.05
    assert s_pan["moving"] and s_pan["travel"] > 0.4 and s_pan["n_cuts"] == 0


def test_a_cut_to_another_shot_is_a_moving_camera_with_its_time():
    a, b = _scene(seed=1), _scene(seed=2) // 3 + 120  # another place, other light
    frames = [a[:, 100:740].copy() for _ in range(30)] + [b[:, 100:740].copy() for _ in range(30)]
    s = _run(frames)
    assert s["moving"] and s["n_cuts"] == 1 and s["cut_times_s"] == [1.0]


def test_subject_boxes_grow_around_the_known_points_only():
    xy = np.full((33, 2), np.nan)
    assert subject_box(xy) is None and box_from_landmarks(xy) is None
    xy[:6] = [[0.4, 0.2], [0.6, 0.2], [0.4, 0.5], [0.6, 0.5], [0.45, 0.9], [0.55, 0.9]]
    for box in (subject_box(xy), box_from_landmarks(xy)):
        assert box is not None
        x0, y0, x1, y1 = box
        assert x0 < 0.4 and x1 > 0.6 and y0 < 0.2 and y1 > 0.9 and x1 - x0 < 0.6
