"""Altair (Vega-Lite) charts of the key angles, with rep spans and rule thresholds marked."""

from __future__ import annotations

from typing import Any

from ..kinematics import LABELS as SERIES_LABELS
from ..metrics.registry import METRICS

SEVERITY_COLOURS = {"red": "#c0392b", "amber": "#e67e22", "info": "#2980b9", "positive": "#27ae60"}


def series_label(c: str) -> str:
    """A chart series in words: the kinematics label, or the metric's label with its sign convention."""
    if c in SERIES_LABELS:
        return SERIES_LABELS[c]
    m = METRICS.get(c)
    return f"{m.label} ({m.sign})" if m is not None and m.series == c else c.replace("_", " ")


def threshold_text(th: dict[str, Any]) -> str:
    """A rule threshold line in words: "Worth fixing when above 10°"."""
    from ..report.text import COMPARE_WORDS
    from .results import SEVERITY_LABEL

    word = COMPARE_WORDS.get(th.get("comparator") or "", th.get("comparator") or "at")
    value = f"{abs(th['value']) if word.endswith('±') else th['value']:g}°"
    return f"{SEVERITY_LABEL.get(th['severity'], th['severity'])} when {word}{'' if word.endswith('±') else ' '}{value}"


def long_rows(series: dict[str, list], columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Wide ``{"t": [...], col: [...]}`` → long rows ``{"t", "series", "label", "deg"}`` (None values dropped)."""
    t = series.get("t", [])
    cols = columns or [c for c in series if c != "t"]
    rows = []
    for c in cols:
        label = series_label(c)
        for ti, v in zip(t, series.get(c, [])):
            if v is not None:
                rows.append({"t": ti, "series": c, "label": label, "deg": v})
    return rows


def angle_charts(
    series: dict[str, list],
    reps: list[dict[str, Any]],
    thresholds: list[dict[str, Any]],
    width: int = 640,
    height: int = 130,
):
    """One small chart per angle, stacked: line over time (s), shaded rep spans, dotted bottoms, threshold rules."""
    import altair as alt

    cols = [c for c in series if c != "t"]
    charts = []
    spans = [
        {"start": r["t_start"], "end": r["t_end"], "bottom": r["t_bottom"], "rep": f"rep {r['rep']}"} for r in reps
    ]
    for c in cols:
        label = series_label(c)
        data = alt.Data(values=long_rows(series, [c]))
        line = (
            alt.Chart(data)
            .mark_line(strokeWidth=1.5)
            .encode(
                x=alt.X("t:Q", title="time (s)"),
                y=alt.Y("deg:Q", title="angle (°)"),
                tooltip=[
                    alt.Tooltip("t:Q", format=".2f", title="time (s)"),
                    alt.Tooltip("deg:Q", format=".1f", title="angle (°)"),
                ],
            )
        )
        layers = [line]
        if spans:
            sp = alt.Data(values=spans)
            layers.insert(
                0,
                alt.Chart(sp)
                .mark_rect(opacity=0.12, color="#7f8c8d")
                .encode(x="start:Q", x2="end:Q", tooltip=["rep:N"]),
            )
            layers.append(alt.Chart(sp).mark_rule(strokeDash=[2, 3], color="#555").encode(x="bottom:Q"))
        th = [
            dict(
                x,
                colour=SEVERITY_COLOURS.get(x["severity"], "#555"),
                text=threshold_text(x),
            )
            for x in thresholds
            if x["series"] == c
        ]
        if th:
            td = alt.Data(values=th)
            layers.append(
                alt.Chart(td)
                .mark_rule(strokeDash=[6, 4])
                .encode(
                    y="value:Q",
                    color=alt.Color("colour:N", scale=None),
                    tooltip=[alt.Tooltip("text:N", title="threshold")],
                )
            )
        charts.append(alt.layer(*layers).properties(title=label, width=width, height=height))
    if not charts:
        return None
    return alt.vconcat(*charts).resolve_scale(x="shared")
