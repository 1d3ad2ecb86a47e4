"""The report: one schema-versioned record of a run, rendered as JSON, Markdown and HTML.

``build_report(...)`` gathers run metadata, per-frame quality, context, metrics, findings, the per-rep
table, drills (deduplicated from findings), the document's safety note and notes (what this view
cannot measure, and why). JSON never holds NaN/Infinity (they become ``null``); its shape is
``analyzer/schema/report.schema.json`` (documented in ``docs/REPORT_SCHEMA.md``).
"""
from __future__ import annotations

import datetime as _dt
import html
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .rules.engine import CATEGORIES, Skip, display_comparator, evaluate_detailed, load_rules
from .types import Context, Finding, MetricSet, MetricValue, clean_json

SCHEMA_VERSION = "1.1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "report.schema.json"

#: Why a metric group cannot be measured from a view (spec §A and "Metric × view").
_WHY_NOT: list[tuple[tuple[str, ...], str]] = [
    (("fppa_", "nksd", "kasr", "mkd_"),
     "knee-in (valgus) needs a front or back view: in a side view the knee's inward motion lies along the camera's "
     "depth axis, and MediaPipe's depth estimate is less accurate than x, y (method spec §A)."),
    (("lateral_shift", "pelvic_drop", "step_width"),
     "side-to-side motion (hip shift, pelvic drop, step width) needs a front or back view (method spec 'Metric × view')."),
    (("lcp_delta", "sacral_tangent", "hinge_", "trunk_angle", "hip_trunk", "knee_flexion", "hip_flexion", "shank_",
      "trunk_shank", "depth_angle", "knee_travel", "heel_lift", "bar_path", "overstride", "tibia_angle", "strike_angle",
      "trunk_lean"),
     "bending angles, back posture, hinge timing and landing geometry need a side view (method spec 'Metric × view')."),
]


def _why_not(metric_id: str) -> str:
    for prefixes, why in _WHY_NOT:
        if metric_id.startswith(prefixes):
            return why
    return ""


