"""View, direction, near side, exercise and setup checks on synthetic tracks (no video)."""

import numpy as np
import pytest
from synthetic_tracks import hinge_kin, make_clean, running_kin, squat_kin

from analyzer.context.detect import detect_context
from analyzer.context.view import classify_ratio


@pytest.fixture(scope="module")
def squat5():
    return squat_kin(5)


@pytest.mark.parametrize(
    "view,direction", [("side", 1), ("side", -1), ("front", 1), ("back", 1), ("oblique", 1), ("oblique", -1)]
)
def test_view_detection(squat5, view, direction):
    ctx = detect_context(make_clean(squat5, view, direction))
    assert ctx.view == view
    assert ctx.view_confidence > 0.5
    if view in ("side", "oblique"):
        assert ctx.direction == direction
        assert ctx.near_side == ("right" if direction == 1 else "left")  # camera at the subject's right ⇒ faces +x
    else:
        assert ctx.facing_camera is (view == "front")
        assert ctx.direction == 0


def test_ratio_thresholds():
    assert list(classify_ratio(np.array([0.05, 0.3, 0.7, np.nan]))) == ["side", "oblique", "frontal", "unknown"]


@pytest.mark.parametrize(
    "kin,view,expected",
    [
        (squat_kin(3), "side", "squat"),
        (hinge_kin(3), "side", "rdl"),
        (running_kin(), "side", "running"),
        (squat_kin(3), "front", "squat"),
        (hinge_kin(3), "front", "hinge"),
        (running_kin(), "back", "running"),
    ],
)
def test_exercise_detection(kin, view, expected):
    assert detect_context(make_clean(kin, view, 1)).exercise == expected


def test_user_override_wins(squat5):
    ctx = detect_context(make_clean(squat5, "side", 1), exercise="deadlift", view="side")
    assert ctx.exercise == "deadlift" and ctx.exercise_source == "user" and ctx.view_source == "user"


def test_frontal_squat_asks_to_turn_sideways(squat5):
    ctx = detect_context(make_clean(squat5, "front", 1))
    codes = {i.code: i for i in ctx.setup_issues}
    assert "turn_sideways" in codes and "depth" in codes["turn_sideways"].message
    assert "knee tracking" in codes["turn_sideways"].message  # advice: what this view did check
    hinge = detect_context(make_clean(squat5, "front", 1), exercise="rdl", view="front")
    assert "hinge timing" in {i.code: i for i in hinge.setup_issues}["turn_sideways"].message
    side = detect_context(make_clean(squat5, "side", 1))
    assert not side.setup_issues


def test_setup_checks_small_subject_low_fps_and_cropped(squat5):
    ctx = detect_context(make_clean(squat5, "side", 1, body_frac=0.35))
    assert "subject_too_small" in [i.code for i in ctx.setup_issues]
    k = squat_kin(3, fps=20)
    assert "low_fps" in [i.code for i in detect_context(make_clean(k, "side", 1)).setup_issues]
    # feet below the bottom of the frame
    cropped = detect_context(make_clean(squat5, "side", 1, body_frac=1.0))
    assert "body_not_in_frame" in [i.code for i in cropped.setup_issues]
    run = detect_context(make_clean(running_kin(fps=30), "side", 1))
    assert any(i.code == "low_fps" and "60" in i.message for i in run.setup_issues)


def test_camera_not_level():
    from synthetic_tracks import make_track

    from analyzer.clean.track import clean_track

    tr = make_track(squat_kin(2), "front", 1)
    c = np.array([tr.width / 2, tr.height / 2])
    a = np.radians(10)
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    xy = ((tr.xy - c) @ R.T + c).astype(np.float32)
    ctx = detect_context(clean_track(tr.replace(xy=xy)))
    assert "camera_not_level" in [i.code for i in ctx.setup_issues]
    assert "camera_not_level" not in [i.code for i in detect_context(clean_track(tr)).setup_issues]


def test_wrong_view_is_refused_only_when_asked_for():
    from analyzer.context.setup import wrong_view_message

    assert wrong_view_message("hinge", "auto", "front", 0.9).startswith("A hinge check")
    assert "turn 90°" in wrong_view_message("rdl", "auto", "oblique", 0.9)
    assert wrong_view_message("auto", "side", "front", 0.9).startswith("You chose a side view")
    assert wrong_view_message("auto", "auto", "front", 0.9) is None  # auto: analyse what the view allows
    assert wrong_view_message("squat", "auto", "front", 0.9) is None  # squats from the front: knee tracking
    assert wrong_view_message("auto", "back", "front", 0.9) is None  # front/back mix-up is harmless
    assert wrong_view_message("hinge", "auto", "front", 0.3) is None  # unsure detection: warn, don't refuse
    assert wrong_view_message("hinge", "side", "side", 0.9) is None
