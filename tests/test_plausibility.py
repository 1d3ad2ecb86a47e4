"""Frames where the skeleton left the person are found, left out and said (issue: real lifters, real gyms)."""

from __future__ import annotations

import numpy as np
from perfect_tracks import perfect_track

from analyzer import landmarks as L
from analyzer.clean.plausibility import off_person
from analyzer.geometry import body_scale
from analyzer.pipeline import analyze_track
from analyzer.synth.scenarios import ScenarioSpec


def _squat():
    return perfect_track(ScenarioSpec("sq", "squat", "side_left", {}, seed=3))


def _moved(xy: np.ndarray, i0: int, i1: int, scale: float = 1.0, shift=(0.0, 0.0)) -> np.ndarray:
    """``xy`` with frames i0..i1 replaced by the figure scaled about its hip centre and shifted (px)."""
    out = xy.copy()
    hip = (xy[i0:i1, L.L_HIP] + xy[i0:i1, L.R_HIP])[:, None, :] / 2
    out[i0:i1] = (xy[i0:i1] - hip) * scale + hip + np.asarray(shift, np.float32)
    return out


def test_body_scale_is_the_figures_pixels_per_metre_whatever_the_pose():
    tr = _squat()
    s = body_scale(tr.xy.astype(float), tr.world.astype(float))
    assert np.isfinite(s).all()
    assert np.nanmax(s) / np.nanmin(s) < 1.1  # squatting does not change it


def test_a_smaller_figure_for_a_second_is_someone_else_and_is_flagged():
    tr = _squat()
    i0, i1 = int(2.0 * tr.fps), int(3.0 * tr.fps)
    xy = _moved(tr.xy, i0, i1, scale=0.5, shift=(120.0, -40.0))
    flags, spans = off_person(tr.t, xy, tr.world)
    assert flags[i0:i1].mean() > 0.9
    assert flags.sum() - flags[i0:i1].sum() <= 2
    assert len(spans) == 1 and abs(spans[0].t0 - tr.t[i0]) < 0.1 and spans[0].why == "size"


def test_a_jump_to_a_same_size_figure_and_back_is_flagged():
    tr = _squat()
    i0, i1 = int(1.5 * tr.fps), int(2.5 * tr.fps)
    xy = _moved(tr.xy, i0, i1, shift=(200.0, 0.0))  # ≈ 0.8 m sideways in one frame
    flags, spans = off_person(tr.t, xy, tr.world)
    assert flags[i0:i1].all() and not flags[:i0].any() and not flags[i1:].any()
    assert spans[0].why == "jump"


def test_walking_toward_the_camera_is_not_off_person():
    tr = _squat()
    grow = np.linspace(0.5, 1.5, len(tr))[:, None, None]  # three times bigger by the end, smoothly
    hip = (tr.xy[:, L.L_HIP] + tr.xy[:, L.R_HIP])[:, None, :] / 2
    xy = ((tr.xy - hip) * grow + hip).astype(np.float32)
    flags, spans = off_person(tr.t, xy, tr.world)
    assert not flags.any() and spans == []


def test_off_person_frames_carry_no_finding_and_are_said():
    tr = perfect_track(ScenarioSpec("sq", "squat", "front", {"valgus_fppa": 16.0}, seed=1))
    bottoms = np.flatnonzero(np.diff(np.sign(np.diff(tr.xy[:, L.L_HIP, 1]))) < 0) + 1
    i = int(bottoms[len(bottoms) // 2])
    i0, i1 = i - int(0.6 * tr.fps), i + int(0.6 * tr.fps)
    bad = tr.replace(xy=_moved(tr.xy, i0, i1, scale=0.45, shift=(90.0, 0.0)))
    a = analyze_track(bad)
    assert a.clean.off_person[i0:i1].mean() > 0.9
    assert not np.isfinite(a.clean.xy[i0 + 3 : i1 - 3]).any()  # nothing measured on them
    (w,) = [w for w in a.warnings if w.code == "off_person"]
    assert "was not on you" in w.message and f"{tr.t[i0]:.1f} s" in w.message  # in the middle: not at a side
    assert a.findings, "the other reps still coach"
    for f in a.findings:
        assert not any(i0 <= fr < i1 for fr in f.frames)


def test_a_span_next_to_the_side_of_the_picture_is_said_as_leaving_it():
    from analyzer.clean.plausibility import OffSpan, at_picture_side

    tr = _squat()
    t, xy = tr.t, tr.xy.astype(float).copy()
    span = OffSpan(60, 80, float(t[60]), float(t[80]), "size")
    assert not at_picture_side(t, xy, span, None, tr.width, tr.height)  # the figure stands mid-frame
    xy[50:60, :, 0] -= np.nanmean(xy[50:60, [L.L_HIP, L.R_HIP], 0]) - 0.05 * tr.width  # hips at the left side
    assert at_picture_side(t, xy, span, None, tr.width, tr.height)
    # a pillar-boxed picture from 0.3 to 0.7 of the width: its side is where the picture ends
    xy[50:60, :, 0] += 0.27 * tr.width  # hips at 0.32, just inside the picture
    assert at_picture_side(t, xy, span, (0.3, 0.0, 0.7, 1.0), tr.width, tr.height)
    assert not at_picture_side(t, xy, span, None, tr.width, tr.height)


def test_the_tracker_check_flags_a_jump_and_restarts_at_most_once_per_cooldown():
    from analyzer.track.reacquire import COOLDOWN_S, TrackCheck

    tr = _squat()
    xy, world, t = tr.xy.astype(float), tr.world.astype(float), tr.t
    check = TrackCheck()
    centre = np.zeros(2)
    for i in range(20):
        assert not check.implausible(xy[i], t[i])
        check.accept(xy[i], world[i], t[i], centre, 100.0)
    hip = (xy[20, L.L_HIP] + xy[20, L.R_HIP]) / 2
    smaller = (xy[20] - hip) * 0.5 + hip
    assert not check.implausible(smaller, t[20])  # size alone is judged offline (plates shrink it)
    scale = float(np.median(check.scales))
    assert check.implausible(xy[20] + np.array([0.7 * scale, 0.0]), t[20])  # 0.7 m in one frame
    assert not check.implausible(xy[20] + np.array([0.1 * scale, 0.0]), t[20])
    assert not check.implausible(xy[20], t[20])
    assert check.may_restart(t[20])
    check.restarted(t[20])
    assert not check.may_restart(t[20] + COOLDOWN_S / 2) and check.may_restart(t[20] + COOLDOWN_S)
    assert not check.implausible(xy[20] + np.array([0.7 * scale, 0.0]), t[20])  # path learnt anew
