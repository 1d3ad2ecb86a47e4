"""Rules as data: ``rules.toml`` (thresholds → findings) and ``cues.toml`` (cue library, drills, notes).

Public API:
    evaluate(metrics, ctx, rules_path=None, *, symptoms=None) -> list[Finding]
    evaluate_detailed(metrics, ctx, rules_path=None) -> Evaluation(findings, skipped)
    load_rules(rules_path=None) -> RuleSet   (raises RulesFileError naming rule and line)
    symptom_check(answers) -> list[Finding]  (the only source of nerve-related advice)
    sort_findings(findings), KNOWN_METRICS, QUESTIONS
"""
from .engine import (
    CATEGORIES,
    DEFAULT_CUES,
    DEFAULT_RULES,
    KNOWN_METRICS,
    CueLibrary,
    Evaluation,
    Rule,
    RuleSet,
    Skip,
    evaluate,
    evaluate_detailed,
    load_cues,
    load_rules,
    sort_findings,
)
from .symptoms import QUESTIONS, symptom_check

__all__ = [
    "CATEGORIES", "DEFAULT_CUES", "DEFAULT_RULES", "KNOWN_METRICS", "QUESTIONS", "CueLibrary", "Evaluation", "Rule",
    "RuleSet", "Skip", "evaluate", "evaluate_detailed", "load_cues", "load_rules", "sort_findings", "symptom_check",
]
