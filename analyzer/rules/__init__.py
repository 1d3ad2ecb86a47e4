"""Rules as data: ``rules.toml`` (thresholds → findings) and ``cues.toml`` (cue library, drills, notes).

Public API:
    load_rules(rules_path=None) -> RuleSet   (raises RulesFileError naming rule and line)
    evaluate_detailed(metrics, ctx, rules_path=None, *, rules=None) -> Evaluation(findings, skipped, rules)
    evaluate(metrics, ctx, rules_path=None) -> list[Finding]
    with_symptoms(evaluation, answers) -> Evaluation  (the symptom check: the only source of nerve-related advice)
    sort_findings(findings), QUESTIONS
"""

from .evaluate import evaluate, evaluate_detailed, sort_findings, with_symptoms
from .loader import load_cues, load_rules
from .model import (
    CATEGORIES,
    DEFAULT_CUES,
    DEFAULT_RULES,
    CueLibrary,
    Evaluation,
    Rule,
    RuleSet,
    Skip,
)
from .symptoms import QUESTIONS, symptom_check

__all__ = [
    "CATEGORIES",
    "DEFAULT_CUES",
    "DEFAULT_RULES",
    "QUESTIONS",
    "CueLibrary",
    "Evaluation",
    "Rule",
    "RuleSet",
    "Skip",
    "evaluate",
    "evaluate_detailed",
    "load_cues",
    "load_rules",
    "sort_findings",
    "symptom_check",
    "with_symptoms",
]
