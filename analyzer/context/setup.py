"""Filming checks (method spec §F.9), each phrased as what to do: framing, view, camera level, frame rate,
subject size, standing baseline."""

from __future__ import annotations

import numpy as np

from .. import exercises as X
from .. import landmarks as L
from ..geometry import finite_median, midpoint
from ..types import SetupIssue

#: What a side view adds to a lift filmed from the front or back, by whether the lift's headline checks need it.
SIDE_ADVICE = {
    True: "For hinge timing and back posture, film from the side (camera at hip height): from the {view} only "
    "knee tracking and sideways hip shift are checked.",
    False: "For depth, back posture and heel lift, film a set from the side as well: from the {view}, knee "
    "tracking and sideways hip shift are checked.",
}


# ---------------------------------------------------------------------------
# Setup checks (spec F.9)
# ---------------------------------------------------------------------------
def setup_checks(
    clean,
    view: str,
    exercise: str,
    baseline: tuple[int, int] | None,
    *,
    edge_frac: float = 0.01,
    baseline_source: str | None = None,
) -> list[SetupIssue]:
    """Filming problems, each phrased as what to do."""
    issues: list[SetupIssue] = []
    xy, W, H = clean.xy, clean.width, clean.height
    raw_vis = np.asarray(clean.visibility, float)
    ends = [L.NOSE, L.L_ANKLE, L.R_ANKLE, L.L_HEEL, L.R_HEEL, L.L_FOOT, L.R_FOOT]
    p = xy[:, ends]
    inside = (
        (p[..., 0] > edge_frac * W)
        & (p[..., 0] < (1 - edge_frac) * W)
        & (p[..., 1] > edge_frac * H)
        & (p[..., 1] < (1 - edge_frac) * H)
    )
    seen = inside & (raw_vis[:, ends] >= 0.5)
    raw = np.asarray(clean.raw.xy, float)[:, [L.NOSE, L.L_EAR, L.R_EAR]]
    head_ok = (
        (raw[..., 0] > edge_frac * W)
        & (raw[..., 0] < (1 - edge_frac) * W)
        & (raw[..., 1] > edge_frac * H)
        & (raw[..., 1] < (1 - edge_frac) * H)
    ).any(axis=1)  # from behind the face is hidden: position only
    feet_ok = (
        seen[:, 1:].reshape(len(xy), 3, 2).any(axis=2).all(axis=1)
        if view not in ("side", "oblique")
        else seen[:, 1:].any(axis=1)
    )
    detected = np.isfinite(clean.raw.xy[:, 0, 0]) if hasattr(clean.raw, "xy") else np.ones(len(xy), bool)
    bad = (~(head_ok & feet_ok)) & detected
    frac_bad = float(bad.mean()) if len(bad) else 0.0
    if frac_bad > 0.2:
        issues.append(
            SetupIssue(
                "body_not_in_frame",
                f"Whole body not in frame in {frac_bad:.0%} of the clip: step back or zoom out so your "
                "head and feet stay visible.",
                "blocking" if frac_bad > 0.6 else "warning",
            )
        )
    spec = X.get(exercise)
    if spec is not None and spec.is_lift and view in X.FRONTAL_VIEWS:  # advice: this view's checks were made
        issues.append(SetupIssue("turn_sideways", SIDE_ADVICE[spec.needs_side].format(view=view)))
    if exercise == "running" and view == "oblique":
        issues.append(
            SetupIssue(
                "turn_sideways",
                "Film from straight side-on (or straight behind): an angled "
                "view hides overstride, tibia angle and pelvic drop.",
            )
        )
    roll = camera_roll(clean, view, baseline)
    if roll is not None and abs(roll) > 5.0:
        issues.append(
            SetupIssue(
                "camera_not_level",
                f"Camera not level (about {abs(roll):.0f}° tilted): level the phone so the floor line is horizontal.",
            )
        )
    fs = clean.fs
    if np.isfinite(fs) and fs < 29:  # 29.97 fps NTSC counts as 30
        issues.append(SetupIssue("low_fps", f"Low frame rate ({fs:.0f} fps): film at 30 fps or more (60 for running)."))
    elif exercise == "running" and np.isfinite(fs) and fs < 60:
        issues.append(
            SetupIssue(
                "low_fps",
                f"Running at {fs:.0f} fps: foot-contact metrics (overstride, tibia angle, "
                "knee flexion at contact, strike angle) need 60 fps or more.",
            )
        )
    hgt = subject_height_frac(clean, baseline)
    if hgt is not None and hgt < 0.5:
        issues.append(
            SetupIssue(
                "subject_too_small",
                f"You fill only {hgt:.0%} of the frame height: move closer (aim for at least half the frame).",
            )
        )
    if exercise in X.LIFTS and baseline is None:
        issues.append(
            SetupIssue(
                "no_baseline",
                "Stand still for a second before the first rep: back-posture "
                "changes are measured against your own standing posture.",
            )
        )
    elif exercise in X.LIFTS and baseline_source == "lockout":
        issues.append(
            SetupIssue(
                "no_baseline",
                "No standing second before the first rep, so your lockout stood in for your standing posture and "
                "back-posture changes are less sure. Stand tall for a second before you start.",
            )
        )
    return issues


