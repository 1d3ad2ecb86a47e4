"""The real-clip scorer (analyzer.bench.labels) on hand-made labels and reports: each item kind right and wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.bench.labels import (
    COLUMNS,
    Label,
    Said,
    load_labels,
    said_from_refusal,
    said_from_report,
    score,
    tally,
)
from analyzer.bench.realclips import clip_row, summarise


def _label(**kw) -> Label:
    base = dict(
        file="x.mp4",
        view="side",
        view_ok=("side", "oblique"),
        exercise="deadlift",
        exercise_ok=("deadlift", "rdl"),
        reps=3,
        reps_tol=1,
        must_find=("multi_person", "lumbar_rounding"),
        must_not_find=("knee_valgus", "heel_lift"),
    )
    base.update(kw)
    return Label(**base)


def _report(view="side", exercise="deadlift", n_valid=3, findings=(), setup=(), warnings=()) -> dict:
    return {
        "context": {"view": view, "exercise": exercise, "setup_issues": [{"code": c} for c in setup]},
        "summary": {"n_reps": n_valid, "n_valid_reps": n_valid},
        "findings": [{"rule_id": r, "severity": s} for r, s in findings],
        "run": {"warnings": [{"code": c, "message": "…"} for c in warnings]},
    }


def _by(items) -> dict:
    return {(i.kind, i.name): i.right for i in items}


def test_every_item_kind_scored_right():
    rep = _report(
        view="oblique",
        exercise="rdl",
        n_valid=4,
        findings=[("back_rounding_proxy", "amber"), ("hinge_hips_led", "positive")],
        warnings=["several_people"],
    )
    items = score(_label(), said_from_report(rep))
    assert _by(items) == {
        ("view", "view"): True,
        ("exercise", "exercise"): True,
        ("reps", "reps"): True,
        ("must_find", "multi_person"): True,
        ("must_find", "lumbar_rounding"): True,
        ("must_not_find", "knee_valgus"): True,
        ("must_not_find", "heel_lift"): True,
    }
    assert tally(items)["overall"] == {"right": 7, "total": 7, "agreement": 1.0}


def test_every_item_kind_scored_wrong():
    rep = _report(
        view="front", exercise="squat", n_valid=5, findings=[("valgus_fppa:fppa_left", "red"), ("heel_lift", "amber")]
    )
    items = score(_label(), said_from_report(rep))
    assert not any(i.right for i in items)
    t = tally(items)
    assert t["must_not_find"] == {"right": 0, "total": 2, "agreement": 0.0} and t["reps"]["total"] == 1


def test_reps_tolerance_edges():
    lab = _label(reps=3, reps_tol=1)
    assert [_by(score(lab, said_from_report(_report(n_valid=n))))[("reps", "reps")] for n in (1, 2, 4, 5)] == [
        False,
        True,
        True,
        False,
    ]
    exact = _label(reps=1, reps_tol=0)
    assert _by(score(exact, said_from_report(_report(n_valid=1))))[("reps", "reps")]
    # completed reps win over valid reps once the report counts them
    rep = _report(n_valid=3)
    rep["summary"]["n_completed_reps"] = 1
    assert not _by(score(_label(reps=3, reps_tol=0), said_from_report(rep)))[("reps", "reps")]


def test_conditions_come_from_setup_notes_and_warnings_not_positive_findings():
    lab = _label(
        must_find=("small_subject", "no_standing_start", "subject_leaves_frame"), must_not_find=("hinge_back_first",)
    )
    rep = _report(
        setup=["subject_too_small", "no_baseline"], warnings=["out_of_view"], findings=[("hinge_hips_led", "positive")]
    )
    b = _by(score(lab, said_from_report(rep)))
    assert b[("must_find", "small_subject")] and b[("must_find", "no_standing_start")]
    assert b[("must_find", "subject_leaves_frame")] and b[("must_not_find", "hinge_back_first")]
    # a positive finding never counts as reporting the fault it denies
    assert not _by(score(_label(must_find=("hinge_back_first",)), said_from_report(rep)))[
        ("must_find", "hinge_back_first")
    ]
    # setup findings in the findings list count as setup notes too
    rep2 = _report(findings=[("setup:subject_too_small", "info")])
    assert _by(score(_label(must_find=("small_subject",)), said_from_report(rep2)))[("must_find", "small_subject")]


def test_unscored_facts_give_no_items_and_running_has_no_reps():
    lab = _label(view=None, exercise=None, reps=None, must_find=(), must_not_find=())
    assert score(lab, said_from_report(_report())) == []
    said = said_from_report(_report(exercise="running", n_valid=0))
    assert said.reps is None


def test_refusal_right_only_for_too_short():
    lab = _label(must_find=("too_short", "multi_person"))
    items = score(lab, said_from_refusal("ClipTooShortError", "The clip is only 0.5 s long."))
    b = _by(items)
    assert b[("must_find", "too_short")] is True
    assert [k for k, v in b.items() if v] == [("must_find", "too_short")]  # everything else wrong
    other = _by(score(lab, said_from_refusal("NoPersonError", "No person was found.")))
    assert not any(other.values())


def test_crash_is_wrong_everywhere():
    items = score(_label(must_find=("too_short",)), Said(crash="ValueError: boom"))
    assert items and not any(i.right for i in items)


def test_rows_and_summary_count_refusals_and_crashes():
    lab = _label()
    rows = [
        clip_row(
            lab,
            {
                "report": _report(findings=[("back_rounding_proxy", "amber")], warnings=["several_people"]),
                "pose_s": 2.0,
                "analysis_s": 0.5,
            },
        ),
        clip_row(lab, {"refusal": {"kind": "NoPersonError", "message": "No person."}, "wall_s": 1.0}),
        clip_row(lab, {"crash": "ValueError: boom"}),
    ]
    assert rows[0]["right"] == rows[0]["total"] == 7 and rows[0]["run_s"] == 2.5
    assert rows[1]["right"] == rows[2]["right"] == 0
    s = summarise(rows)
    assert (s["clips"], s["refused"], s["crashed"]) == (3, 1, 1)
    assert s["overall"] == {"right": 7, "total": 21, "agreement": round(7 / 21, 4)}


def test_load_labels_parses_lists_and_rejects_unknown_items(tmp_path: Path):
    p = tmp_path / "EXPECTED.tsv"
    head = "\t".join(COLUMNS)
    p.write_text(
        head + "\na.mp4\tside\tside|oblique\trunning\trunning\t-\t0\tslow_motion;camera_moving\t-\tn\n"
        "b.mp4\t-\t-\tsquat\tsquat\t2\t1\t-\theel_lift\t\n"
    )
    a, b = load_labels(p)
    assert a.view_ok == ("side", "oblique") and a.reps is None and a.must_find == ("slow_motion", "camera_moving")
    assert a.must_not_find == () and b.view is None and b.reps == 2 and b.reps_tol == 1
    p.write_text(head + "\na.mp4\tside\tside\tsquat\tsquat\t1\t0\tsquat_wobble\t-\t\n")
    with pytest.raises(ValueError, match="squat_wobble"):
        load_labels(p)


def test_shared_labels_parse_when_present():
    from analyzer.bench.realclips import DEFAULT_CLIPS

    tsv = DEFAULT_CLIPS / "EXPECTED.tsv"
    if not tsv.is_file():
        pytest.skip("../shared/realclips is absent")
    labels = load_labels(tsv)
    assert len(labels) >= 31 and all((DEFAULT_CLIPS / lb.file).is_file() for lb in labels)
