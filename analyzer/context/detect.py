"""The context of a clip: view, facing, near side, exercise, reps or gait events, standing baseline and setup issues.

:func:`orientation` gives the view the analysis uses (the user's choice wins over the detected one) with
the facing direction and near side; the pipeline computes the clip's kinematics from those once and hands
them to :func:`detect_context` and to the metrics.
"""

from __future__ import annotations

from typing import Literal, cast

from .. import exercises as X
from ..geometry import facing_direction, near_side
from ..types import Context, GaitEvent, Rep, Side, View
from . import baseline as B
from . import gait as G
from . import reps as S
from .exercise import detect_exercise
from .footage import footage_checks
from .setup import setup_checks
from .view import ViewEstimate, detect_view


def orientation(clean, seen: ViewEstimate, view: str = "auto") -> tuple[str, float, bool | None, int, str | None]:
    """(view, confidence, facing_camera, direction, near_side) the analysis uses.

    ``view`` = "auto" takes the detected one (``seen``); a user's choice wins with confidence 1. Direction
    (+1 facing image right, −1 left) and near side are only known for side and oblique views (0, None otherwise).
    """
    if view == "auto":
        view, conf, facing = seen.view, seen.confidence, seen.facing_camera
    else:
        if view not in X.VIEWS:
            raise ValueError(f"view must be one of {', '.join(X.VIEWS)} or 'auto', not {view!r}")
        conf, facing = 1.0, {"front": True, "back": False}.get(view)
    direction, near = 0, None
    if view in ("side", "oblique"):
        direction = facing_direction(clean.xy)
        near = near_side(clean.visibility, clean.z)
    return view, float(conf), facing, int(direction), near


def detect_context(
    clean,
    exercise: str = "auto",
    view: str = "auto",
    *,
    seen: ViewEstimate | None = None,
    kin: dict | None = None,
    camera: dict | None = None,
) -> Context:
    """Context of a CleanTrack: view (user override wins), direction, near side, exercise, reps or
    gait events, standing baseline and setup issues.

    ``seen``: the detected view (:func:`~analyzer.context.view.detect_view`) and ``kin``: the clip's
    kinematics for that orientation (:func:`~analyzer.kinematics.frame_kinematics`), both computed here
    when not given; ``camera``: the pose pass's camera-motion summary (:mod:`.footage`).
    """
    from ..kinematics import frame_kinematics

    seen = seen if seen is not None else detect_view(clean)
    view_source = "auto" if view == "auto" else "user"
    ex_source = "auto" if exercise == "auto" else "user"
    X.check(exercise)
    view, v_conf, facing, direction, near = orientation(clean, seen, view)
    if kin is None:
        kin = frame_kinematics(clean, direction or 1, near or "left")
    sagittal_kin = kin if direction in (1, -1) and near else None
    if exercise == "auto":
        exercise, _ = detect_exercise(clean, view, sagittal_kin, near)
    spec = X.get(exercise)
    reps: list[Rep] = []
    gait: list[GaitEvent] = []
    baseline = None
    baseline_source: Literal["standing", "lockout"] | None = None
    if spec is not None and not spec.is_lift:
        baseline = B.standing_baseline(clean.xy, clean.t, clean.fs)
        if view in ("side", "oblique"):
            gait = G.gait_events_side(clean.xy, clean.t, clean.fs, direction)
    elif spec is not None:
        k = sagittal_kin if view in ("side", "oblique") else None
        reps = S.segment_reps(clean, exercise, k)
        if spec.single_leg and k is not None and reps:  # sagittal metrics read the standing leg, near or far
            sides = [S.stance_side(clean.xy, r.bottom) for r in reps]
            near = max(set(sides), key=sides.count)
        baseline = B.standing_baseline(clean.xy, clean.t, clean.fs, before=reps[0].start if reps else None)
        if baseline is None and reps:
            baseline = B.lockout_baseline(clean.xy, clean.t, clean.fs)
            baseline_source = "lockout"
        if baseline is not None:
            reps = S.segment_reps(clean, exercise, k, baseline)
    ctx = Context(
        view=cast(View, view),
        view_confidence=v_conf,
        direction=direction,
        near_side=cast(Side | None, near),
        exercise=exercise,
        exercise_source="auto" if ex_source == "auto" else "user",
        view_source="auto" if view_source == "auto" else "user",
        view_segments=cast(list[tuple[float, float, View]], seen.segments),
        baseline=baseline,
        baseline_source=None if baseline is None else (baseline_source or "standing"),
        reps=reps,
        gait_events=gait,
        facing_camera=facing,
    )
    ctx.setup_issues = setup_checks(clean, view, exercise, baseline, baseline_source=ctx.baseline_source)
    ctx.footage = footage_checks(clean, exercise, camera, ctx)
    return ctx
