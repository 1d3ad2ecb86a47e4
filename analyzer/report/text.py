"""Report text helpers: percentages, the evidence line of a finding, the CLI's top lines, the per-rep table and
the "could not show" groups people read."""

from __future__ import annotations

import math
from typing import Any

from ..types import Finding, MetricValue


# ------------------------------------------------------------------------------------- helpers
def pct(x: Any) -> str:
    return f"{float(x):.0%}" if isinstance(x, (int, float)) and math.isfinite(float(x)) else "?"


#: Comparators in words, for evidence lines.
COMPARE_WORDS = {
    ">": "above",
    ">=": "at or above",
    "<": "below",
    "<=": "at or below",
    "==": "at",
    "|x| >": "beyond ±",
    "|x| >=": "at or beyond ±",
    "|x| <": "within ±",
    "|x| <=": "within ±",
    "abs>": "beyond ±",
    "abs>=": "at or beyond ±",
    "abs<": "within ±",
    "abs<=": "within ±",
}
#: Severities in words, for evidence lines ("red when above 16°").
_SEVERITY = {"red": "red", "amber": "amber", "info": "noted", "positive": "good"}


def evidence_line(f: Finding, m: MetricValue | None = None) -> str:
    """What a finding rests on, in the registry's words: the measure with its unit (± its band when the band is
    narrower than the value), the threshold, the sign convention, the reps with their times and frames, and the
    confidence; '' without a metric. E.g. "Knee-in angle, left: 18° ± 6° (red when at or above 16°; + = knee
    inside the hip–ankle line); reps 1, 2, 3 (at 1.00 s, …); frames 30, …; confidence 60%"."""
    from ..metrics.registry import METRICS

    if f.metric is None or f.value is None:
        if f.category in ("nerves", "load") and f.rule_id.startswith("symptom_"):
            return "From your answers to the symptom check (not from the video)."
        return ""
    spec = METRICS.get(f.metric)

    def num(v: float) -> str:
        return spec.format(v) if spec is not None else f"{v:.3g} {f.unit}".rstrip()

    label = spec.label if spec is not None else (m.label if m is not None else f.metric)
    s = f"{label}: {spec.shown(f.value) if spec is not None else num(f.value)}"
    said = []
    if f.threshold is not None and f.comparator:
        word = COMPARE_WORDS.get(f.comparator, f.comparator)
        said.append(
            f"{_SEVERITY.get(f.severity, f.severity)} when {word}{'' if word.endswith('±') else ' '}"
            f"{num(abs(f.threshold) if word.endswith('±') else f.threshold)}"
        )
    if spec is not None and spec.sign:
        said.append(spec.sign)
    if said:
        s += f" ({'; '.join(said)})"
    if m is not None and m.relative_to_baseline:
        s += ", a change from your standing" + (" read as a proxy" if f.proxy else "")
    elif f.proxy:
        s += ", a proxy"
    if f.reps:
        s += f"; rep{'s' if len(f.reps) > 1 else ''} {', '.join(map(str, f.reps))}"
    if f.times:
        s += f" (at {', '.join(f'{t:.2f} s' for t in f.times[:6])}{', …' if len(f.times) > 6 else ''})"
    if f.frames:
        s += f"; frame{'s' if len(f.frames) > 1 else ''} {', '.join(map(str, f.frames[:6]))}"
        s += ", …" if len(f.frames) > 6 else ""
    s += f"; confidence {f.confidence:.0%}"
    if f.note:
        s += f". {f.note}"
    return s


def gaps_phrase(quality: dict, view: str | None) -> str:
    """The landmark gaps of a clip in words: "joints out of sight for a while: 18 times (from the side the far arm
    and leg are often hidden)"."""
    n = int(quality.get("n_long_gaps", 0) or 0)
    s = f"joints out of sight for a while: {n} time{'' if n == 1 else 's'}" if n else "no joint out of sight for long"
    return s + (" (from the side the far arm and leg are often hidden)" if n and view == "side" else "")


def swaps_phrase(quality: dict) -> str:
    """Left/right landmark swaps the cleaning fixed, in words."""
    n = int(quality.get("swap_frames", 0) or 0)
    return (
        f"left and right swapped by the pose model in {n} frame{'' if n == 1 else 's'} (fixed)"
        if n
        else ("no left/right mix-ups")
    )


def people_phrase(quality: dict) -> str:
    """How many people the model saw at once, in words."""
    n = quality.get("n_people_max")
    return "one person in view" if n == 1 else f"up to {n} people in view at once" if n else "people in view unknown"


