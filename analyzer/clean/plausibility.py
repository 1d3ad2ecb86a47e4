"""Frames where the skeleton is not on the person: the track split where it jumps, and the pieces that do not fit.

A pose tracker that loses its subject does not say so: it carries on with a spotter walking past, a poster
or the treadmill console, and every metric then measures the wrong thing. Two facts about a real person
give it away:

* **size**: :func:`~analyzer.geometry.body_scale`, pixels per metre of the subject, changes smoothly (walking toward the
  camera, a slow zoom), never by a third between two frames;
* **position**: the hip centre cannot move :data:`MAX_JUMP_M` in one frame (15 m/s at 30 fps).

:func:`off_person` splits the track where either breaks, takes the longest piece as the subject, and flags
every other piece that is a different size (ratio beyond :data:`SIZE_RATIO`) or that was reached by a
jump and left by one (or by the clip's end). A gradual change, such as a runner approaching the camera,
is never a break, so it is never flagged. Thresholds are engineering choices, checked on the shared real
clips (docs/REALCLIPS.md): they flag the 1.0 s in which ``rdl_front_01`` follows another gym member while
the lifter is out of frame, and nothing on the clips where the tracker stays on the lifter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import median_filter

from .. import landmarks as L
from ..geometry import body_scale

#: Hip-centre travel in one frame (m) that no person makes (15 m/s at 30 fps); at high frame rates the
#: limit is 15 m/s × dt, never below 0.15 m, so landmark noise on a small figure is not a jump.
MAX_JUMP_M = 0.5
MAX_SPEED_M_S = 15.0
MIN_JUMP_M = 0.15
#: Size change between the frames just before and just after a point (median of each side) that is a break.
BREAK_RATIO = 1.3
#: A piece whose median size differs from the subject's by more than this is someone or something else.
SIZE_RATIO = 1.35
#: Frames on each side of a point whose median size is compared.
SIDE_FRAMES = 4


@dataclass(frozen=True)
class OffSpan:
    """Frames ``i0``..``i1`` (inclusive) at ``t0``..``t1`` s in which the skeleton was off the person.

    ``why``: "size" (a different size from the subject) or "jump" (reached and left by a jump).
    """

    i0: int
    i1: int
    t0: float
    t1: float
    why: str


def _smooth(x: np.ndarray, k: int) -> np.ndarray:
    """Running median of ``k`` frames over the finite samples, NaN kept where ``x`` is NaN."""
    ok = np.isfinite(x)
    if ok.sum() < 3:
        return x.copy()
    y = x.copy()
    y[ok] = median_filter(x[ok], size=min(k, int(ok.sum()) | 1), mode="nearest")
    return y


def breaks(t: np.ndarray, xy: np.ndarray, world: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the figure jumps or changes size at once.

    Returns ``(scale, jump, resize)``: the smoothed :func:`~analyzer.geometry.body_scale` (T,) px/m, and
    (T,) bools marking frame *i* as the first frame after a position jump or a size break.
    """
    scale = _smooth(body_scale(xy, world), 5)
    hip = (xy[:, L.L_HIP] + xy[:, L.R_HIP]) / 2.0
    T = len(t)
    jump = np.zeros(T, bool)
    resize = np.zeros(T, bool)
    idx = np.flatnonzero(np.isfinite(scale) & np.isfinite(hip).all(axis=1))
    if len(idx) < 2:
        return scale, jump, resize
    step = np.linalg.norm(np.diff(hip[idx], axis=0), axis=1) / scale[idx[:-1]]
    dt = np.diff(t[idx])
    limit = np.clip(MAX_SPEED_M_S * dt, MIN_JUMP_M, MAX_JUMP_M * np.maximum(1.0, dt * 30.0))
    jump[idx[1:][step > limit]] = True
    s = np.log(scale[idx])
    k = SIDE_FRAMES
    change = np.zeros(len(idx))
    for n in range(k, len(idx) - k + 1):
        change[n] = abs(np.median(s[n : n + k]) - np.median(s[n - k : n]))
    over = change > np.log(BREAK_RATIO)
    n = 0
    while n < len(idx):  # one break per run of over-threshold points: where the change is largest
        if over[n]:
            m = n
            while m + 1 < len(idx) and over[m + 1]:
                m += 1
            resize[idx[n + int(np.argmax(change[n : m + 1]))]] = True
            n = m
        n += 1
    return scale, jump, resize


def _pieces(present: np.ndarray, cut: np.ndarray) -> list[tuple[int, int]]:
    """Runs of present frames, split before every frame marked in ``cut``; (first, last) inclusive."""
    out: list[tuple[int, int]] = []
    start = None
    for i, p in enumerate(present):
        if start is not None and (not p or cut[i]):
            out.append((start, i - 1))
            start = None
        if p and start is None:
            start = i
    if start is not None:
        out.append((start, len(present) - 1))
    return out


