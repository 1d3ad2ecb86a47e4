"""The accuracy harness (benchmarks/accuracy.py) and the rule-id → truth-name map, at CI size.

Fast tests check the map covers every rule and the scoring arithmetic on hand-made results. The slow
ones run the harness's real path (render → pipeline → evaluate) on one small fresh scenario and its
evaluation on committed sample clips, with assertions on the measured errors.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tomllib

from analyzer.bench.vocabulary import (
    FAULT_RULES,
    POSITIVE_RULES,
    TRUTH_NAMES,
    UNMAPPED_RULES,
    base_rule_id,
    negated_name,
    truth_name,
)

ROOT = Path(__file__).resolve().parent.parent
from analyzer.bench import accuracy as A  # noqa: E402

SAMPLES = ROOT / "sample_videos"


# ------------------------------------------------------------------------------------------------ fast
def test_every_rule_is_mapped_or_declared_unmapped():
    rules = tomllib.loads((ROOT / "analyzer" / "rules" / "rules.toml").read_text())["rule"]
    ids = {r["id"] for r in rules}
    missing = ids - set(FAULT_RULES) - set(POSITIVE_RULES) - UNMAPPED_RULES
    assert not missing, f"rules with no truth mapping: {missing}"
    assert set(FAULT_RULES) <= ids and set(POSITIVE_RULES) <= ids  # no stale entries
    for r in rules:
        sev = set(r["condition"]) - {"comparator"}
        if r["id"] in POSITIVE_RULES:
            assert sev == {"positive"}, r["id"]
        if r["id"] in FAULT_RULES:
            assert "positive" not in sev, r["id"]


def test_truth_names_cover_what_the_renderer_expects():
    from analyzer.synth import scenario_matrix
    from analyzer.synth.expected import expected_findings
    from analyzer.synth.scenarios import build_motion  # noqa: F401  (import check)

    names = set()
    for ex, p, kind, s in [
        ("squat", {"valgus_fppa": 15, "lateral_shift": 0.3, "heel_lift": 14}, "front", {}),
        ("squat", {"heel_lift": 14}, "side", {"depth_angle_near_bottom_2d": 9, "trunk_shank_diff_bottom_2d": 30}),
        ("rdl", {"lumbar_lead_ms": 300, "lumbar_flex": 30}, "side", {}),
        ("running", {"cadence": 150, "step_width": -0.3}, "back", {"overstride_ic_3d": 0.4}),
        ("running", {"cadence": 150}, "side", {"overstride_ic_3d": 0.4}),
    ]:
        e = expected_findings(ex, p, kind, s)
        names |= set(e["must_report"]) | set(e["must_not_report"])
    assert names <= TRUTH_NAMES, names - TRUTH_NAMES
    assert len(scenario_matrix()) >= 40


def test_rule_id_suffixes_and_negation():
    assert base_rule_id("valgus_fppa:fppa_left") == "valgus_fppa"
    assert truth_name("valgus_fppa:fppa_right") == "knee_valgus"
    assert truth_name("setup:turn_sideways") is None
    assert truth_name("hinge_hips_led") is None and negated_name("hinge_hips_led") == "hinge_back_first"


def _res(name, kind, must, must_not, tp, fp, unmeas=(), det=1.0, err=None):
    fn = sorted(set(must) - set(tp))
    return {
        "name": name,
        "view_kind": kind,
        "detection_rate": det,
        "view_correct": True,
        "exercise_correct": True,
        "must_report": must,
        "must_not_report": must_not,
        "tp": tp,
        "fn": fn,
        "fp": fp,
        "unscored": [],
        "unmeasurable_findings": list(unmeas),
        "unmeasurable_for_true_view": [],
        "positive_contradictions": [],
        "errors": err or {},
        "findings": [],
    }


def test_aggregate_scores_precision_recall_and_errors():
    rs = [
        _res(
            "a",
            "side",
            ["heel_lift", "trunk_lean"],
            ["knee_valgus"],
            ["heel_lift"],
            [],
            err={"knee_flexion_frame_2d": [1.0, -3.0, 2.0]},
        ),
        _res(
            "b", "front", ["knee_valgus"], ["lateral_shift"], ["knee_valgus"], ["lateral_shift"], unmeas=["x"], det=0.9
        ),
        {"name": "c", "tags": [], "view_kind": None, "crash": "boom"},
    ]
    s = A.aggregate(rs)
    f = s["findings"]
    assert (f["tp"], f["fp"], f["fn"]) == (2, 1, 1)
    assert f["precision"] == pytest.approx(2 / 3, abs=1e-3) and f["recall"] == pytest.approx(2 / 3, abs=1e-3)
    assert f["unmeasurable_findings"] == 1
    assert f["per_name"]["knee_valgus"]["tn"] == 1 and f["per_name"]["lateral_shift"]["fp"] == 1
    k = s["metrics"]["knee_flexion_frame_2d"]
    assert k["n"] == 3 and k["mae"] == pytest.approx(2.0) and k["bias"] == pytest.approx(0.0)
    assert s["detection"]["front"]["n_ge_95"] == 0 and s["detection"]["side"]["n_ge_95"] == 1
    assert s["n_crashed"] == 1
    md = A.render_markdown(
        s,
        rs,
        {
            "date": "d",
            "command": "python benchmarks/accuracy.py --quick",
            "model": "m.task",
            "quick": True,
            "host": "h",
            "wall_s": 60,
            "jobs": 1,
        },
    )
    assert "python benchmarks/accuracy.py --quick" in md and "| knee_valgus | 1 | 0 | 0 | 1 |" in md
    assert "crashed" in md


# ------------------------------------------------------------------------------------------------ slow
@pytest.mark.slow
def test_harness_end_to_end_on_a_small_scenario(tmp_path, model_path):
    from analyzer.synth import ScenarioSpec

    # The ≤ 6° side-view knee/hip claim is tested on a controlled clip in test_synth.py and reported per
    # scenario in docs/ACCURACY.md. This scenario (seed 31) is kept because it shows MediaPipe's known
    # deep-flexion under-read: at the bottom (true knee 123°) it reads ~70°, giving a knee MAE of 10–12°.
    # Here we check the harness end to end and bound gross failures (a swapped or wrong leg gives > 30°).
    spec = ScenarioSpec(
        "t_squat_side", "squat", "side_left", dict(n_reps=2, stand_s=1.3, rest_s=0.3), seed=31, width=480, height=640
    )
    r = A.run_scenario(spec, str(tmp_path), str(model_path.parent))
    assert "crash" not in r and r["error"] is None, r
    assert r["detection_rate"] >= 0.95 and r["view_correct"] and r["near_side_correct"]
    st = {k: A.stats(v) for k, v in r["errors"].items()}
    assert st["knee_flexion_frame_2d"]["n"] >= 150
    assert st["knee_flexion_frame_2d"]["mae"] <= 15.0, st
    assert st["hip_flexion_frame_2d"]["mae"] <= 8.0, st
    assert st["rep_count"]["mae"] == 0
    assert r["unmeasurable_findings"] == []
    # the deep-bottom misread also misreads the shank, so "trunk far more inclined than the shin" may fire
    # here (a false positive the full matrix counts in docs/ACCURACY.md); every fp must be a known finding name
    assert set(r["fp"]) <= {"trunk_lean"}, r["fp"]
    again = A.run_scenario(spec, str(tmp_path), str(model_path.parent))
    assert again["cached"] and again["errors"] == r["errors"]
    assert len(list((tmp_path / "renders").glob("*.mp4"))) == 1


@pytest.fixture(scope="module")
def sample_eval(model_path):
    from analyzer.pipeline import AnalyzeOptions, analyze
    from analyzer.synth import GroundTruth

    done = {}

    def get(name):
        p = SAMPLES / f"{name}.mp4"
        if not p.is_file():
            pytest.skip(f"{p.name} missing")
        if name not in done:
            a = analyze(p, AnalyzeOptions(out_dir=None, write_video=False))
            done[name] = A.evaluate(a, GroundTruth.load(p.with_suffix(".json")))
        return done[name]

    return get


@pytest.mark.slow
@pytest.mark.parametrize("clip", ["squat_good_side", "rdl_good_side"])
def test_side_view_angle_errors_on_samples(sample_eval, clip):
    r = sample_eval(clip)
    st = {k: A.stats(v) for k, v in r["errors"].items()}
    assert st["knee_flexion_frame_2d"]["mae"] <= 6.0 and st["hip_flexion_frame_2d"]["mae"] <= 6.0, st
    assert st["trunk_angle_frame_2d"]["mae"] <= 6.0, st
    assert r["unmeasurable_findings"] == []


@pytest.mark.slow
def test_hinge_lag_sign_on_lumbar_first_sample(sample_eval):
    r = sample_eval("hinge_lumbar_first_side")
    lag = np.asarray(r["errors"]["hinge_lag_ms"])  # measured − true (true = −300 ms)
    assert lag.size == 3
    assert np.all(lag - 300.0 < -100.0)  # every measured lag is back-first by more than the 100 ms margin
    assert "hinge_back_first" in r["tp"]


@pytest.mark.slow
def test_running_metrics_on_samples(sample_eval):
    side = sample_eval("run_overstride_side")
    assert abs(side["errors"]["cadence_spm_side"][0]) <= 3.0, side["errors"]
    assert "overstride" in side["tp"] and not side["fp"]
    back = sample_eval("run_pelvic_drop_back")
    assert back["detected_view"] == "back"
    e = np.asarray(back["errors"]["pelvic_drop_step_2d"])
    assert e.size >= 7 and np.mean(np.abs(e)) <= 3.0, e
    assert "pelvic_drop" in back["tp"] and back["unmeasurable_findings"] == []


def test_hinge_and_pelvis_section_scores_rounding_by_rank_and_back_first_on_hip_first_designs():
    from analyzer.bench.hinge_pelvis import auc, hinge_pelvis, hinge_pelvis_markdown

    assert auc([20.0, 30.0], [1.0, 2.0]) == 1.0 and auc([1.0], [20.0]) == 0.0 and auc([5.0], [5.0]) == 0.5
    assert auc([], [1.0]) is None
    side = dict(view_kind="side", tags=["rdl", "side", "x", "clean"], findings=[])
    rs = [
        dict(
            side,
            name="hip",
            exercise="rdl",
            knobs={"lumbar_lead_ms": -150.0, "lumbar_flex": 4.0},
            rounding_pairs=[[3.0, 4.0], [6.0, 4.0]],
            fp=["hinge_back_first"],
            findings=[{"rule_id": "hinge_back_first"}],
        ),
        dict(
            side,
            name="back",
            exercise="rdl",
            knobs={"lumbar_lead_ms": 300.0, "lumbar_flex": 30.0},
            rounding_pairs=[[25.0, 30.0], [5.0, 30.0]],
            fp=[],
            errors={"pelvic_tilt_delta": [2.0, -4.0]},
        ),
    ]
    h = hinge_pelvis(rs, {"hinge_back_first": {"recall": 1.0, "precision": 0.5}})
    assert h["rounding"]["reps"] == 4 and h["rounding"]["auc"] == pytest.approx(0.75)
    assert h["hip_first_scenarios"] == 1 and h["hip_first_read_back_first"] == ["hip"]
    assert h["recall"]["hinge_back_first"] == 1.0 and h["recall"]["lumbar_rounding"] is None
    assert h["pelvic_tilt_by_exercise"] == {"rdl": {"n": 2, "mae": 3.0, "bias": -1.0}}
    md = "\n".join(hinge_pelvis_markdown(h))
    assert (
        "## Hinge and pelvis" in md and "AUC 0.75" in md and "1 of 1 (hip)" in md and "| rdl | 2 | 3.0 | -1.0 |" in md
    )
