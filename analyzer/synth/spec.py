"""What one synthetic clip is (:class:`ScenarioSpec`) and the motion it shows (:func:`build_motion`).

Besides the motion knobs of each exercise, two clip-level knobs work for every motion: ``time_scale`` (motion time
per clip time: 0.5 = footage slowed to half speed) and ``walk_in_s`` (seconds of walking forward into the
picture before the first standing frame; lifts without a bar).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .body import Body
from .hinge_motion import HingeParams, hinge
from .motion import Motion
from .render import BOTTOMS, HAIR, SHIRTS, SKIN_TONES, Style
from .run_motion import RunParams, running
from .single_leg_motion import SingleLegParams, single_leg_rdl
from .squat_motion import SquatParams, squat
from .timeline import retime
from .walk import prepend_walk_in

EXERCISES = ("squat", "back_squat", "deadlift", "rdl", "hinge", "single_leg_rdl", "running")


@dataclass
class ScenarioSpec:
    """One synthetic clip.

    ``knobs`` override the motion parameters (:class:`~analyzer.synth.motions.SquatParams`,
    ``HingeParams`` or ``RunParams`` fields). ``fps`` defaults to 30 for lifts and 60 for running.
    ``style``/``scene``/``nuisance`` override :class:`Style`/:class:`Scene`/:class:`Nuisance` fields;
    ``camera`` overrides :func:`make_camera` keywords (distance, cam_height, tilt_deg, fov_v_deg, fill).
    ``knobs`` may also hold ``time_scale`` and ``walk_in_s`` (see the module doc). ``bystander`` adds a second
    person walking through the back (:class:`~analyzer.synth.crowd.Bystander` fields), ``camera_path`` moves
    the camera (:class:`~analyzer.synth.camera_path.CameraPath` fields).
    """

    name: str
    exercise: str = "squat"
    view: str = "side_left"
    knobs: dict = field(default_factory=dict)
    seed: int = 0
    fps: float | None = None
    width: int = 480
    height: int = 640
    body_height: float = 1.75
    build: float = 1.0
    style: dict = field(default_factory=dict)
    scene: dict = field(default_factory=dict)
    nuisance: dict = field(default_factory=dict)
    camera: dict = field(default_factory=dict)
    crf: int = 26
    description: str = ""
    tags: tuple = ()
    bystander: dict | None = None  # Bystander fields (crowd.py); None = nobody else in the picture
    camera_path: dict | None = None  # CameraPath fields (camera_path.py); None = a still camera

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["tags"] = list(self.tags)
        for k in ("bystander", "camera_path"):  # absent unless used, so older specs keep their dict
            if d[k] is None:
                del d[k]
        return d

    @property
    def frame_rate(self) -> float:
        return float(self.fps or (60.0 if self.exercise == "running" else 30.0))


def build_motion(spec: ScenarioSpec, fps: float | None = None) -> Motion:
    """The spec's motion sampled at ``fps`` clip frames per second (defaults to the clip's frame rate); times in
    the result are clip times (slowed by ``time_scale``)."""
    rng = np.random.default_rng(spec.seed)
    body = Body(spec.body_height, spec.build)
    fps = fps or spec.frame_rate
    knobs: dict[str, Any] = dict(spec.knobs)
    scale = float(knobs.pop("time_scale", 1.0))
    walk_s = float(knobs.pop("walk_in_s", 0.0))
    fps_m = fps / scale  # motion-time samples per second: one per clip frame
    ex = spec.exercise
    if ex in ("squat", "back_squat"):
        m = squat(body, SquatParams(**({"barbell": ex == "back_squat"} | knobs)), fps_m, rng)
    elif ex in ("deadlift", "rdl", "hinge"):
        m = hinge(body, HingeParams(**(dict[str, Any](kind=ex) | knobs)), fps_m, rng)
    elif ex == "single_leg_rdl":
        m = single_leg_rdl(body, SingleLegParams(**knobs), fps_m, rng)
    elif ex == "running":
        m = running(body, RunParams(**knobs), fps_m, rng)
    else:
        raise ValueError(f"unknown exercise {ex!r}; expected one of {EXERCISES}")
    if walk_s > 0:
        m = prepend_walk_in(m, walk_s, fps_m)
    return retime(m, scale)


def _style(spec: ScenarioSpec) -> Style:
    rng = np.random.default_rng(spec.seed + 101)
    base = Style(
        skin=SKIN_TONES[rng.integers(len(SKIN_TONES))],
        shirt=SHIRTS[rng.integers(len(SHIRTS))],
        shorts=BOTTOMS[rng.integers(len(BOTTOMS))],
        hair=HAIR[rng.integers(len(HAIR))],
    )
    return dataclasses.replace(base, **spec.style)
