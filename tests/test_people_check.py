"""One tracked pose plus a periodic people count (PoseSettings.adaptive), on real frames and the real model."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer import landmarks as L
from analyzer.capture.video import FileSource
from analyzer.track.estimator import PoseEstimator
from analyzer.track.recorder import TrackBuilder, TrackRecorder
from analyzer.track.settings import PoseSettings


@pytest.fixture(scope="module")
def frames(side_sample):
    """(RGB frames ≤ 480 px, times s) of the side-view squat sample: one person."""
    src = FileSource(side_sample, max_side=480, threaded=False)
    out = [(f.image, f.t) for f in src]
    return out[:150]


def _pair(img: np.ndarray, other: bool) -> np.ndarray:
    """The frame next to its mirror image (two people) or next to an empty floor (one person)."""
    right = img[:, ::-1] if other else np.full_like(img, int(np.median(img[:4])))
    return np.ascontiguousarray(np.concatenate([img, right], axis=1))


def _record(frames, settings, *, recorder=True):
    h, w = frames[0][0].shape[:2]
    if recorder:
        with TrackRecorder(_model(), settings) as rec:
            for img, t in frames:
                rec.add(img, t)
        return rec.build(w, h, 30.0, settings.model), rec.estimator
    b = TrackBuilder()
    with PoseEstimator(_model(), settings) as est:
        for img, t in frames:
            b.add(t, est.process(img, t))
    return b.build(w, h, 30.0, settings.model), est


def _model():
    from analyzer.capture import models

    return models.resolve("full", download=False)


def test_one_person_tracks_one_pose_and_agrees_with_the_every_frame_detector(frames):
    new, est = _record(frames, PoseSettings())
    old, _ = _record(frames, PoseSettings(people_check_s=0))
    assert est.escalated_at is None and int(new.n_people.max()) == 1
    assert new.detection_rate >= 0.95
    both = new.detected & old.detected
    d = np.linalg.norm(new.xy[both] - old.xy[both], axis=-1) / new.height
    assert np.median(d) < 0.015, "one tracked pose should land where the every-frame detector does"
    assert new.masks is not None and new.masks.valid[new.detected].mean() > 0.95
    assert new.masks.shape == old.masks.shape
    agree = [np.mean(new.masks.get(i) == old.masks.get(i)) for i in np.flatnonzero(both)[::10]]
    assert np.median(agree) > 0.97


def test_two_people_from_the_start_are_tracked_as_two_from_frame_0(frames):
    two = [(_pair(img, True), t) for img, t in frames[:60]]
    tr, est = _record(two, PoseSettings())
    assert est.escalated_at == 0
    assert int(tr.n_people.max()) == 2 and (tr.n_people[tr.detected] == 2).mean() > 0.8
    hip_x = np.nanmean(tr.xy[:, [L.L_HIP, L.R_HIP], 0], axis=1)
    hip_x = hip_x[np.isfinite(hip_x)]
    half = two[0][0].shape[1] / 2
    assert len(hip_x) > 0.8 * len(tr) and ((hip_x < half).all() or (hip_x >= half).all())


def test_a_bystander_who_walks_in_is_noticed_at_a_fixed_frame_whatever_the_thread_timing(frames):
    s = PoseSettings(people_check_s=0.5)
    appear = 40  # the mirror image appears at frame 40 (t ≈ 1.33 s)
    clip = [(_pair(img, i >= appear), t) for i, (img, t) in enumerate(frames[:90])]
    bg, est_bg = _record(clip, s, recorder=True)
    inline, est_in = _record(clip, s, recorder=False)
    t = np.array([t for _, t in clip])
    # checks run at the first frame with t ≥ last check + 0.5 s; the first check at or after the
    # appearance takes effect CHECK_LAG frames later.
    checks, nxt = [0], t[0] + 0.5
    for i in range(1, len(t)):
        if t[i] >= nxt:
            checks.append(i)
            nxt = t[i] + 0.5
    first = next(i for i in checks if i >= appear)
    assert est_bg.escalated_at == est_in.escalated_at == first + PoseEstimator.CHECK_LAG
    assert int(bg.n_people[:appear].max()) == 1 and int(bg.n_people[est_bg.escalated_at :].max()) == 2
    assert np.array_equal(bg.xy, inline.xy, equal_nan=True), "thread timing must not change the result"
    hip_x = np.nanmean(bg.xy[:, [L.L_HIP, L.R_HIP], 0], axis=1)
    assert np.nanmax(hip_x) < clip[0][0].shape[1] / 2, "the subject must stay the person who was there first"
