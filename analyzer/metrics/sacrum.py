"""The pelvis angle from the back outline: the direction of the outline over the sacrum (side view).

The sacrum moves with the pelvis and not with the lumbar curve above it, so the change of this angle from
standing is the pelvic-tilt proxy, and the upper back's change minus it the back-rounding proxy
(:mod:`.posture`). Image frame: a camera that is not level adds its roll to both, which cancels in changes.
"""

from __future__ import annotations

import numpy as np

#: The sacral stretch of the outline, in trunk lengths above the buttock apex. On the renderer's exact
#: silhouette (no pose model) its change from standing follows the true pelvic-tilt change within 1.1° MAE
#: (6.0° at most) over hinges with 0–30° of lumbar flexion, 0 or 10° of extra anterior tilt and two builds;
#: stretches starting at the apex pick up the buttock's bulge, longer ones the lumbar curve
#: (``python benchmarks/experiments/outline_pelvis.py``). Its apex is searched up to 0.05 only: with 30° of
#: rounding the back above can bulge further than the buttock (an error of 31° on such frames with 0.10).
SACRUM_U = (0.05, 0.25)
SACRUM_APEX_U = 0.05

#: The upper back's stretch of the outline, in trunk lengths above mid-hip (16 stations), whose turn from standing
#: minus the pelvis's is the back-rounding proxy. Unlike the mid-hip → mid-shoulder line it does not move when the
#: shoulders reach forward under a load. Through the pose model on the synthetic hinges it reads 10–34° for 30° of
#: lumbar flexion and ≤ 8° for 4° (the mid-shoulder line read 0–24° and ≤ 4°); docs/ACCURACY.md has the figures.
UPPER_BACK_U = (0.6, 0.9)
UPPER_BACK_STATIONS = 16


def line_angles(P: np.ndarray, w: np.ndarray, e: np.ndarray, direction: int, min_points: int = 4) -> np.ndarray:
    """Angle (deg) per frame of the total-least-squares line through the points ``P`` (F, S, 2) px where ``w``
    (F, S), from the upward vertical, + = top tipped forward; ``e`` (F, 2) the unit trunk axis it is turned along.
    NaN with fewer than ``min_points`` points."""
    k = w.sum(1)
    wf = w.astype(np.float64)[..., None]
    c = (np.where(w[..., None], P, 0.0) * wf).sum(1) / np.maximum(k, 1)[:, None]
    Q = np.where(w[..., None], P - c[:, None, :], 0.0)
    sxx, syy, sxy = (Q[..., 0] ** 2).sum(1), (Q[..., 1] ** 2).sum(1), (Q[..., 0] * Q[..., 1]).sum(1)
    th = 0.5 * np.arctan2(2.0 * sxy, sxx - syy)  # direction of the principal axis
    v = np.stack([np.cos(th), np.sin(th)], axis=1)
    v *= np.where((v * e).sum(1) < 0, -1.0, 1.0)[:, None]  # pointing up the trunk
    out = np.degrees(np.arctan2(direction * v[:, 0], -v[:, 1]))
    return np.where(k >= min_points, out, np.nan)


def sacral_angles(P: np.ndarray, fin: np.ndarray, u: np.ndarray, ua: np.ndarray, e: np.ndarray, direction: int):
    """Pelvis angle (deg) per frame: :func:`line_angles` of the contour points ``P`` (F, S, 2) px whose stations
    ``u`` (S,) lie in ``ua + SACRUM_U`` (``ua`` (F,) the apex station, ``fin`` (F, S) the points found)."""
    w = fin & (u[None, :] >= ua[:, None] + SACRUM_U[0]) & (u[None, :] <= ua[:, None] + SACRUM_U[1])
    return line_angles(P, w, e, direction)
