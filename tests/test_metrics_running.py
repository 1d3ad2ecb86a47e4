"""Running metrics on a synthetic 170 spm treadmill run."""

import pytest
from synthetic_tracks import make_clean, running_kin

from analyzer.context.detect import detect_context
from analyzer.metrics import compute_metrics


@pytest.fixture(scope="module")
def run170():
    return running_kin(170.0)


def test_side_cadence_and_ic_metrics(run170):
    c = make_clean(run170, "side", 1)
    m = compute_metrics(c, detect_context(c))
    assert m.get("cadence_spm").value == pytest.approx(170.0, abs=2.0)
    for i in ("overstride", "tibia_angle_ic", "knee_flexion_ic", "trunk_lean"):
        assert m.get(i).status == "ok"
    assert m.get("trunk_lean").value == pytest.approx(8.0, abs=2.0)
    assert m.get("pelvic_drop_deg").status == "not_measurable"
    assert m.per_rep_rows and m.per_rep_rows[0]["stride_event"] == "ic"


@pytest.mark.parametrize("view", ["back", "front"])
def test_frontal_cadence_fallback(run170, view):
    c = make_clean(run170, view, 1)
    m = compute_metrics(c, detect_context(c))
    assert m.get("cadence_spm").value == pytest.approx(170.0, abs=3.0)
    assert m.get("overstride").status == "not_measurable"
    assert abs(m.get("pelvic_drop_deg").value) < 2.0  # synthetic pelvis stays level
    assert m.get("step_width").value > 0  # feet land outside the midline, no crossover
