"""Pelvic tilt and back rounding from the side, as changes from the person's own standing (proxies).

Both come from two angles of the back's outline per frame (:mod:`.sacrum`), in the image frame, from the upward
vertical, + = top tipped forward: the pelvis angle (the outline over the sacrum) and the upper-back angle.

- pelvic-tilt change = pelvis angle − its standing median (+ = tipped forward / anterior, − = tucked under);
- back-rounding change = upper-back change − pelvic-tilt change: how much more the upper back turned than the
  pelvis, which is the bend of the spine between them (+ = more rounded, − = more arched). It includes the
  thoracic spine; a level camera is not needed because both angles carry the same roll.

On the renderer's exact silhouette (``python benchmarks/experiments/outline_pelvis.py``) the pelvic-tilt change
follows the truth within about 1° (MAE) and the rounding change rises with the true lumbar flexion; through the
pose model the figures are in docs/ACCURACY.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..geometry import finite_median

#: Smallest back-rounding change (deg) called "more rounded" or "more arched", whatever the standing noise.
#: Engineering choice from the synthetic matrix: designs with 4° of lumbar flexion read up to 8° through the pose
#: model, designs with 30° read 10–34° (docs/ACCURACY.md, hinge and pelvis).
ROUNDING_FLOOR_DEG = 10.0

#: Frames with a found outline that the standing reference needs.
MIN_BASELINE_FRAMES = 3


@dataclass
class Posture:
    """Per-frame changes from standing (deg, NaN where the outline was not found) and their noise floors."""

    pelvis: np.ndarray  # pelvic-tilt change, + = anterior
    rounding: np.ndarray  # back-rounding change, + = more rounded
    pelvis_standing: float  # the standing pelvis angle in the image (deg from vertical), for report.json only
    rounding_floor: float  # deg: max(2·SD of standing, ROUNDING_FLOOR_DEG)
    pelvis_floor: float  # deg: 2·SD of the standing pelvis angle


def posture(pelvis_angle: np.ndarray, upper_angle: np.ndarray, baseline: slice | np.ndarray) -> Posture | None:
    """:class:`Posture` from the per-frame pelvis and upper-back angles (deg) and the standing ``baseline`` frames;
    None when the outline was found on fewer than :data:`MIN_BASELINE_FRAMES` standing frames."""
    p0s = pelvis_angle[baseline]
    ok = np.isfinite(p0s) & np.isfinite(upper_angle[baseline])
    if ok.sum() < MIN_BASELINE_FRAMES:
        return None
    p0, t0 = finite_median(p0s[ok]), finite_median(upper_angle[baseline][ok])
    dp = pelvis_angle - p0
    dr = (upper_angle - t0) - dp
    sd_r = float(np.nanstd(dr[baseline][ok]))
    sd_p = float(np.nanstd(dp[baseline][ok]))
    return Posture(dp, dr, float(p0), max(2.0 * sd_r, ROUNDING_FLOOR_DEG), 2.0 * sd_p)


def near(x: np.ndarray, frame: int, half: int = 2) -> float:
    """Median of ``x`` over ``frame`` ± ``half`` frames (one outline frame can be off); NaN when none is found."""
    seg = x[max(0, frame - half) : frame + half + 1]
    return float(np.nanmedian(seg)) if np.isfinite(seg).any() else float("nan")


def peak(x: np.ndarray, start: int, end: int) -> float:
    """Largest value of ``x`` over frames ``start``…``end``; NaN when none was found."""
    seg = x[start : end + 1]
    return float(np.nanmax(seg)) if np.isfinite(seg).any() else float("nan")


def tuck(pelvis: np.ndarray, start: int, bottom: int) -> float:
    """How far (deg) the pelvis tipped back at ``bottom`` from its most forward point since ``start`` (+ = tucked
    under), each read as a 5-frame median; NaN when the outline was not found."""
    fwd = [near(pelvis, f) for f in range(start, bottom + 1)]
    fwd = [v for v in fwd if np.isfinite(v)]
    at = near(pelvis, bottom)
    return float(max(fwd) - at) if fwd and np.isfinite(at) else float("nan")


def state(value: float, floor: float) -> str:
    """ "more rounded" / "more arched" / "neutral" for a back-rounding change against its floor."""
    if not np.isfinite(value):
        return "not seen"
    return "more rounded" if value > floor else "more arched" if value < -floor else "neutral"