def off_person(t: np.ndarray, xy: np.ndarray, world: np.ndarray) -> tuple[np.ndarray, list[OffSpan]]:
    """(T,) bool of frames where the skeleton is off the person, and the spans in time order.

    ``t`` (T,) s; ``xy`` (T, 33, 2) px, NaN where no pose; ``world`` (T, 33, 3) m.
    """
    t = np.asarray(t, float)
    xy = np.asarray(xy, float)
    world = np.asarray(world, float)
    T = len(t)
    flags = np.zeros(T, bool)
    scale, jump, resize = breaks(t, xy, world)
    present = np.isfinite(scale)
    pieces = _pieces(present, jump | resize)
    if len(pieces) < 2:
        return flags, []
    sizes = [float(np.median(scale[a : b + 1])) for a, b in pieces]
    anchor = int(np.argmax([b - a for a, b in pieces]))
    longest = pieces[anchor][1] - pieces[anchor][0]
    off: dict[int, str] = {}
    for order in (range(anchor + 1, len(pieces)), range(anchor - 1, -1, -1)):
        ref = sizes[anchor]  # the size of the last piece accepted on the way out from the subject's longest one
        prev_ok = True  # the piece before this one (toward the anchor) was accepted: a jump from it leaves the person
        for n in order:
            a, b = pieces[n]
            cut = jump | resize | ~present
            entered = jump[a] if n > anchor else (b + 1 < T and jump[b + 1])
            left = (b + 1 >= T or cut[b + 1]) if n > anchor else (a == 0 or cut[a])
            if abs(np.log(sizes[n] / ref)) > np.log(SIZE_RATIO):
                off[n] = "size"
            elif prev_ok and entered and left and b - a < longest:
                off[n] = "jump"
            elif b - a + 1 >= 2 * SIDE_FRAMES:  # a piece long enough to trust becomes the reference
                ref = sizes[n]
            prev_ok = n not in off
    spans: list[OffSpan] = []
    for n in sorted(off):
        a, b = pieces[n]
        flags[a : b + 1] = True
        if spans and spans[-1].why == off[n] and spans[-1].i1 + 1 >= a:
            spans[-1] = OffSpan(spans[-1].i0, b, spans[-1].t0, float(t[b]), off[n])
        else:
            spans.append(OffSpan(a, b, float(t[a]), float(t[b]), off[n]))
    return flags, spans


#: Off-person spans shorter than this (s) are left out silently (a blip, filled like any short gap).
WARN_MIN_S = 0.3
#: Seconds next to a span searched for the person at the side of the picture, and how near (share of the
#: picture's width, hip centre to edge) counts as leaving it. Walking or panning out of a picture takes about a
#: second, and the last frames before a span are often on someone else already; on the shared real clips the
#: one person at the side is `rdl_front_01`'s pan away (0.4 s missed it, 0.8 s finds it, no other clip changes).
EDGE_WINDOW_S = 0.8
EDGE_SHARE = 0.1


def at_picture_side(t, xy, span: OffSpan, picture, width: int, height: int) -> bool:
    """Whether the person's hip centre was within :data:`EDGE_SHARE` of the picture's left or right side just
    before or just after ``span``: they walked (or the camera turned) out of the picture.

    ``xy`` (T, 33, 2) px of the raw track; ``picture`` (x0, y0, x1, y1) in 0..1 (inside black bars), or None
    for the whole frame.
    """
    x0, _, x1, _ = picture or (0.0, 0.0, 1.0, 1.0)
    hip = (xy[:, L.L_HIP, 0] + xy[:, L.R_HIP, 0]) / 2.0 / width
    near = (t >= span.t0 - EDGE_WINDOW_S) & (t < span.t0) | (t > span.t1) & (t <= span.t1 + EDGE_WINDOW_S)
    h = hip[near]
    h = h[np.isfinite(h)]
    margin = EDGE_SHARE * (x1 - x0)
    return bool(len(h) and ((h < x0 + margin) | (h > x1 - margin)).any())


def off_person_warnings(clean, picture=None, min_s: float = WARN_MIN_S) -> list:
    """One :class:`~analyzer.types.ClipWarning` per off-person span of ``clean`` lasting ≥ ``min_s`` s:
    ``out_of_view`` when the person was at the side of the ``picture`` next to it, else ``off_person``."""
    from ..types import ClipWarning

    out = []
    for s in clean.off_spans:
        if s.t1 - s.t0 < min_s:
            continue
        if at_picture_side(clean.t, np.asarray(clean.raw.xy, float), s, picture, clean.width, clean.height):
            out.append(
                ClipWarning(
                    "out_of_view",
                    f"You were out of the picture from about {s.t0:.1f} s to {s.t1:.1f} s (the skeleton followed "
                    "someone or something else meanwhile); those frames were left out of the analysis.",
                )
            )
        else:
            out.append(
                ClipWarning(
                    "off_person",
                    f"From {s.t0:.1f} s to {s.t1:.1f} s the skeleton was not on you: its "
                    f"{'size' if s.why == 'size' else 'position'} jumped, so it was following someone or "
                    "something else (usually because you were hidden). Those frames were left out of the analysis.",
                )
            )
    return out
