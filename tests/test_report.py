"""Report: JSON (schema-valid, no NaN), Markdown/HTML content, drills, top findings."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import jsonschema
import numpy as np
import pytest

from analyzer.capture.video import VideoInfo
from analyzer.report.model import SCHEMA_VERSION, build_report, report_schema, validate_report_dict
from analyzer.report.render import to_html, to_markdown
from analyzer.report.text import evidence_line, top_findings
from analyzer.rules import evaluate_detailed, with_symptoms
from analyzer.types import Context, MetricSet, MetricValue, Rep, SetupIssue

SAFETY_FRAGMENT = "neurological symptoms (e.g., radiating numbness or weakness)"


def _reps(n=3):
    return [
        Rep(
            index=i + 1,
            start=i * 60,
            bottom=i * 60 + 30,
            end=i * 60 + 59,
            t_start=i * 2.0,
            t_bottom=i * 2.0 + 1.0,
            t_end=i * 2.0 + 1.97,
        )
        for i in range(n)
    ]


def front_squat():
    ctx = Context(
        view="front",
        view_confidence=0.95,
        direction=0,
        near_side=None,
        exercise="squat",
        reps=_reps(),
        baseline=(0, 30),
        setup_issues=[SetupIssue("camera_not_level", "Level the camera.", "warning")],
        facing_camera=True,
    )
    ms = MetricSet()
    ms.add(
        MetricValue(
            "fppa_left",
            "Knee-in angle (FPPA), left",
            "deg",
            17.5,
            [17.0, 17.5, 18.0],
            [30, None, 150],
            [1.0, None, 5.0],
            confidence=0.6,
            band=6.0,
            extra={"peak": np.float32(18.0), "bad": float("inf")},
        )
    )
    ms.add(
        MetricValue(
            "fppa_right",
            "Knee-in angle (FPPA), right",
            "deg",
            13.0,
            [13.0, 12.5, 13.5],
            [30, 90, 150],
            [1.0, 3.0, 5.0],
            band=6.0,
        )
    )
    ms.add(MetricValue("kasr", "Knee/ankle separation", "ratio", float("nan"), [0.9, float("nan"), None]))
    ms.add(MetricValue("lateral_shift", "Hip shift at bottom", "hip width", 0.0, [0.01, -0.02, 0.03]))
    ms.add(MetricValue.not_measurable("lcp_delta", "Low-back posture (proxy)", "ratio"))
    ms.add(MetricValue.not_measurable("hinge_lag_ms", "Hinge timing", "ms"))
    ms.series["trunk_angle"] = np.array([1.0, np.nan])
    return ctx, ms


def fake_track_clean():
    track = type(
        "T", (), {"__len__": lambda self: 4, "detection_rate": 0.93, "n_people": np.array([1, 1, 2, 1], dtype=np.int8)}
    )()
    clean = SimpleNamespace(
        gaps=[SimpleNamespace(landmark=25, t0=1.0, t1=1.5)], swapped=np.array([False, True, True, False]), cutoff_hz=6.0
    )
    return track, clean


def make_report(symptoms=None):
    ctx, ms = front_squat()
    evaluation = with_symptoms(evaluate_detailed(ms, ctx), symptoms)
    info = VideoInfo("/x/clip <1>.mp4", "h264", 1080, 1920, 30.0, 6.0, 180, 90)
    track, clean = fake_track_clean()
    return build_report(
        info=info,
        track=track,
        clean=clean,
        context=ctx,
        metrics=ms,
        evaluation=evaluation,
        run={"model": "full", "timings_s": {"pose": 1.5}},
    )


def test_json_validates_against_schema_and_has_no_nan():
    rep = make_report(symptoms={"worse_after_sitting": True})
    d = rep.to_dict()
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(d)
    validate_report_dict(d)
    text = rep.to_json()
    assert "NaN" not in text and "Infinity" not in text
    back = json.loads(text)
    assert back["schema_version"] == SCHEMA_VERSION == "1.4"
    fl = next(m for m in back["metrics"] if m["id"] == "fppa_left")
    assert fl["frames"][1] is None and fl["extra"]["bad"] is None and fl["extra"]["peak"] == 18.0
    ka = next(m for m in back["metrics"] if m["id"] == "kasr")
    assert ka["value"] is None and ka["per_rep"] == [0.9, None, None]
    nm = next(m for m in back["metrics"] if m["id"] == "lcp_delta")
    assert nm["status"] == "not_measurable" and nm["value"] is None
    assert back["quality"]["n_people_max"] == 2 and back["quality"]["swap_frames"] == 2
    assert back["quality"]["long_gaps"][0]["landmark"] == "left_knee"
    assert back["video"]["name"] == "clip <1>.mp4"
    assert back["run"]["timings_s"]["pose"] == 1.5


def test_schema_rejects_nan_like_strings_and_missing_fields():
    d = make_report().to_dict()
    bad = json.loads(json.dumps(d))
    bad["findings"][0]["severity"] = "orange"
    with pytest.raises(jsonschema.ValidationError):
        validate_report_dict(bad)
    bad2 = json.loads(json.dumps(d))
    del bad2["safety_note"]
    with pytest.raises(jsonschema.ValidationError):
        validate_report_dict(bad2)
    bad3 = json.loads(json.dumps(d))
    next(m for m in bad3["metrics"] if m["id"] == "lcp_delta")["value"] = 3.0  # a number for a not-measurable metric
    with pytest.raises(jsonschema.ValidationError):
        validate_report_dict(bad3)


def test_findings_order_and_content_in_report():
    rep = make_report(symptoms={"tingling_calf": True})
    cats = [f.category for f in rep.findings]
    assert cats.index("nerves") < cats.index("muscles") < cats.index("technique")
    sev = {f.rule_id: f.severity for f in rep.findings}
    assert sev["valgus_fppa:fppa_left"] == "red" and sev["valgus_fppa:fppa_right"] == "amber"
    assert sev["even_weight"] == "positive"
    assert cats[-1] == "setup"


def test_markdown_has_safety_note_evidence_and_not_measurable():
    rep = make_report()
    md = to_markdown(rep)
    assert SAFETY_FRAGMENT in md and "## Safety note" in md
    assert "This is coaching, not a diagnosis." in md
    for f in rep.findings:
        assert f.title in md
        ev = evidence_line(f, rep.metrics.get(f.metric) if f.metric else None)
        if f.metric:
            assert ev and ev in md
    left = next(f for f in rep.findings if f.rule_id == "valgus_fppa:fppa_left")
    ev = evidence_line(left, rep.metrics.get("fppa_left"))
    assert "Knee-in angle, left: 18° ± 6° (red when at or above 16°; + = knee inside the hip–ankle line)" in ev
    assert "confidence 60%" in ev and "fppa" not in ev  # words and units, not ids
    assert (
        "reps 1, 2, 3" in ev and "1.00 s, 3.00 s, 5.00 s" in ev
    )  # rep 2 time from the rep's bottom and "confidence 0.60" in ev
    assert "## What this clip could not show" in md and "low-back posture (proxy)" in md
    assert "fppa_left" not in md.split("## What this clip could not show")[1]  # words, not ids
    assert "## Per rep" in md and "| Rep | Knee-in angle, left | Knee-in angle, right |" in md
    table = md.split("## Per rep")[1].split("## Findings")[0]
    assert "fppa_left" not in table and "t_start" not in table and "°" in table  # words and units, not ids
    assert max(line.count("|") for line in table.splitlines()) <= 7  # rep, time and at most 4 measures
    assert table.count("+ = knee inside the hip–ankle line") == 1  # the sign convention in words, once
    assert "Press the outer edge of your foot into the floor." in md


def test_drills_are_deduplicated_across_findings():
    rep = make_report()
    names = [d["name"] for d in rep.drills]
    assert len(names) == len(set(names))
    thrust = next(d for d in rep.drills if d["name"] == "Banded hip thrust hold")
    assert set(thrust["for_findings"]) == {"valgus_fppa:fppa_left", "valgus_fppa:fppa_right"}
    assert "3 sets × 8 reps" in thrust["dose"]
    md = to_markdown(rep)
    assert md.count("**Banded hip thrust hold**") == 1


def test_symptom_answers_bring_the_glide_with_not_a_diagnosis():
    rep = make_report(symptoms={"worse_after_sitting": "yes"})
    nerves = [f for f in rep.findings if f.category == "nerves"]
    assert len(nerves) == 1 and "not a diagnosis" in nerves[0].why.lower()
    assert any(d["name"].startswith("Seated neural glide") for d in rep.drills)
    assert "From your answers to the symptom check" in to_markdown(rep)
    assert not any(d["name"].startswith("Seated neural glide") for d in make_report().drills)


def test_html_is_self_contained_and_escaped():
    ctx, ms = front_squat()
    ctx.setup_issues = [SetupIssue("x", "<script>alert(1)</script>", "warning")]
    rep = build_report(context=ctx, metrics=ms, evaluation=evaluate_detailed(ms, ctx), info={"path": "a&b.mp4"})
    h = to_html(rep)
    assert "<script>" not in h and "&lt;script&gt;" in h
    assert "a&amp;b.mp4" in h
    assert "http://" not in h and "https://" not in h and "<link" not in h
    assert SAFETY_FRAGMENT.replace("(", "(") in h


def test_top_findings_puts_faults_first_and_skips_setup():
    rep = make_report()
    lines = top_findings(rep.findings, 3)
    assert len(lines) == 3
    assert lines[0].startswith("[RED] Knee moved inward") and "Press the outer edge" in lines[0]
    assert lines[1].startswith("[AMBER] Knee moved inward")
    assert lines[2].startswith("[OK] Even weight between feet")  # positives after faults
    assert not any("Level the camera" in ln for ln in top_findings(rep.findings, 10))
    assert top_findings(rep.findings, 1) == lines[:1]


def test_report_without_track_or_findings_is_valid():
    ctx = Context(view="side", view_confidence=0.2, direction=1, near_side="left", exercise="unknown")
    rep = build_report(context=ctx, metrics=MetricSet(), evaluation=evaluate_detailed(MetricSet(), ctx))
    d = rep.to_dict()
    validate_report_dict(d)
    assert d["findings"] == [] and d["per_rep"] == []
    assert "Nothing to flag" in to_markdown(rep)
    assert math.isfinite(json.loads(rep.to_json())["context"]["view_confidence"])


def test_running_report_mentions_weekly_volume_note():
    ev = []
    ctx = Context(view="side", view_confidence=0.9, direction=1, near_side="left", exercise="running", gait_events=ev)
    rep = build_report(context=ctx, metrics=MetricSet(), evaluation=evaluate_detailed(MetricSet(), ctx))
    assert any(">15%" in n for n in rep.notes)
    assert not any(">15%" in n for n in make_report().notes)


def test_what_the_clip_could_not_show_is_grouped_by_reason_with_how_to_film_it():
    from analyzer.report.text import could_not_show

    why = "From the side we can't see the knees caving in: film from the front for knee-in."
    items = [
        {"metric": "fppa_left", "label": "Knee-in angle, left", "reason": "not measurable from this view", "why": why},
        {
            "metric": "fppa_right",
            "label": "Knee-in angle, right",
            "reason": "not measurable from this view",
            "why": why,
        },
        {
            "metric": "nksd",
            "label": "Knee width as a share of hip width",
            "reason": "not measurable from this view",
            "why": why,
        },
        {
            "metric": "lcp_delta",
            "label": "Low-back posture (proxy)",
            "reason": "needs ≥1 s of quiet standing",
            "why": "",
        },
        {"metric": "x", "label": "FPPA change", "reason": "needs ≥1 s of quiet standing", "why": ""},
    ]
    groups = could_not_show(items)
    assert groups == [
        (why, ["knee-in angle", "knee width as a share of hip width"]),
        ("Needs ≥1 s of quiet standing.", ["low-back posture (proxy)", "FPPA change"]),
    ]


def test_summary_words_for_hidden_joints_do_not_contradict_full_detection():
    from analyzer.report.text import gaps_phrase

    assert gaps_phrase({"n_long_gaps": 18}, "side") == (
        "joints out of sight for a while: 18 times (from the side the far arm and leg are often hidden)"
    )
    assert gaps_phrase({"n_long_gaps": 1}, "front") == "joints out of sight for a while: 1 time"
    assert gaps_phrase({}, "side") == "no joint out of sight for long"
    md = to_markdown(make_report())
    assert "long gaps" not in md and "Person seen in" in md
