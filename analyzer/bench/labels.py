"""Scoring a report against a real clip's label (``EXPECTED.tsv``): one item per labelled fact.

A label (:class:`Label`) says what a correct analyzer must say about a clip: the view and exercise
(any answer of ``view_ok`` / ``exercise_ok`` counts), the completed reps (± ``reps_tol``), the items it
must report (faults and clip conditions) and the faults it must not report. :func:`said_from_report`
reads the same facts out of a report (``Report.to_dict()``) through :mod:`analyzer.bench.vocabulary`;
:func:`score` compares the two. A clean refusal (an :class:`~analyzer.errors.AnalyzerError` instead
of a report) is right only for the condition it stands for (``too_short``); a crash is wrong everywhere.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .vocabulary import (
    CONDITION_NAMES,
    REFUSAL_CONDITIONS,
    TRUTH_NAMES,
    condition_names,
    truth_name,
)

COLUMNS = (
    "file",
    "view",
    "view_ok",
    "exercise",
    "exercise_ok",
    "reps",
    "reps_tol",
    "must_find",
    "must_not_find",
    "notes",
)
ITEM_KINDS = ("view", "exercise", "reps", "must_find", "must_not_find")


@dataclass(frozen=True)
class Label:
    """What a correct analyzer must say about one clip (a row of EXPECTED.tsv); None = not scored."""

    file: str
    view: str | None
    view_ok: tuple[str, ...]
    exercise: str | None
    exercise_ok: tuple[str, ...]
    reps: int | None
    reps_tol: int
    must_find: tuple[str, ...]
    must_not_find: tuple[str, ...]
    notes: str = ""


def _items(cell: str, sep: str) -> tuple[str, ...]:
    cell = (cell or "").strip()
    return () if cell in ("", "-") else tuple(x.strip() for x in cell.split(sep) if x.strip())


def load_labels(path: str | Path) -> list[Label]:
    """Labels from a tab-separated file with the :data:`COLUMNS` header; unknown vocabulary is an error."""
    p = Path(path)
    with p.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    if rows and set(COLUMNS) - set(rows[0]):
        raise ValueError(f"{p.name}: missing columns {sorted(set(COLUMNS) - set(rows[0]))}")
    known = TRUTH_NAMES | CONDITION_NAMES | {"pelvic_drop", "crossover", "lateral_shift"}
    out = []
    for i, r in enumerate(rows, 2):
        must, must_not = _items(r["must_find"], ";"), _items(r["must_not_find"], ";")
        bad = [x for x in must + must_not if x not in known]
        if bad:
            raise ValueError(f"{p.name}, line {i}: unknown item(s) {bad}")
        reps = (r["reps"] or "").strip()
        out.append(
            Label(
                file=r["file"].strip(),
                view=None if r["view"].strip() in ("", "-") else r["view"].strip(),
                view_ok=_items(r["view_ok"], "|"),
                exercise=None if r["exercise"].strip() in ("", "-") else r["exercise"].strip(),
                exercise_ok=_items(r["exercise_ok"], "|"),
                reps=None if reps in ("", "-") else int(reps),
                reps_tol=int((r["reps_tol"] or "0").strip() or 0),
                must_find=must,
                must_not_find=must_not,
                notes=(r.get("notes") or "").strip(),
            )
        )
    return out


@dataclass
class Said:
    """What the analyzer said about a clip, in the labels' vocabulary.

    ``refusal``: the one-sentence error of a clean refusal (``refusal_kind`` its error class);
    ``crash``: the last line of a traceback. Either means there was no report.
    """

    view: str | None = None
    exercise: str | None = None
    reps: int | None = None
    faults: set[str] = field(default_factory=set)
    conditions: set[str] = field(default_factory=set)
    refusal: str | None = None
    refusal_kind: str | None = None
    crash: str | None = None

    @property
    def reported(self) -> bool:
        return self.refusal is None and self.crash is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "view": self.view,
            "exercise": self.exercise,
            "reps": self.reps,
            "faults": sorted(self.faults),
            "conditions": sorted(self.conditions),
            "refusal": self.refusal,
            "refusal_kind": self.refusal_kind,
            "crash": self.crash,
        }


def completed_reps(report: dict[str, Any]) -> int:
    """Completed reps a report counts: ``summary.n_completed_reps`` when present, else its valid reps."""
    s = report.get("summary", {})
    n = s.get("n_completed_reps", s.get("n_valid_reps", 0))
    return int(n or 0)


def said_from_report(report: dict[str, Any]) -> Said:
    """The scored facts of a report dict (``Report.to_dict()``)."""
    ctx = report.get("context", {})
    faults = {
        n
        for f in report.get("findings", [])
        if f.get("severity") != "positive" and (n := truth_name(str(f.get("rule_id", ""))))
    }
    setup = [str(s.get("code", "")) for s in ctx.get("setup_issues", [])]
    setup += [str(f["rule_id"]) for f in report.get("findings", []) if str(f.get("rule_id", "")).startswith("setup:")]
    warns = [str(w.get("code", "")) for w in report.get("run", {}).get("warnings", []) if isinstance(w, dict)]
    return Said(
        view=ctx.get("view"),
        exercise=ctx.get("exercise"),
        reps=None if ctx.get("exercise") == "running" else completed_reps(report),
        faults=faults,
        conditions=condition_names(setup, warns),
    )


def said_from_refusal(kind: str, message: str) -> Said:
    """A clean refusal: no report, only the condition the refusal stands for (e.g. too_short)."""
    cond = {REFUSAL_CONDITIONS[kind]} if kind in REFUSAL_CONDITIONS else set()
    return Said(conditions=cond, refusal=message, refusal_kind=kind)


@dataclass(frozen=True)
class Item:
    """One labelled fact and whether the analyzer got it right."""

    kind: str  # one of ITEM_KINDS
    name: str  # "view", "exercise", "reps" or the vocabulary item
    expected: str
    said: str
    right: bool


def score(label: Label, said: Said) -> list[Item]:
    """One :class:`Item` per labelled fact of ``label`` (unscored facts give none)."""
    items: list[Item] = []
    ok = said.reported
    if label.view is not None:
        items.append(Item("view", "view", "|".join(label.view_ok), str(said.view), ok and said.view in label.view_ok))
    if label.exercise is not None:
        items.append(
            Item(
                "exercise",
                "exercise",
                "|".join(label.exercise_ok),
                str(said.exercise),
                ok and said.exercise in label.exercise_ok,
            )
        )
    if label.reps is not None:
        exp = f"{label.reps}" + (f" ± {label.reps_tol}" if label.reps_tol else "")
        items.append(
            Item(
                "reps",
                "reps",
                exp,
                str(said.reps),
                ok and said.reps is not None and abs(said.reps - label.reps) <= label.reps_tol,
            )
        )
    for name in label.must_find:
        hit = name in said.faults or name in said.conditions
        items.append(Item("must_find", name, "reported", "reported" if hit else "not reported", hit))
    for name in label.must_not_find:
        hit = name in said.faults
        items.append(Item("must_not_find", name, "not reported", "reported" if hit else "not reported", ok and not hit))
    return items


def tally(items: list[Item]) -> dict[str, Any]:
    """Right / total / agreement overall and per item kind."""

    def one(xs: list[Item]) -> dict[str, Any]:
        r = sum(x.right for x in xs)
        return {"right": r, "total": len(xs), "agreement": round(r / len(xs), 4) if xs else None}

    return {"overall": one(items), **{k: one([x for x in items if x.kind == k]) for k in ITEM_KINDS}}
