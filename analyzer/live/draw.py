"""Drawing live mode on the camera frame: skeleton, a top banner (rep count or setup message) and the current cue."""

from __future__ import annotations

import numpy as np

from ..report.overlay_view import ViewOverlay
from .state import LiveState


def live_painter(check: str) -> ViewOverlay:
    """The overlay of a live check ("side" or "front"): fixed view, no legend (the cue sits at the bottom)."""
    return ViewOverlay(15.0, view="front" if check == "front" else "side", legend=False)


def draw_live(img: np.ndarray, xy: np.ndarray, vis: np.ndarray, st: LiveState, paint: ViewOverlay) -> np.ndarray:
    """Skeleton with what the check measures (``paint``), a top banner (rep counter or setup message) and the
    current cue at the bottom, in place."""
    from ..report.overlay import draw_label

    if st.phase == "setup":
        banner = f"Setup: {st.setup.message}" if not st.setup.ok else "Setup: hold still..."
    else:
        banner = f"Reps: {st.rep_count}" + (f"  (total {st.total_reps})" if st.total_reps != st.rep_count else "")
    if st.person:
        paint(img, xy, vis)
    _banner(img, banner, ok=st.phase != "setup")
    if st.phase != "setup" and st.cue:
        h, w = img.shape[:2]
        s = max(0.4, min(h, w) / 900)
        lines = _wrap(st.cue, w - 16, s)
        lh = int(30 * s) + 8
        for i, line in enumerate(lines[-3:]):
            draw_label(img, line, (8, h - (len(lines[-3:]) - i) * lh - 4), scale=s)
    return img


def _banner(img: np.ndarray, text: str, ok: bool) -> None:
    from ..report.overlay import draw_label

    h, w = img.shape[:2]
    s = max(0.5, min(h, w) / 700)
    bg = (30, 130, 60) if ok else (180, 40, 40)
    for i, line in enumerate(_wrap(text, w - 16, s)[:2]):
        draw_label(img, line, (8, 8 + i * (int(30 * s) + 10)), scale=s, bg=bg)


_ASCII = str.maketrans(
    {
        "\u2014": "-",
        "\u2013": "-",
        "\u2026": "...",
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2264": "<=",
        "\u2265": ">=",
    }
)


def _wrap(text: str, max_w: int, scale: float) -> list[str]:
    """Split ``text`` into lines that fit ``max_w`` px (Hershey fonts are ASCII-only: map the rest)."""
    import cv2

    text = text.translate(_ASCII).encode("ascii", "replace").decode()

    th = max(1, int(round(scale * 2)))
    words, lines, cur = text.split(), [], ""
    for wd in words:
        cand = f"{cur} {wd}".strip()
        if cur and cv2.getTextSize(cand, cv2.FONT_HERSHEY_SIMPLEX, scale, th)[0][0] > max_w:
            lines.append(cur)
            cur = wd
        else:
            cur = cand
    if cur:
        lines.append(cur)
    return lines or [""]
