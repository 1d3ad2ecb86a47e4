"""Compare MediaPipe's view of a synthetic clip with its ground truth.

Used by tests/test_synth.py and the sample-video check: run the pose model over a clip,
then measure detection rate, landmark pixel errors and angle errors (spec §D knee and
hip flexion in side views, spec §A FPPA at the rep bottoms in frontal views).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .. import landmarks as L
from .truth import GroundTruth
from .truth_angles import angles_2d

LEG_POINTS = (
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
    "left_shoulder",
    "right_shoulder",
)


def run_pose(video: str | os.PathLike, model_path: str | os.PathLike | None = None, *, masks: bool = False):
    """PoseTrack of ``video`` (every frame, full model unless ``model_path`` says otherwise)."""
    from ..capture import models
    from ..capture.video import FileSource
    from ..track.estimator import PoseEstimator
    from ..track.recorder import TrackBuilder
    from ..track.settings import PoseSettings

    mp = model_path or models.resolve("full")
    src = FileSource(video, max_side=None, threaded=False)
    tb = TrackBuilder()
    with PoseEstimator(mp, PoseSettings(masks=masks)) as est:
        for fr in src:
            tb.add(fr.t, est.process(fr.image, fr.t))
    info = src.info
    return tb.build(info.width, info.height, info.fps, "full", {"video": str(video)})


def landmark_errors(xy: np.ndarray, truth: GroundTruth) -> dict[str, float]:
    """Median pixel distance per landmark between detected ``xy`` (T,33,2) and the true joint centres."""
    n = min(len(xy), len(truth.t))
    out = {}
    for name in LEG_POINTS:
        d = np.linalg.norm(xy[:n, L.INDEX[name]] - truth.landmarks[name][:n], axis=-1)
        out[name] = float(np.nanmedian(d)) if np.isfinite(d).any() else float("nan")
    return out


def measured_angles(xy: np.ndarray, truth: GroundTruth) -> dict[str, np.ndarray]:
    """Spec 2D angles of detected landmarks, computed exactly as the truth's ``angles_2d``."""
    lm = {
        name: np.asarray(xy[:, L.INDEX[name]], float)
        for name in (
            "left_hip",
            "right_hip",
            "left_knee",
            "right_knee",
            "left_ankle",
            "right_ankle",
            "left_shoulder",
            "right_shoulder",
        )
    }
    d = int(truth.meta.get("direction") or 0) if truth.meta.get("view_kind") in ("side", "oblique") else 0
    return angles_2d(lm, d)


def angle_report(xy: np.ndarray, truth: GroundTruth) -> dict:
    """Errors (deg) of detected vs true angles: side views → near-side knee/hip flexion MAE and bias over
    all frames; frontal views → FPPA per knee at the rep bottoms (mean over reps, measured − true)."""
    n = min(len(xy), len(truth.t))
    xy = xy[:n]
    meas = measured_angles(xy, truth)
    tru = {k: v[:n] for k, v in truth.angles_2d.items()}
    rep: dict = {"detection_rate": float(np.mean(np.isfinite(xy[:, 0, 0])))}
    kind = truth.meta.get("view_kind")
    if kind == "side":
        near = truth.meta["near_side"]
        for a in ("knee_flexion", "hip_flexion"):
            e = meas[f"{a}_{near}"] - tru[f"{a}_{near}"]
            rep[f"{a}_near_mae"] = float(np.nanmean(np.abs(e)))
            rep[f"{a}_near_bias"] = float(np.nanmean(e))
    if kind in ("front", "back") and truth.events.get("reps"):
        for key in ("thigh50_frame", "valgus_ref_frame", "bottom_frame"):
            fr = [r[key] for r in truth.events["reps"] if key in r and r[key] < n]
            tag = key[:-6]
            for s in ("left", "right"):
                m = float(np.nanmean(meas[f"fppa_{s}"][fr]))
                t2 = float(np.mean(tru[f"fppa_{s}"][fr]))
                rep[f"fppa_{s}_{tag}_measured"] = m
                rep[f"fppa_{s}_{tag}_true_2d"] = t2
                rep[f"fppa_{s}_{tag}_true_3d"] = float(np.mean(truth.angles_3d[f"fppa_{s}"][:n][fr]))
                rep[f"fppa_{s}_{tag}_error"] = m - t2
    return rep


def clip_report(
    video: str | os.PathLike, truth: GroundTruth | str | os.PathLike | None = None, model_path=None
) -> dict:
    """Pose the clip and compare it with its truth (``video`` with ``.json`` suffix by default)."""
    if not isinstance(truth, GroundTruth):
        truth = GroundTruth.load(truth or Path(video).with_suffix(".json"))
    track = run_pose(video, model_path)
    out = angle_report(track.xy, truth)
    out["landmark_px"] = landmark_errors(track.xy, truth)
    out["n_frames"] = len(track)
    return out
