"""Named scenario specs and the renderer entry point.

A :class:`ScenarioSpec` fixes everything about a clip: exercise, motion knobs, view and
camera, body, clothing, backdrop, lighting, image nuisances, encoding and the seed.
:func:`render_scenario` turns it into an H.264 MP4 plus its ground truth; the same spec
and seed always give the same frames.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .body import Skeleton
from .camera import Camera, make_camera, view_kind
from .camera_path import CameraPath, MovingRenderer, cameras
from .crowd import Bystander, bystander_skeleton, merge_prims
from .motion import Motion
from .raster import Prims
from .render import Nuisance, Renderer, Scene, Style, body_prims
from .spec import EXERCISES, ScenarioSpec, _style, build_motion
from .truth import GroundTruth, build_truth

__all__ = ["EXERCISES", "ScenarioSpec", "build_motion", "render_frames", "render_scenario", "sample_specs"]


class _Film:
    """Everything that draws one clip: the figure's (and any bystander's) primitives, the camera(s), the renderer."""

    def __init__(self, spec: ScenarioSpec, motion: Motion):
        self.spec, self.motion = spec, motion
        self.sk = motion.skeleton
        self.prims: Prims = body_prims(self.sk, _style(spec))
        cam_kw = dict(subject_height=spec.body_height, cam_height=1.1) | spec.camera
        self.cam: Camera = make_camera(spec.view, spec.width, spec.height, **cam_kw)
        scene = Scene(**({"treadmill": spec.exercise == "running"} | spec.scene))
        self.cams: list[Camera] | None = None
        if spec.camera_path is not None:
            self.cams = cameras(self.cam, CameraPath(**spec.camera_path), motion.t)
            self.rnd: Renderer = MovingRenderer(self.cam, scene, seed=spec.seed)
        else:
            self.rnd = Renderer(self.cam, scene, seed=spec.seed)
        self.other: Skeleton | None = None
        if spec.bystander is not None:
            by = Bystander(**spec.bystander)
            self.other = bystander_skeleton(by, self.cam, motion.t)
            look = Style(skin=by.skin, shirt=by.shirt, shorts=by.shorts, hair=by.hair, sleeves="long")
            self.prims = merge_prims(self.prims, body_prims(self.other, look))

    def frame(self, i: int, nz: Nuisance, subs: list[tuple[Prims, int]] | None = None) -> np.ndarray:
        """RGB frame of motion sample ``i`` (``subs``: motion-blur sub-samples)."""
        if self.cams is not None and isinstance(self.rnd, MovingRenderer):
            self.rnd.set_camera(self.cams[i])
        return self.rnd.frame(self.prims, self.sk, i, nz, sub_prims=subs)

    def meta(self) -> dict[str, Any]:
        spec = self.spec
        return {
            "scenario": spec.as_dict(),
            "seed": spec.seed,
            "exercise": self.motion.exercise,
            "view": spec.view,
            "fps": spec.frame_rate,
            "width": spec.width,
            "height": spec.height,
        }

    def truth(self, meta: dict[str, Any], sample_idx: np.ndarray | None = None) -> GroundTruth:
        return build_truth(self.motion, self.cam, meta, sample_idx=sample_idx, cams=self.cams, other=self.other)


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
    film = _Film(spec, motion)
    n = len(motion.t) // k
    centre = np.arange(n) * k + k // 2
    out_mp4.parent.mkdir(parents=True, exist_ok=True)
    with H264Writer(out_mp4, fps, spec.width, spec.height, crf=spec.crf, preset="medium") as w:
        for i in range(n):
            subs = [(film.prims, i * k + j) for j in range(k) if i * k + j != centre[i]] if k > 1 else None
            img = film.frame(int(centre[i]), nz, subs)
            w.write(img, i / fps)
            if progress:
                progress(i + 1, n)
    sk = film.sk
    meta = film.meta() | {
        "video": out_mp4.name,
        "camera": film.cam.as_dict(),
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
    truth = film.truth(meta, sample_idx=centre)
    truth.save(truth_path or out_mp4.with_suffix(".json"))
    return truth


def render_frames(spec: ScenarioSpec, frames: list[int] | None = None) -> tuple[list[np.ndarray], GroundTruth]:
    """Render frames in memory (no video; for tests and inspection). Returns (RGB frames, truth)."""
    nz = Nuisance(**spec.nuisance)
    motion = build_motion(spec, spec.frame_rate)
    film = _Film(spec, motion)
    idx = range(len(motion.t)) if frames is None else frames
    imgs = [film.frame(i, nz) for i in idx]
    meta = film.meta() | {"camera": film.cam.as_dict(), "params": motion.params}
    return imgs, film.truth(meta)


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


def real_world_plan() -> list[tuple]:
    """Real-world footage patterns for the matrix: (exercise, view, fault, knobs, nuisance, spec fields)."""
    tng = dict(HIP_FIRST, rest_s=0.0, pause_s=0.0)
    return [
        # opens with the bar on the floor, two pulls, ends at lockout: reps counted, no standing start said
        ("deadlift", "side_left", "floor_start", dict(HIP_FIRST, floor_start=True, n_reps=2, rest_s=0.8), "clean", {}),
        # three touch-and-go pulls: bottom to bottom with no standing pause
        ("deadlift", "side_right", "touch_and_go", tng, "clutter", {}),
        # two good squats, then one stuck at the bottom, a grind of a quarter of the way up, a slow helped stand
        ("squat", "side_left", "failed_rep", dict(n_reps=2, fail_last=True), "clean", {}),
        # ... the same failure with the clip ending at the bottom
        (
            "squat",
            "side_right",
            "failed_rep_end",
            dict(n_reps=2, fail_last=True, fail_assist_s=None),
            "long_clothes",
            {},
        ),
        # walks in from the side (2.4 s, about 1.4 s of it in the picture), stands, squats three times
        ("squat", "side_left", "walk_in", dict(walk_in_s=2.4), "clean", {}),
        # a bystander walks across the back of the room for a few seconds
        ("squat", "front", "bystander", {}, "clean", dict(bystander=dict(enter_s=1.5))),
        # a hand-held phone panning and sliding back and forth over a textured room
        ("squat", "side_left", "panning", {}, "clutter", dict(camera_path=dict(yaw_deg=4.0, shift_m=-0.15))),
        # a run exported at half speed: 170 steps/min in the room, 85 in clip time
        ("running", "side_left", "slowed", dict(time_scale=0.5, run_s=3.5), "clean", {}),
    ]


def hinge_pelvis_plan() -> list[tuple]:
    """Known lumbar flexion (0–30°), lead (0–300 ms) and pelvic tilt for the hinge-and-pelvis figures."""
    return [
        ("hinge", "side_left", "lumbar0_hips_only", dict(lumbar_flex=0.0, lumbar_lead_ms=0.0), "clean"),
        ("rdl", "side_right", "lumbar10_lead150", dict(lumbar_flex=10.0, lumbar_lead_ms=150.0), "dim"),
        ("rdl", "side_left", "lumbar20_lead300", dict(lumbar_flex=20.0, lumbar_lead_ms=300.0), "long_clothes"),
        ("deadlift", "side_right", "lumbar20_lead0", dict(lumbar_flex=20.0, lumbar_lead_ms=0.0), "tall"),
        ("hinge", "side_right", "lumbar30_lead0", dict(lumbar_flex=30.0, lumbar_lead_ms=0.0), "noisy"),
        ("rdl", "side_left", "apt20_hip_first", dict(HIP_FIRST, apt_offset=20.0), "short"),
        ("hinge", "side_left", "lumbar10_lead300", dict(lumbar_flex=10.0, lumbar_lead_ms=300.0), "clutter"),
        # the pelvis tucks under at the bottom: the low back rounds 35° over the last 30 % of the descent
        ("squat", "side_right", "pelvis_tuck", dict(lumbar_flex=35.0, wink_from=0.7), "clean"),
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
    plan: list[tuple] = []
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
    # real-world footage patterns (appended; each names its nuisance and adds spec fields)
    plan += real_world_plan()
    plan += hinge_pelvis_plan()  # appended last, as above
    specs = []
    for i, (ex, view, fault, knobs, *more) in enumerate(plan):
        nz = more[0] if more else nz_names[i % len(nz_names)]
        extra = dict(nuisances[nz])
        kw = {k: v for k, v in extra.items()} | (more[1] if len(more) > 1 else {})
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
