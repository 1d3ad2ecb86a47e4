"""The compare-sessions and symptom-check pages."""

from __future__ import annotations

import streamlit as st

from ..appkit.compare import compare_rows
from .common import SEVERITY_BADGE, show_error


def page_compare() -> None:
    st.title("Compare two sessions")
    store: dict = st.session_state.get("analyses", {})
    if len(store) < 2:
        st.info("Analyse at least two clips (or one clip with two settings) in this session to compare them.")
        return
    keys = list(store)

    def name(k):
        return f"{store[k].label} ({store[k].exercise}, {store[k].view})"

    a = st.selectbox("Clip A", keys, index=0, format_func=name, key="cmp_a")
    b = st.selectbox("Clip B", keys, index=1, format_func=name, key="cmp_b")
    st.dataframe(compare_rows(store[a], store[b]), hide_index=True, width="stretch")
    st.caption("change = B − A, only where both clips measured the metric.")


def page_symptoms() -> None:
    st.title("Symptom check")
    st.warning(
        "**This is not a diagnosis.** Nerve tension cannot be seen on video; these questions only decide whether a "
        "gentle nerve-glide drill is worth trying, or whether to see a physiotherapist first."
    )
    try:
        from analyzer.rules.symptoms import QUESTIONS, symptom_check
    except ImportError:
        st.info("The symptom check is not available in this build.")
        return
    with st.form("symptoms"):
        answers = {}
        for q in QUESTIONS:
            a = st.radio(q.text, ["not sure", "yes", "no"], horizontal=True, key=f"sym_{q.key}")
            if a != "not sure":
                answers[q.key] = a
        sent = st.form_submit_button("Check")
    if sent:
        try:
            findings = symptom_check(answers)
        except Exception as exc:
            show_error(exc)
            return
        if not findings:
            st.success("Nothing in your answers points to nerve-related tightness.")
        for f in findings:
            with st.container(border=True):
                st.markdown(f"**{SEVERITY_BADGE.get(f.severity, f.severity)} — {f.title}**")
                st.markdown(f"> {f.cue}")
                if f.why:
                    st.write(f.why)
                for d in f.drills:
                    st.caption(f"Drill: {d.name} — {d.how}" + (f" ({d.dose})" if d.dose else ""))
