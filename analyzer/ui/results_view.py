"""The results of one analysis on the page: video, headline metrics, cue cards, per-rep table, charts, drills,
downloads."""

from __future__ import annotations

import math
import re
from typing import Any

import streamlit as st

from .. import exercises as exercise_registry
from ..appkit.results import AppResult, Card
from ..appkit.uploads import safe_stem
from ..report.text import could_not_show
from .common import SEVERITY_BADGE


def show_result(r: AppResult) -> None:
    st.header(f"Results — {r.label}")
    run_s = st.session_state.get("last_run_s")
    spec = exercise_registry.get(r.exercise)
    what = spec.label if spec is not None else r.exercise.replace("_", " ").capitalize()
    count = "step" if r.exercise == "running" else "rep"
    st.caption(
        f"{what} · {r.view} view ({r.view_confidence:.0%} sure) · {r.n_reps} {count}{'' if r.n_reps == 1 else 's'} · "
        f"{r.duration_s:.1f} s, {r.n_frames} frames at {r.fps:.0f} fps"
        + (f" · ready in {run_s:.1f} s" if run_s is not None else "")
    )
    for w in r.warnings:
        st.warning(w)
    if r.subject_image:
        st.image(r.subject_image, caption=r.subject_caption or "The person analysed", width=200)
    for s in r.setup_issues:
        if s["code"] == "turn_sideways":  # the view is fine for what it shows; other checks need the side
            st.info(s["message"])
        else:
            (st.error if s["severity"] == "blocking" else st.warning)(f"Setup: {s['message']}")

    left, right = st.columns([3, 2])
    with left:
        if r.video:
            st.video(r.video, format="video/mp4")
        else:
            st.info("No annotated video was produced for this run.")
    with right:
        st.subheader("Headline metrics")
        rows, missing = headline_rows(r.headline)
        st.table(rows)
        for reason, labels in missing.items():
            st.caption(f"{reason[:1].upper()}{reason[1:]}: {'; '.join(labels)}.")

    st.subheader("What to work on")
    cards = [c for c in r.cards if c.category != "setup"]  # setup issues are shown above
    if not cards and r.unchecked:
        st.warning(r.unchecked)  # never an all-clear when nothing was measured
    elif not r.cards:
        st.success("No findings for this clip.")
    elif not cards:
        st.success("No technique findings for this clip; see the filming notes above.")
    for group in group_cards(cards):
        _show_cards(group)

    header, table, signs = r.rep_table
    if table:
        st.subheader("Per rep" if r.exercise != "running" else "Per stride")
        rows = [dict(zip(header, row, strict=True)) for row in table]
        st.dataframe(rows, hide_index=True, width="stretch")
        for sign in signs:
            st.caption(sign)
        with st.expander("All measures of every rep"):
            st.dataframe(all_measures(r.per_rep), hide_index=True, width="stretch")

    if len(r.series) > 1:
        st.subheader("Key angles over time")
        st.caption("Shaded: reps; dotted: the bottom of each rep; dashed: rule thresholds. Degrees, near side.")
        from analyzer.appkit.charts import angle_charts

        ch = angle_charts(r.series, r.reps, r.thresholds)
        if ch is not None:
            st.altair_chart(ch, width="content")

    if r.drills:
        st.subheader("Drills")
        for d in r.drills:
            with st.expander(d.get("name", "drill")):
                st.write(d.get("how", ""))
                if d.get("dose"):
                    st.caption(f"Dose: {d['dose']}")
                if d.get("caution"):
                    st.caption(f"Caution: {d['caution']}")
    if r.not_measurable:
        with st.expander("What this clip could not show"):
            for text, names in could_not_show(r.not_measurable):
                st.write(f"- {text} *Not shown: {'; '.join(names)}.*")
    for n in r.notes:
        st.caption(n)
    if r.safety_note:
        st.info(f"**Safety note.** From the guide these cues come from: “{r.safety_note}”")
    if r.disclaimer:
        st.caption(r.disclaimer)

    st.subheader("Downloads")
    stem = safe_stem(r.label)
    cols = st.columns(5)
    mimes = {
        "report.json": "application/json",
        "report.md": "text/markdown",
        "report.html": "text/html",
        "kinematics.csv": "text/csv",
    }
    for i, (name, mime) in enumerate(mimes.items()):
        if name in r.downloads:
            cols[i].download_button(name, r.downloads[name], file_name=f"{stem}_{name}", mime=mime, key=f"dl_{name}")
    if r.video:
        cols[4].download_button(
            "annotated.mp4", r.video, file_name=f"{stem}_annotated.mp4", mime="video/mp4", key="dl_video"
        )


