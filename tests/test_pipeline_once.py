"""The pipeline runs each stage once and hands its results on; a custom rules/cues file is the one the report uses."""

from __future__ import annotations

from collections import Counter

from synthetic_tracks import make_track, squat_kin

from analyzer.pipeline import AnalyzeOptions, analyze_track
from analyzer.report.render import to_markdown
from analyzer.rules import DEFAULT_CUES, DEFAULT_RULES


def test_each_stage_runs_once(monkeypatch):
    import analyzer.context.view as V
    import analyzer.kinematics as K
    import analyzer.metrics as M
    import analyzer.rules as R

    calls: Counter = Counter()

    def counted(mod, name):
        real = getattr(mod, name)

        def wrapper(*a, **kw):
            calls[name] += 1
            return real(*a, **kw)

        monkeypatch.setattr(mod, name, wrapper)

    for mod, name in ((V, "detect_view"), (K, "frame_kinematics"), (M, "compute_metrics"), (R, "evaluate_detailed")):
        counted(mod, name)
    track = make_track(squat_kin(n_reps=3), "side", 1)
    for opts in (AnalyzeOptions(), AnalyzeOptions(exercise="squat", view="side")):
        calls.clear()
        a = analyze_track(track, opts)
        assert a.context.exercise == "squat" and len(a.context.reps) == 3
        assert calls == {"detect_view": 1, "frame_kinematics": 1, "compute_metrics": 1, "evaluate_detailed": 1}, calls


def test_custom_rules_and_cues_change_the_report(tmp_path):
    (tmp_path / "cues.toml").write_text(
        DEFAULT_CUES.read_text().replace(
            "This article provides general guidance", "OUR CLUB'S SAFETY NOTE: general guidance"
        ),
        encoding="utf-8",
    )
    rules = DEFAULT_RULES.read_text()
    # the depth rule speaks on every squat rep above parallel; make it speak on every rep
    rules = rules.replace('"depth_above_parallel"', '"club_depth_check"').replace(
        'condition = { comparator = ">", info = 0.0 }', 'condition = { comparator = ">", info = -90.0 }', 1
    )
    (tmp_path / "rules.toml").write_text(rules, encoding="utf-8")
    track = make_track(squat_kin(n_reps=3), "side", 1)
    default = analyze_track(track, AnalyzeOptions())
    custom = analyze_track(track, AnalyzeOptions(rules_path=str(tmp_path / "rules.toml")))
    assert "OUR CLUB'S SAFETY NOTE" in custom.report.safety_note
    assert "OUR CLUB'S SAFETY NOTE" not in default.report.safety_note
    assert "OUR CLUB'S SAFETY NOTE" in to_markdown(custom.report)
    ids = {f.rule_id for f in custom.report.findings}
    assert "club_depth_check" in ids and "depth_above_parallel" not in ids
    assert "club_depth_check" not in {f.rule_id for f in default.report.findings}
