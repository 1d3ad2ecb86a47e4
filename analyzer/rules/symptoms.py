"""The short symptom check: the only way the analyzer offers nerve-related advice.

Nerve tension cannot be seen on video, so the seated neural glide is never inferred from a clip;
it is offered only when the person's own answers match the signs the source document lists
(worse after prolonged sitting, tingling down into the calf, ...). Every nerves finding says it is
not a diagnosis and carries the document's safety note. Reported numbness or weakness withholds
the glide and points to a physiotherapist instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..types import Category, Finding, Severity
from .loader import load_rules

NOT_A_DIAGNOSIS = "This is not a diagnosis"


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    source: str


#: Questions in the order the app/CLI should ask them (yes/no answers).
QUESTIONS: tuple[Question, ...] = (
    Question(
        "worse_after_sitting",
        "Does the tightness get worse after prolonged sitting?",
        "DOC_BIO, 'Nerve Tension Masquerades as Muscle Tightness'",
    ),
    Question(
        "tingling_calf",
        "Does tingling run down into the calf (or foot)?",
        "DOC_BIO, 'Nerve Tension Masquerades as Muscle Tightness'; DOC_NOTES, 'It Might Not Be the Muscle'",
    ),
    Question(
        "better_with_walking",
        "Does it improve temporarily with walking?",
        "DOC_BIO, 'Nerve Tension Masquerades as Muscle Tightness'",
    ),
    Question(
        "stretching_makes_worse",
        "Does stretching the hamstrings make it worse, or bring sharp, radiating discomfort?",
        "DOC_BIO ('A telltale sign'); DOC_NOTES, 'It Might Not Be the Muscle'",
    ),
    Question(
        "numbness_or_weakness", "Do you have radiating numbness or weakness in the leg?", "DOC_BIO, 'Safety note'"
    ),
    Question(
        "volume_spike",
        "Have you increased your weekly training volume by more than 15% recently?",
        "DOC_BIO, 'Nerve Tension Masquerades as Muscle Tightness' (Note)",
    ),
)
_KEYS = {q.key for q in QUESTIONS}
_NERVE_SIGNS = ("worse_after_sitting", "tingling_calf", "better_with_walking", "stretching_makes_worse")
_YES = {"yes", "y", "true", "1", "ja", "oui"}
_NO = {"no", "n", "false", "0", "nein", "non", ""}


def _yes(v: Any, key: str) -> bool | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return bool(v)
    s = str(v).strip().lower()
    if s in _YES:
        return True
    if s in _NO:
        return False
    raise ValueError(f"Symptom answer for '{key}' must be yes or no, not {v!r}.")


def symptom_check(answers: dict[str, Any], *, rules_path: str | Path | None = None) -> list[Finding]:
    """Findings from yes/no answers to :data:`QUESTIONS` (keys as in ``Question.key``; missing = not answered).

    Returns ``nerves`` findings (glide offered only on a matching answer; red "see a physiotherapist"
    when numbness/weakness is reported, and then no glide) and a ``load`` finding for a >15 % volume spike.
    Raises ValueError for unknown keys or answers that are not yes/no.
    """
    unknown = set(answers) - _KEYS
    if unknown:
        raise ValueError(
            f"Unknown symptom question(s): {', '.join(sorted(unknown))}. Known: {', '.join(sorted(_KEYS))}."
        )
    a = {k: _yes(v, k) for k, v in answers.items()}
    lib = load_rules(rules_path).cues
    safety = lib.note("safety")
    said = [q for q in QUESTIONS if q.key in _NERVE_SIGNS and a.get(q.key)]
    out: list[Finding] = []

    def finding(
        rule_id: str, severity: Severity, category: Category, title: str, cue: str, why: str, drills: list, source: str
    ) -> Finding:
        return Finding(
            rule_id=rule_id,
            severity=severity,
            category=category,
            title=title,
            cue=cue,
            why=why,
            metric=None,
            value=None,
            threshold=None,
            comparator=None,
            unit=None,
            confidence=1.0,
            drills=drills,
            source=source,
        )

    if a.get("numbness_or_weakness"):
        out.append(
            finding(
                "symptom_numbness_weakness",
                "red",
                "nerves",
                "You reported radiating numbness or weakness — check with a physiotherapist first",
                lib.cue_text("see_physio"),
                f"{NOT_A_DIAGNOSIS}. Neurological symptoms are outside what a movement check can judge, so no nerve "
                "glide is "
                f"suggested here. Safety note: {safety}",
                [],
                lib.cues.get("see_physio", {}).get("source", "DOC_BIO, 'Safety note'"),
            )
        )
    elif said:
        answered = "; ".join(q.text for q in said)
        out.append(
            finding(
                "symptom_neural_tension",
                "info",
                "nerves",
                "Your answers match signs of nerve tension (not a diagnosis)",
                lib.cue_text("neural_glide"),
                f"{NOT_A_DIAGNOSIS}. You answered yes to: {answered} The source says that if tight hamstrings worsen "
                "after "
                "prolonged sitting, improve temporarily with walking, or reproduce tingling down the calf, it is "
                "likely neural "
                "tension rather than muscle shortness, and that gentle nerve glides bring relief where hamstring "
                "stretching "
                f"does not. Safety note: {safety}",
                [lib.drills["seated_neural_glide"]] if "seated_neural_glide" in lib.drills else [],
                "DOC_BIO, 'Nerve Tension Masquerades as Muscle Tightness'; DOC_NOTES, 'It Might Not Be the Muscle'",
            )
        )
    if a.get("volume_spike"):
        out.append(
            finding(
                "symptom_volume_spike",
                "info",
                "load",
                "Weekly volume rose by more than 15%",
                lib.cue_text("weekly_volume"),
                lib.note("weekly_volume"),
                [],
                lib.notes.get("weekly_volume", {}).get("source", "DOC_BIO"),
            )
        )
    return out