def top_findings(findings: list[Finding], n: int = 3) -> list[str]:
    """Up to ``n`` one-line findings for the CLI: faults (red, amber, info) in report order, then positives.

    Setup findings are left out (the CLI prints setup issues itself).
    """
    fs = [f for f in findings if f.category != "setup"]
    ordered = [f for f in fs if f.severity != "positive"] + [f for f in fs if f.severity == "positive"]
    lines = []
    for f in ordered[:n]:
        tag = "OK" if f.severity == "positive" else f.severity.upper()
        line = f"[{tag}] {f.title}"
        if f.severity != "positive":
            line += f" — {f.cue}"
        lines.append(line)
    return lines


def could_not_show(items: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """The report's not-measurable metrics grouped by reason, for "What this clip could not show".

    ``items``: ``Report.not_measurable`` rows (``label``, ``reason``, ``why``). A metric the view cannot see is
    grouped under its family's explanation of how to film it (``why``); any other reason stands as its own
    sentence. Returns (sentence, labels) in order of first appearance; left/right variants are named once.
    """
    groups: dict[str, list[str]] = {}
    for it in items:
        reason = str(it.get("reason") or "").strip()
        why = str(it.get("why") or "").strip()
        key = why if (why and ("view" in reason or not reason)) else _sentence(reason or why)
        label = in_sentence(str(it.get("label") or it.get("metric") or ""))
        names = groups.setdefault(key, [])
        if label and label not in names:
            names.append(label)
    return list(groups.items())


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else ""


def in_sentence(label: str) -> str:
    """A metric label for a list inside a sentence: one name for both sides, lower case unless an acronym
    ("Knee-in angle, left" → "knee-in angle"; "FPPA change" stays)."""
    label = one_name(label)
    return label[0].lower() + label[1:] if label[1:2].islower() else label


def one_name(label: str) -> str:
    """One name for a metric measured on both sides: "Knee-in angle, left" → "Knee-in angle"."""
    return label.strip().removesuffix(", left").removesuffix(", right")


#: Metric columns at most in the per-rep table people read (all of them stay in report.json and kinematics.csv).
REP_TABLE_COLUMNS = 4


def rep_table(
    per_rep: list[dict[str, Any]], measured: set[str], order: list[str], count_label: str = "Rep"
) -> tuple[list[str], list[list[str]], list[str]]:
    """The per-rep table for people: (header, rows, sign notes).

    ``per_rep``: the report's rows (metric ids → stored values); ``measured``: ids of metrics measured on this
    clip; ``order``: metric ids by priority (what the findings rest on, then the exercise's headline metrics).
    At most :data:`REP_TABLE_COLUMNS` of them, each headed by its label and read with its unit; a sign
    convention in words goes under the table once. ``count_label``: "Rep", or "Step" for running.
    """
    from ..metrics.registry import METRICS

    if not per_rep:
        return [], [], []
    present = set().union(*(r.keys() for r in per_rep))
    ids: list[str] = []
    for i in order:
        if i in present and i in measured and i in METRICS and i not in ids and len(ids) < REP_TABLE_COLUMNS:
            ids.append(i)
    time_key = "t_bottom" if "t_bottom" in present else ("t" if "t" in present else None)
    at = "Bottom at" if time_key == "t_bottom" else "At"
    header = [count_label, *([at] if time_key else []), *(METRICS[i].label for i in ids)]
    rows: list[list[str]] = []
    for r in per_rep:
        row = [str(r.get("rep", r.get("step", len(rows) + 1)))]
        if time_key:
            t = r.get(time_key)
            row.append(f"{t:.1f} s" if isinstance(t, (int, float)) and math.isfinite(t) else "–")
        row += [METRICS[i].format(r.get(i)) for i in ids]
        rows.append(row)
    by_sign: dict[str, list[str]] = {}  # one note per sign convention, naming every column it applies to
    for i in ids:
        if METRICS[i].sign:
            names = by_sign.setdefault(METRICS[i].sign, [])
            if (name := one_name(METRICS[i].label)) not in names:
                names.append(name)
    notes = [f"{_and(names)}: {sign}." for sign, names in by_sign.items()]
    return header, rows, notes


def _and(names: list[str]) -> str:
    """ "A", "A and b", "A, b and c" (later names lower-cased at the start)."""
    tail = [n[:1].lower() + n[1:] for n in names[1:]]
    return names[0] if not tail else f"{', '.join([names[0], *tail[:-1]])} and {tail[-1]}"
