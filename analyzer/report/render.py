"""Rendering a :class:`~analyzer.report.model.Report` for people: Markdown and a self-contained HTML page."""

from __future__ import annotations

import html

from ..rules.model import CATEGORIES
from .model import Report
from .text import could_not_show, evidence_line, gaps_phrase, pct, people_phrase, rep_table, swaps_phrase


def to_markdown(self: Report) -> str:
    """The report as Markdown."""
    s = self.summary()
    L: list[str] = []
    name = self.video.get("name") or self.video.get("path") or "clip"
    L.append(f"# Movement report — {name}")
    L.append("")
    L.append(f"> **{self.disclaimer}**")
    L.append("")
    L.append("## Summary")
    L.append("")
    L.append(
        f"- Exercise: **{s['exercise']}** · view: **{s['view']}**"
        + (f" · reps: {s['n_reps']} ({s['n_valid_reps']} valid)" if s["n_reps"] else "")
        + (f" · steps: {s['n_steps']}" if s["n_steps"] else "")
    )
    q = self.quality
    if q:
        L.append(
            f"- Person seen in {pct(q.get('detection_rate'))} of {q.get('n_frames', '?')} frames; "
            f"{gaps_phrase(q, self.context.view)}; {swaps_phrase(q)}; {people_phrase(q)}"
        )
    coaching = coaching_findings(self)
    c = {sev: sum(1 for f in coaching if f.severity == sev) for sev in ("red", "amber", "info", "positive")}
    L.append(f"- Findings: {c['red']} red, {c['amber']} amber, {c['info']} info, {c['positive']} positive")
    for issue in self.context.setup_issues:
        L.append(f"- Filming: {issue.message}")
    who = subject_caption(self.run.get("subject"))
    if who:
        L.append(f"- Who: {who}")
        if self.run["subject"].get("image"):
            L += ["", f"![The person analysed, boxed in green]({self.run['subject']['image']})"]
    L.append("")
    header, rows, signs = rep_table_of(self)
    if rows:
        L.append("## Per rep" if self.context.exercise != "running" else "## Per step")
        L.append("")
        L.append("| " + " | ".join(header) + " |")
        L.append("|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            L.append("| " + " | ".join(c.replace("|", "/") for c in row) + " |")
        L.append("")
        L += [f"*{s}*" for s in signs] + ["All measures of every rep: report.json and kinematics.csv.", ""]
    L.append("## Findings")
    L.append("")
    if not coaching:
        L.append("Nothing to flag from what this view can measure.")
        L.append("")
    for cat in CATEGORIES:
        fs = [f for f in coaching if f.category == cat]
        if not fs:
            continue
        L.append(f"### {cat.capitalize()}")
        L.append("")
        for f in fs:
            L.append(f"- **[{f.severity.upper()}] {f.title}**" + (" *(proxy)*" if f.proxy else ""))
            L.append(f"  - Cue: “{f.cue}”")
            L.append(f"  - Why: {f.why}")
            ev = evidence_line(f, self.metrics.get(f.metric) if f.metric else None)
            if ev:
                L.append(f"  - Evidence: {ev}")
            if f.drills:
                L.append(f"  - Drills: {', '.join(d.name for d in f.drills)}")
            if f.source:
                L.append(f"  - Source: {f.source}")
        L.append("")
    if self.drills:
        L.append("## Drills")
        L.append("")
        for d in self.drills:
            L.append(f"- **{d['name']}** — {d['how']}")
            if d.get("dose"):
                L.append(f"  - Dose: {d['dose']}")
            if d.get("caution"):
                L.append(f"  - Caution: {d['caution']}")
            if d.get("source"):
                L.append(f"  - Source: {d['source']}")
        L.append("")
    if self.not_measurable:
        L.append("## What this clip could not show")
        L.append("")
        for text, names in could_not_show(self.not_measurable):
            L.append(f"- {text} Not shown: {'; '.join(names)}.")
        L.append("")
    if self.notes:
        L.append("## Notes")
        L.append("")
        for n in self.notes:
            L.append(f"- {n}")
        L.append("")
    L.append("## Safety note")
    L.append("")
    L.append(f"From the guide these cues come from: “{self.safety_note}”" if self.safety_note else "")
    L.append("")
    L.append(f"*{self.disclaimer}*")
    L.append("")
    return "\n".join(L)


def to_html(self: Report) -> str:
    """A simple HTML page (all text escaped; the only resource is the subject picture beside it, subject.jpg)."""
    e = html.escape
    s = self.summary()
    name = self.video.get("name") or self.video.get("path") or "clip"
    colors = {"red": "#c62828", "amber": "#b26a00", "info": "#1565c0", "positive": "#2e7d32"}
    P: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Movement report — {e(str(name))}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
        "table{border-collapse:collapse;font-size:.9rem}"
        "td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}"
        ".sev{font-weight:bold;text-transform:uppercase}"
        ".note{background:#fff8e1;padding:.6rem 1rem;border-left:4px solid #b26a00}"
        ".ev{font-family:monospace;font-size:.85rem;color:#333}</style></head><body>",
        f"<h1>Movement report — {e(str(name))}</h1>",
        f'<p class="note"><strong>{e(self.disclaimer)}</strong></p>',
        "<h2>Summary</h2><ul>",
        f"<li>Exercise: <b>{e(s['exercise'])}</b> · view: <b>{e(s['view'])}</b>"
        + (f" · reps: {s['n_reps']} ({s['n_valid_reps']} valid)" if s["n_reps"] else "")
        + (f" · steps: {s['n_steps']}" if s["n_steps"] else "")
        + "</li>",
    ]
    if self.quality:
        q = self.quality
        P.append(
            f"<li>Person seen in {e(pct(q.get('detection_rate')))} of {e(str(q.get('n_frames', '?')))} frames; "
            f"{e(gaps_phrase(q, self.context.view))}</li>"
        )
    for issue in self.context.setup_issues:
        P.append(f"<li>Filming: {e(issue.message)}</li>")
    who = subject_caption(self.run.get("subject"))
    if who:
        P.append(f"<li>Who: {e(who)}</li>")
    P.append("</ul>")
    if who and self.run["subject"].get("image"):
        P.append(f'<img src="{e(self.run["subject"]["image"])}" alt="The person analysed, boxed in green" width="240">')
    header, rows, signs = rep_table_of(self)
    if rows:
        P.append("<h2>Per rep</h2><table><tr>" + "".join(f"<th>{e(c)}</th>" for c in header) + "</tr>")
        for row in rows:
            P.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>")
        P.append("</table>")
        P += [f"<p><small>{e(s)}</small></p>" for s in signs]
        P.append("<p><small>All measures of every rep: report.json and kinematics.csv.</small></p>")
    P.append("<h2>Findings</h2>")
    coaching = coaching_findings(self)
    if not coaching:
        P.append("<p>Nothing to flag from what this view can measure.</p>")
    for f in coaching:
        ev = evidence_line(f, self.metrics.get(f.metric) if f.metric else None)
        P.append(
            f'<div><p><span class="sev" style="color:{colors.get(f.severity, "#000")}">{e(f.severity)}</span> '
            f"[{e(f.category)}] <b>{e(f.title)}</b>{' <i>(proxy)</i>' if f.proxy else ''}</p>"
            f"<p>Cue: “{e(f.cue)}”</p><p>Why: {e(f.why)}</p>"
            + (f'<p class="ev">{e(ev)}</p>' if ev else "")
            + (f"<p>Drills: {e(', '.join(d.name for d in f.drills))}</p>" if f.drills else "")
            + "</div>"
        )
    if self.drills:
        P.append("<h2>Drills</h2><ul>")
        for d in self.drills:
            P.append(
                f"<li><b>{e(d['name'])}</b> — {e(d['how'])}"
                + (f"<br>Dose: {e(d['dose'])}" if d.get("dose") else "")
                + (f"<br>Caution: {e(d['caution'])}" if d.get("caution") else "")
                + (f"<br><small>Source: {e(d['source'])}</small>" if d.get("source") else "")
                + "</li>"
            )
        P.append("</ul>")
    if self.not_measurable:
        P.append("<h2>What this clip could not show</h2><ul>")
        for text, names in could_not_show(self.not_measurable):
            P.append(f"<li>{e(text)} <small>Not shown: {e('; '.join(names))}.</small></li>")
        P.append("</ul>")
    if self.notes:
        P.append("<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in self.notes) + "</ul>")
    P.append(f'<h2>Safety note</h2><p class="note">From the guide these cues come from: “{e(self.safety_note)}”</p>')
    P.append(f"<p><em>{e(self.disclaimer)}</em></p></body></html>")
    return "\n".join(P)


def coaching_findings(report: Report) -> list:
    """The findings the Findings section lists: all but filming ones, which the summary gives as "Filming:"
    lines (report.json keeps them all)."""
    return [f for f in report.findings if f.category != "setup"]


def subject_caption(subject: dict | None) -> str | None:
    """One sentence on who the analysis followed (``report.run["subject"]``), or None for old reports."""
    if not subject:
        return None
    n, of = subject.get("person"), subject.get("people")
    if subject.get("how") == "--person":
        which = f"person {n} of the {of} in the people list" if n else "the person at the point you gave"
        return f"The analysis follows the person you chose: {which} (green box)."
    if subject.get("how") == "whole clip":
        return (
            f"Several people were in the clip; the analysis follows person {n} of {of}, the one who moves through "
            "the clip (green box). To follow someone else, list them with `hinge-analyzer people VIDEO` and "
            "pass --person."
        )
    return "The analysis follows the largest, most central person at the start (green box)."


def rep_table_of(report: Report) -> tuple[list[str], list[list[str]], list[str]]:
    """:func:`~analyzer.report.text.rep_table` of a report: the metrics its findings rest on first, then the
    headline metrics of the exercise's own checks (a squat's depth before the back outline, a hinge's back
    before the knees)."""
    from .. import exercises as X
    from ..metrics.registry import METRICS

    measured = {i for i, m in report.metrics.values.items() if m.status == "ok"}
    flagged = [f.metric for f in report.findings if f.metric and f.category != "setup"]
    spec = X.get(report.context.exercise)
    modules = list(spec.modules_for(report.context.view)) if spec is not None else []
    if spec is not None and spec.family == "squat" and "squat_sagittal" in modules:
        modules.remove("squat_sagittal")
        modules.insert(0, "squat_sagittal")
    rank = {m: k for k, m in enumerate(modules)}
    headline = sorted((i for i, s in METRICS.items() if s.headline), key=lambda i: rank.get(METRICS[i].module, 99))
    count = "Step" if report.context.exercise == "running" else "Rep"
    share = {i for i, s in METRICS.items() if s.unit == "fraction"}  # a clip's share of reps: per rep only a flag
    cols = [i for i in dict.fromkeys([*flagged, *headline]) if i not in share]
    return rep_table(report.per_rep, measured, cols, count)
