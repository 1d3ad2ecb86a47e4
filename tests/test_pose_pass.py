"""The decoding pass (analyzer.pose_pass) and the work it hands to other threads."""
from __future__ import annotations

import av
import numpy as np

from analyzer.pose import PoseSettings, small_mask, small_mask_shape
from analyzer.pose_pass import pose_pass
from analyzer.video import probe


def test_pass_records_every_frame_and_its_overlay(side_sample, model_path, tmp_path):
    info = probe(side_sample)
    progress = []
    out = tmp_path / "annotated.mp4"
    track, warnings = pose_pass(side_sample, info, model_path, PoseSettings(), video_out=out,
                                progress=lambda d, t: progress.append(d), sha="x")
    assert warnings == []
    assert progress == list(range(1, len(track) + 1))
    assert len(track) == track.meta["decoded_frames"] >= 0.9 * info.n_frames
    with av.open(str(out)) as c:
        assert sum(1 for _ in c.decode(video=0)) == len(track)


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
