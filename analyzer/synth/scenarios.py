"""Named scenario specs and the renderer entry point.

A :class:`ScenarioSpec` fixes everything about a clip: exercise, motion knobs, view and
camera, body, clothing, backdrop, lighting, image nuisances, encoding and the seed.
:func:`render_scenario` turns it into an H.264 MP4 plus its ground truth; the same spec
and seed always give the same frames.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .body import Body
from .camera import make_camera, view_kind
from .hinge_motion import HingeParams, hinge
from .motion import Motion
from .render import (
    BOTTOMS,
    HAIR,
    SHIRTS,
    SKIN_TONES,
    Nuisance,
    Renderer,
    Scene,
    Style,
    body_prims,
)
from .run_motion import RunParams, running
from .single_leg_motion import SingleLegParams, single_leg_rdl
from .squat_motion import SquatParams, squat
from .truth import GroundTruth, build_truth

EXERCISES = ("squat", "back_squat", "deadlift", "rdl", "hinge", "single_leg_rdl", "running")


@dataclass
class ScenarioSpec:
    """One synthetic clip.

    ``knobs`` override the motion parameters (:class:`~analyzer.synth.motions.SquatParams`,
    ``HingeParams`` or ``RunParams`` fields). ``fps`` defaults to 30 for lifts and 60 for running.
    ``style``/``scene``/``nuisance`` override :class:`Style`/:class:`Scene`/:class:`Nuisance` fields;
    ``camera`` overrides :func:`make_camera` keywords (distance, cam_height, tilt_deg, fov_v_deg, fill).
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

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["tags"] = list(self.tags)
        return d

    @property
    def frame_rate(self) -> float:
        return float(self.fps or (60.0 if self.exercise == "running" else 30.0))


def build_motion(spec: ScenarioSpec, fps: float | None = None) -> Motion:
    """The spec's motion sampled at ``fps`` (defaults to the clip's frame rate)."""
    rng = np.random.default_rng(spec.seed)
    body = Body(spec.body_height, spec.build)
    fps = fps or spec.frame_rate
    ex = spec.exercise
    if ex in ("squat", "back_squat"):
        return squat(body, SquatParams(**({"barbell": ex == "back_squat"} | spec.knobs)), fps, rng)
    if ex in ("deadlift", "rdl", "hinge"):
        return hinge(body, HingeParams(**({"kind": ex} | spec.knobs)), fps, rng)
    if ex == "single_leg_rdl":
        return single_leg_rdl(body, SingleLegParams(**spec.knobs), fps, rng)
    if ex == "running":
        return running(body, RunParams(**spec.knobs), fps, rng)
    raise ValueError(f"unknown exercise {ex!r}; expected one of {EXERCISES}")


def _style(spec: ScenarioSpec) -> Style:
    rng = np.random.default_rng(spec.seed + 101)
    base = Style(
        skin=SKIN_TONES[rng.integers(len(SKIN_TONES))],
        shirt=SHIRTS[rng.integers(len(SHIRTS))],
        shorts=BOTTOMS[rng.integers(len(BOTTOMS))],
        hair=HAIR[rng.integers(len(HAIR))],
    )
    return dataclasses.replace(base, **spec.style)


