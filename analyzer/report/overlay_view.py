"""The annotated video's view-aware layer: what each camera view measures, drawn on the frame.

- From the side: knee and hip bend of the near leg, a dashed line at knee height (the hip below it is
  below parallel) and the lower-back outline that pelvis tilt and back rounding are read from. Their
  angles are changes from standing and stay in the report: the overlay is drawn while the model runs,
  before the standing baseline and the lift are known.
- From the front or back: each leg's dashed hip–ankle line and its knee-in angle (+ = knee inside that
  line, the report's sign).
- In between (an angled view): only the skeleton, and the legend says so.

A small legend says what the colours and lines mean. The view and the side-view leg are decided from
the frames seen so far (:class:`ViewOverlay`): the view from the median shoulder-width ratio of the
last two seconds, the leg from the whole clip's visibility so far, switching only on a clear lead.
"""

from __future__ import annotations

from collections import deque

import cv2
import numpy as np

from .. import geometry as G
from .. import landmarks as L
from ..context.view import FRONTAL_R, SAGITTAL_R, view_ratio
from ..metrics.back_outline import back_contour
from ..metrics.valgus import MIN_THIGH_FRACTION, fppa_series
from .overlay import (
    LEFT_COLOUR,
    MID_COLOUR,
    RIGHT_COLOUR,
    TEXT_BG,
    draw_dashed,
    draw_label,
    draw_legend,
    draw_skeleton,
    label_width,
)

#: Seconds of frames whose median view ratio decides the view drawn.
VIEW_WINDOW_S = 2.0
#: Frames with a person needed before a view is drawn.
MIN_VIEW_FRAMES = 5
#: The side-view leg changes only when the other leg's mean visibility so far leads by this much.
LEG_SWITCH_LEAD = 0.08
#: RGB of the lower-back outline.
OUTLINE_COLOUR = (255, 220, 0)
#: Landmarks below this visibility get no label.
LABEL_VISIBILITY = 0.5

LEGENDS: dict[str, list[tuple[str, tuple[int, int, int]]]] = {
    "side": [
        ("left side", LEFT_COLOUR),
        ("right side", RIGHT_COLOUR),
        ("bend = degrees from straight", MID_COLOUR),
        ("dashed = knee height (hip below it = below parallel)", MID_COLOUR),
    ],
    "front": [
        ("left side", LEFT_COLOUR),
        ("right side", RIGHT_COLOUR),
        ("dashed = hip-ankle line", MID_COLOUR),
        ("knee in + = knee inside that line", MID_COLOUR),
    ],
    "unclear": [
        ("left side", LEFT_COLOUR),
        ("right side", RIGHT_COLOUR),
        ("angled view: no angles drawn", MID_COLOUR),
    ],
}


OUTLINE_LEGEND = [("yellow = lower-back outline (pelvis tilt, back rounding)", OUTLINE_COLOUR)]


def _seen(vis: np.ndarray | None, *idx: int) -> bool:
    return vis is None or bool(np.all(vis[list(idx)] >= LABEL_VISIBILITY))


