"""Is the person filmed so that live coaching works? One frame at a time: person, whole body, size, view."""

from __future__ import annotations

import numpy as np

from .. import landmarks as L
from ..context.view import view_ratio as _view_ratio
from .state import SETUP_MESSAGES, LiveSettings, SetupStatus


# ---------------------------------------------------------------------------------------------
def view_ratio(xy: np.ndarray) -> float:
    """r = |x_LSh − x_RSh| / |MS − MH| (spec §F.7) of one frame ``xy`` (33,2) px; NaN when unknown."""
    return float(_view_ratio(xy[None])[0])


def setup_check(
    xy: np.ndarray | None,
    vis: np.ndarray | None,
    width: int,
    height: int,
    check: str = "side",
    s: LiveSettings | None = None,
    ratio: float | None = None,
) -> SetupStatus:
    """Is the person filmed so that live coaching works? Pure; one frame (``ratio`` may be smoothed).

    Checks, in order: a person; head, shoulders, hips, knees, ankles and heels visible (best of
    left/right ≥ ``min_vis``) and inside the frame; body height ≥ ``min_height_frac`` of the frame;
    the view (side for hinge checks, front/back for knee-in checks).
    """
    s = s or LiveSettings()
    if xy is None or vis is None or not np.isfinite(xy[0, 0]):
        return SetupStatus(False, "no_person", SETUP_MESSAGES["no_person"])
    margin_x, margin_y = 0.01 * width, 0.01 * height
    inside = (
        (xy[:, 0] >= -margin_x)
        & (xy[:, 0] <= width + margin_x)
        & (xy[:, 1] >= -margin_y)
        & (xy[:, 1] <= height + margin_y)
    )
    good = (vis >= s.min_vis) & inside & np.isfinite(xy[:, 0])
    head_ok = bool(good[[L.NOSE, L.L_EAR, L.R_EAR]].any())
    pairs = [
        (L.L_SHOULDER, L.R_SHOULDER),
        (L.L_HIP, L.R_HIP),
        (L.L_KNEE, L.R_KNEE),
        (L.L_ANKLE, L.R_ANKLE),
        (L.L_HEEL, L.R_HEEL),
    ]
    body_ok = all(good[a] or good[b] for a, b in pairs)
    r = view_ratio(xy) if ratio is None else ratio
    if not (head_ok and body_ok):
        return SetupStatus(False, "body_not_in_frame", SETUP_MESSAGES["body_not_in_frame"], r)
    top = float(np.nanmin(xy[[L.NOSE, L.L_EAR, L.R_EAR, L.L_SHOULDER, L.R_SHOULDER], 1]))
    bottom = float(np.nanmax(xy[[L.L_ANKLE, L.R_ANKLE, L.L_HEEL, L.R_HEEL, L.L_FOOT, L.R_FOOT], 1]))
    if (bottom - top) < s.min_height_frac * height:
        return SetupStatus(False, "too_small", SETUP_MESSAGES["too_small"], r)
    if check == "side" and not (r <= s.side_ratio_max):
        return SetupStatus(False, "turn_sideways", SETUP_MESSAGES["turn_sideways"], r)
    if check == "front" and not (r >= s.front_ratio_min):
        return SetupStatus(False, "face_camera", SETUP_MESSAGES["face_camera"], r)
    return SetupStatus(True, "ok", "Ready: start your set.", r)
