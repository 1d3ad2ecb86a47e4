"""Synthetic humans with known angles and faults: the project's ground truth.

A procedural 3D figure (Winter proportions; pelvis, lumbar and thoracic segments with
separate pelvic-tilt and lumbar-flexion degrees of freedom; hips with flexion,
adduction and rotation; knees; ankles with heel and toe; arms; neck; a head with
eyes, nose, mouth, ears and hair) is posed by a motion generator with fault knobs,
filmed by a pinhole camera from a named view and rendered as shaded ellipsoids with a
z-buffer (numpy + OpenCV), then written as browser-playable H.264 with a ground-truth
JSON beside it.

Public API
----------
``ScenarioSpec`` (scenarios.py)
    Everything about one clip: ``exercise`` (squat, back_squat, deadlift, rdl, hinge,
    running), ``view`` (side_left, side_right, front, back, oblique30, oblique45, …),
    ``knobs`` (motion fault parameters, see ``motions.SquatParams``/``HingeParams``/``RunParams``),
    ``seed``, ``fps`` (30 lifts / 60 running by default), size, body height/build,
    ``style`` (clothing/skin colours), ``scene`` (backdrop texture/clutter, lighting),
    ``nuisance`` (sensor noise, optical blur, motion blur sub-frames, JPEG), ``camera``
    (distance, cam_height, tilt_deg, fov_v_deg, fill) and ``crf`` (compression).
``render_scenario(spec, out_mp4, *, truth_path=None, progress=None) -> GroundTruth``
    Render the clip to ``out_mp4`` and write ``out_mp4.with_suffix('.json')``. Deterministic.
``render_frames(spec, frames=None) -> (list[np.ndarray], GroundTruth)``
    Frames in memory (RGB uint8) plus the truth for all frames; no video written.
``scenario_matrix() -> list[ScenarioSpec]``
    ≥ 40 scenarios (exercise × view × fault level × nuisance) for the accuracy harness.
``sample_specs() -> list[ScenarioSpec]``
    The committed clips in ``sample_videos/`` (regenerate with ``python scripts/make_samples.py``).
``GroundTruth`` (truth.py)
    ``t``, ``landmarks`` (MediaPipe-named true joint centres, px), ``angles_2d`` (spec formulas
    on the projected truth: knee/hip flexion, trunk/thigh/shank, depth, FPPA, pelvis obliquity),
    ``angles_3d`` (knee/hip flexion, hip adduction, pelvic tilt, lumbar flexion, obliquity, FPPA in
    the frontal plane), ``events`` (reps with start/bottom/end and hip/lumbar onsets and
    ``hinge_lag_ms``; running initial contacts / toe-offs), ``summary`` and ``expected``
    (``must_report`` / ``must_not_report`` finding ids). ``GroundTruth.load(path)`` reads the JSON.

Command line: ``python -m analyzer.synth NAME|all OUT_DIR`` renders sample or matrix scenarios.
"""

from __future__ import annotations

from .scenarios import (
    EXERCISES,
    ScenarioSpec,
    build_motion,
    render_frames,
    render_scenario,
    sample_specs,
    scenario_matrix,
)
from .truth import GroundTruth

__all__ = [
    "EXERCISES",
    "GroundTruth",
    "ScenarioSpec",
    "build_motion",
    "render_frames",
    "render_scenario",
    "sample_specs",
    "scenario_matrix",
]
