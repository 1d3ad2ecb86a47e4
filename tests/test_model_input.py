"""The half-size model input (analyzer.track.settings.use_half_size): when it is used, and that it keeps the
landmarks where full-size input puts them, against the renderer's ground truth."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from conftest import sample

from analyzer import landmarks as L
from analyzer.capture.video import FileSource, probe
from analyzer.capture.writer import H264Writer
from analyzer.track.pose_pass import pose_pass
from analyzer.track.settings import (
    HALF_MIN_SIDE,
    PoseSettings,
    subject_reach,
    use_half_size,
)


def test_half_size_needs_a_large_even_frame_and_a_large_subject():
    big = 2 * HALF_MIN_SIDE
    assert use_half_size(big, 720, 300.0, 128, False)  # 150 px of reach at half size
    assert not use_half_size(big, 720, 240.0, 128, False)  # 120 px: too small a crop
    assert not use_half_size(big - 2, 720, 600.0, 128, False)  # half would be under HALF_MIN_SIDE
    assert not use_half_size(big, 721, 600.0, 128, False)  # odd height: no exact half
    assert not use_half_size(big, 720, float("nan"), 128, False)  # nobody found: the detector sees every pixel
    assert not use_half_size(big, 720, 600.0, 0, False)  # switched off


def test_half_size_has_hysteresis():
    big = 2 * HALF_MIN_SIDE
    assert use_half_size(big, 720, 240.0, 128, True)  # 120 ≥ 0.9 × 128: stays at half size
    assert not use_half_size(big, 720, 220.0, 128, True)  # 110 < 115.2: back to full size
    assert not use_half_size(big, 720, 240.0, 128, False)  # but 120 is not enough to go to half size


def test_subject_reach_is_the_farthest_landmark_from_the_hip_centre():
    xy = np.zeros((33, 2), np.float32)
    xy[L.L_HIP], xy[L.R_HIP] = (90, 100), (110, 100)
    xy[L.NOSE] = (100, -200)  # 300 px above the hip centre
    xy[L.L_ANKLE] = (100, 350)
    assert subject_reach(xy) == pytest.approx(300.0)
    xy[L.L_HIP] = np.nan
    assert np.isnan(subject_reach(xy))


@pytest.fixture(scope="module")
def upscaled(tmp_path_factory):
    """A bundled 480×640 sample scaled 2× to 960×1280 (so half size is the original), with its truth."""
    src = sample("squat_good_side.mp4")
    truth = json.loads(src.with_suffix(".json").read_text())
    out = tmp_path_factory.mktemp("upscaled") / "squat_960x1280.mp4"
    info = probe(src)
    with H264Writer(out, info.fps, 2 * info.width, 2 * info.height, crf=18) as w:
        for fr in FileSource(src, max_side=None, threaded=False):
            w.write(cv2.resize(fr.image, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC), fr.t)
    px = truth["frames"]["landmarks_px"]
    names = [n for n in px if n in L.NAMES]
    gt = {L.NAMES.index(n): 2 * np.asarray(px[n], float) for n in names}
    return out, gt


def _track(video, model_path, reach_px):
    s = PoseSettings(half_size_reach_px=reach_px)
    track, _ = pose_pass(video, probe(video), model_path, s, video_out=None, progress=None, sha="x")
    return track


def test_half_size_input_keeps_landmarks_on_the_truth(upscaled, model_path):
    video, gt = upscaled
    half, full = _track(video, model_path, 128), _track(video, model_path, 0)
    assert half.meta["model_half_size_share"] > 0.9  # the person fills the frame: nearly every frame at half size
    assert full.meta["model_half_size_share"] == 0
    assert half.masks.shape == full.masks.shape  # masks keep one shape whichever size the model saw
    idx = sorted(gt)
    n = min(len(half), len(full), len(gt[idx[0]]))
    truth = np.stack([gt[k][:n] for k in idx], axis=1)
    err = {name: np.linalg.norm(t.xy[:n, idx] - truth, axis=2) for name, t in (("half", half), ("full", full))}
    # MediaPipe's landmarks sit a few px off the renderer's joint centres either way; half-size input
    # must not move them further (px of the 960×1280 frame).
    assert np.nanmedian(err["half"]) <= np.nanmedian(err["full"]) + 1.0
    assert np.nanpercentile(err["half"], 90) <= np.nanpercentile(err["full"], 90) + 2.0
    d = np.linalg.norm(half.xy[:n] - full.xy[:n], axis=2)
    assert np.nanmedian(d) < 3.0  # and the two tracks agree with each other


def test_cli_reports_the_model_input_and_can_keep_it_full_size(upscaled, model_path, tmp_path):
    from test_cli_e2e import cli

    video, _ = upscaled
    shares = []
    for flag in ([], ["--full-size-model-input"]):
        r = cli(
            "analyze",
            video,
            "--out",
            tmp_path / f"out{len(flag)}",
            "--quiet",
            "--no-video",
            "--no-cache",
            "--json",
            *flag,
        )
        assert r.returncode == 0, r.stderr
        run = json.loads(r.stdout)["run"]["model_input"]
        assert run["max_side_px"] == 1280
        shares.append(run["half_size_share"])
    assert shares[0] > 0.9 and shares[1] == 0
