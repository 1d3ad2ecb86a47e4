"""Rep segmentation, standing baseline and gait events on synthetic tracks."""

import numpy as np
import pytest
from synthetic_tracks import hinge_kin, make_clean, running_kin, squat_kin

from analyzer.context import gait as GAIT
from analyzer.context import reps as S
from analyzer.context.detect import detect_context


@pytest.mark.parametrize(
    "kin,view", [(squat_kin(5), "side"), (squat_kin(5), "front"), (hinge_kin(5), "side"), (hinge_kin(5), "back")]
)
def test_rep_count_exact(kin, view):
    ctx = detect_context(make_clean(kin, view, 1))
    assert len(ctx.reps) == 5 and all(r.valid for r in ctx.reps)
    for r in ctx.reps:
        assert r.start < r.bottom < r.end


def test_rep_bottoms_and_baseline():
    k = squat_kin(5)
    ctx = detect_context(make_clean(k, "side", 1))
    starts = 1.5 + 3.3 * np.arange(5)
    bottoms = np.array([r.t_bottom for r in ctx.reps])
    assert np.all(np.abs(bottoms - (starts + 1.15)) < 0.2)  # deepest point in the 0.3 s hold after 1 s descent
    i0, i1 = ctx.baseline
    assert (i1 - i0) / 30.0 >= 1.0 and i1 <= ctx.reps[0].start


def test_invalid_rep_when_landmarks_missing():
    from synthetic_tracks import make_track

    from analyzer.clean.track import clean_track

    tr = make_track(squat_kin(3), "side", 1)
    vis = tr.visibility.copy()
    vis[int(1.5 * 30) + 20 : int(1.5 * 30) + 60, 23:29] = 0.0  # hips/knees/ankles lost for 1.3 s in rep 1
    ctx = detect_context(clean_track(tr.replace(visibility=vis)), exercise="squat")
    assert len(ctx.reps) >= 2
    assert not ctx.reps[0].valid and all(r.valid for r in ctx.reps[1:])


def test_find_reps_on_signal():
    fs = 30.0
    t = np.arange(300) / fs
    s = np.clip(np.sin(2 * np.pi * 0.5 * t), 0, None) * 0.4
    reps = S.find_reps(s, t, fs, prominence=0.15)
    assert len(reps) == 5
    assert all(abs(s[r.start] - 0.04) < 0.03 for r in reps)


def test_running_cadence_events():
    ctx = detect_context(make_clean(running_kin(170.0), "side", 1))
    ics = [e for e in ctx.gait_events if e.kind == "ic"]
    tos = [e for e in ctx.gait_events if e.kind == "to"]
    assert abs(GAIT.cadence_from_times([e.t for e in ics]) - 170.0) < 2.0
    assert {e.foot for e in ics} == {"left", "right"} and len(tos) >= len(ics) - 2
    feet = [e.foot for e in ics]
    assert all(a != b for a, b in zip(feet, feet[1:]))  # contacts alternate
