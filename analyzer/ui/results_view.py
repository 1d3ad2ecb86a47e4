"""The results of one analysis on the page: video, headline metrics, cue cards, per-rep table, charts, drills,
downloads."""

from __future__ import annotations

import streamlit as st

from ..appkit.results import AppResult
from ..appkit.uploads import safe_stem
from ..report.text import could_not_show
from .common import SEVERITY_BADGE


def show_result(r: AppResult) -> None:
    st.header(f"Results — {r.label}")
    run_s = st.session_state.get("last_run_s")
    st.caption(
        f"{r.exercise} · {r.view} view ({r.view_confidence:.0%} sure) · {r.n_reps} rep(s) · "
        f"{r.duration_s:.1f} s, {r.n_frames} frames at {r.fps:.0f} fps"
        + (f" · ready in {run_s:.1f} s" if run_s is not None else "")
    )
    for w in r.warnings:
        st.warning(w)
    if r.subject_image:
        st.image(r.subject_image, caption=r.subject_caption or "The person analysed", width=200)
    for s in r.setup_issues:
        if s["code"] == "turn_sideways":  # the view is fine for what it shows; other checks need the side
            st.info(s["message"], icon="📐")
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
        rows = []
        for h in r.headline:
            if h["status"] == "ok" and h["value"] is not None:
                val = h.get("text") or f"{h['value']:.3g} {h['unit'] or ''}".strip()
            else:
                val = h.get("reason") or h["status"].replace("_", " ")
            sign = f" ({h['sign']})" if h.get("sign") and h["status"] == "ok" else ""
            rows.append({"metric": h["label"] + (" (proxy)" if h["proxy"] else "") + sign, "value": val})
        st.table(rows)

    st.subheader("What to work on")
    cards = [c for c in r.cards if c.category != "setup"]  # setup issues are shown above
    if not cards and r.unchecked:
        st.warning(r.unchecked)  # never an all-clear when nothing was measured
    elif not r.cards:
        st.success("No findings for this clip.")
    elif not cards:
        st.success("No technique findings for this clip; see the filming notes above.")
    for c in cards:
        with st.container(border=True):
            tc, xc = st.columns([1, 3])
            with tc:
                if c.thumbnail:
                    when = f"frame {c.frame}" + (f" · {c.times[0]:.2f} s" if c.times else "")
                    st.image(c.thumbnail, caption=when, width="stretch")
            with xc:
                st.markdown(
                    f"**{SEVERITY_BADGE.get(c.severity, c.severity)} — {c.title}**" + (" · *proxy*" if c.proxy else "")
                )
                st.markdown(f"> {c.cue}")
                if c.why:
                    st.write(c.why)
                if c.evidence:
                    st.caption(f"Evidence: {c.evidence}")
                if c.drills:
                    st.caption("Drills: " + "; ".join(c.drills))

    header, table, signs = r.rep_table
    if table:
        st.subheader("Per rep" if r.exercise != "running" else "Per stride")
        st.dataframe([dict(zip(header, row, strict=True)) for row in table], hide_index=True, width="stretch")
        for sign in signs:
            st.caption(sign)
        with st.expander("All measures of every rep"):
            st.dataframe(r.per_rep, hide_index=True, width="stretch")

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
                st.write(f"- {text} *Not shown: {', '.join(names)}.*")
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
