"""Report text helpers: percentages, table cells and columns, the evidence line of a finding, the CLI's top lines."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..types import Finding, MetricValue


# ------------------------------------------------------------------------------------- helpers
def pct(x: Any) -> str:
    return f"{float(x):.0%}" if isinstance(x, (int, float)) and math.isfinite(float(x)) else "?"


def cell(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (float, np.floating)):
        return "–" if not math.isfinite(float(v)) else f"{float(v):.3g}"
    return str(v).replace("|", "/")


def columns(rows: list[dict[str, Any]]) -> list[str]:
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    return cols


def evidence_line(f: Finding, m: MetricValue | None = None) -> str:
    """Metric label, value (± display band) vs the threshold, reps and times, confidence; '' without a metric."""
    if f.metric is None or f.value is None:
        if f.category in ("nerves", "load") and f.rule_id.startswith("symptom_"):
            return "From your answers to the symptom check (not from the video)."
        return ""
    label = m.label if m is not None else f.metric
    unit = f" {f.unit}" if f.unit else ""
    band = f" (±{m.band:g}{unit})" if m is not None and m.band else ""
    s = f"{label} = {f.value:.3g}{unit}{band}"
    if f.threshold is not None and f.comparator:
        s += f" vs {f.severity} threshold {f.comparator} {f.threshold:.3g}{unit}"
    if m is not None and m.relative_to_baseline:
        s += " (change from your standing)"
    if f.reps:
        s += f"; rep{'s' if len(f.reps) > 1 else ''} {', '.join(map(str, f.reps))}"
    if f.times:
        s += f" (at {', '.join(f'{t:.2f} s' for t in f.times[:6])}{', …' if len(f.times) > 6 else ''})"
    if f.frames:
        s += f"; frames {', '.join(map(str, f.frames[:6]))}{', …' if len(f.frames) > 6 else ''}"
    s += f"; confidence {f.confidence:.2f}"
    if f.proxy:
        s += "; proxy, relative to your standing"
    if f.note:
        s += f". {f.note}"
    return s


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
    label = label.strip()
    for side in (", left", ", right"):
        label = label.removesuffix(side)
    return label[0].lower() + label[1:] if label[1:2].islower() else label
