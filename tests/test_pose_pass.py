"""The decoding pass (analyzer.pose_pass): the track, the overlay video, the overlay-only pass of a
cache hit, and the mask shrink it runs per frame."""

from __future__ import annotations

import av
import numpy as np
import pytest

from analyzer.capture.video import FileSource, probe
from analyzer.track.masks import small_mask, small_mask_shape
from analyzer.track.pose_pass import overlay_pass, pose_pass
from analyzer.track.settings import PoseSettings


@pytest.fixture(scope="module")
def first_pass(side_sample, model_path, tmp_path_factory):
    info = probe(side_sample)
    progress: list[int] = []
    out = tmp_path_factory.mktemp("pass") / "annotated.mp4"
    track, warnings = pose_pass(
        side_sample, info, model_path, PoseSettings(), video_out=out, progress=lambda d, t: progress.append(d), sha="x"
    )
    return info, track, warnings, progress, out


def _frames(path):
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def test_pass_records_every_frame_and_its_overlay(first_pass):
    info, track, warnings, progress, out = first_pass
    assert warnings == []
    assert progress == list(range(1, len(track) + 1))
    assert len(track) == track.meta["decoded_frames"] >= 0.9 * info.n_frames
    assert len(_frames(out)) == len(track)


def test_overlay_pass_of_a_cache_hit_draws_the_stored_track(first_pass, side_sample, tmp_path):
    info, track, _, progress, out = first_pass
    again = tmp_path / "again.mp4"
    seen: list[int] = []
    overlay_pass(side_sample, info, track, PoseSettings(), video_out=again, progress=lambda d, t: seen.append(d))
    assert seen == progress
    a, b = _frames(out), _frames(again)
    assert len(b) == len(a) == len(track)
    src = [f.image for f in FileSource(side_sample, threaded=False)]
    k = int(np.flatnonzero(track.detected)[len(track) // 4])
    drawn = np.abs(b[k].astype(int) - src[k].astype(int)).max(axis=2) > 60  # the skeleton's pixels
    assert drawn.mean() > 0.002
    assert np.abs(b[k].astype(int) - a[k].astype(int)).mean() < 2.0  # the same overlay as the first pass drew


def test_bilinear_mask_shrink_matches_area_averaging():
    """A soft-edged person map shrunk bilinearly keeps the area-averaged mask but for edge pixels."""
    import cv2

    h, w = 720, 1280
    yy, xx = np.mgrid[0:h, 0:w]
    r = np.hypot((xx - 600) / 1.0, (yy - 380) / 2.5)
    prob = np.clip((150 - r) / 8 + 0.5, 0, 1).astype(np.float32)  # an upright ellipse, 8-px soft edge
    got = small_mask(prob, 256)
    sh, sw = small_mask_shape(h, w, 256)
    ref = cv2.resize(prob, (sw, sh), interpolation=cv2.INTER_AREA) > 0.5
    assert got.shape == ref.shape == (144, 256) and got.dtype == bool
    assert ref.sum() > 1000
    assert np.mean(got != ref) < 0.002
    assert abs(int(got.sum()) - int(ref.sum())) <= 0.02 * ref.sum()
