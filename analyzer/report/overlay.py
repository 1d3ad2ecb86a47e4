"""Small annotators that draw on RGB frames (in place) — skeleton, angle labels, banners.

Coordinates passed in are pixels of the *drawn* frame (divide PoseTrack pixels by
``Frame.scale`` first).
"""

from __future__ import annotations

import cv2
import numpy as np

from .. import geometry as G
from .. import landmarks as L

LEFT_COLOUR = (255, 140, 0)  # RGB orange: subject's left
RIGHT_COLOUR = (0, 170, 255)  # RGB blue: subject's right
MID_COLOUR = (240, 240, 240)
TEXT_BG = (20, 20, 20)


def _side_colour(i: int, j: int) -> tuple[int, int, int]:
    ni, nj = L.NAMES[i], L.NAMES[j]
    if ni.startswith("left") and nj.startswith("left"):
        return LEFT_COLOUR
    if ni.startswith("right") and nj.startswith("right"):
        return RIGHT_COLOUR
    return MID_COLOUR


def draw_skeleton(
    img: np.ndarray, xy: np.ndarray, visibility: np.ndarray | None = None, min_visibility: float = 0.3
) -> np.ndarray:
    """Draw the 33-point skeleton. ``xy`` (33,2) px; points below ``min_visibility`` are skipped."""
    if np.isnan(xy[0, 0]):
        return img
    th = max(2, int(round(min(img.shape[:2]) / 250)))
    ok = ~np.isnan(xy[:, 0])
    if visibility is not None:
        ok &= visibility >= min_visibility
    pts = np.round(np.nan_to_num(xy)).astype(np.int32)
    for i, j in L.EDGES:
        if ok[i] and ok[j]:
            cv2.line(img, tuple(pts[i]), tuple(pts[j]), _side_colour(i, j), th, cv2.LINE_AA)
    for i in map(int, np.flatnonzero(ok)):
        if i in L.FACE and i != L.NOSE:
            continue
        cv2.circle(img, tuple(pts[i]), th + 1, (255, 255, 255), -1, cv2.LINE_AA)
    return img


def draw_label(
    img: np.ndarray,
    text: str,
    org: tuple[int, int],
    scale: float | None = None,
    colour: tuple[int, int, int] = (255, 255, 255),
    bg: tuple[int, int, int] | None = TEXT_BG,
) -> np.ndarray:
    """Text with a dark box behind it, ``org`` = top-left corner in px."""
    s = scale or max(0.4, min(img.shape[:2]) / 900)
    th = max(1, int(round(s * 2)))
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, s, th)
    x, y = int(org[0]), int(org[1])
    if bg is not None:
        cv2.rectangle(img, (x - 3, y - 3), (x + w + 3, y + h + base + 3), bg, -1)
    cv2.putText(img, text, (x, y + h), cv2.FONT_HERSHEY_SIMPLEX, s, colour, th, cv2.LINE_AA)
    return img


def draw_joint_angles(
    img: np.ndarray, xy: np.ndarray, side: str = "near", visibility: np.ndarray | None = None
) -> np.ndarray:
    """Label knee and hip flexion (spec §D) beside the joints of one leg.

    ``side`` is "left", "right" or "near" (the more visible leg).
    """
    if np.isnan(xy[0, 0]):
        return img
    if side == "near":
        side = G.near_side(visibility[None, :]) if visibility is not None else "left"
    hip, knee, ankle, _, _ = L.LEG[side]
    ms = G.midpoint(xy[L.L_SHOULDER], xy[L.R_SHOULDER])
    knee_flex = 180.0 - float(G.angle3(xy[hip], xy[knee], xy[ankle]))
    hip_flex = 180.0 - float(G.angle3(ms, xy[hip], xy[knee]))
    off = max(6, img.shape[1] // 80)
    for name, value, at in (("knee", knee_flex, xy[knee]), ("hip", hip_flex, xy[hip])):
        if np.isfinite(value) and np.all(np.isfinite(at)):
            draw_label(img, f"{name} {value:.0f}\u00b0".replace("\u00b0", " deg"), (at[0] + off, at[1] - off))
    return img


def draw_banner(
    img: np.ndarray, text: str, colour: tuple[int, int, int] = (255, 255, 255), bg: tuple[int, int, int] = (180, 40, 40)
) -> np.ndarray:
    """A full-width banner at the top (cues, setup messages, rep counter)."""
    s = max(0.5, min(img.shape[:2]) / 700)
    draw_label(img, text, (8, 8), scale=s, colour=colour, bg=bg)
    return img


def annotate(
    img: np.ndarray,
    xy: np.ndarray | None,
    visibility: np.ndarray | None,
    *,
    banner: str | None = None,
    angles: bool = True,
) -> np.ndarray:
    """Skeleton + near-side angles + optional banner, drawn in place on an RGB frame."""
    if xy is not None:
        draw_skeleton(img, xy, visibility)
        if angles:
            draw_joint_angles(img, xy, "near", visibility)
    if banner:
        draw_banner(img, banner)
    return img
