"""Real-world footage patterns in the synthetic renderer: a floor-start deadlift, touch-and-go pulls, a failed squat,
a walk-in, a bystander, a panning camera and slowed footage.

Fast tests check the new renderer pieces and their ground truth; the model tests render short clips (≤ 5 s,
480×640), run the real pipeline on them and check what the report says (reps, warnings, setup notes).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analyzer.synth import ScenarioSpec, render_frames, render_scenario, scenario_matrix
from analyzer.synth.spec import build_motion

HIP_FIRST = dict(lumbar_lead_ms=-150.0, lumbar_flex=4.0)
FLOOR = dict(HIP_FIRST, floor_start=True, n_reps=2, descent_s=0.8, ascent_s=0.8, rest_s=0.6)
FLOOR_TEST = dict(FLOOR, rest_s=0.3)  # ends 0.8 s after the last lockout: no standing second anywhere
QUICK_SQUAT = dict(n_reps=2, stand_s=1.0, descent_s=0.75, pause_s=0.1, ascent_s=0.7, rest_s=0.25)
TEXTURED = dict(clutter=8, texture=1.5)


def _conds(tr) -> tuple[set[str], set[str]]:
    from analyzer.bench.vocabulary import CONDITION_NAMES

    e = tr.expected
    return set(e["must_report"]) & CONDITION_NAMES, set(e["must_not_report"]) & CONDITION_NAMES


# ------------------------------------------------------------------------------------------------ renderer
def test_floor_start_deadlift_opens_at_the_bottom_and_expects_no_standing_start():
    spec = ScenarioSpec("fs", "deadlift", "side_left", FLOOR, seed=3)
    m = build_motion(spec)
    u = m.series["progress"]
    assert u[0] == pytest.approx(1.0) and u[-1] == pytest.approx(0.0, abs=1e-6)  # bottom first, lockout last
    _, tr = render_frames(spec, frames=[0])
    reps = tr.events["reps"]
    assert len(reps) == 2 and reps[0]["from_bottom"] and reps[0]["hinge_lag_ms"] is None
    assert reps[1]["hinge_lag_ms"] == pytest.approx(150.0)  # hips lead by 150 ms (+ = hips first)
    assert tr.expected["reps"] == 2
    must, must_not = _conds(tr)
    assert must == {"no_standing_start"} and {"multi_person", "camera_moving"} <= must_not
    # the standing baseline the truth measures against is the lockout, not the bottom of the first second
    s0, s1 = tr.events["standing"]
    assert u[int(s0 * 30) + 2] < 0.01 and s1 > s0


def test_touch_and_go_reps_go_bottom_to_bottom():
    spec = ScenarioSpec("tng", "deadlift", "side_right", dict(HIP_FIRST, rest_s=0.0, pause_s=0.0), seed=4)
    m = build_motion(spec)
    reps = m.events["reps"]
    assert len(reps) == 3
    assert all(b["start"] == pytest.approx(a["end"]) for a, b in zip(reps, reps[1:]))
    u, t = m.series["progress"], m.t
    between = (t > reps[0]["bottom"]) & (t < reps[1]["bottom"])
    assert np.sum(u[between] < 0.02) <= 6  # the top is touched (eased), not held (a 0.25 s rest adds 8 frames)


def test_failed_rep_is_not_a_rep_and_never_rises_a_third():
    for assist in (2.5, None):
        spec = ScenarioSpec("fail", "squat", "side_left", dict(n_reps=2, fail_last=True, fail_assist_s=assist), seed=5)
        m = build_motion(spec)
        (f,) = m.events["failed_reps"]
        u, t = m.series["progress"], m.t
        stalled = (t >= f["bottom"]) & (t <= f["stuck_end"] + 1.5)
        assert u[stalled].min() > 2 / 3  # rose less than a third of the way
        assert (u[-1] < 0.01) == (assist is not None)  # helped up, or still at the bottom when the clip ends
        _, tr = render_frames(spec, frames=[0])
        assert tr.expected["reps"] == 2 == tr.summary["n_reps"] and tr.summary["n_failed_reps"] == 1


def test_walk_in_starts_outside_the_picture_and_stops_where_the_lift_starts():
    plain = ScenarioSpec("sq", "squat", "side_left", {}, seed=6)
    walk = dataclasses.replace(plain, knobs=dict(walk_in_s=2.4))
    m0, m1 = build_motion(plain), build_motion(walk)
    n_w = len(m1.t) - len(m0.t)
    assert n_w == 72
    x = m1.skeleton["pelvis"][:, 0]
    assert x[0] < -2.0 and np.all(np.diff(x[:n_w]) >= -1e-9)  # walks forward only
    assert np.allclose(m1.skeleton["pelvis"][n_w:], m0.skeleton["pelvis"])  # then the same lift
    assert [r["start"] for r in m1.events["reps"]] == pytest.approx([r["start"] + 2.4 for r in m0.events["reps"]])
    _, tr = render_frames(walk, frames=[0])
    hip = tr.landmarks["left_hip"]
    assert not (0 <= hip[0, 0] < walk.width) and 0 <= hip[n_w, 0] < walk.width
    assert tr.expected["reps"] == 3 and tr.events["walk_in"] == [0.0, 2.4]


def test_bystander_is_drawn_only_while_crossing_the_picture():
    plain = ScenarioSpec("by", "squat", "front", QUICK_SQUAT, seed=7)
    by = dataclasses.replace(plain, bystander=dict(enter_s=0.5, start_m=2.4))
    _, tr = render_frames(by, frames=[0])
    lm = tr.extra["bystander_landmarks"]
    xs = np.stack([v[:, 0] for v in lm.values()], 1)
    inside = ((xs >= 0) & (xs < by.width)).sum(1) >= 8
    idx = np.flatnonzero(inside)
    assert idx.size > 30 and not inside[0] and not inside[-1]  # enters and leaves
    assert np.all(np.diff(idx) == 1)  # one crossing
    assert tr.events["bystander"]["frames_in_view"] == idx.size
    # the subject's truth is the clip without the bystander
    _, tr0 = render_frames(plain, frames=[0])
    assert np.allclose(tr.landmarks["left_knee"], tr0.landmarks["left_knee"])
    mid, before = int(idx[idx.size // 2 + 10]), 0
    with_by, _ = render_frames(by, frames=[before, mid])
    without, _ = render_frames(plain, frames=[before, mid])
    assert np.array_equal(with_by[0], without[0])  # nobody else yet
    assert np.abs(with_by[1].astype(int) - without[1].astype(int)).max() > 60  # somebody else now
    assert "multi_person" in _conds(tr)[0] and "multi_person" in _conds(tr0)[1]


def test_panning_camera_moves_the_room_and_the_truth_with_it():
    still = ScenarioSpec("pan", "squat", "side_left", QUICK_SQUAT, seed=8, scene=TEXTURED)
    pan = dataclasses.replace(still, camera_path=dict(yaw_deg=4.0, shift_m=-0.15, period_s=4.0))
    k = 30  # 1 s: a quarter period into the pan, at its widest
    (p0, pk), tr = render_frames(pan, frames=[0, k])
    (s0, sk), tr0 = render_frames(still, frames=[0, k])
    assert np.array_equal(p0, s0)  # still before the pan starts
    top = slice(0, 120)  # the wall above the subject's head
    assert np.abs(pk[top].astype(int) - sk[top].astype(int)).mean() > 5
    d = tr.landmarks["left_ankle"][k, 0] - tr0.landmarks["left_ankle"][k, 0]
    assert 40 < abs(d) < 160  # the planted foot moves in the picture only because the camera does
    assert "camera_moving" in _conds(tr)[0] and "camera_moving" in _conds(tr0)[1]


def test_slowed_running_doubles_clip_time_and_halves_clip_cadence():
    real = ScenarioSpec("run", "running", "side_left", dict(run_s=2.0), seed=9)
    slow = dataclasses.replace(real, knobs=dict(run_s=2.0, time_scale=0.5))
    m0, m1 = build_motion(real), build_motion(slow)
    assert len(m1.t) == pytest.approx(2 * len(m0.t), abs=2)
    ic0, ic1 = m0.events["initial_contacts"]["left"], m1.events["initial_contacts"]["left"]
    assert np.diff(ic1).mean() == pytest.approx(2 * np.diff(ic0).mean(), rel=1e-6)
    _, tr = render_frames(slow, frames=[0])
    assert tr.summary["cadence_spm"] == 170 and tr.summary["clip_cadence_spm"] == 85
    assert "slow_motion" in _conds(tr)[0] and "low_cadence" in tr.expected["must_not_report"]


def test_matrix_appends_the_real_world_scenarios_and_keeps_the_old_ones():
    m = scenario_matrix()
    assert len(m) == 65
    assert m[48].name == "single_leg_rdl_back_drop_high_cam" and m[48].seed == 1048
    new = {s.name: s for s in m[49:57]}
    assert {s.tags[2] for s in new.values()} == {
        "floor_start",
        "touch_and_go",
        "failed_rep",
        "failed_rep_end",
        "walk_in",
        "bystander",
        "panning",
        "slowed",
    }
    old = m[0].as_dict()
    assert "bystander" not in old and "camera_path" not in old  # older specs keep their dict (and truth)
    assert "floor_start" not in build_motion(m[0]).params
    # then the hinge-and-pelvis designs: lumbar flexion 0–30°, leads 0–300 ms, 20° of extra pelvic tilt, a tuck
    hp = [(s.knobs.get("lumbar_flex"), s.knobs.get("lumbar_lead_ms"), s.knobs.get("apt_offset")) for s in m[57:]]
    assert {lf for lf, _, _ in hp} >= {0.0, 10.0, 20.0, 30.0} and {ld for _, ld, _ in hp} >= {0.0, 150.0, 300.0}
    assert (4.0, -150.0, 20.0) in hp and m[-1].tags[2] == "pelvis_tuck"


# ------------------------------------------------------------------------------------------------ pipeline
def _analyze(spec: ScenarioSpec, tmp_path):
    from analyzer.pipeline import AnalyzeOptions, analyze

    mp4 = tmp_path / f"{spec.name}.mp4"
    tr = render_scenario(spec, mp4)
    assert tr.t[-1] <= 5.0
    return tr, analyze(mp4, AnalyzeOptions(use_cache=False, write_video=False))


def _said(a) -> tuple[int, set[str], set[str]]:
    rep = a.report.to_dict()
    warns = {w.code for w in a.warnings} | {w.get("code") for w in rep.get("run", {}).get("warnings", [])}
    setup = {s.code for s in a.context.setup_issues}
    return int(a.report.summary()["n_completed_reps"]), warns, setup


@pytest.fixture(scope="module")
def floor_start(tmp_path_factory, model_path):
    """A 4.3 s floor-start deadlift (bottom 0.5 s, a pull, 0.3 s at lockout, one more rep, 0.8 s at lockout)."""
    spec = ScenarioSpec("floor", "deadlift", "side_left", FLOOR_TEST, seed=21)
    return _analyze(spec, tmp_path_factory.mktemp("floor"))


@pytest.mark.slow
def test_pipeline_floor_start_deadlift_says_no_standing_start(floor_start):
    tr, a = floor_start
    _, warns, setup = _said(a)
    assert "no_standing_start" in _conds(tr)[0]
    assert "no_baseline" in setup
    assert "several_people" not in warns and "camera_moving" not in warns


@pytest.mark.slow
def test_pipeline_floor_start_deadlift_named_counts_both_pulls(floor_start):
    from analyzer.pipeline import AnalyzeOptions, analyze_track

    tr, a = floor_start
    b = analyze_track(a.track, AnalyzeOptions(exercise="deadlift", use_cache=False, write_video=False))
    reps, _, setup = _said(b)
    assert reps == tr.expected["reps"] == 2
    assert b.context.reps[0].from_bottom and "no_baseline" in setup


@pytest.mark.slow
@pytest.mark.xfail(
    reason="analyzer failure: a short floor-start deadlift is read as an RDL, so the opening pull "
    "from the floor is not counted (1 rep of 2); see benchmarks/accuracy_notes.md",
    strict=False,
)
def test_pipeline_floor_start_deadlift_auto_detected_counts_both_pulls(floor_start):
    tr, a = floor_start
    reps, _, _ = _said(a)
    assert a.context.exercise == "deadlift"
    assert reps == tr.expected["reps"] == 2


@pytest.mark.slow
def test_pipeline_bystander_is_reported_and_the_subject_still_counted(tmp_path, model_path):
    spec = ScenarioSpec("bystander", "squat", "front", QUICK_SQUAT, seed=22, bystander=dict(enter_s=0.0, start_m=2.4))
    tr, a = _analyze(spec, tmp_path)
    reps, warns, _ = _said(a)
    assert tr.events["bystander"]["frames_in_view"] > 60
    assert "several_people" in warns
    assert reps == 2


@pytest.mark.slow
def test_pipeline_panning_camera_is_reported(tmp_path, model_path):
    path = dict(yaw_deg=4.0, shift_m=-0.15, period_s=4.0)
    spec = ScenarioSpec("panning", "squat", "side_left", QUICK_SQUAT, seed=23, scene=TEXTURED, camera_path=path)
    _, a = _analyze(spec, tmp_path)
    reps, warns, _ = _said(a)
    assert "camera_moving" in warns
    assert (a.track.meta.get("camera_motion") or {}).get("motion", 0.0) > 0.15
    assert reps == 2
