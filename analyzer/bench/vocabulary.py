"""What the analyzer's ids mean in the plain vocabulary of the ground truth: one place for both harnesses.

The synthetic ground truth (:func:`analyzer.synth.truth.expected_findings`) and the labels of the real
clips (``../shared/realclips/EXPECTED.tsv``) name faults with rule-like names (``knee_valgus``,
``hinge_back_first``, ...); the real-clip labels add clip *conditions* the report must mention in words
(``multi_person``, ``camera_moving``, ...). The analyzer speaks with its own ids:

* rule ids (``analyzer/rules/rules.toml``); "each"-combined rules add the metric after a colon
  (``valgus_fppa:fppa_left``);
* setup-issue codes (:class:`~analyzer.types.SetupIssue`, reported as ``setup:<code>`` findings);
* warning codes (:class:`~analyzer.types.ClipWarning`, ``report.run.warnings``);
* a refusal (an :class:`~analyzer.errors.AnalyzerError` subclass) instead of a report.

:func:`truth_name` turns a fault finding's rule id into the truth name it claims; positive findings
("hips led the hinge") are mapped by :func:`negated_name` to the fault they deny; :func:`condition_names`
turns setup and warning codes into condition names.
"""

from __future__ import annotations

from collections.abc import Iterable

#: rule id (before any ``:metric`` suffix) → truth finding name (the fault the finding asserts).
FAULT_RULES: dict[str, str] = {
    "valgus_fppa": "knee_valgus",
    "valgus_fppa_change": "knee_valgus",
    "valgus_nksd": "knee_valgus",
    "running_knee_in_hip_control": "knee_valgus",
    "hinge_back_first": "hinge_back_first",
    "back_rounding_proxy": "lumbar_rounding",
    "running_overstride": "overstride",
    "running_cadence_low": "low_cadence",
    "running_pelvic_drop": "pelvic_drop",
    "running_pelvic_drop_asymmetry": "pelvic_drop",
    "running_crossover": "crossover",
    "heel_lift": "heel_lift",
    "squat_trunk_vs_tibia": "trunk_lean",
    "depth_above_parallel": "depth_above_parallel",
    "lateral_shift": "lateral_shift",
    "sl_rdl_pelvic_drop": "pelvic_drop",
    "sl_rdl_knee_in": "knee_valgus",
}

#: positive rule id → the truth fault name it denies.
POSITIVE_RULES: dict[str, str] = {
    "hinge_hips_led": "hinge_back_first",
    "knees_tracked": "knee_valgus",
    "even_weight": "lateral_shift",
}

#: Fault rules with no truth counterpart in the synthetic scenarios (scored as "unmapped", not as errors).
UNMAPPED_RULES = frozenset({"back_arched_proxy", "bar_ahead_of_midfoot"})

#: Every fault name the renderer can emit.
#: Faults the synthetic truth names that no rule reports yet, so they count as misses: the pelvis tucking under at
#: the bottom of a squat (measured as ``pelvic_tuck_bottom``, but its readings on real racked squats were not
#: plausible enough to coach on; docs/ACCURACY.md).
UNREPORTED_TRUTH = frozenset({"pelvis_tuck"})

TRUTH_NAMES = frozenset(FAULT_RULES.values()) | UNREPORTED_TRUTH

#: setup-issue code → the clip condition it reports.
SETUP_CONDITIONS: dict[str, str] = {
    "subject_too_small": "small_subject",
    "no_baseline": "no_standing_start",
}

#: warning code → the clip condition it reports.
WARNING_CONDITIONS: dict[str, str] = {
    "several_people": "multi_person",
    "out_of_view": "subject_leaves_frame",
    "slow_motion": "slow_motion",
    "camera_moving": "camera_moving",
    "occluded": "occluded",
}

#: refusal (AnalyzerError subclass name) → the clip condition a clean refusal stands for.
REFUSAL_CONDITIONS: dict[str, str] = {
    "ClipTooShortError": "too_short",
}

#: Every clip condition of the real-clip labels (``../shared/realclips/README.md``).
CONDITION_NAMES = frozenset(
    {
        "multi_person",
        "small_subject",
        "camera_moving",
        "subject_leaves_frame",
        "occluded",
        "too_short",
        "no_standing_start",
        "slow_motion",
    }
)


def base_rule_id(rule_id: str) -> str:
    """``"valgus_fppa:fppa_left"`` → ``"valgus_fppa"``; setup findings keep their ``setup:`` prefix."""
    return rule_id if rule_id.startswith("setup:") else rule_id.split(":", 1)[0]


def truth_name(rule_id: str) -> str | None:
    """The truth finding name a fault finding asserts, or None (positive, setup or unmapped rule)."""
    return FAULT_RULES.get(base_rule_id(rule_id))


def negated_name(rule_id: str) -> str | None:
    """The truth fault name a positive finding denies, or None."""
    return POSITIVE_RULES.get(base_rule_id(rule_id))


def reported_names(findings) -> set[str]:
    """Truth names asserted by a list of :class:`~analyzer.types.Finding` (positive findings excluded)."""
    out = set()
    for f in findings:
        if f.severity == "positive":
            continue
        n = truth_name(f.rule_id)
        if n:
            out.add(n)
    return out


def condition_names(setup_codes: Iterable[str] = (), warning_codes: Iterable[str] = ()) -> set[str]:
    """Clip conditions said by setup issues (codes, with or without the ``setup:`` prefix) and warnings."""
    out = {SETUP_CONDITIONS[c] for c in (s.removeprefix("setup:") for s in setup_codes) if c in SETUP_CONDITIONS}
    out |= {WARNING_CONDITIONS[c] for c in warning_codes if c in WARNING_CONDITIONS}
    return out
