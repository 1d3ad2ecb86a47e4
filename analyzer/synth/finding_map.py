"""Map the analyzer's rule ids onto the ground truth's finding names.

The synthetic ground truth (:func:`analyzer.synth.truth.expected_findings`) names faults with
rule-like names (``knee_valgus``, ``hinge_back_first``, ...). The analyzer's rules
(``analyzer/rules/rules.toml``) have their own ids, and "each"-combined rules add the metric after
a colon (``valgus_fppa:fppa_left``). :func:`truth_name` turns a finding's rule id into the truth
name it claims; positive findings ("hips led the hinge") are mapped by :func:`negated_name` to the
fault they deny, so a positive finding on a clip that must report that fault can be counted too.
"""
from __future__ import annotations

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
}

#: positive rule id → the truth fault name it denies.
POSITIVE_RULES: dict[str, str] = {
    "hinge_hips_led": "hinge_back_first",
    "knees_tracked": "knee_valgus",
    "even_weight": "lateral_shift",
}

#: Fault rules with no truth counterpart in the synthetic scenarios (scored as "unmapped", not as errors).
UNMAPPED_RULES = frozenset({"back_arched_proxy", "bar_ahead_of_midfoot"})

#: Every truth name the renderer can emit.
TRUTH_NAMES = frozenset(FAULT_RULES.values())


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
