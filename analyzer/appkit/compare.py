"""Session comparison: headline metrics of two analysed clips side by side, in the registry's words and units."""

from __future__ import annotations

from typing import Any

from .results import AppResult

#: Column names of :func:`compare_rows`.
MEASURE, A, B, CHANGE = "Measure", "Clip A", "Clip B", "Change (B − A)"


def _fmt(h: dict[str, Any] | None) -> str:
    if h is None:
        return "—"
    if h["status"] != "ok" or h["value"] is None:
        return h.get("reason") or h["status"].replace("_", " ")
    s = h.get("text") or _number(h["id"], h["value"], h.get("unit"))
    return s + (" (proxy)" if h.get("proxy") else "")


def _number(mid: str, v: float, unit: str | None, signed: bool = False) -> str:
    """``v`` with the registry's symbol and precision ("12°", "−3 ms"); "+" in front when ``signed``."""
    from ..metrics.registry import METRICS

    spec = METRICS.get(mid)
    if spec is not None and spec.symbol:
        s = spec.format(v)
    else:  # a count: the number and its unit word
        word = (unit or "").removesuffix("s") if abs(v) == 1 else unit or ""
        s = f"{v:.0f} {word}".strip().replace("-", "\u2212")
    return ("+" + s) if signed and v > 0 and not s.startswith("0") else s


def _what(r: AppResult) -> str:
    from .. import exercises as X

    spec = X.get(r.exercise)
    return f"{spec.label if spec else 'Not recognised'}, {r.view} view"


def compare_rows(a: AppResult, b: AppResult) -> list[dict[str, Any]]:
    """Rows {Measure, Clip A, Clip B, Change (B − A)} over the union of both clips' headline metrics.

    The change is B − A when both are measured numbers (same unit), else blank.
    """
    ids = list(dict.fromkeys([h["id"] for h in a.headline] + [h["id"] for h in b.headline]))
    rows = [
        {MEASURE: "Exercise and view", A: _what(a), B: _what(b), CHANGE: ""},
        {MEASURE: "Findings to fix first / worth fixing", A: _sev(a), B: _sev(b), CHANGE: ""},
    ]
    for mid in ids:
        ha, hb = a.headline_value(mid), b.headline_value(mid)
        either = ha or hb
        if either is None:
            continue
        change = ""
        if ha and hb and ha["status"] == hb["status"] == "ok" and ha["value"] is not None and hb["value"] is not None:
            change = _number(mid, hb["value"] - ha["value"], ha.get("unit"), signed=True)
        rows.append({MEASURE: either["label"], A: _fmt(ha), B: _fmt(hb), CHANGE: change})
    return rows


def _sev(r: AppResult) -> str:
    red = sum(1 for c in r.cards if c.severity == "red")
    amber = sum(1 for c in r.cards if c.severity == "amber")
    return f"{red} / {amber}"
