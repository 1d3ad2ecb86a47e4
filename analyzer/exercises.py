"""The exercise registry: one :class:`ExerciseSpec` per exercise the analyzer knows.

Everything that depends on the exercise reads it from here: the CLI's and the app's choices, the report
schema's enum (checked by a test), exercise detection (which names it may answer), rep segmentation (the
rep signal), the metric modules that run per view, the rules (which exercises a rule may name), the
filming advice (which views suit it) and live mode (what it checks). To add an exercise, add a spec here;
``docs/CONTRIBUTING.md`` has the whole recipe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Family = Literal["squat", "hinge", "running"]
RepSignal = Literal["hip_drop", "hip_trunk_angle", "stride"]

#: Camera views the analyzer tells apart (``oblique`` = neither side-on nor facing).
VIEWS: tuple[str, ...] = ("side", "front", "back", "oblique")
FRONTAL_VIEWS: tuple[str, ...] = ("front", "back")


@dataclass(frozen=True)
class ExerciseSpec:
    """What the analyzer needs to know about one exercise.

    ``rep_signal``: what rises at each rep's bottom — ``hip_drop`` (hip height below standing, leg lengths),
    ``hip_trunk_angle`` (near-side hip–trunk flexion, degrees; falls back to shoulder drop off the side view)
    or ``stride`` (running: gait events, no reps). ``metric_modules``: per view class (``side``,
    ``frontal`` = front/back, ``oblique``), the metric modules of :mod:`analyzer.metrics` that run.
    ``views``: the views whose checks suit the exercise, best first (``views[0]`` holds its headline
    checks). ``needs_side``: its headline checks (hinge timing, back posture) need a side view, so an
    explicit request from another view is refused. ``live_checks``: the live-mode checks it supports
    (``side``: hinge, depth, trunk; ``front``: knee-in). ``single_leg``: one standing leg (its metrics
    are read on the stance leg). ``starts_at_bottom``: a rep may begin at its bottom (a pull from the floor),
    so a clip that opens at the bottom counts that first lift; for other exercises it is a half rep.
    """

    name: str
    label: str
    family: Family
    rep_signal: RepSignal
    metric_modules: dict[str, tuple[str, ...]]
    views: tuple[str, ...]
    needs_side: bool = False
    live_checks: tuple[str, ...] = ()
    single_leg: bool = False
    starts_at_bottom: bool = False

    @property
    def is_lift(self) -> bool:
        """Counted in reps (every family but running)."""
        return self.family != "running"

    def modules_for(self, view: str) -> tuple[str, ...]:
        """Metric modules that run for a clip of this exercise seen from ``view``."""
        cls = "frontal" if view in FRONTAL_VIEWS else view
        return self.metric_modules.get(cls, ())


_LIFT_MODULES = {"side": ("hinge", "squat_sagittal"), "frontal": ("valgus", "lateral_shift"), "oblique": ()}

# One exercise per entry: the table reads better than the formatter's layout.
# fmt: off
EXERCISES: dict[str, ExerciseSpec] = {s.name: s for s in (
    ExerciseSpec("squat", "Squat", "squat", "hip_drop", _LIFT_MODULES, ("side", "front", "back"),
                 live_checks=("side", "front")),
    ExerciseSpec("deadlift", "Deadlift", "hinge", "hip_drop", _LIFT_MODULES, ("side", "front", "back"),
                 needs_side=True, live_checks=("side", "front"), starts_at_bottom=True),
    ExerciseSpec("rdl", "Romanian deadlift (RDL)", "hinge", "hip_trunk_angle", _LIFT_MODULES, ("side", "front", "back"),
                 needs_side=True, live_checks=("side", "front")),
    ExerciseSpec("hinge", "Hip hinge / good morning", "hinge", "hip_trunk_angle", _LIFT_MODULES,
                 ("side", "front", "back"), needs_side=True, live_checks=("side", "front")),
    ExerciseSpec("single_leg_rdl", "Single-leg Romanian deadlift", "hinge", "hip_trunk_angle",
                 {"side": ("hinge",), "frontal": ("stance_leg",), "oblique": ()}, ("side", "front", "back"),
                 live_checks=("side", "front"), single_leg=True),
    ExerciseSpec("running", "Running", "running", "stride",
                 {"side": ("running",), "frontal": ("running",), "oblique": ("running",)}, ("side", "back", "front")),
)}
# fmt: on

#: Exercise names, in the order the CLI and the app offer them.
NAMES: tuple[str, ...] = tuple(EXERCISES)
#: The lifts (counted in reps).
LIFTS: tuple[str, ...] = tuple(n for n, s in EXERCISES.items() if s.is_lift)
#: What an undetected exercise is called.
UNKNOWN = "unknown"


def get(name: str) -> ExerciseSpec | None:
    """The spec of ``name``, or None (``"unknown"`` or a name the registry does not hold)."""
    return EXERCISES.get(name)


def choices(auto: bool = True) -> list[str]:
    """What a user may choose: ``"auto"`` (when ``auto``) then every exercise name."""
    return (["auto"] if auto else []) + list(NAMES)


def check(name: str, *, allow_auto: bool = True) -> str:
    """``name`` if it is a known exercise (or ``"auto"``); else a ValueError that lists the choices."""
    if name in EXERCISES or (allow_auto and name == "auto"):
        return name
    raise ValueError(f"exercise must be one of {', '.join(choices(allow_auto))}, not {name!r}")
