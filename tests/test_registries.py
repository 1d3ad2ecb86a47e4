"""The exercise and metric registries are the only lists: whatever names exercises or metrics agrees with them."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from analyzer import exercises as X
from analyzer.metrics import MODULES
from analyzer.metrics.registry import METRICS, WHY_NOT, computed_by, headline_ids

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = [p for p in (ROOT / "analyzer").rglob("*.py") if "synth" not in p.parts] + [ROOT / "app.py"]


def _string_lists(path: Path):
    """Every tuple/list/set literal of string constants in a source file, with its line."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            vals = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if vals:
                yield node.lineno, vals


def test_no_other_module_lists_the_exercises():
    names = set(X.NAMES)
    offenders = [
        f"{p.relative_to(ROOT)}:{ln}"
        for p in PRODUCT
        if p.name != "exercises.py"
        for ln, vals in _string_lists(p)
        if len(names & set(vals)) >= 3
    ]
    assert not offenders, f"exercise lists outside analyzer/exercises.py: {offenders}"


def test_no_other_module_lists_the_metrics():
    ids = set(METRICS)
    offenders = [
        f"{p.relative_to(ROOT)}:{ln}"
        for p in PRODUCT
        if p.name != "registry.py"
        for ln, vals in _string_lists(p)
        if len(ids & set(vals)) >= 3
    ]
    assert not offenders, f"metric lists outside analyzer/metrics/registry.py: {offenders}"


def test_cli_choices_are_the_registry():
    from analyzer.cli import ExerciseOpt, ViewOpt

    assert [e.value for e in ExerciseOpt] == ["auto", *X.NAMES]
    assert [v.value for v in ViewOpt] == ["auto", *(v for v in X.VIEWS if v != "oblique")]


def test_report_schema_enum_is_the_registry():
    from analyzer.report.model import report_schema

    static = json.loads((ROOT / "analyzer" / "report" / "report.schema.json").read_text())
    assert "enum" not in static["properties"]["context"]["properties"]["exercise"]  # filled in, so it cannot drift
    ctx = report_schema()["properties"]["context"]["properties"]
    assert ctx["exercise"]["enum"] == [*X.NAMES, X.UNKNOWN]
    assert set(ctx["view"]["enum"]) == {*X.VIEWS, "unknown"}


def test_types_view_literal_is_the_registry():
    from typing import get_args

    from analyzer.types import View

    assert set(get_args(View)) == {*X.VIEWS, "unknown"}


def test_every_exercise_runs_known_metric_modules_in_known_views():
    for spec in X.EXERCISES.values():
        assert set(spec.metric_modules) <= {"side", "frontal", "oblique"}, spec.name
        for mods in spec.metric_modules.values():
            assert set(mods) <= set(MODULES), (spec.name, mods)
        assert set(spec.views) <= set(X.VIEWS) and set(spec.live_checks) <= {"side", "front"}
        assert spec.rep_signal in ("hip_drop", "hip_trunk_angle", "stride")
        assert spec.is_lift == (spec.rep_signal != "stride")


def test_every_metric_is_computed_by_a_module_and_says_why_not():
    for mid, m in METRICS.items():
        assert m.module in (*MODULES, "counts"), mid
        assert m.group in WHY_NOT, mid
        assert m.views <= set(X.VIEWS), mid
        if m.views != set(X.VIEWS):  # some view cannot measure it: the report must say why, in words
            assert WHY_NOT[m.group], mid
        assert m.label and m.label[0].isupper() and "_" not in m.label, mid
    for name in MODULES:
        assert computed_by(name), name
    assert "rep_count" in headline_ids()


def test_metric_modules_produce_exactly_their_registry_ids(tmp_path):
    """On synthetic clips of each view, every module returns the ids the registry gives it for the exercise's family,
    and no other."""
    from synthetic_tracks import make_clean, running_kin, squat_kin

    from analyzer.context.detect import detect_context
    from analyzer.metrics import compute_metrics

    for kin, view, ex in (
        (squat_kin(), "side", "squat"),
        (squat_kin(), "front", "squat"),
        (running_kin(), "side", "running"),
        (running_kin(), "back", "running"),
    ):
        clean = make_clean(kin, view, 1)
        ctx = detect_context(clean, exercise=ex, view=view)
        ms = compute_metrics(clean, ctx)
        want = {
            i
            for name in dict.fromkeys(m for v in X.EXERCISES[ex].metric_modules.values() for m in v)
            for i in computed_by(name)
        } | {"rep_count"}
        fam = X.EXERCISES[ex].family  # metrics of another exercise family (hinge timing on a squat) are left out
        want = {i for i in want if not METRICS.get(i) or not METRICS[i].families or fam in METRICS[i].families}
        assert set(ms.values) == want, (ex, view, set(ms.values) ^ want)
        for mid, m in ms.values.items():
            if view not in METRICS[mid].views:
                assert m.status == "not_measurable" and m.value is None, (ex, view, mid)


def test_rules_name_only_registry_exercises_metrics_and_views(tmp_path):
    from analyzer.errors import RulesFileError
    from analyzer.rules import DEFAULT_RULES, load_rules

    rs = load_rules()
    for r in rs.rules:
        assert set(r.exercises) <= {*X.NAMES, "any"} and set(r.views) <= set(X.VIEWS), r.id
        assert set(r.metrics) <= set(METRICS), r.id
    bad = DEFAULT_RULES.read_text().replace('exercises = ["running"]', 'exercises = ["jogging"]', 1)
    (tmp_path / "rules.toml").write_text(bad)
    with pytest.raises(RulesFileError, match="jogging"):
        load_rules(tmp_path / "rules.toml")


def test_live_rules_exist_and_suit_their_check():
    from analyzer.rules import load_rules

    rs = load_rules()
    assert set(rs.live) == {"side", "front"}
    views = {"side": {"side"}, "front": {"front", "back"}}
    for check, ids in rs.live.items():
        for rid in ids:
            assert set(rs.rule(rid).views) & views[check], (check, rid)