@dataclass
class Report:
    """Everything the user reads about one clip. ``run`` is updated in place by the pipeline."""

    context: Context
    metrics: MetricSet
    findings: list[Finding]
    video: dict[str, Any] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)
    per_rep: list[dict[str, Any]] = field(default_factory=list)
    drills: list[dict[str, Any]] = field(default_factory=list)  # Drill fields + "for_findings"
    safety_note: str = ""
    disclaimer: str = ""
    notes: list[str] = field(default_factory=list)
    not_measurable: list[dict[str, Any]] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION
    generated_at: str = ""
    tool: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ dict / json
    def summary(self) -> dict[str, Any]:
        counts = {s: sum(1 for f in self.findings if f.severity == s) for s in ("red", "amber", "info", "positive")}
        ctx = self.context
        return {"exercise": ctx.exercise, "view": ctx.view, "n_reps": len(ctx.reps),
                "n_valid_reps": sum(1 for r in ctx.reps if r.valid), "n_steps": sum(1 for e in ctx.gait_events if e.kind == "ic"),
                "finding_counts": counts, "top_findings": top_findings(self, 3)}

    def metric_dicts(self) -> list[dict[str, Any]]:
        out = []
        for m in self.metrics.values.values():
            d = asdict(m)
            out.append(d)
        return out

    def finding_dicts(self) -> list[dict[str, Any]]:
        out = []
        for f in self.findings:
            d = asdict(f)
            d["drills"] = [dr.name for dr in f.drills]
            d["evidence"] = evidence_line(f, self.metrics.get(f.metric) if f.metric else None)
            out.append(d)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (no NaN: unknown numbers are ``None``)."""
        return clean_json({
            "schema_version": self.schema_version,
            "generated_at": self.generated_at,
            "tool": self.tool,
            "video": self.video,
            "run": self.run,
            "quality": self.quality,
            "context": self.context.to_dict(),
            "summary": self.summary(),
            "metrics": self.metric_dicts(),
            "findings": self.finding_dicts(),
            "per_rep": self.per_rep,
            "drills": self.drills,
            "safety_note": self.safety_note,
            "disclaimer": self.disclaimer,
            "not_measurable": self.not_measurable,
            "notes": self.notes,
        })

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    # ------------------------------------------------------------------ markdown
    def to_markdown(self) -> str:
        s = self.summary()
        L: list[str] = []
        name = self.video.get("name") or self.video.get("path") or "clip"
        L.append(f"# Movement report — {name}")
        L.append("")
        L.append(f"> **{self.disclaimer}**")
        L.append("")
        L.append("## Summary")
        L.append("")
        L.append(f"- Exercise: **{s['exercise']}** · view: **{s['view']}**"
                 + (f" · reps: {s['n_reps']} ({s['n_valid_reps']} valid)" if s["n_reps"] else "")
                 + (f" · steps: {s['n_steps']}" if s["n_steps"] else ""))
        q = self.quality
        if q:
            L.append(f"- Person detected in {_pct(q.get('detection_rate'))} of {q.get('n_frames', '?')} frames; "
                     f"long gaps: {q.get('n_long_gaps', 0)}; left/right swaps fixed in {q.get('swap_frames', 0)} frames; "
                     f"most people in one frame: {q.get('n_people_max', '?')}")
        c = s["finding_counts"]
        L.append(f"- Findings: {c['red']} red, {c['amber']} amber, {c['info']} info, {c['positive']} positive")
        for issue in self.context.setup_issues:
            L.append(f"- Filming: {issue.message}")
        L.append("")
        if self.per_rep:
            L.append("## Per rep" if self.context.exercise != "running" else "## Per step")
            L.append("")
            cols = _columns(self.per_rep)
            L.append("| " + " | ".join(cols) + " |")
            L.append("|" + "|".join("---" for _ in cols) + "|")
            for row in self.per_rep:
                L.append("| " + " | ".join(_cell(row.get(k)) for k in cols) + " |")
            L.append("")
        L.append("## Findings")
        L.append("")
        if not self.findings:
            L.append("Nothing to flag from what this view can measure.")
            L.append("")
        for cat in CATEGORIES:
            fs = [f for f in self.findings if f.category == cat]
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
            L.append("## Not measurable from this view")
            L.append("")
            for nm in self.not_measurable:
                L.append(f"- {nm['label']} (`{nm['metric']}`): {nm['reason']}" + (f" — {nm['why']}" if nm.get("why") else ""))
            L.append("")
        if self.notes:
            L.append("## Notes")
            L.append("")
            for n in self.notes:
                L.append(f"- {n}")
            L.append("")
        L.append("## Safety note")
        L.append("")
        L.append(self.safety_note)
        L.append("")
        L.append(f"*{self.disclaimer}*")
        L.append("")
        return "\n".join(L)

    # ------------------------------------------------------------------ html
    def to_html(self) -> str:
        """A simple, self-contained HTML page (all text escaped, no external resources)."""
        e = html.escape
        s = self.summary()
        name = self.video.get("name") or self.video.get("path") or "clip"
        colors = {"red": "#c62828", "amber": "#b26a00", "info": "#1565c0", "positive": "#2e7d32"}
        P: list[str] = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
                        f"<title>Movement report — {e(str(name))}</title>",
                        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
                        "table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}"
                        ".sev{font-weight:bold;text-transform:uppercase}.note{background:#fff8e1;padding:.6rem 1rem;border-left:4px solid #b26a00}"
                        ".ev{font-family:monospace;font-size:.85rem;color:#333}</style></head><body>",
                        f"<h1>Movement report — {e(str(name))}</h1>",
                        f"<p class=\"note\"><strong>{e(self.disclaimer)}</strong></p>",
                        "<h2>Summary</h2><ul>",
                        f"<li>Exercise: <b>{e(s['exercise'])}</b> · view: <b>{e(s['view'])}</b> · reps: {s['n_reps']}"
                        f" · steps: {s['n_steps']}</li>"]
        if self.quality:
            q = self.quality
            P.append(f"<li>Person detected in {e(_pct(q.get('detection_rate')))} of {e(str(q.get('n_frames', '?')))} frames; "
                     f"long gaps: {e(str(q.get('n_long_gaps', 0)))}</li>")
        for issue in self.context.setup_issues:
            P.append(f"<li>Filming: {e(issue.message)}</li>")
        P.append("</ul>")
        if self.per_rep:
            cols = _columns(self.per_rep)
            P.append("<h2>Per rep</h2><table><tr>" + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr>")
            for row in self.per_rep:
                P.append("<tr>" + "".join(f"<td>{e(_cell(row.get(c)))}</td>" for c in cols) + "</tr>")
            P.append("</table>")
        P.append("<h2>Findings</h2>")
        if not self.findings:
            P.append("<p>Nothing to flag from what this view can measure.</p>")
        for f in self.findings:
            ev = evidence_line(f, self.metrics.get(f.metric) if f.metric else None)
            P.append(f"<div><p><span class=\"sev\" style=\"color:{colors.get(f.severity, '#000')}\">{e(f.severity)}</span> "
                     f"[{e(f.category)}] <b>{e(f.title)}</b>{' <i>(proxy)</i>' if f.proxy else ''}</p>"
                     f"<p>Cue: “{e(f.cue)}”</p><p>Why: {e(f.why)}</p>"
                     + (f"<p class=\"ev\">{e(ev)}</p>" if ev else "")
                     + (f"<p>Drills: {e(', '.join(d.name for d in f.drills))}</p>" if f.drills else "") + "</div>")
        if self.drills:
            P.append("<h2>Drills</h2><ul>")
            for d in self.drills:
                P.append(f"<li><b>{e(d['name'])}</b> — {e(d['how'])}"
                         + (f"<br>Dose: {e(d['dose'])}" if d.get("dose") else "")
                         + (f"<br>Caution: {e(d['caution'])}" if d.get("caution") else "")
                         + (f"<br><small>Source: {e(d['source'])}</small>" if d.get("source") else "") + "</li>")
            P.append("</ul>")
        if self.not_measurable:
            P.append("<h2>Not measurable from this view</h2><ul>")
            for nm in self.not_measurable:
                P.append(f"<li>{e(nm['label'])}: {e(nm['reason'])}{(' — ' + e(nm['why'])) if nm.get('why') else ''}</li>")
            P.append("</ul>")
        if self.notes:
            P.append("<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in self.notes) + "</ul>")
        P.append(f"<h2>Safety note</h2><p class=\"note\">{e(self.safety_note)}</p>")
        P.append(f"<p><em>{e(self.disclaimer)}</em></p></body></html>")
        return "\n".join(P)


# ------------------------------------------------------------------------------------- helpers
def _pct(x: Any) -> str:
    return f"{float(x):.0%}" if isinstance(x, (int, float)) and math.isfinite(float(x)) else "?"


def _cell(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (float, np.floating)):
        return "–" if not math.isfinite(float(v)) else f"{float(v):.3g}"
    return str(v).replace("|", "/")


def _columns(rows: list[dict[str, Any]]) -> list[str]:
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
    return s


def _quality(track: Any, clean: Any) -> dict[str, Any]:
    q: dict[str, Any] = {}
    if track is not None:
        n = len(track)
        q["n_frames"] = int(n)
        q["detection_rate"] = float(track.detection_rate) if n else 0.0
        npeople = np.asarray(getattr(track, "n_people", np.zeros(0)))
        q["n_people_max"] = int(npeople.max()) if npeople.size else 0
        q["multi_person_fraction"] = float((npeople > 1).mean()) if npeople.size else 0.0
    if clean is not None:
        from .landmarks import NAMES

        gaps = list(getattr(clean, "gaps", []) or [])
        q["n_long_gaps"] = len(gaps)
        q["long_gaps"] = [{"landmark": NAMES[g.landmark] if 0 <= int(g.landmark) < len(NAMES) else str(g.landmark),
                           "t0": float(g.t0), "t1": float(g.t1), "duration_s": float(g.t1 - g.t0)} for g in gaps[:100]]
        sw = getattr(clean, "swapped", None)
        q["swap_frames"] = int(np.asarray(sw).sum()) if sw is not None else 0
        q["cutoff_hz"] = float(getattr(clean, "cutoff_hz", float("nan")))
    return q


def _per_rep_rows(ctx: Context, metrics: MetricSet) -> list[dict[str, Any]]:
    if metrics.per_rep_rows:
        return [dict(r) for r in metrics.per_rep_rows]
    if not ctx.reps:
        return []
    rows = [{"rep": r.index, "t_start_s": r.t_start, "t_bottom_s": r.t_bottom, "t_end_s": r.t_end, "valid": r.valid}
            for r in ctx.reps]
    for m in metrics.values.values():
        if m.status == "ok" and len(m.per_rep or []) == len(ctx.reps):
            for row, v in zip(rows, m.per_rep):
                row[m.id] = v
    return rows


def _dedupe_drills(findings: list[Finding]) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for f in findings:
        for d in f.drills:
            if d.name not in out:
                out[d.name] = {**asdict(d), "for_findings": []}
            if f.rule_id not in out[d.name]["for_findings"]:
                out[d.name]["for_findings"].append(f.rule_id)
    return list(out.values())


def _notes(ctx: Context, metrics: MetricSet, findings: list[Finding], skipped: list[Skip], lib) -> list[str]:
    notes: list[str] = []
    h = lib.note("hierarchy")
    if h:
        notes.append(h)
    for s in skipped:
        if s.reason == "min_reps":
            notes.append(f"Rule '{s.rule_id}' ({s.metric}) stayed silent: it {s.detail}.")
        elif s.reason == "insufficient_data":
            notes.append(f"Rule '{s.rule_id}' ({s.metric}) stayed silent: not enough valid data ({s.detail}).")
        elif s.reason == "no_noise_floor":
            notes.append(f"Rule '{s.rule_id}' ({s.metric}) stayed silent: {s.detail}.")
    if any(m.proxy and m.status == "ok" for m in metrics.values.values()) or any(f.proxy for f in findings):
        notes.append("Pelvis/low-back posture is a proxy from the body outline, relative to your own standing; "
                     "it is not a pelvic-tilt angle and clothing can bias it.")
    if ctx.exercise == "running":
        wv = lib.note("weekly_volume")
        if wv and not any(f.rule_id == "symptom_volume_spike" for f in findings):
            notes.append(wv)
    nn = lib.note("nerve_not_from_video")
    if nn:
        notes.append(nn)
    # dedupe, keep order
    return list(dict.fromkeys(notes))


def _not_measurable(metrics: MetricSet) -> list[dict[str, Any]]:
    out = []
    for m in metrics.values.values():
        if m.status == "not_measurable":
            out.append({"metric": m.id, "label": m.label, "reason": m.reason or "not measurable", "why": _why_not(m.id)})
    return out


def build_report(*, context: Context, metrics: MetricSet, findings: list[Finding], info: Any = None, track: Any = None,
                 clean: Any = None, run: dict[str, Any] | None = None, symptom_answers: dict[str, Any] | None = None,
                 rules_path: str | Path | None = None) -> Report:
    """Assemble a :class:`Report`.

    ``info``: a ``video.VideoInfo`` (or dict); ``track``/``clean``: PoseTrack/CleanTrack for the quality summary;
    ``run``: model/settings/timings; ``symptom_answers``: optional symptom-check answers (adds nerves/load findings).
    """
    from .rules.engine import sort_findings
    from .rules.symptoms import symptom_check

    lib = load_rules(rules_path).cues
    fs = list(findings)
    if symptom_answers:
        have = {f.rule_id for f in fs}
        fs = sort_findings(fs + [f for f in symptom_check(symptom_answers, rules_path=rules_path) if f.rule_id not in have])
    skipped = evaluate_detailed(metrics, context, rules_path, include_setup=False).skipped
    if info is None:
        video: dict[str, Any] = {}
    elif isinstance(info, dict):
        video = dict(info)
    else:
        video = dict(info.as_dict()) if hasattr(info, "as_dict") else dict(vars(info))
    if video.get("path") and not video.get("name"):
        video["name"] = Path(str(video["path"])).name
    return Report(
        context=context, metrics=metrics, findings=fs, video=video, run=dict(run or {}),
        quality=_quality(track, clean), per_rep=_per_rep_rows(context, metrics), drills=_dedupe_drills(fs),
        safety_note=lib.note("safety"), disclaimer=lib.note("not_diagnosis"), notes=_notes(context, metrics, fs, skipped, lib),
        not_measurable=_not_measurable(metrics),
        generated_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        tool={"name": "hinge-analyzer", "version": _version()},
    )


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("hinge-analyzer")
    except Exception:  # pragma: no cover - not installed
        return "0.1.0"


def top_findings(report: Report, n: int = 3) -> list[str]:
    """Up to ``n`` one-line findings for the CLI: faults (red, amber, info) in report order, then positives.

    Setup findings are left out (the CLI prints setup issues itself).
    """
    fs = [f for f in report.findings if f.category != "setup"]
    ordered = [f for f in fs if f.severity != "positive"] + [f for f in fs if f.severity == "positive"]
    lines = []
    for f in ordered[:n]:
        tag = "OK" if f.severity == "positive" else f.severity.upper()
        line = f"[{tag}] {f.title}"
        if f.severity != "positive":
            line += f" — {f.cue}"
        lines.append(line)
    return lines


def validate_report_dict(d: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` if ``d`` does not match the report schema."""
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(d)


__all__ = ["Report", "SCHEMA_VERSION", "SCHEMA_PATH", "build_report", "top_findings", "evidence_line", "clean_json",
           "validate_report_dict", "display_comparator"]