def render_scenario(
    spec: ScenarioSpec,
    out_mp4: str | Path,
    *,
    truth_path: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> GroundTruth:
    """Render ``spec`` to ``out_mp4`` (H.264) and write its ground truth JSON beside it.

    ``truth_path`` defaults to ``out_mp4`` with suffix ``.json``. Returns the :class:`GroundTruth`.
    """
    from ..capture.writer import H264Writer

    out_mp4 = Path(out_mp4)
    fps = spec.frame_rate
    nz = Nuisance(**spec.nuisance)
    k = max(1, int(nz.motion_blur))
    motion = build_motion(spec, fps * k)
    sk = motion.skeleton
    prims = body_prims(sk, _style(spec))
    cam_kw = dict(subject_height=spec.body_height, cam_height=1.1) | spec.camera
    cam = make_camera(spec.view, spec.width, spec.height, **cam_kw)
    scene_kw = {"treadmill": spec.exercise == "running"} | spec.scene
    scene = Scene(**scene_kw)
    rnd = Renderer(cam, scene, seed=spec.seed)
    n = len(motion.t) // k
    centre = np.arange(n) * k + k // 2
    out_mp4.parent.mkdir(parents=True, exist_ok=True)
    with H264Writer(out_mp4, fps, spec.width, spec.height, crf=spec.crf, preset="medium") as w:
        for i in range(n):
            subs = [(prims, i * k + j) for j in range(k) if i * k + j != centre[i]] if k > 1 else None
            img = rnd.frame(prims, sk, int(centre[i]), nz, sub_prims=subs)
            w.write(img, i / fps)
            if progress:
                progress(i + 1, n)
    meta = {
        "scenario": spec.as_dict(),
        "seed": spec.seed,
        "exercise": motion.exercise,
        "view": spec.view,
        "fps": fps,
        "width": spec.width,
        "height": spec.height,
        "video": out_mp4.name,
        "camera": cam.as_dict(),
        "params": motion.params,
        "body": {
            "height_m": spec.body_height,
            "build": spec.build,
            "thigh_m": sk.body.thigh,
            "shank_m": sk.body.shank,
            "hip_width_m": sk.body.hip_width,
            "foot_m": sk.body.foot_length,
        },
    }
    truth = build_truth(motion, cam, meta, sample_idx=centre)
    truth.save(truth_path or out_mp4.with_suffix(".json"))
    return truth


def render_frames(spec: ScenarioSpec, frames: list[int] | None = None) -> tuple[list[np.ndarray], GroundTruth]:
    """Render frames in memory (no video; for tests and inspection). Returns (RGB frames, truth)."""
    fps = spec.frame_rate
    nz = Nuisance(**spec.nuisance)
    motion = build_motion(spec, fps)
    sk = motion.skeleton
    prims = body_prims(sk, _style(spec))
    cam = make_camera(
        spec.view, spec.width, spec.height, **(dict(subject_height=spec.body_height, cam_height=1.1) | spec.camera)
    )
    scene = Scene(**({"treadmill": spec.exercise == "running"} | spec.scene))
    rnd = Renderer(cam, scene, seed=spec.seed)
    idx = range(len(motion.t)) if frames is None else frames
    imgs = [rnd.frame(prims, sk, i, nz) for i in idx]
    meta = {
        "scenario": spec.as_dict(),
        "seed": spec.seed,
        "exercise": motion.exercise,
        "view": spec.view,
        "fps": fps,
        "width": spec.width,
        "height": spec.height,
        "camera": cam.as_dict(),
        "params": motion.params,
    }
    return imgs, build_truth(motion, cam, meta)


# ---------------------------------------------------------------------------
# named scenarios
# ---------------------------------------------------------------------------
GOOD_SQUAT: dict[str, float] = {}
VALGUS_SQUAT = dict(valgus_fppa=15.0)
LUMBAR_FIRST = dict(lumbar_lead_ms=300.0, lumbar_flex=30.0, thoracic_flex=6.0)
HIP_FIRST = dict(lumbar_lead_ms=-150.0, lumbar_flex=4.0)
OVERSTRIDE = dict(overstride=0.38, knee_ic=6.0, cadence=152.0)
PELVIC_DROP = dict(pelvic_drop=9.0, pelvic_drop_right=9.0)


def sample_specs() -> list[ScenarioSpec]:
    """The committed sample clips (``sample_videos/``)."""
    return [
        ScenarioSpec(
            "squat_good_side",
            "squat",
            "side_left",
            GOOD_SQUAT,
            seed=11,
            crf=23,
            description="Bodyweight squat to parallel, knees track the toes, trunk close to the shin angle.",
        ),
        ScenarioSpec(
            "squat_valgus_front",
            "squat",
            "front",
            VALGUS_SQUAT,
            seed=12,
            crf=23,
            description="Bodyweight squat with ≈15° knee FPPA (hip adduction + internal rotation) at the bottom.",
        ),
        ScenarioSpec(
            "hinge_lumbar_first_side",
            "hinge",
            "side_left",
            LUMBAR_FIRST,
            seed=13,
            crf=23,
            description="Hip hinge where the lower back rounds 300 ms before the hips move back (30° lumbar flexion).",
        ),
        ScenarioSpec(
            "rdl_good_side",
            "rdl",
            "side_right",
            HIP_FIRST,
            seed=14,
            crf=23,
            description="Dumbbell Romanian deadlift, hips lead, neutral spine, near-vertical shins.",
        ),
        ScenarioSpec(
            "run_overstride_side",
            "running",
            "side_left",
            OVERSTRIDE,
            seed=15,
            crf=24,
            description="Treadmill run at 152 spm landing on an extended knee with the heel far ahead of the hips.",
        ),
        ScenarioSpec(
            "run_pelvic_drop_back",
            "running",
            "back",
            PELVIC_DROP,
            seed=16,
            crf=24,
            description="Treadmill run filmed from behind with ≈9° contralateral pelvic drop on both sides.",
        ),
        ScenarioSpec(
            "squat_heel_lift_lean_side",
            "squat",
            "side_right",
            dict(heel_lift=14.0, trunk=62.0, shank=26.0),
            seed=17,
            crf=23,
            description="Squat with heels rising and a trunk far more inclined than the shins.",
        ),
    ]


def scenario_matrix() -> list[ScenarioSpec]:
    """≥ 40 scenarios for the accuracy harness: exercise × view × fault level × nuisance (deterministic)."""
    nuisances: dict[str, dict[str, Any]] = {
        "clean": dict(nuisance=dict(noise=1.0), scene=dict(clutter=2)),
        "clutter": dict(scene=dict(clutter=8, texture=1.5)),
        "dim": dict(scene=dict(exposure=0.6, ambient=0.25), nuisance=dict(noise=5.0)),
        "noisy": dict(nuisance=dict(noise=8.0, blur=1.0), crf=32),
        "blur": dict(nuisance=dict(motion_blur=3)),
        "tall": dict(body_height=1.92, build=1.2),
        "short": dict(body_height=1.58, build=0.85),
        "far": dict(camera=dict(fill=0.55)),
        "high_cam": dict(camera=dict(cam_height=1.5, tilt_deg=4.0)),
        "long_clothes": dict(style=dict(sleeves="long", legwear="tights")),
    }
    nz_names = list(nuisances)
    plan: list[tuple[str, str, str, dict]] = []
    # squats
    for view in ("side_left", "side_right"):
        plan += [
            ("squat", view, "good", {}),
            ("squat", view, "shallow_lean", dict(depth_knee=80.0, trunk=55.0, shank=18.0)),
            ("squat", view, "heel_lift", dict(heel_lift=14.0, trunk=50.0)),
        ]
    for view in ("front", "back"):
        plan += [
            ("squat", view, "good", {}),
            ("squat", view, "valgus8", dict(valgus_fppa=8.0)),
            ("squat", view, "valgus15", dict(valgus_fppa=15.0)),
            ("squat", view, "shift", dict(lateral_shift=0.25)),
        ]
    plan += [("squat", "oblique45", "valgus15", dict(valgus_fppa=15.0)), ("squat", "oblique30", "good", {})]
    plan += [("back_squat", "side_left", "good", {}), ("back_squat", "front", "valgus12", dict(valgus_fppa=12.0))]
    # hinges
    for ex in ("rdl", "hinge", "deadlift"):
        for view in ("side_left", "side_right"):
            plan += [(ex, view, "hip_first", dict(HIP_FIRST)), (ex, view, "lumbar_first", dict(LUMBAR_FIRST))]
    plan += [
        ("rdl", "side_left", "apt", dict(apt_offset=10.0)),
        ("hinge", "side_left", "lead150", dict(lumbar_lead_ms=150.0, lumbar_flex=18.0)),
        ("rdl", "front", "hip_first", dict(HIP_FIRST)),
        ("deadlift", "oblique45", "lumbar_first", dict(LUMBAR_FIRST)),
    ]
    # running
    for view in ("side_left", "side_right"):
        plan += [("running", view, "good", {}), ("running", view, "overstride", dict(OVERSTRIDE))]
    for view in ("back", "front"):
        plan += [
            ("running", view, "good", {}),
            ("running", view, "drop", dict(PELVIC_DROP)),
            ("running", view, "crossover", dict(step_width=-0.25)),
        ]
    # single-leg RDL (appended, so the scenarios above keep their seeds and nuisances)
    plan += [
        ("single_leg_rdl", "side_left", "hip_first", dict(HIP_FIRST)),
        ("single_leg_rdl", "side_right", "lumbar_first", dict(LUMBAR_FIRST)),
        ("single_leg_rdl", "front", "good", {}),
        ("single_leg_rdl", "front", "drop_knee_in", dict(pelvic_drop=10.0, knee=35.0, knee_in=45.0)),
        ("single_leg_rdl", "back", "drop", dict(pelvic_drop=10.0)),
    ]
    specs = []
    for i, (ex, view, fault, knobs) in enumerate(plan):
        nz = nz_names[i % len(nz_names)]
        extra = dict(nuisances[nz])
        kw = {k: v for k, v in extra.items()}
        specs.append(
            ScenarioSpec(
                name=f"{ex}_{view}_{fault}_{nz}",
                exercise=ex,
                view=view,
                knobs=knobs,
                seed=1000 + i,
                tags=(ex, view_kind(view), fault, nz),
                **kw,
            )
        )
    return specs
