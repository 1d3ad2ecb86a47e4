"""Session comparison: headline metrics of two analysed clips side by side."""

from __future__ import annotations

from typing import Any

from .results import AppResult


def _fmt(h: dict[str, Any] | None) -> str:
    if h is None:
        return "—"
    if h["status"] != "ok" or h["value"] is None:
        return h.get("reason") or h["status"].replace("_", " ")
    unit = h.get("unit") or ""
    v = h["value"]
    s = h.get("text") or f"{f'{v:.0f}' if h['id'] == 'rep_count' else f'{v:.3g}'} {unit}".strip()
    return s + (" (proxy)" if h.get("proxy") else "")


def compare_rows(a: AppResult, b: AppResult) -> list[dict[str, Any]]:
    """Rows ``{"metric", "A", "B", "change"}`` over the union of both clips' headline metrics.

    ``change`` = B − A when both are measured numbers (same unit), else blank.
    """
    ids = list(dict.fromkeys([h["id"] for h in a.headline] + [h["id"] for h in b.headline]))
    rows = [
        {"metric": "Exercise / view", "A": f"{a.exercise} / {a.view}", "B": f"{b.exercise} / {b.view}", "change": ""},
        {"metric": "Findings (red/amber)", "A": _sev(a), "B": _sev(b), "change": ""},
    ]
    for mid in ids:
        ha, hb = a.headline_value(mid), b.headline_value(mid)
        either = ha or hb
        if either is None:
            continue
        label = either["label"]
        change = ""
        if ha and hb and ha["status"] == hb["status"] == "ok" and ha["value"] is not None and hb["value"] is not None:
            d = hb["value"] - ha["value"]
            change = f"{d:+.3g} {ha.get('unit') or ''}".strip()
        rows.append({"metric": label, "A": _fmt(ha), "B": _fmt(hb), "change": change})
    return rows


def _sev(r: AppResult) -> str:
    red = sum(1 for c in r.cards if c.severity == "red")
    amber = sum(1 for c in r.cards if c.severity == "amber")
    return f"{red} / {amber}"