def camera_roll(clean, view: str, baseline: tuple[int, int] | None) -> float | None:
    """Camera roll estimate (deg) from standing: floor line between the feet (front/back: ankles;
    side: heel→toe) and, in front/back views, the trunk's image tilt. None when unknown."""
    xy = clean.xy
    sl = slice(*baseline) if baseline else slice(None)
    b = xy[sl]
    if view in ("front", "back"):
        d = b[:, L.R_ANKLE] - b[:, L.L_ANKLE]
        floor = np.degrees(np.arctan2(d[:, 1], np.abs(d[:, 0]) + 1e-9)) * np.sign(d[:, 0])
        MS = midpoint(b[:, L.L_SHOULDER], b[:, L.R_SHOULDER])
        MH = midpoint(b[:, L.L_HIP], b[:, L.R_HIP])
        trunk = np.degrees(np.arctan2(MS[:, 0] - MH[:, 0], MH[:, 1] - MS[:, 1]))
        fl, tr = finite_median(floor), finite_median(trunk)
        if np.isfinite(fl) and np.isfinite(tr) and np.sign(fl) == np.sign(tr):
            return float(np.sign(fl) * min(abs(fl), abs(tr)))  # both agree: a rotated camera
        return None
    if view == "side" and baseline is not None:
        # Clockwise image rotation of the floor line (heel→toe, oriented to +x) and of the standing body
        # axis (mid-ankle→mid-shoulder from image-up). A rolled camera turns both the same way; the heel
        # landmark sits a few cm above the floor, so the foot line alone is not trusted.
        vals = []
        for s in ("left", "right"):
            _, _, _, hl, fi = L.LEG[s]
            d = b[:, fi] - b[:, hl]
            d = d * np.where(d[:, :1] < 0, -1.0, 1.0)
            vals.append(np.degrees(np.arctan2(d[:, 1], d[:, 0] + 1e-9)))
        floor = finite_median(np.concatenate(vals))
        MS = midpoint(b[:, L.L_SHOULDER], b[:, L.R_SHOULDER])
        MA = midpoint(b[:, L.L_ANKLE], b[:, L.R_ANKLE])
        axis = finite_median(np.degrees(np.arctan2(MS[:, 0] - MA[:, 0], MA[:, 1] - MS[:, 1])))
        if np.isfinite(floor) and np.isfinite(axis) and np.sign(floor) == np.sign(axis):
            return float(np.sign(floor) * min(abs(floor), abs(axis)))
        return None
    return None


def subject_height_frac(clean, baseline: tuple[int, int] | None) -> float | None:
    """Standing body height (nose-to-heel span × 1.07) as a fraction of frame height."""
    xy = clean.xy
    sl = slice(*baseline) if baseline else slice(None)
    top = xy[sl, L.NOSE, 1]
    bot = (
        np.nanmax(xy[sl][:, [L.L_HEEL, L.R_HEEL, L.L_FOOT, L.R_FOOT], 1], axis=1)
        if np.isfinite(xy[sl][:, [L.L_HEEL, L.R_HEEL, L.L_FOOT, L.R_FOOT], 1]).any()
        else np.full(len(top), np.nan)
    )
    span = bot - top
    if not np.isfinite(span).any():
        return None
    return float(np.nanpercentile(span, 90) * 1.07 / clean.height)


def wrong_view_message(
    requested_exercise: str, requested_view: str, detected_view: str, detected_confidence: float
) -> str | None:
    """Why the check the user *asked for* cannot be done on this clip, or None.

    Only explicit requests are refused (auto mode analyses what the view allows and warns):
    a hinge/RDL/deadlift check on a clip not filmed from the side, or a ``--view`` that
    contradicts a confidently detected view.
    """
    sure = detected_confidence >= 0.6
    frontal = ("front", "back")
    if requested_view != "auto" and sure and detected_view not in ("unknown", requested_view):
        if {requested_view, detected_view} != set(frontal):  # front/back mix-ups are harmless
            return (
                f"You chose a {requested_view} view, but this clip looks filmed from the {detected_view}; "
                "choose 'auto' or film again from the view you want checked."
            )
    view = requested_view if requested_view != "auto" else detected_view
    spec = X.get(requested_exercise)
    if spec is not None and spec.needs_side and view in (*frontal, "oblique") and (sure or requested_view != "auto"):
        return (
            f"A {requested_exercise} check measures hinge timing and back posture, which need a side view, "
            f"but this clip is filmed from the {view}: turn 90° so the camera sees your side."
        )
    return None
