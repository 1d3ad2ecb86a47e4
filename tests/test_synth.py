"""Synthetic renderer: truth consistency (fast, no model) and MediaPipe agreement (needs the pose model)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analyzer.synth import (
    GroundTruth,
    ScenarioSpec,
    build_motion,
    render_frames,
    render_scenario,
    scenario_matrix,
)
from analyzer.synth.body import fppa_3d, two_bone
from analyzer.synth.camera import make_camera

SHORT_LIFT = dict(n_reps=1, stand_s=0.6, rest_s=0.2)
SHORT_RUN = dict(stand_s=0.5, ramp_s=0.4, run_s=1.6)


# ---------------------------------------------------------------------------
# geometry and truth (no pose model)
# ---------------------------------------------------------------------------
def test_two_bone_keeps_lengths_and_pole_side():
    root, target = np.array([[0.0, 0, 1.0]]), np.array([[0.0, 0, 0.2]])
    k = two_bone(root, target, 0.45, 0.45, np.array([[1.0, 0, 0]]))
    assert np.allclose(np.linalg.norm(k - root, axis=-1), 0.45)
    assert np.allclose(np.linalg.norm(k - target, axis=-1), 0.45)
    assert k[0, 0] > 0.1  # bends toward the pole


def test_fppa_3d_sign_is_medial_positive():
    h, a = np.array([0.0, 0.1, 0.9]), np.array([0.0, 0.1, 0.1])
    k_med, k_lat = np.array([0.0, 0.05, 0.5]), np.array([0.0, 0.15, 0.5])
    assert fppa_3d(h, k_med, a, +1) > 5  # left leg, knee toward −y = medial
    assert fppa_3d(h, k_lat, a, +1) < -5
    assert fppa_3d(h * [1, -1, 1], k_med * [1, -1, 1], a * [1, -1, 1], -1) > 5  # mirrored right leg


def test_camera_views_face_the_right_way():
    assert make_camera("side_left").facing_direction() == -1
    assert make_camera("side_right").facing_direction() == 1
    assert make_camera("front").facing_direction() == 0
    cam = make_camera("front")
    # the subject's left hip appears on the image's right from the front, on its left from behind
    assert cam.project(np.array([0, 0.1, 0.9]))[0] > cam.project(np.array([0, -0.1, 0.9]))[0]
    back = make_camera("back")
    assert back.project(np.array([0, 0.1, 0.9]))[0] < back.project(np.array([0, -0.1, 0.9]))[0]


def test_rendering_is_deterministic_and_seed_dependent():
    spec = ScenarioSpec("d", "squat", "side_left", SHORT_LIFT, seed=3, width=160, height=208)
    a, _ = render_frames(spec, [5, 20])
    b, _ = render_frames(spec, [5, 20])
    c, _ = render_frames(ScenarioSpec("d", "squat", "side_left", SHORT_LIFT, seed=4, width=160, height=208), [5, 20])
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])
    assert a[0].shape == (208, 160, 3) and a[0].dtype == np.uint8


def test_figure_is_drawn_where_the_truth_says(tmp_path):
    imgs, tr = render_frames(
        ScenarioSpec("p", "squat", "side_left", SHORT_LIFT, seed=1, scene=dict(clutter=0, texture=0)), [0]
    )
    img = imgs[0].astype(float)
    bg = np.median(img[:40, :40].reshape(-1, 3), axis=0)
    for name in ("left_hip", "left_knee", "left_shoulder", "nose"):
        x, y = np.round(tr.landmarks[name][0]).astype(int)
        assert np.abs(img[y, x] - bg).sum() > 30, name  # a body part, not the wall, at the joint


def test_hinge_truth_lumbar_first_vs_hip_first(tmp_path):
    out = {}
    for name, knobs in (
        ("lumbar", dict(lumbar_lead_ms=300.0, lumbar_flex=30.0)),
        ("hip", dict(lumbar_lead_ms=-150.0, lumbar_flex=4.0)),
    ):
        spec = ScenarioSpec(name, "hinge", "side_left", knobs | SHORT_LIFT, seed=5, width=96, height=128)
        render_scenario(spec, tmp_path / f"{name}.mp4")
        raw = json.loads((tmp_path / f"{name}.json").read_text())
        out[name] = (raw, GroundTruth.load(tmp_path / f"{name}.json"))
    lum, hip = out["lumbar"][0], out["hip"][0]
    assert lum["events"]["lumbar_first"] is True and hip["events"]["lumbar_first"] is False
    rl, rh = lum["events"]["reps"][0], hip["events"]["reps"][0]
    assert rl["lumbar_onset"] < rl["hip_onset"] and rh["hip_onset"] < rh["lumbar_onset"]
    assert rl["hinge_lag_ms"] == pytest.approx(-300, abs=1) and rh["hinge_lag_ms"] == pytest.approx(150, abs=1)
    # the angles themselves (not only the design times) move in that order
    assert rl["lumbar_onset_2deg"] < rl["hip_onset_2deg"]
    assert rh["lumbar_onset_2deg"] is None or rh["hip_onset_2deg"] < rh["lumbar_onset_2deg"]
    assert "hinge_back_first" in lum["expected_findings"]["must_report"]
    assert "hinge_back_first" in hip["expected_findings"]["must_not_report"]
    g = out["lumbar"][1]
    assert g.angles_3d["lumbar_flexion"].max() == pytest.approx(30, abs=0.5)
    assert len(g.t) == len(g.landmarks["left_knee"]) == g.meta["n_frames"]


def test_pelvic_tilt_and_lumbar_flexion_are_separate():
    apt = build_motion(ScenarioSpec("a", "rdl", "side_left", dict(apt_offset=10.0) | SHORT_LIFT))
    base = build_motion(ScenarioSpec("b", "rdl", "side_left", SHORT_LIFT))
    from analyzer.synth.truth_angles import angles_3d

    A = angles_3d(apt.skeleton, apt.series["lumbar_flexion_design"])
    B = angles_3d(base.skeleton, base.series["lumbar_flexion_design"])
    assert A["pelvic_tilt"][0] - B["pelvic_tilt"][0] == pytest.approx(10, abs=0.6)
    assert B["pelvic_tilt"][0] == pytest.approx(12, abs=2.5)  # morphological neutral (knees soft)
    assert A["lumbar_flexion"][0] == pytest.approx(-10, abs=0.1)  # compensating lordosis
    assert abs(A["trunk_angle"][0] - B["trunk_angle"][0]) < 4  # trunk stays upright
    # the back contour follows the lumbar curve: the lumbar chain bends with lumbar flexion
    rnd = build_motion(
        ScenarioSpec("r", "hinge", "side_left", dict(lumbar_flex=30.0, lumbar_lead_ms=300.0) | SHORT_LIFT)
    )
    sp = rnd.skeleton.spine
    i = int(np.argmax(rnd.series["lumbar_flexion_design"]))
    v0, v1 = sp[i, 1] - sp[i, 0], sp[i, 5] - sp[i, 4]
    bend = np.degrees(np.arctan2(v1[0], v1[2]) - np.arctan2(v0[0], v0[2]))
    assert bend == pytest.approx(-24 + 30, abs=1.0)


def test_squat_valgus_knob_and_good_squat():
    from analyzer.synth.truth_angles import angles_3d

    add = {}
    for knob, lo, hi in ((15.0, 14.0, 16.0), (None, -25.0, 3.0)):
        mo = build_motion(ScenarioSpec("v", "squat", "front", dict(valgus_fppa=knob) | SHORT_LIFT))
        a = angles_3d(mo.skeleton, mo.series["lumbar_flexion_design"])
        i0 = int(mo.events["reps"][0]["start"] * 30)
        i = i0 + int(np.flatnonzero(a["knee_flexion_left"][i0:] >= 60)[0])
        assert lo <= a["fppa_left"][i] <= hi and lo <= a["fppa_right"][i] <= hi
        add[knob] = a["hip_adduction_left"][i]
    assert add[15.0] - add[None] > 3  # the knee-in comes from more hip adduction (+ internal rotation)


def test_running_knobs_in_truth(tmp_path):
    spec = ScenarioSpec(
        "r",
        "running",
        "back",
        dict(overstride=0.38, knee_ic=6.0, pelvic_drop=9.0, step_width=-0.25) | SHORT_RUN,
        seed=2,
        width=96,
        height=128,
    )
    tr = render_scenario(spec, tmp_path / "r.mp4")
    s = tr.summary
    assert s["overstride_ic_3d"] == pytest.approx(0.38, abs=0.03)
    assert s["pelvic_drop_midstance_3d"] == pytest.approx(9.0, abs=1.0)
    assert s["step_width_ic_3d"] == pytest.approx(-0.25, abs=0.06)
    ics = tr.events["initial_contacts"]
    assert len(ics["left"]) >= 2 and len(ics["right"]) >= 2
    assert set(tr.expected["must_report"]) >= {"pelvic_drop", "crossover"}
    assert "overstride" in tr.expected["must_not_report"]  # not measurable from behind
    assert tr.fps == 60


def test_scenario_matrix_is_large_and_varied():
    m = scenario_matrix()
    assert len(m) >= 40
    assert len({s.name for s in m}) == len(m)
    assert {s.exercise for s in m} >= {"squat", "back_squat", "deadlift", "rdl", "hinge", "running"}
    assert {s.tags[1] for s in m} >= {"side", "front", "back", "oblique"}


# ---------------------------------------------------------------------------
# MediaPipe on rendered clips (needs the pose model)
# ---------------------------------------------------------------------------
def _pose(model_path, mp4):
    from analyzer.synth.validate import run_pose

    return run_pose(mp4, model_path)


@pytest.fixture(scope="module")
def squat_clips(tmp_path_factory, model_path):
    d = tmp_path_factory.mktemp("synth")
    out = {}
    for view in ("side_left", "front", "back"):
        knobs = dict(SHORT_LIFT) | (dict(valgus_fppa=15.0) if view == "front" else {})
        spec = ScenarioSpec(f"sq_{view}", "squat", view, knobs, seed=21)
        tr = render_scenario(spec, d / f"{spec.name}.mp4")
        out[view] = (tr, _pose(model_path, d / f"{spec.name}.mp4"))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("view", ["side_left", "front", "back"])
def test_figure_detected_in_every_view(squat_clips, view):
    tr, track = squat_clips[view]
    assert len(track) == len(tr.t)
    assert track.detection_rate >= 0.95


@pytest.mark.slow
def test_running_from_behind_detected(tmp_path, model_path):
    spec = ScenarioSpec("rb", "running", "back", dict(pelvic_drop=9.0) | SHORT_RUN, seed=22)
    render_scenario(spec, tmp_path / "rb.mp4")
    track = _pose(model_path, tmp_path / "rb.mp4")
    assert track.detection_rate >= 0.95


def _side_mae(tr, track):
    from analyzer.clean.track import clean_track
    from analyzer.kinematics import frame_kinematics

    clean = clean_track(track)
    k = frame_kinematics(clean, tr.meta["direction"], tr.meta["near_side"])
    near = tr.meta["near_side"]
    out = {}
    for a in ("knee_flexion", "hip_flexion"):
        e = k[f"{a}_near"] - tr.angles_2d[f"{a}_{near}"][: len(clean.t)]
        out[a] = float(np.nanmean(np.abs(e)))
    return out


@pytest.mark.slow
def test_side_view_knee_and_hip_flexion_match_truth(squat_clips, tmp_path, model_path):
    tr, track = squat_clips["side_left"]
    mae = _side_mae(tr, track)
    assert mae["knee_flexion"] <= 6.0 and mae["hip_flexion"] <= 6.0, mae
    spec = ScenarioSpec("rdl", "rdl", "side_right", SHORT_LIFT, seed=23)
    tr2 = render_scenario(spec, tmp_path / "rdl.mp4")
    mae2 = _side_mae(tr2, _pose(model_path, tmp_path / "rdl.mp4"))
    assert mae2["knee_flexion"] <= 6.0 and mae2["hip_flexion"] <= 6.0, mae2


@pytest.mark.slow
def test_front_view_valgus_fppa_within_5deg(squat_clips):
    from analyzer.synth.validate import angle_report

    tr, track = squat_clips["front"]
    assert tr.summary["fppa_left_valgus_ref_3d"] == pytest.approx(15, abs=1.0)
    rep = angle_report(track.xy, tr)
    for side in ("left", "right"):
        assert rep[f"fppa_{side}_valgus_ref_true_2d"] == pytest.approx(15, abs=3.0)
        assert abs(rep[f"fppa_{side}_valgus_ref_error"]) <= 5.0, rep
