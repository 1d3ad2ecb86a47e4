"""The real pose model on real frames: detection, PoseTrack io, cache, rotation."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer import landmarks as L
from analyzer.capture.video import FileSource, probe
from analyzer.capture.writer import write_rotated_copy
from analyzer.track.data import PoseTrack
from analyzer.track.estimator import PoseEstimator
from analyzer.track.recorder import TrackBuilder
from analyzer.track.settings import PoseSettings


@pytest.fixture(scope="module")
def person_clip(side_sample):
    return side_sample


def _run(path, model_path, n=None, settings=PoseSettings()):
    info = probe(path)
    b = TrackBuilder()
    with PoseEstimator(model_path, settings) as est:
        for fr in FileSource(path, max_side=settings.max_side):
            b.add(fr.t, est.process(fr.image, fr.t, (info.width, info.height)))
            if n and len(b.t) >= n:
                break
    return b.build(info.width, info.height, info.fps, settings.model)


@pytest.fixture(scope="module")
def track(person_clip, model_path):
    return _run(person_clip, model_path, n=90)


def test_person_detected_on_most_frames(track):
    assert len(track) == 90
    assert track.detection_rate >= 0.9
    det = track.detected
    xy = track.xy[det]
    assert np.all((xy[..., 0] > -0.2 * track.width) & (xy[..., 0] < 1.2 * track.width))
    # upright person: head above hips above ankles (y down)
    head_y = xy[:, L.NOSE, 1]
    hip_y = xy[:, [L.L_HIP, L.R_HIP], 1].mean(1)
    ankle_y = xy[:, [L.L_ANKLE, L.R_ANKLE], 1].mean(1)
    assert np.median(head_y) < np.median(hip_y) < np.median(ankle_y)


def test_track_arrays_are_aligned(track):
    T = len(track)
    assert track.xy.shape == (T, 33, 2) and track.world.shape == (T, 33, 3)
    assert track.visibility.shape == track.presence.shape == track.z.shape == (T, 33)
    assert np.all(np.diff(track.t) > 0)
    assert track.masks is not None and track.masks.valid[track.detected].mean() > 0.9
    m = track.masks.get(int(np.flatnonzero(track.detected)[0]))
    assert m.dtype == bool and 0.01 < m.mean() < 0.9


def test_save_load_roundtrip(track, tmp_path):
    p = tmp_path / "t.npz"
    track.save(p)
    back = PoseTrack.load(p)
    np.testing.assert_array_equal(back.xy, track.xy)
    np.testing.assert_array_equal(back.masks.bits, track.masks.bits)
    assert (back.width, back.height, back.model) == (track.width, track.height, track.model)
    assert [f.name for f in tmp_path.iterdir()] == ["t.npz"]


def test_timestamps_strictly_increase_even_when_rounding_collides(model_path, person_clip):
    img = next(iter(FileSource(person_clip))).image
    with PoseEstimator(model_path) as est:
        for t in (0.0, 0.0001, 0.0002, 0.0003):  # all round to 0 ms
            est.process(img, t)


def test_rotated_phone_clip_comes_out_upright(person_clip, model_path, tmp_path):
    rot = tmp_path / "phone.mp4"
    write_rotated_copy(person_clip, rot, 90)
    tr = _run(rot, model_path, n=20)
    assert tr.detection_rate >= 0.9
    xy = tr.xy[tr.detected]
    assert np.median(xy[:, L.NOSE, 1]) < np.median(xy[:, [L.L_HIP, L.R_HIP], 1].mean(1))
