"""Small annotators that draw on RGB frames (in place): skeleton, labels (with °), dashed lines, legend.

What each camera view measures is drawn by :mod:`analyzer.report.overlay_view`.

Coordinates passed in are pixels of the *drawn* frame (divide PoseTrack pixels by
``Frame.scale`` first).
"""

from __future__ import annotations

import cv2
import numpy as np

from .. import landmarks as L

LEFT_COLOUR = (255, 140, 0)  # RGB orange: subject's left
RIGHT_COLOUR = (0, 170, 255)  # RGB blue: subject's right
MID_COLOUR = (240, 240, 240)
TEXT_BG = (20, 20, 20)
FONT = cv2.FONT_HERSHEY_SIMPLEX


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
    """Text with a dark box behind it, ``org`` = top-left corner in px. A "°" is drawn as a small ring
    (the Hershey fonts are ASCII-only)."""
    s = scale or label_scale(img)
    parts, widths, ring, th = _pieces(text, s)
    (_, h), base = cv2.getTextSize("Ag", FONT, s, th)
    x, y = int(org[0]), int(org[1])
    if bg is not None:
        w = sum(widths) + (len(parts) - 1) * (2 * ring + th + 2)
        cv2.rectangle(img, (x - 3, y - 3), (x + w + 3, y + h + base + 3), bg, -1)
    for i, part in enumerate(parts):
        cv2.putText(img, part, (x, y + h), FONT, s, colour, th, cv2.LINE_AA)
        x += widths[i]
        if i < len(parts) - 1:
            cv2.circle(img, (x + ring + 1, y + ring), ring, colour, max(1, th - 1), cv2.LINE_AA)
            x += 2 * ring + th + 2
    return img


def _pieces(text: str, scale: float) -> tuple[list[str], list[int], int, int]:
    """``text`` split at each "°": (pieces, their widths px, ring radius px, stroke px) at ``scale``."""
    th = max(1, int(round(scale * 2)))
    parts = text.split("\u00b0")
    return parts, [cv2.getTextSize(p, FONT, scale, th)[0][0] for p in parts], max(2, int(round(4 * scale))), th


def label_width(img: np.ndarray, text: str, scale: float | None = None) -> int:
    """Width (px) :func:`draw_label` gives ``text`` on this frame (without its box margin)."""
    parts, widths, ring, th = _pieces(text, scale or label_scale(img))
    return sum(widths) + (len(parts) - 1) * (2 * ring + th + 2)


def label_scale(img: np.ndarray) -> float:
    """Font scale for labels on a frame of this size."""
    return max(0.4, min(img.shape[:2]) / 900)


def draw_dashed(
    img: np.ndarray, a: np.ndarray, b: np.ndarray, colour: tuple[int, int, int], thickness: int, dash_px: int = 10
) -> np.ndarray:
    """A dashed line from ``a`` to ``b`` (px)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return img
    n = max(1, int(np.hypot(*(b - a)) // dash_px))
    for k in range(0, n, 2):
        p, q = a + (b - a) * k / n, a + (b - a) * min(k + 1, n) / n
        cv2.line(img, tuple(np.round(p).astype(int)), tuple(np.round(q).astype(int)), colour, thickness, cv2.LINE_AA)
    return img


def draw_legend(img: np.ndarray, lines: list[tuple[str, tuple[int, int, int]]]) -> np.ndarray:
    """A small key in the bottom-left corner: one line of text per entry, each in its colour."""
    s = 0.8 * label_scale(img)
    th = max(1, int(round(s * 2)))
    (_, h), base = cv2.getTextSize("Ag", FONT, s, th)
    step = h + base + 6
    y = img.shape[0] - 8 - step * len(lines)
    for text, colour in lines:
        draw_label(img, text, (8, y), scale=s, colour=colour)
        y += step
    return img
