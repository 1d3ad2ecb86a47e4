"""Other people in the picture: a second pose-model pass on sampled frames with the subject blacked out.

The main pose pass follows one person, so it cannot say whether a spotter, a bystander or a mirror reflection was
visible. Twice a second :class:`PeopleScan` hides the subject's box, runs the Pose Landmarker (IMAGE mode, up to
3 poses) on the whole frame and on square tiles along its long side, and keeps a detection only when it looks
like a whole, solid person: mean landmark visibility ≥ 0.85, its segmentation mask filling ≥ 60 % of its box,
≥ 5 % of the frame tall and ≤ 20 % inside the subject's box. A clip with another person in ≥ 2 samples says so.

Thresholds are engineering choices from the shared real clips (docs/REALCLIPS.md: 5 of the 10 clips with a second
person found; the misses are people inside the subject's box, tiny reflections or people cut by the frame edge).
Cost ≈ 90–105 ms per sample (``python benchmarks/experiments/scan_cost.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

#: Seconds between sampled frames.
EVERY_S = 0.5
MAX_SIDE = 640
MIN_MEAN_VIS = 0.85
MIN_MASK_FILL = 0.6
MIN_HEIGHT = 0.05
MAX_IN_SUBJECT = 0.2
NMS_OVERLAP = 0.3
#: Samples with another person that make the clip "several people".
MIN_SAMPLES = 2

Box = tuple[float, float, float, float]  # normalised x0, y0, x1, y1


class PeopleScan:
    """Context manager: ``update(frame_rgb, t, subject_xy_norm)`` per frame, then :meth:`summary`."""

    def __init__(self, model_path: Path | str, every_s: float = EVERY_S):
        self.model_path = str(model_path)
        self.every_s = every_s
        self._next_t = 0.0
        self._lm: Any = None
        self.samples: list[tuple[float, int]] = []  # (t s, other people found)

    def __enter__(self) -> PeopleScan:
        from mediapipe.tasks.python import BaseOptions, vision

        opts = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=self.model_path),
            running_mode=vision.RunningMode.IMAGE,
            num_poses=3,
            min_pose_detection_confidence=0.3,
            min_pose_presence_confidence=0.3,
            output_segmentation_masks=True,
        )
        from .estimator import quiet_native_stderr

        with quiet_native_stderr():  # model-load chatter of the native library
            self._lm = vision.PoseLandmarker.create_from_options(opts)
        return self

    def __exit__(self, *exc) -> None:
        if self._lm is not None:
            from .estimator import close_quietly

            close_quietly(self._lm)
            self._lm = None

    def update(self, frame_rgb: np.ndarray, t: float, subject_xy: np.ndarray | None) -> None:
        """Scan this frame when a sample is due; ``subject_xy``: (33, 2) landmarks in 0..1, NaN when missing."""
        if t < self._next_t or self._lm is None:
            return
        self._next_t = t + self.every_s
        box = subject_box(subject_xy) if subject_xy is not None else None
        self.samples.append((float(t), len(self.other_people(frame_rgb, box))))

    def other_people(self, frame_rgb: np.ndarray, subject: Box | None, min_vis: float = MIN_MEAN_VIS) -> list[Box]:
        """Boxes of people other than the subject in one RGB frame (the decoder's colour order); with no
        subject, everyone. ``min_vis``: mean landmark visibility a detection needs."""
        import cv2

        H, W = frame_rgb.shape[:2]
        s = MAX_SIDE / max(H, W)
        size = (round(W * s), round(H * s))
        rgb = cv2.resize(frame_rgb, size, interpolation=cv2.INTER_AREA) if s < 1 else frame_rgb.copy()
        h, w = rgb.shape[:2]
        if subject is not None:
            x0, y0 = max(0, int(subject[0] * w)), max(0, int(subject[1] * h))
            x1, y1 = min(w, int(np.ceil(subject[2] * w))), min(h, int(np.ceil(subject[3] * h)))
            rgb[y0:y1, x0:x1] = 0
        found = []
        for region in [(0, 0, w, h), *_tiles(w, h)]:
            for b, vis, fill in self._detect(rgb, region):
                if vis < min_vis or fill < MIN_MASK_FILL or b[3] - b[1] < MIN_HEIGHT:
                    continue
                if subject is not None and overlap(b, subject)[1] > MAX_IN_SUBJECT:
                    continue
                found.append((b, vis))
        keep: list[Box] = []
        for b, _ in sorted(found, key=lambda x: -x[1]):
            if all(max(overlap(b, k)[0], overlap(b, k)[2]) < NMS_OVERLAP for k in keep):
                keep.append(b)
        return keep

    def _detect(self, rgb: np.ndarray, region: tuple[int, int, int, int]) -> list[tuple[Box, float, float]]:
        import mediapipe as mp

        x0, y0, x1, y1 = region
        H, W = rgb.shape[:2]
        crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
        res = self._lm.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=crop))
        out = []
        for k, pl in enumerate(res.pose_landmarks):
            a = np.array([[p.x, p.y, p.visibility] for p in pl])
            v = a[:, 2]
            ok = (v > 0.5) & (a[:, 0] > -0.02) & (a[:, 0] < 1.02) & (a[:, 1] > -0.02) & (a[:, 1] < 1.02)
            if ok.sum() < 4:
                continue
            q = np.clip(a[ok, :2], 0.0, 1.0)
            b = (
                (x0 + q[:, 0].min() * (x1 - x0)) / W,
                (y0 + q[:, 1].min() * (y1 - y0)) / H,
                (x0 + q[:, 0].max() * (x1 - x0)) / W,
                (y0 + q[:, 1].max() * (y1 - y0)) / H,
            )
            fill = 1.0
            if res.segmentation_masks:
                m = np.asarray(res.segmentation_masks[k].numpy_view()).reshape(crop.shape[:2])
                area = (m > 0.5).mean() * (x1 - x0) * (y1 - y0) / (W * H)
                fill = area / max(1e-6, (b[2] - b[0]) * (b[3] - b[1]))
            out.append((b, float(v.mean()), float(fill)))
        return out

    def summary(self) -> dict[str, Any]:
        """``several`` (bool), samples with another person, samples taken, first time (s) one was seen."""
        hits = [t for t, n in self.samples if n > 0]
        return {
            "several": len(hits) >= MIN_SAMPLES,
            "samples_with_other": len(hits),
            "samples": len(self.samples),
            "first_seen_s": hits[0] if hits else None,
            "every_s": self.every_s,
        }


def subject_box(xy: np.ndarray, margin: float = 0.08) -> Box | None:
    """The subject's box from (33, 2) landmarks in 0..1: their extent plus a margin (more above, for the head)."""
    ok = np.isfinite(xy).all(axis=1)
    if ok.sum() < 5:
        return None
    q = xy[ok]
    x0, y0 = q.min(axis=0)
    x1, y1 = q.max(axis=0)
    bw, bh = x1 - x0, y1 - y0
    return (
        max(0.0, x0 - margin * bh - 0.1 * bw),
        max(0.0, y0 - margin * bh - 0.12 * bh),
        min(1.0, x1 + margin * bh + 0.1 * bw),
        min(1.0, y1 + margin * bh),
    )


def _tiles(w: int, h: int) -> list[tuple[int, int, int, int]]:
    """Square tiles (side = the short side) sliding along the long side; none for near-square frames."""
    s, long = min(w, h), max(w, h)
    if long <= s * 1.15:
        return []
    n = int(np.ceil(long / s)) + 1 if long / s > 1.5 else 2
    return [(o, 0, o + s, s) if w > h else (0, o, s, o + s) for o in np.linspace(0, long - s, n).astype(int)]


def overlap(a: Box, b: Box) -> tuple[float, float, float]:
    """(IoU, intersection / area of a, intersection / the smaller area)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    A = (a[2] - a[0]) * (a[3] - a[1])
    B = (b[2] - b[0]) * (b[3] - b[1])
    return inter / (A + B - inter + 1e-9), inter / (A + 1e-9), inter / (min(A, B) + 1e-9)
