"""Rules engine, rules/cue files, and the symptom check — on hand-built MetricSets and Contexts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analyzer.errors import RulesFileError
from analyzer.metrics.registry import METRICS as KNOWN_METRICS
from analyzer.report.text import evidence_line
from analyzer.rules import (
    CATEGORIES,
    DEFAULT_CUES,
    DEFAULT_RULES,
    QUESTIONS,
    evaluate,
    evaluate_detailed,
    load_rules,
    sort_findings,
    symptom_check,
    with_symptoms,
)
from analyzer.types import (
    NOT_MEASURABLE_FROM_VIEW,
    Context,
    Finding,
    GaitEvent,
    MetricSet,
    MetricValue,
    Rep,
    SetupIssue,
)

HINGE_CUE = (
    "Push your butt straight back, like closing a car door with your glutes — keep your chest proud, spine neutral."
)
HINGE_CHECK = "If your lumbar curve disappears before your hips move, you're hinging incorrectly."
VALGUS_CUE = "Press the outer edge of your foot into the floor."
CROSSOVER_CUE = "Land with your heel slightly outside your midline, then roll smoothly to the big toe."
PUBIC_CUE = "Imagine sliding your pubic bone up toward your ribs — not tucking your tailbone."
SAFETY_FRAGMENT = "neurological symptoms (e.g., radiating numbness or weakness)"

BRIEF_METRICS = """lcp_delta pelvic_tilt_delta back_rounding_delta trunk_angle_bottom hip_trunk_angle_bottom
hinge_lag_ms
hinge_early_ratio hinge_back_first_fraction fppa_left fppa_right fppa_delta_left fppa_delta_right nksd kasr
mkd_left mkd_right
knee_flexion_peak hip_flexion_peak shank_angle_bottom trunk_shank_diff_bottom depth_angle knee_travel heel_lift
bar_path_offset lateral_shift cadence_spm overstride tibia_angle_ic knee_flexion_ic strike_angle pelvic_drop_deg
pelvic_drop_asymmetry step_width trunk_lean vertical_oscillation rep_count""".split()


# ------------------------------------------------------------------------------------ builders
def reps(n: int, fps: float = 30.0) -> list[Rep]:
    out = []
    for i in range(n):
        s = i * 60
        out.append(
            Rep(
                index=i + 1,
                start=s,
                bottom=s + 30,
                end=s + 59,
                t_start=s / fps,
                t_bottom=(s + 30) / fps,
                t_end=(s + 59) / fps,
            )
        )
    return out


def ctx(view="side", exercise="deadlift", n_reps=3, **kw) -> Context:
    return Context(
        view=view,
        view_confidence=0.9,
        direction=1 if view == "side" else 0,
        near_side="left" if view == "side" else None,
        exercise=exercise,
        reps=reps(n_reps),
        **kw,
    )


def mv(id: str, value, per_rep=None, unit="deg", **kw) -> MetricValue:
    per_rep = list(per_rep or [])
    frames = kw.pop("frames", [30 + 60 * i for i in range(len(per_rep))])
    times = kw.pop("times", [(30 + 60 * i) / 30.0 for i in range(len(per_rep))])
    return MetricValue(
        id=id, label=id.replace("_", " "), unit=unit, value=value, per_rep=per_rep, frames=frames, times=times, **kw
    )


def mset(*values: MetricValue) -> MetricSet:
    ms = MetricSet()
    for v in values:
        ms.add(v)
    return ms


def ids(findings: list[Finding]) -> list[str]:
    return [f.rule_id for f in findings]


# ------------------------------------------------------------------------------------- hinge
def back_first_metrics(method="contour") -> MetricSet:
    return mset(
        mv(
            "hinge_back_first_fraction",
            1.0,
            [1.0, 1.0, 1.0],
            unit="fraction",
            extra={"n_reps": 3, "flagged_reps": [1, 2, 3], "method": method},
            confidence=0.7,
            proxy=method == "contour",
        ),
        mv("hinge_lag_ms", -180.0, [-150.0, -200.0, -190.0], unit="ms", extra={"method": method}),
    )


def test_back_first_hinge_gives_the_hinge_cue_with_evidence():
    fs = evaluate(back_first_metrics(), ctx())
    hinge = [f for f in fs if f.rule_id == "hinge_back_first"]
    assert len(hinge) == 1
    f = hinge[0]
    assert f.severity == "amber" and f.category == "technique"
    assert f.cue == HINGE_CUE
    assert "Film-yourself hinge check" in [d.name for d in f.drills]
    assert any(HINGE_CHECK in d.how for d in f.drills)
    assert f.reps == [1, 2, 3]
    assert f.times == pytest.approx([1.0, 3.0, 5.0])
    assert f.frames == [30, 90, 150]
    assert f.value == 1.0 and f.threshold == pytest.approx(0.666) and f.comparator == ">="
    assert f.confidence == pytest.approx(0.7)
    assert f.proxy is True
    assert "3 of 3" in f.title and "rounded" in f.title  # contour variant
    assert "hinge_hips_led" not in ids(fs)


def test_the_hinge_rule_has_one_wording_the_back_outline():
    """No trunk-angle stand-in: the title always speaks of the lower back, because only the outline is used."""
    f = next(f for f in evaluate(back_first_metrics(), ctx()) if f.rule_id == "hinge_back_first")
    assert f.title.startswith("Lower back rounded before the hips") and f.proxy is True
    assert "trunk" not in f.title.lower()


def test_hip_first_hinge_is_a_positive_finding_and_no_fault():
    ms = mset(
        mv("hinge_back_first_fraction", 0.0, [0.0, 0.0, 0.0], unit="fraction", extra={"n_reps": 3, "flagged_reps": []}),
        mv("hinge_lag_ms", 120.0, [90.0, 130.0, 140.0], unit="ms"),
    )
    fs = evaluate(ms, ctx())
    assert "hinge_back_first" not in ids(fs)
    pos = [f for f in fs if f.rule_id == "hinge_hips_led"]
    assert len(pos) == 1 and pos[0].severity == "positive"
    assert pos[0].title.startswith("Hips led the hinge on 3 of 3 reps judged")
    assert pos[0].reps == [1, 2, 3]


def test_a_back_first_rep_blocks_the_positive_finding():
    ms = mset(
        mv(
            "hinge_back_first_fraction",
            1 / 3,
            [1.0, 0.0, 0.0],
            unit="fraction",
            extra={"n_reps": 3, "flagged_reps": [1]},
        ),
        mv("hinge_lag_ms", -20.0, [-250.0, 90.0, 100.0], unit="ms"),
    )
    assert "hinge_hips_led" not in ids(evaluate(ms, ctx()))


def test_rep_count_comes_from_the_metric_when_given():
    # 3 reps, one without a hip onset (not rated): 2 of 2 rated reps were back-first
    ms = mset(
        mv(
            "hinge_back_first_fraction",
            1.0,
            [1.0, 1.0, 0.0],
            unit="fraction",
            extra={"n_reps": 2, "flagged_reps": [1, 2], "method": "trunk"},
        )
    )
    f = next(f for f in evaluate(ms, ctx()) if f.rule_id == "hinge_back_first")
    assert "2 of 2" in f.title and f.reps == [1, 2]


def test_one_back_first_rep_of_three_is_neither_fault_nor_positive():
    ms = mset(
        mv(
            "hinge_back_first_fraction",
            1 / 3,
            [1.0, 0.0, 0.0],
            unit="fraction",
            extra={"n_reps": 3, "flagged_reps": [1]},
        ),
        mv("hinge_lag_ms", 10.0, [-150.0, 80.0, 100.0], unit="ms"),
    )
    fs = evaluate(ms, ctx())
    assert "hinge_back_first" not in ids(fs) and "hinge_hips_led" not in ids(fs)


def test_one_rep_is_enough_to_coach_and_the_finding_says_so():
    one = mset(mv("hinge_back_first_fraction", 1.0, [1.0], unit="fraction", extra={"n_reps": 1, "flagged_reps": [1]}))
    two = mset(
        mv("hinge_back_first_fraction", 1.0, [1.0, 1.0], unit="fraction", extra={"n_reps": 2, "flagged_reps": [1, 2]})
    )
    f1 = next(f for f in evaluate(one, ctx(n_reps=1)) if f.rule_id == "hinge_back_first")
    f2 = next(f for f in evaluate(two, ctx(n_reps=2)) if f.rule_id == "hinge_back_first")
    assert f1.note == "Seen on your 1 rep; film 2 for a surer read." and f2.note is None
    assert 0 < f1.confidence < f2.confidence  # more reps, surer read
    assert "film 2 for a surer read" in evidence_line(f1)


def test_all_clears_and_running_keep_their_minimum():
    ms = mset(mv("hinge_back_first_fraction", 0.0, [0.0], unit="fraction", extra={"n_reps": 1, "flagged_reps": []}))
    ev = evaluate_detailed(ms, ctx(n_reps=1))
    assert "hinge_hips_led" not in ids(ev.findings)
    assert any(s.rule_id == "hinge_hips_led" and s.reason == "min_reps" for s in ev.skipped)


def test_hinge_rule_is_silent_for_squats_and_front_views():
    assert "hinge_back_first" not in ids(evaluate(back_first_metrics(), ctx(exercise="squat")))
    assert "hinge_back_first" not in ids(evaluate(back_first_metrics(), ctx(view="front")))


# ------------------------------------------------------------------------------------- valgus
def valgus_metrics(left=14.0, right=5.0, n=3, status="ok") -> MetricSet:
    if status != "ok":
        return mset(
            *(
                MetricValue.not_measurable(i, i, "deg")
                for i in ("fppa_left", "fppa_right", "fppa_delta_left", "fppa_delta_right", "nksd")
            )
        )
    return mset(
        mv("fppa_left", left, [left] * n, confidence=0.6, band=6.0), mv("fppa_right", right, [right] * n, band=6.0)
    )


def test_valgus_amber_and_red_by_side():
    fs = evaluate(valgus_metrics(left=14.0), ctx(view="front", exercise="squat"))
    v = [f for f in fs if f.rule_id.startswith("valgus_fppa:")]
    assert [f.rule_id for f in v] == ["valgus_fppa:fppa_left"]
    assert v[0].severity == "amber" and v[0].threshold == 12.0 and v[0].cue == VALGUS_CUE
    assert "(left)" in v[0].title and v[0].category == "muscles"
    assert v[0].confidence == pytest.approx(0.6)
    red = [
        f
        for f in evaluate(valgus_metrics(left=17.0), ctx(view="front", exercise="squat"))
        if f.rule_id.startswith("valgus_fppa:")
    ]
    assert red[0].severity == "red" and red[0].threshold == 16.0
    assert "Banded hip thrust hold" in [d.name for d in red[0].drills]


def test_valgus_not_measurable_gives_no_valgus_finding():
    # side view: the metrics helper returns not_measurable -> nothing, and the skip keeps the reason
    ev = evaluate_detailed(valgus_metrics(status="nm"), ctx(view="front", exercise="squat"))
    assert not [f for f in ev.findings if f.metric and f.metric.startswith(("fppa", "nksd"))]
    assert any(s.reason == "not_measurable" and s.detail == NOT_MEASURABLE_FROM_VIEW for s in ev.skipped)
    # even a (wrong) number for a side view is never turned into a valgus finding
    fs = evaluate(valgus_metrics(left=30.0, right=30.0), ctx(view="side", exercise="squat"))
    assert not [f for f in fs if f.metric and f.metric.startswith("fppa")]
    assert "knees_tracked" not in ids(fs)


def test_valgus_on_fewer_than_three_reps_has_lower_confidence():
    few = evaluate(valgus_metrics(left=20.0, n=2), ctx(view="front", exercise="squat", n_reps=2))
    full = evaluate(valgus_metrics(left=20.0, n=3), ctx(view="front", exercise="squat", n_reps=3))
    (a,) = [f for f in few if f.rule_id.startswith("valgus_fppa:")]
    (b,) = [f for f in full if f.rule_id.startswith("valgus_fppa:")]
    assert a.note == "Seen on your 2 reps; film 3 for a surer read." and b.note is None
    assert a.confidence == pytest.approx(b.confidence * 2 / 3)


def test_nksd_and_change_vs_standing():
    ms = mset(
        mv("nksd", 0.52, [0.5, 0.55, 0.51], unit="ratio"),
        mv("fppa_delta_right", 9.0, [9.0, 9.5, 8.5]),
        mv("fppa_delta_left", 4.0, [4.0, 4.0, 4.0]),
    )
    fs = evaluate(ms, ctx(view="back", exercise="squat"))
    assert "valgus_nksd" in ids(fs)
    assert "valgus_fppa_change:fppa_delta_right" in ids(fs) and "valgus_fppa_change:fppa_delta_left" not in ids(fs)


def test_knees_tracked_positive_needs_both_sides_every_rep():
    good = evaluate(valgus_metrics(left=6.0, right=7.0), ctx(view="front", exercise="squat"))
    pos = [f for f in good if f.rule_id == "knees_tracked"]
    assert (
        len(pos) == 1 and pos[0].severity == "positive" and pos[0].title == "Knees tracked over the feet on all 3 reps"
    )
    ms = mset(mv("fppa_left", 8.0, [6.0, 7.0, 13.0]), mv("fppa_right", 5.0, [5.0, 5.0, 5.0]))
    assert "knees_tracked" not in ids(evaluate(ms, ctx(view="front", exercise="squat")))


# ------------------------------------------------------------------------------------- pelvis proxy
def test_arched_proxy_gives_pelvic_control_drills_and_needs_noise_floor():
    ms = mset(
        mv(
            "back_rounding_delta",
            -14.0,
            [-14.0, -12.0, -16.0],
            proxy=True,
            relative_to_baseline=True,
            extra={"noise_floor": 10.0},
        )
    )
    f = next(f for f in evaluate(ms, ctx(exercise="rdl")) if f.rule_id == "back_arched_proxy")
    assert f.category == "pelvis" and f.proxy and f.threshold == pytest.approx(-10.0)
    assert PUBIC_CUE in f.cue and "Ribs down, gentle brace" in f.cue
    names = [d.name for d in f.drills]
    assert "Supine pelvic clock" in names and "Standing posterior tilt with wall contact" in names
    assert "back_rounding_proxy" not in ids(evaluate(ms, ctx(exercise="rdl")))
    # within the noise floor: neutral, no finding
    ms2 = mset(mv("back_rounding_delta", -6.0, [-6.0] * 3, proxy=True, extra={"noise_floor": 10.0}))
    assert not [f for f in evaluate(ms2, ctx()) if f.metric == "back_rounding_delta"]
    # no noise floor: silent, with a reason
    ms3 = mset(mv("back_rounding_delta", -20.0, [-20.0] * 3, proxy=True))
    ev = evaluate_detailed(ms3, ctx())
    assert not [f for f in ev.findings if f.metric == "back_rounding_delta"]
    assert any(s.reason == "no_noise_floor" for s in ev.skipped)


def test_rounding_proxy_gives_hinge_cue():
    ms = mset(mv("back_rounding_delta", 18.0, [15.0, 21.0, 18.0], proxy=True, extra={"noise_floor": 10.0}))
    f = next(f for f in evaluate(ms, ctx(exercise="deadlift")) if f.rule_id == "back_rounding_proxy")
    assert f.cue == HINGE_CUE and f.proxy


# ------------------------------------------------------------------------------------- squat / frontal lifts
def test_squat_side_rules():
    ms = mset(
        mv("trunk_shank_diff_bottom", 22.0, [20.0, 22.0, 24.0]),
        mv("heel_lift", 0.09, [0.09] * 3, unit="shank"),
        mv("depth_angle", 8.0, [8.0] * 3),
    )
    fs = evaluate(ms, ctx(exercise="squat"))
    by = {f.rule_id: f for f in fs}
    assert by["squat_trunk_vs_tibia"].severity == "amber"
    assert by["heel_lift"].severity == "amber"
    assert by["depth_above_parallel"].severity == "info" and "pain-free" in by["depth_above_parallel"].cue
    deep = evaluate(mset(mv("depth_angle", -6.0, [-6.0] * 3)), ctx(exercise="squat"))
    assert "depth_above_parallel" not in ids(deep)


def test_bar_ahead_of_midfoot_only_for_pulls():
    ms = mset(mv("bar_path_offset", 0.4, [0.4] * 3, unit="foot"))
    assert "bar_ahead_of_midfoot" in ids(evaluate(ms, ctx(exercise="deadlift")))
    assert "bar_ahead_of_midfoot" not in ids(evaluate(ms, ctx(exercise="squat")))


def test_lateral_shift_same_direction_and_even_weight():
    shifted = mset(mv("lateral_shift", 0.12, [0.12, 0.15, 0.11], unit="hip width"))
    f = next(f for f in evaluate(shifted, ctx(view="front", exercise="squat")) if f.rule_id == "lateral_shift")
    assert f.reps == [1, 2, 3] and "3 of 3" in f.title and f.comparator == "|x| >"
    alternating = mset(mv("lateral_shift", 0.0, [0.12, -0.15, 0.02], unit="hip width"))
    fs = evaluate(alternating, ctx(view="front", exercise="squat"))
    assert "lateral_shift" not in ids(fs) and "even_weight" not in ids(fs)
    even = mset(mv("lateral_shift", 0.01, [0.02, -0.03, 0.01], unit="hip width"))
    pos = [f for f in evaluate(even, ctx(view="front", exercise="squat")) if f.rule_id == "even_weight"]
    assert pos and pos[0].severity == "positive" and pos[0].title == "Even weight between feet on all 3 reps"


# ------------------------------------------------------------------------------------- running
def running_ctx(view="side", n_ic=10) -> Context:
    ev = [GaitEvent(foot="left" if i % 2 else "right", kind="ic", frame=i * 20, t=i / 3) for i in range(n_ic)]
    return Context(
        view=view,
        view_confidence=0.9,
        direction=1 if view == "side" else 0,
        near_side="left",
        exercise="running",
        gait_events=ev,
    )


def test_running_cadence_low_only_with_overstride():
    over = mset(
        mv("cadence_spm", 150.0, unit="spm"),
        mv("tibia_angle_ic", 14.0, [14.0] * 8),
        mv("knee_flexion_ic", 10.0, [10.0] * 8),
    )
    fs = evaluate(over, running_ctx())
    assert {"running_cadence_low", "running_overstride"} <= set(ids(fs))
    assert "+5–10% cadence" in next(f for f in fs if f.rule_id == "running_cadence_low").cue
    fine = mset(
        mv("cadence_spm", 150.0, unit="spm"),
        mv("tibia_angle_ic", 4.0, [4.0] * 8),
        mv("knee_flexion_ic", 20.0, [20.0] * 8),
    )
    assert not {"running_cadence_low", "running_overstride"} & set(ids(evaluate(fine, running_ctx())))


def test_running_frontal_rules_and_step_count():
    ms = mset(
        mv("pelvic_drop_deg", 9.0, [9.0] * 8),
        mv("pelvic_drop_asymmetry", -4.0, [-4.0] * 8),
        mv("step_width", -0.05, [-0.05] * 8, unit="hip width"),
        mv("fppa_left", 15.0, [15.0] * 8, confidence=0.8),
    )
    fs = evaluate(ms, running_ctx(view="back"))
    by = {f.rule_id: f for f in fs}
    assert by["running_pelvic_drop"].severity == "red"
    assert by["running_pelvic_drop_asymmetry"].severity == "amber"
    assert by["running_crossover"].cue == CROSSOVER_CUE
    knee = by["running_knee_in_hip_control:fppa_left"]
    assert knee.category == "pelvis" and "hip-control" in knee.title and knee.confidence == pytest.approx(0.4)
    assert "valgus_fppa:fppa_left" not in by  # running knee-in is reported as hip control, not lift valgus
    few = mset(mv("pelvic_drop_deg", 9.0, [9.0] * 4))
    assert "running_pelvic_drop" not in ids(evaluate(few, running_ctx(view="back", n_ic=4)))


# ------------------------------------------------------------------------------------- ordering
def test_order_pelvis_then_nerves_then_muscles_then_technique():
    ms = mset(mv("pelvic_drop_deg", 6.0, [6.0] * 8), mv("step_width", -0.1, [-0.1] * 8, unit="hip width"))
    fs = with_symptoms(evaluate_detailed(ms, running_ctx(view="front")), {"worse_after_sitting": True}).findings
    assert [f.category for f in fs] == ["pelvis", "nerves", "technique"]
    fs2 = with_symptoms(
        evaluate_detailed(
            mset(
                mv("fppa_left", 17.0, [17.0] * 3),
                mv("fppa_right", 13.0, [13.0] * 3),
                mv("lateral_shift", 0.2, [0.2] * 3, unit="hw"),
            ),
            ctx(view="front", exercise="squat"),
        ),
        {"tingling_calf": "yes"},
    ).findings
    cats = [f.category for f in fs2]
    assert cats == ["nerves", "muscles", "muscles", "technique"]
    assert [f.severity for f in fs2 if f.category == "muscles"] == ["red", "amber"]


def test_sort_findings_hierarchy_and_severity():
    def f(cat, sev):
        return Finding(
            rule_id=f"{cat}-{sev}",
            severity=sev,
            category=cat,
            title="t",
            cue="c",
            why="w",
            metric=None,
            value=None,
            threshold=None,
            comparator=None,
            unit=None,
        )

    shuffled = [
        f("load", "info"),
        f("technique", "positive"),
        f("muscles", "amber"),
        f("technique", "red"),
        f("setup", "amber"),
        f("nerves", "info"),
        f("pelvis", "positive"),
        f("pelvis", "red"),
        f("muscles", "red"),
    ]
    out = [x.rule_id for x in sort_findings(shuffled)]
    assert out == [
        "pelvis-red",
        "pelvis-positive",
        "nerves-info",
        "muscles-red",
        "muscles-amber",
        "technique-red",
        "technique-positive",
        "setup-amber",
        "load-info",
    ]
    assert CATEGORIES[:3] == ("pelvis", "nerves", "muscles")


def test_setup_issues_become_setup_findings_last():
    c = ctx()
    c.setup_issues = [SetupIssue("low_fps", "Film at 30 fps or more.", "warning")]
    fs = evaluate(back_first_metrics(), c)
    assert fs[-1].category == "setup" and fs[-1].title == "Film at 30 fps or more."


def test_video_never_produces_nerve_findings():
    """Every known metric with an extreme value, in every view/exercise: no nerves finding without answers."""
    ms = mset(*(mv(m, 999.0, [999.0] * 8, extra={"noise_floor": 0.01, "n_reps": 8}) for m in KNOWN_METRICS))
    for view in ("side", "front", "back", "oblique"):
        for ex in ("squat", "deadlift", "rdl", "hinge", "running"):
            c = ctx(view=view, exercise=ex, n_reps=8)
            assert not [f for f in evaluate(ms, c) if f.category == "nerves"]


# ------------------------------------------------------------------------------------- the shipped files
def test_every_metric_of_the_brief_is_known():
    assert set(BRIEF_METRICS) <= set(KNOWN_METRICS)


def test_packaged_rules_load_and_reference_known_things():
    rs = load_rules()
    assert len(rs.rules) >= 18
    for r in rs.rules:
        assert set(r.metrics) <= set(KNOWN_METRICS)
        assert r.source and r.threshold_source
        assert r.category in CATEGORIES
    have = {r.id for r in rs.rules}
    for needed in (
        "hinge_back_first",
        "hinge_hips_led",
        "back_rounding_proxy",
        "back_arched_proxy",
        "valgus_fppa",
        "valgus_nksd",
        "valgus_fppa_change",
        "knees_tracked",
        "squat_trunk_vs_tibia",
        "heel_lift",
        "depth_above_parallel",
        "bar_ahead_of_midfoot",
        "lateral_shift",
        "even_weight",
        "running_cadence_low",
        "running_overstride",
        "running_pelvic_drop",
        "running_pelvic_drop_asymmetry",
        "running_crossover",
        "running_knee_in_hip_control",
    ):
        assert needed in have


def test_cue_library_quotes_the_documents():
    lib = load_rules().cues
    assert lib.cue_text("hinge") == HINGE_CUE and HINGE_CHECK in lib.cues["hinge"]["check"]
    assert lib.cue_text("valgus") == VALGUS_CUE
    assert lib.cue_text("running_crossover") == CROSSOVER_CUE
    glide = lib.drills["seated_neural_glide"]
    for part in (
        "Sit tall, one leg extended, foot dorsiflexed",
        "flex the neck only until you feel mild tension",
        "Hold 3 seconds",
        "walk for 90 seconds",
    ):
        assert part in glide.how
    assert "10× per leg" in glide.dose
    thrust = lib.drills["banded_hip_thrust_hold"]
    assert "3 sets × 8 reps, 2×/week" in thrust.dose and "30 seconds" in thrust.caution
    assert SAFETY_FRAGMENT in lib.note("safety")
    assert ">15%" in lib.note("weekly_volume")


SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not present")
def test_document_cues_appear_verbatim_in_the_sources():
    text = " ".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt"))
    norm = lambda s: re.sub(r"\s+", " ", s.replace("’", "'").replace("‘", "'"))  # noqa: E731
    text = norm(text)
    lib = load_rules().cues
    for cid in ("hinge", "valgus", "running_crossover", "neural_glide", "see_physio"):
        core = lib.cue_text(cid).rstrip(".")
        assert norm(core).lower() in text.lower(), cid
    assert norm(lib.note("safety")) in text
    for did in ("supine_pelvic_clock", "banded_hip_thrust_hold"):
        for sentence in lib.drills[did].how.split(". "):
            assert norm(sentence.rstrip(".")) in text, (did, sentence)


# ------------------------------------------------------------------------------------- validation errors
GOOD_RULE = """
[[rule]]
id = "my_rule"
metric = "{metric}"
exercises = ["squat"]
views = ["side"]
category = "technique"
condition = {{ comparator = "{comp}", amber = {amber} }}
title = "t"
cue = "depth"
why = "w"
drills = [{drills}]
source = "s"
threshold_source = "spec"
"""


def write_rules(tmp_path: Path, *, metric="depth_angle", comp=">", amber="0.0", drills="", prefix="") -> Path:
    text = "version = 1\n" + prefix + GOOD_RULE.format(metric=metric, comp=comp, amber=amber, drills=drills)
    p = tmp_path / "rules.toml"
    p.write_text(text, encoding="utf-8")
    return p


def line_of(path: Path, needle: str) -> int:
    for i, ln in enumerate(path.read_text().splitlines(), 1):
        if needle in ln:
            return i
    raise AssertionError(needle)


def test_custom_rules_file_works(tmp_path):
    p = write_rules(tmp_path)
    fs = evaluate(mset(mv("depth_angle", 5.0, [5.0] * 3)), ctx(exercise="squat"), rules_path=p)
    assert ids(fs) == ["my_rule"] and fs[0].severity == "amber"


def test_unknown_metric_names_rule_and_line(tmp_path):
    p = write_rules(tmp_path, metric="knee_valgus_deg", prefix="\n# a comment\n")
    with pytest.raises(RulesFileError) as ei:
        load_rules(p)
    msg = str(ei.value)
    assert "my_rule" in msg and "knee_valgus_deg" in msg
    assert f"line {line_of(p, 'metric = ')}" in msg


def test_malformed_threshold_names_line(tmp_path):
    p = write_rules(tmp_path, amber='"twelve"', prefix="\n\n\n")
    with pytest.raises(RulesFileError) as ei:
        load_rules(p)
    assert "malformed threshold" in str(ei.value) and "my_rule" in str(ei.value)
    assert f"line {line_of(p, 'condition = ')}" in str(ei.value)


def test_wrong_comparator_unknown_drill_missing_field(tmp_path):
    p = write_rules(tmp_path, comp="=>")
    with pytest.raises(RulesFileError, match=r"line \d+: rule 'my_rule': comparator '=>'"):
        load_rules(p)
    p = write_rules(tmp_path, drills='"foam_rolling"')
    with pytest.raises(RulesFileError) as ei:
        load_rules(p)
    assert "unknown drill 'foam_rolling'" in str(ei.value) and f"line {line_of(p, 'drills = ')}" in str(ei.value)
    text = p.read_text().replace('why = "w"\n', "").replace('"foam_rolling"', "")
    p.write_text(text)
    with pytest.raises(RulesFileError, match=r"line \d+: rule 'my_rule': missing required field 'why'"):
        load_rules(p)
    assert f"line {line_of(p, '[[rule]]')}:" in str(pytest.raises(RulesFileError, load_rules, p).value)


def test_second_rule_error_points_into_second_rule(tmp_path):
    good = GOOD_RULE.format(metric="depth_angle", comp=">", amber="0.0", drills="")
    bad = good.replace('"my_rule"', '"other"').replace("depth_angle", "bogus_metric")
    p = tmp_path / "rules.toml"
    p.write_text(good + bad)
    with pytest.raises(RulesFileError) as ei:
        load_rules(p)
    assert "rule 'other'" in str(ei.value)
    assert f"line {line_of(p, 'bogus_metric')}" in str(ei.value)


def test_view_that_cannot_measure_the_metric_is_rejected(tmp_path):
    p = write_rules(tmp_path, metric="fppa_left")
    with pytest.raises(RulesFileError, match="not measurable from the side view"):
        load_rules(p)


def test_toml_syntax_error_and_missing_file(tmp_path):
    p = tmp_path / "rules.toml"
    p.write_text('[[rule]]\nid = "x\nmetric = 3\n')
    with pytest.raises(RulesFileError, match="line 2"):
        load_rules(p)
    with pytest.raises(RulesFileError, match="not found"):
        load_rules(tmp_path / "nope.toml")


def test_bad_cue_file_names_line(tmp_path):
    (tmp_path / "cues.toml").write_text(
        DEFAULT_CUES.read_text().replace('name = "Supine pelvic clock"', 'name = "Supine pelvic clock"\nreps = 10')
    )
    (tmp_path / "rules.toml").write_text(DEFAULT_RULES.read_text())
    with pytest.raises(RulesFileError) as ei:
        load_rules(tmp_path / "rules.toml")
    assert "drills.supine_pelvic_clock" in str(ei.value)
    assert f"line {line_of(tmp_path / 'cues.toml', 'reps = 10')}" in str(ei.value)


# ------------------------------------------------------------------------------------- symptom check
def test_symptom_check_no_answers_no_glide():
    assert symptom_check({}) == []
    assert symptom_check({"worse_after_sitting": False, "tingling_calf": "no"}) == []


def test_symptom_check_offers_glide_only_on_matching_answer():
    fs = symptom_check({"worse_after_sitting": True})
    assert len(fs) == 1
    f = fs[0]
    assert f.category == "nerves" and f.severity == "info"
    assert "not a diagnosis" in f.title.lower() and "not a diagnosis" in f.why.lower()
    assert SAFETY_FRAGMENT in f.why
    assert [d.name for d in f.drills] == ["Seated neural glide (active neural mobilisation)"]
    assert "Aggressive neural flossing" in f.drills[0].caution
    assert "prolonged sitting" in f.why


def test_symptom_check_numbness_withholds_glide_and_gives_safety_note():
    fs = symptom_check({"tingling_calf": True, "numbness_or_weakness": "yes"})
    assert len(fs) == 1
    f = fs[0]
    assert f.severity == "red" and f.category == "nerves" and f.drills == []
    assert "physiotherapist" in f.cue and SAFETY_FRAGMENT in f.why and "not a diagnosis" in f.why.lower()


def test_symptom_check_volume_spike_and_bad_input():
    fs = symptom_check({"volume_spike": True})
    assert [(f.category, f.severity) for f in fs] == [("load", "info")] and ">15%" in fs[0].cue
    with pytest.raises(ValueError, match="Unknown symptom"):
        symptom_check({"sciatica": True})
    with pytest.raises(ValueError, match="yes or no"):
        symptom_check({"tingling_calf": "sometimes"})
    assert {q.key for q in QUESTIONS} >= {
        "worse_after_sitting",
        "tingling_calf",
        "numbness_or_weakness",
        "volume_spike",
    }
    assert QUESTIONS[0].text == "Does the tightness get worse after prolonged sitting?"