# ---------------------------------------------------------------------------------------------
def _minus(text: str) -> str:
    """A leading hyphen as the minus sign the sign conventions use ("−267 ms"); the registry's format already
    writes it, this is for values formatted here."""
    return "−" + text[1:] if text.startswith("-") else text


def headline_rows(headline: list[dict[str, Any]]) -> tuple[list[dict[str, str]], dict[str, list[str]]]:
    """The headline table: ``{"Measure", "Value"}`` rows for what was measured (the sign convention in words after
    the label), and the labels of the rest by the reason they are missing ("not measurable from this view")."""
    rows: list[dict[str, str]] = []
    missing: dict[str, list[str]] = {}
    for h in headline:
        if h["status"] != "ok" or h["value"] is None:
            label = _qualified(h["label"], ["proxy"] if h["proxy"] else [])
            missing.setdefault(h.get("reason") or h["status"].replace("_", " "), []).append(label)
            continue
        val = h.get("text") or _minus(f"{h['value']:.3g} {h['unit'] or ''}".strip())
        notes = (["proxy"] if h["proxy"] else []) + ([h["sign"]] if h.get("sign") else [])
        rows.append({"Measure": _qualified(h["label"], notes), "Value": val})
    return rows, missing


def _qualified(label: str, notes: list[str]) -> str:
    """``label`` with its qualifiers in one pair of brackets: "Depth: hip against knee (approx.; ≤ 0 = hip at or
    below the knee, parallel or deeper)", never "(approx.) (≤ 0 = … (parallel or deeper))"."""
    m = re.fullmatch(r"(.*?) \(([^()]*)\)", label)
    base, own = (m.group(1), [m.group(2)]) if m else (label, [])
    flat = [re.sub(r" \(([^()]*)\)", r", \1", n) for n in own + notes]
    return f"{base} ({'; '.join(flat)})" if flat else base


def group_cards(cards: list[Card]) -> list[list[Card]]:
    """Findings that share a cue, together (in the order of their first one): the cue is said once."""
    groups: dict[str, list[Card]] = {}
    for c in cards:
        groups.setdefault(c.cue.strip(), []).append(c)
    return list(groups.values())


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z'‘“])")


def _unique_sentences(texts: list[str]) -> str:
    out: list[str] = []
    for t in texts:
        for sentence in _SENTENCE.split(t.strip()):
            if sentence and sentence not in out:
                out.append(sentence)
    return " ".join(out)


def _show_cards(group: list[Card]) -> None:
    """One bordered card for findings with the same cue: each title, the cue and the why once, each evidence."""
    first = group[0]
    with st.container(border=True):
        tc, xc = st.columns([1, 3])
        with tc:
            if first.thumbnail:
                when = (f"At {first.times[0]:.2f} s, " if first.times else "") + f"frame {first.frame}"
                st.image(first.thumbnail, caption=when, width="stretch")
        with xc:
            for c in group:
                st.markdown(
                    f"**{SEVERITY_BADGE.get(c.severity, c.severity)} — {c.title}**" + (" · *proxy*" if c.proxy else "")
                )
            st.markdown(f"> {first.cue}")
            why = _unique_sentences([c.why for c in group if c.why])
            if why:
                st.write(why)
            for c in group:
                if c.evidence:
                    st.caption(f"Evidence: {c.evidence}")
            drills = list(dict.fromkeys(d for c in group for d in c.drills))
            if drills:
                st.caption("Drills: " + "; ".join(drills))


def all_measures(per_rep: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Every stored measure of every rep for people: the registry's labels, values with their units."""
    from ..metrics.registry import METRICS

    def secs(v: Any) -> str:
        return f"{v:.1f} s" if isinstance(v, (int, float)) and math.isfinite(v) else "–"

    rows = []
    for i, r in enumerate(per_rep, 1):
        row = {"Step" if "step" in r else "Rep": str(r.get("rep", r.get("step", i)))}
        if "t_start" in r and "t_end" in r:
            row["Time"] = f"{secs(r['t_start'])[:-2]}–{secs(r['t_end'])}"
        if "t_bottom" in r:
            row["Bottom at"] = secs(r["t_bottom"])
        elif "t" in r:
            row["At"] = secs(r["t"])
        for k, v in r.items():
            spec = METRICS.get(k)
            if spec is not None:
                notes = (["proxy"] if spec.proxy else []) + ([spec.sign] if spec.sign else [])
                row[_qualified(spec.label, notes)] = spec.format(v)
        rows.append(row)
    return rows