def draw_side(img: np.ndarray, xy: np.ndarray, vis: np.ndarray | None, leg: str) -> np.ndarray:
    """Knee and hip bend (180° − the included angle, spec §D) of ``leg`` and a dashed line at knee height."""
    hip, knee, ankle = L.LEG[leg][:3]
    if not _seen(vis, hip, knee, ankle):
        return img
    ms = G.midpoint(xy[L.L_SHOULDER], xy[L.R_SHOULDER])
    knee_bend = 180.0 - float(G.angle3(xy[hip], xy[knee], xy[ankle]))
    hip_bend = 180.0 - float(G.angle3(ms, xy[hip], xy[knee]))
    th = _line_px(img)
    thigh = float(np.hypot(*(xy[hip] - xy[knee])))
    heel, toe = L.LEG[leg][3:5]
    forward = _sign(xy[toe, 0] - xy[heel, 0])
    if np.isfinite(thigh) and thigh > 0:  # from the knee backwards, where the hips go
        draw_dashed(img, xy[knee], xy[knee] - np.array([forward * 1.5 * thigh, 0.0]), MID_COLOUR, th)
    off = max(6, img.shape[1] // 80)
    labels = (("knee bend", knee_bend, xy[knee], forward), ("hip bend", hip_bend, xy[hip], -forward))
    for name, value, at, side in labels:
        if np.isfinite(value) and np.all(np.isfinite(at)):
            text = f"{name} {value:.0f}\u00b0"
            x = at[0] + off if side > 0 else at[0] - off - label_width(img, text)
            draw_label(img, text, (max(2.0, x), at[1] + off if name == "knee bend" else at[1] - 3 * off))
    return img


def _sign(d: float) -> float:
    """−1 for a negative ``d``, else +1 (also for NaN: a missing foot or hip must not break the drawing)."""
    return -1.0 if np.isfinite(d) and d < 0 else 1.0


def _line_px(img: np.ndarray) -> int:
    """Thickness (px) of the dashed reference lines."""
    return max(2, int(round(min(img.shape[:2]) / 300)))


def draw_back_outline(img: np.ndarray, xy: np.ndarray, mask: np.ndarray, direction: int) -> bool:
    """The lower-back outline the report measures pelvis tilt and back rounding on (the person mask's edge
    from the buttock up the lower back, :func:`~analyzer.metrics.back_outline.back_contour`), drawn when found.

    ``mask`` (h, w) bool covers the whole frame; ``direction`` +1 when the person faces +x. Returns whether
    an outline was found. No angle is written: the tilt is a change from standing, in the report."""
    h, w = img.shape[:2]
    mh = G.midpoint(xy[L.L_HIP], xy[L.R_HIP])
    ms = G.midpoint(xy[L.L_SHOULDER], xy[L.R_SHOULDER])
    _, _, pts = back_contour(mask, (mask.shape[1] / w, mask.shape[0] / h), mh, ms, direction, n_stations=32)
    if pts is None:
        return False
    line = [np.round(pts).astype(np.int32)]
    cv2.polylines(img, line, False, TEXT_BG, _line_px(img) + 2, cv2.LINE_AA)  # a dark edge: seen on any shirt
    cv2.polylines(img, line, False, OUTLINE_COLOUR, _line_px(img), cv2.LINE_AA)
    return True


def knee_in_angles(xy: np.ndarray) -> dict[str, float]:
    """Knee-in angle per leg (deg, + = knee inside the hip–ankle line), the report's FPPA on one frame."""
    return {leg: float(fppa_series(xy[None], leg)[0][0]) for leg in ("left", "right")}


def draw_front(
    img: np.ndarray, xy: np.ndarray, vis: np.ndarray | None, thigh_ref: dict[str, float] | None = None
) -> np.ndarray:
    """Each leg's dashed hip–ankle line and knee-in angle. The number is left off while the thigh shows less
    than :data:`MIN_THIGH_FRACTION` of ``thigh_ref`` (its standing on-screen length, px): deep in a squat
    the thigh points at the camera and the flat angle overstates knee-in (the report skips those frames too)."""
    th = _line_px(img)
    off = max(6, img.shape[1] // 60)
    angles = knee_in_angles(xy)
    mh = G.midpoint(xy[L.L_HIP], xy[L.R_HIP])
    for leg in ("left", "right"):
        hip, knee, ankle = L.LEG[leg][:3]
        if not _seen(vis, hip, knee, ankle):
            continue
        draw_dashed(img, xy[hip], xy[ankle], MID_COLOUR, th)
        thigh = float(np.hypot(*(xy[hip] - xy[knee])))
        ref = (thigh_ref or {}).get(leg, thigh)
        a = angles[leg]
        if not np.isfinite(a) or thigh < MIN_THIGH_FRACTION * ref:
            continue
        words = f"knee in {a:.0f}\u00b0" if a >= 0 else f"knee out {-a:.0f}\u00b0"
        outward = _sign(xy[knee, 0] - mh[0])  # label on the outer side of the knee
        x = xy[knee, 0] + off if outward > 0 else xy[knee, 0] - off - label_width(img, words)
        draw_label(img, words, (max(2.0, x), xy[knee, 1] - off))
    return img


class ViewOverlay:
    """Draws one clip's overlay frame by frame: skeleton, then what the view measures, then the legend.

    ``view`` fixes the view ("side" or "front"); by default it follows the footage (see module docstring).
    """

    def __init__(self, fps: float, view: str | None = None, legend: bool = True):
        self.fixed = view
        self.legend = legend
        self._ratios: deque[float] = deque(maxlen=max(MIN_VIEW_FRAMES, int(round(VIEW_WINDOW_S * max(fps, 1.0)))))
        self._vis_sum = {"left": 0.0, "right": 0.0}
        self._frames = 0
        self.leg = "left"
        self._thigh_ref: dict[str, float] = {}
        self._outline_seen = False
        self._facing = 0.0  # running sum of toe-minus-heel x (px): its sign is the way the person faces

    def view(self) -> str:
        """The view from the frames so far: side, front, unclear (an angled view) or "" (too few frames yet)."""
        if self.fixed:
            return self.fixed
        if len(self._ratios) < MIN_VIEW_FRAMES:
            return ""
        r = float(np.median(self._ratios))
        return "side" if r < SAGITTAL_R else "front" if r > FRONTAL_R else "unclear"

    def _update(self, xy: np.ndarray, vis: np.ndarray | None) -> None:
        r = float(view_ratio(xy[None])[0])
        if np.isfinite(r):
            self._ratios.append(r)
        if vis is not None:
            self._frames += 1
            for leg in ("left", "right"):
                self._vis_sum[leg] += float(np.nan_to_num(vis[list(L.LEG[leg])]).mean())
            other = "right" if self.leg == "left" else "left"
            if (self._vis_sum[other] - self._vis_sum[self.leg]) / self._frames > LEG_SWITCH_LEAD:
                self.leg = other
        for leg in ("left", "right"):
            heel, toe = L.LEG[leg][3:5]
            if _seen(vis, heel, toe) and np.isfinite(xy[toe, 0] - xy[heel, 0]):
                self._facing += float(xy[toe, 0] - xy[heel, 0])
            hip, knee = L.LEG[leg][:2]
            thigh = float(np.hypot(*(xy[hip] - xy[knee])))
            if np.isfinite(thigh) and _seen(vis, hip, knee):
                self._thigh_ref[leg] = max(self._thigh_ref.get(leg, 0.0), thigh)

    def __call__(
        self, img: np.ndarray, xy: np.ndarray | None, vis: np.ndarray | None, mask: np.ndarray | None = None
    ) -> np.ndarray:
        """Draw on the RGB frame ``img`` in place; ``xy`` (33, 2) px of this frame or None (no person);
        ``mask`` the person mask (any size, covering the frame) or None."""
        if xy is None or np.isnan(xy[0, 0]):
            return img
        self._update(xy, vis)
        draw_skeleton(img, xy, vis)
        view = self.view()
        if view == "side":
            if mask is not None and self._facing != 0:
                self._outline_seen |= draw_back_outline(img, xy, mask, 1 if self._facing > 0 else -1)
            draw_side(img, xy, vis, self.leg)
        elif view == "front":
            draw_front(img, xy, vis, self._thigh_ref)
        if self.legend and view:
            draw_legend(img, LEGENDS[view] + (OUTLINE_LEGEND if view == "side" and self._outline_seen else []))
        return img
