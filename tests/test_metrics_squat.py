"""Squat/deadlift sagittal metrics (spec §D) and view validity on synthetic squats."""

import pytest
from synthetic_tracks import make_clean, squat_kin

from analyzer.context.detect import detect_context
from analyzer.metrics import compute_metrics
from analyzer.metrics.squat_sagittal import SAGITTAL_IDS


@pytest.fixture(scope="module")
def squat():
    return squat_kin(5)


def test_side_squat_numbers(squat):
    c = make_clean(squat, "side", 1)
    m = compute_metrics(c, detect_context(c))
    assert m.get("rep_count").value == 5
    assert m.get("knee_flexion_peak").value == pytest.approx(110.0, abs=3)  # shank 35 + thigh 75
    assert m.get("shank_angle_bottom").value == pytest.approx(35.0, abs=3)
    assert m.get("trunk_shank_diff_bottom").value == pytest.approx(5.0, abs=3)
    assert m.get("depth_angle").value > 0  # thigh 75° from vertical: above parallel
    assert abs(m.get("heel_lift").value) < 0.03
    assert len(m.per_rep_rows) == 5 and "knee_flexion_peak" in m.per_rep_rows[0]
    assert {"knee_flexion_near", "hip_height", "trunk_angle"} <= set(m.series)


def test_front_squat_sagittal_not_measurable(squat):
    c = make_clean(squat, "front", 1)
    m = compute_metrics(c, detect_context(c))
    for i in SAGITTAL_IDS:
        assert m.get(i).status == "not_measurable"
    assert m.get("lateral_shift").status == "ok" and abs(m.get("lateral_shift").value) < 0.05
    assert m.get("rep_count").value == 5
