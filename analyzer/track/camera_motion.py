"""Does the camera move? Background motion between consecutive frames, with the person masked out.

Per frame (:class:`CameraMotion`): a 192-px-wide gray copy; corners (Shi–Tomasi) of the previous frame outside the
subject's box and any black letter/pillar-box bars, followed by pyramidal Lucas–Kanade into this frame, and a
4-dof similarity fitted with RANSAC → the image centre's displacement (fractions of the frame width per frame),
the scale change (> 1: zooming in) and a cut flag (a jump in the gray histogram, or texture that could not be
followed at all). Too little background texture gives NaN, never a guess. ≈ 2–5 ms per frame of a portrait phone
clip in the pose pass (``python benchmarks/experiments/scan_cost.py``).

Per clip (:func:`summarise`): the per-frame steps integrate into a camera path sampled in 1-s windows (hand-held
jitter cancels); ``motion`` sums each window's pan and zoom beyond a 0.02 dead zone (frame widths), and the
camera moves when the clip holds a cut or ``motion`` > 0.15. Engineering choices from the shared real clips:
pans, tracking shots and zooms score 0.36–3.2 (the broadcast clip: a cut), still and hand-held phones ≤ 0.05.
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np


class CameraScan:
    """Pose-pass observer: ``update(frame, t, subject_xy_norm)`` per frame (RGB or BGR: it reads green), then
    :meth:`summary`."""

    def __init__(self) -> None:
        self.motion = CameraMotion()
        self.steps: list[tuple[float, float, float, bool]] = []
        self.t: list[float] = []
        self.bars: list[tuple[float, float, float, float]] = []  # black bars: left, right, top, bottom (0..1)

    def update(self, frame_bgr: np.ndarray, t: float, subject_xy: np.ndarray | None) -> None:
        box = box_from_landmarks(subject_xy) if subject_xy is not None else None
        self.steps.append(self.motion.update(frame_bgr, box))
        self.t.append(float(t))
        if len(self.t) % 15 == 2 and self.motion.last_bars is not None:
            self.bars.append(self.motion.last_bars)

    def summary(self) -> dict[str, Any]:
        """:func:`summarise` of the clip, plus ``moving`` (bool) and ``picture``: the picture inside any black
        letter/pillar-box bars, [x0, y0, x1, y1] in 0..1 of the frame."""
        t = np.asarray(self.t, float)
        fs = float((len(t) - 1) / (t[-1] - t[0])) if len(t) > 1 and t[-1] > t[0] else 30.0
        dx, dy, sc, cut = (np.asarray(c) for c in zip(*self.steps)) if self.steps else ([], [], [], [])
        out = summarise(dx, dy, sc, cut, fs)
        out["moving"] = bool(out["camera_moving"])
        out["cut_times_s"] = [round(float(t[i]), 2) for i in out.pop("cut_frames")]
        if self.bars:  # the picture inside any letter/pillar-box bars, (x0, y0, x1, y1) in 0..1
            left, right, top, bottom = np.median(np.asarray(self.bars), axis=0)
            out["picture"] = [round(float(v), 4) for v in (left, top, 1 - right, 1 - bottom)]
        return out


def box_from_landmarks(xy: np.ndarray, margin: float = 0.15, min_pts: int = 4):
    """(33, 2) landmarks in 0..1 → the subject's box (x0, y0, x1, y1) grown by ``margin`` (more above, for the
    head), or None with fewer than ``min_pts`` known points."""
    pts = np.asarray(xy, dtype=float)
    ok = np.isfinite(pts).all(axis=1)
    if ok.sum() < min_pts:
        return None
    p = pts[ok]
    x0, y0 = p.min(axis=0)
    x1, y1 = p.max(axis=0)
    w, h = x1 - x0, y1 - y0
    mx, my = margin * w + 0.03, margin * h + 0.03
    return (x0 - mx, y0 - my - 0.10 * h, x1 + mx, y1 + my)


class CameraMotion:
    """Stateful per-frame camera-motion estimator (call ``update`` every frame)."""

    def __init__(
        self,
        width=192,
        max_corners=80,
        quality=0.01,
        min_dist=6,
        min_inliers=10,
        ransac_px=0.6,
        fb_px=None,
        cut_hist=0.55,
        bar_level=16,
        box_hold=15,
    ):
        self.width = int(width)
        self.max_corners = int(max_corners)
        self.quality = float(quality)
        self.min_dist = float(min_dist)
        self.min_inliers = int(min_inliers)
        self.ransac_px = float(ransac_px)
        self.fb_px = None if fb_px is None else float(fb_px)  # forward-backward check (doubles LK cost)
        self.cut_hist = float(cut_hist)
        self.bar_level = bar_level
        self.box_hold = int(box_hold)  # reuse the last box for this many frames
        self.reset()

    def reset(self):
        self._prev = None
        self._prev_hist = None
        self._prev_box = None
        self._prev_nfeat = 0
        self._last_box = None
        self._box_age = 0
        self.last_info = {}
        self.last_bars: tuple[float, float, float, float] | None = None

    # -- helpers ---------------------------------------------------------
    def _small_gray(self, frame):
        """Cheap downscale: integer stride to >= 2x the target width on one
        channel (green ~ luma), then INTER_AREA.  ~0.15 ms for 1080p."""
        h, w = frame.shape[:2]
        sw = self.width
        sh = max(8, int(round(h * sw / w)))
        k = max(1, w // (2 * sw))
        sub = frame[::k, ::k, 1] if frame.ndim == 3 else frame[::k, ::k]
        return cv2.resize(np.ascontiguousarray(sub), (sw, sh), interpolation=cv2.INTER_AREA)

    def _mask(self, gray, boxes):
        h, w = gray.shape
        m = np.full((h, w), 255, np.uint8)
        # black bars (letter/pillar box): outer rows/cols that are all dark
        colmax = gray.max(axis=0)
        rowmax = gray.max(axis=1)
        lv = self.bar_level

        def run(a):
            n = 0
            while n < len(a) and a[n] < lv:
                n += 1
            return n

        left, r = run(colmax), run(colmax[::-1])
        t, b = run(rowmax), run(rowmax[::-1])
        self.last_bars = (left / w, r / w, t / h, b / h)
        e = 3  # stay off the bar edge / image border
        m[:, : left + e] = 0
        m[:, w - r - e :] = 0
        m[: t + e, :] = 0
        m[h - b - e :, :] = 0
        for bx in boxes:
            if bx is None:
                continue
            x0 = int(max(0, math.floor(bx[0] * w)))
            y0 = int(max(0, math.floor(bx[1] * h)))
            x1 = int(min(w, math.ceil(bx[2] * w)))
            y1 = int(min(h, math.ceil(bx[3] * h)))
            if x1 > x0 and y1 > y0:
                m[y0:y1, x0:x1] = 0
        return m

    # -- main --------------------------------------------------------------
    def update(self, frame_bgr, subject_box=None):
        """frame_bgr: HxWx3 uint8 (or gray); subject_box: normalised
        (x0, y0, x1, y1) of the moving person incl. margin, or None.
        Returns (dx, dy, scale, cut)."""
        nan = float("nan")
        if subject_box is None:
            # pose dropped out for a moment: keep masking where the person was
            self._box_age += 1
            if self._box_age <= self.box_hold:
                subject_box = self._last_box
        else:
            self._last_box, self._box_age = subject_box, 0
        gray = self._small_gray(frame_bgr)
        hist = cv2.calcHist([gray], [0], None, [32], [0, 256])
        cv2.normalize(hist, hist, 1.0, 0.0, cv2.NORM_L1)
        prev, prev_hist, prev_box = self._prev, self._prev_hist, self._prev_box
        self._prev, self._prev_hist, self._prev_box = gray, hist, subject_box
        info = {"n_feat": 0, "n_inl": 0, "hist_d": nan}
        self.last_info = info
        if prev is None or prev.shape != gray.shape:
            self._prev_nfeat = 0
            return nan, nan, nan, False

        hd = cv2.compareHist(prev_hist, hist, cv2.HISTCMP_BHATTACHARYYA)
        info["hist_d"] = hd
        if hd > self.cut_hist:
            self._prev_nfeat = 0
            return nan, nan, nan, True

        mask = self._mask(prev, (prev_box, subject_box))
        p0 = cv2.goodFeaturesToTrack(prev, self.max_corners, self.quality, self.min_dist, mask=mask, blockSize=5)
        n0 = 0 if p0 is None else len(p0)
        info["n_feat"] = n0
        prev_nfeat = self._prev_nfeat
        self._prev_nfeat = n0
        if n0 < self.min_inliers:
            return nan, nan, nan, False
        lk = dict(winSize=(11, 11), maxLevel=2, criteria=(cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 10, 0.03))
        p1, st1, _ = cv2.calcOpticalFlowPyrLK(prev, gray, p0, None, **lk)
        good = st1.ravel() == 1
        if self.fb_px is not None:
            p0b, st2, _ = cv2.calcOpticalFlowPyrLK(gray, prev, p1, None, **lk)
            fb = np.linalg.norm((p0 - p0b).reshape(-1, 2), axis=1)
            good &= (st2.ravel() == 1) & (fb < self.fb_px)
        ng = int(good.sum())
        info["n_track"] = ng
        if ng < self.min_inliers:
            # texture was there but almost nothing could be followed: a cut
            # (or a violent whip pan); either way positions are not comparable
            cut = n0 >= 30 and prev_nfeat >= 30 and ng < 0.1 * n0
            return nan, nan, nan, bool(cut)
        a, b = p0[good].reshape(-1, 2), p1[good].reshape(-1, 2)
        M, inl = cv2.estimateAffinePartial2D(
            a, b, method=cv2.RANSAC, ransacReprojThreshold=self.ransac_px, maxIters=200, confidence=0.99, refineIters=5
        )
        ni = 0 if inl is None else int(inl.sum())
        info["n_inl"] = ni
        if M is None or ni < self.min_inliers or ni < 0.3 * ng:
            # textured before and after, tracks found, but no consistent
            # background motion at all: a hard cut
            cut = n0 >= 30 and prev_nfeat >= 30 and ni < 0.2 * ng
            if cut:
                self._prev_nfeat = 0
            return nan, nan, nan, bool(cut)
        h, w = gray.shape
        c = np.array([w / 2.0, h / 2.0])
        cm = M[:, :2] @ c + M[:, 2]
        dx, dy = (cm - c) / w
        s = float(math.hypot(M[0, 0], M[1, 0]))
        return float(dx), float(dy), s, False


def summarise(
    dx, dy, scale, cut, fs, *, win_s=1.0, motion_thr=0.15, dead_zone=0.02, speed_thr=0.10, zoom_thr=0.10, min_valid=0.25
):
    """Clip-level camera-motion statistics and decision (pure numpy).

    dx, dy : per-frame background displacement of the image centre, fraction
             of frame width per frame (NaN = unknown)
    scale  : per-frame scale ratio (NaN = unknown); cut: per-frame bool
    fs     : frames per second (clip time)

    The per-frame steps are integrated into a camera trajectory (NaN steps
    count as 0) and sampled every ``win_s`` seconds, so hand-held jitter that
    goes back and forth largely cancels.  Per window:
        pan  = |net centre displacement| (frame widths)
        zoom = |net log scale change|
    ``motion`` = sum over windows of max(0, pan - dead_zone) +
                 max(0, zoom - dead_zone)   (frame widths; dead zone per
                 window keeps tracking noise from growing with clip length).
    camera_moving = any cut, or motion > motion_thr.
    Also reported: pan_p90 / zoom_p90 (per second, over 1-s sliding windows),
    moving_frac (fraction of sliding windows faster than speed_thr widths/s
    or zoom_thr /s), travel / zoom_travel (no dead zone), valid_frac.
    If fewer than ``min_valid`` of the frames have an estimate, the motion
    statistics are NaN and only a cut can flag the clip (decided=False).
    """
    dx = np.asarray(dx, float)
    dy = np.asarray(dy, float)
    sc = np.asarray(scale, float)
    cut = np.asarray(cut, bool)
    n = len(dx)
    out = {"n": n, "fs": float(fs)}
    valid = np.isfinite(dx) & np.isfinite(dy) & np.isfinite(sc) & (sc > 0)
    n_cuts = int(cut.sum())
    out["n_cuts"] = n_cuts
    out["cut_frames"] = [int(i) for i in np.flatnonzero(cut)]
    out["valid_frac"] = float(valid.mean()) if n else 0.0
    w = max(1, int(round(win_s * fs)))
    keys = ("pan_p90", "zoom_p90", "moving_frac", "travel", "zoom_travel", "motion")
    if n < 2 or valid.sum() < max(5, min_valid * n) or n <= w:
        out.update({k: float("nan") for k in keys})
        out["camera_moving"] = bool(n_cuts > 0)
        out["decided"] = n_cuts > 0
        return out
    X = np.concatenate([[0.0], np.cumsum(np.where(valid, dx, 0.0))])
    Y = np.concatenate([[0.0], np.cumsum(np.where(valid, dy, 0.0))])
    L = np.concatenate([[0.0], np.cumsum(np.log(np.where(valid, sc, 1.0)))])
    V = np.concatenate([[0], np.cumsum(valid.astype(int))])
    # sliding 1-s windows (speed statistics)
    wok = (V[w:] - V[:-w]) >= 0.7 * w
    pan = np.hypot(X[w:] - X[:-w], Y[w:] - Y[:-w])[wok] / win_s
    zoom = np.abs(L[w:] - L[:-w])[wok] / win_s
    if len(pan):
        out["pan_p90"] = float(np.percentile(pan, 90))
        out["zoom_p90"] = float(np.percentile(zoom, 90))
        out["moving_frac"] = float(((pan > speed_thr) | (zoom > zoom_thr)).mean())
    else:
        out["pan_p90"] = out["zoom_p90"] = out["moving_frac"] = float("nan")
    # non-overlapping windows (travel / motion)
    idx = np.arange(0, n + 1, w)
    if idx[-1] != n:
        idx = np.append(idx, n)
    p = np.hypot(np.diff(X[idx]), np.diff(Y[idx]))
    z = np.abs(np.diff(L[idx]))
    out["travel"] = float(p.sum())
    out["zoom_travel"] = float(z.sum())
    out["motion"] = float(np.maximum(p - dead_zone, 0).sum() + np.maximum(z - dead_zone, 0).sum())
    out["camera_moving"] = bool(n_cuts > 0 or out["motion"] > motion_thr)
    out["decided"] = True
    return out
