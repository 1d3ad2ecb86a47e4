"""What a loaded rules file holds: rules, thresholds, the cue library, and why a rule stayed silent."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..types import Drill, Finding, MetricValue

RULES_DIR = Path(__file__).resolve().parent
DEFAULT_RULES = RULES_DIR / "rules.toml"
DEFAULT_CUES = RULES_DIR / "cues.toml"

CATEGORIES = ("pelvis", "nerves", "muscles", "technique", "setup", "load")  # documents' hierarchy, then the rest
SEVERITIES = ("red", "amber", "info", "positive")
AGGREGATIONS = ("value", "all_reps", "any_rep", "fraction_reps", "same_direction_fraction")
COMPARATORS = (">", ">=", "<", "<=", "abs>", "abs>=", "abs<", "abs<=")
PLACEHOLDERS = {"n_reps", "n_flagged", "side", "value"}


# ----------------------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Threshold:
    """A number, or ``sign·factor·noise_floor`` read from ``MetricValue.extra["noise_floor"]``."""

    number: float | None = None
    noise_factor: float | None = None  # signed

    def resolve(self, m: MetricValue) -> float | None:
        if self.number is not None:
            return self.number
        nf = m.extra.get("noise_floor") if m.extra else None
        if nf is None or not _finite(nf):
            return None
        return float(self.noise_factor or 0.0) * float(nf)

    def describe(self) -> str:
        if self.number is not None:
            return f"{self.number:g}"
        f = self.noise_factor or 0.0
        return ("-" if f < 0 else "") + ("" if abs(f) == 1 else f"{abs(f):g}*") + "noise_floor"


@dataclass(frozen=True)
class Extra:
    """An additional condition of a rule (``also = [...]``)."""

    metric: str
    comparator: str
    value: float
    aggregation: str = "value"
    optional: bool = False


@dataclass
class Rule:
    id: str
    metrics: list[str]
    combine: str
    exercises: list[str]
    views: list[str]
    category: str
    comparator: str
    thresholds: dict[str, Threshold]  # severity -> threshold ("positive" for positive rules)
    aggregation: str
    min_fraction: float
    min_reps: int | None
    also: list[Extra]
    title: str
    why: str
    cue: str
    cue_id: str | None
    drills: list[Drill]
    drill_ids: list[str]
    source: str
    threshold_source: str
    confidence_factor: float = 1.0
    proxy: bool = False
    variant_key: str | None = None
    variants: dict[str, dict[str, str]] = field(default_factory=dict)
    line: int = 0

    @property
    def positive(self) -> bool:
        return "positive" in self.thresholds


@dataclass
class CueLibrary:
    cues: dict[str, dict[str, str]]
    drills: dict[str, Drill]
    notes: dict[str, dict[str, str]]
    path: Path

    def note(self, key: str) -> str:
        return self.notes.get(key, {}).get("text", "")

    def cue_text(self, key: str) -> str:
        return self.cues.get(key, {}).get("text", "")


@dataclass
class RuleSet:
    """A loaded rules file: its rules, the cue library it uses, and live mode's rules per check (most important
    first)."""

    rules: list[Rule]
    cues: CueLibrary
    path: Path
    live: dict[str, list[str]] = field(default_factory=dict)

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


@dataclass
class Skip:
    """Why a rule said nothing (kept for the report's notes)."""

    rule_id: str
    metric: str | None
    reason: (
        str  # "view" | "exercise" | "not_measurable" | "insufficient_data" | "missing" | "min_reps" | "no_noise_floor"
    )
    detail: str = ""


@dataclass
class Evaluation:
    """What the rules said about a clip: the findings, why each silent rule stayed silent, and the rule set used."""

    findings: list[Finding]
    skipped: list[Skip]
    rules: RuleSet | None = None


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))
