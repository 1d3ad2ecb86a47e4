"""The report: one schema-versioned record of a run, rendered as JSON, Markdown and HTML.

``build_report(...)`` gathers run metadata, per-frame quality, context, metrics, findings, the per-rep
table, drills (deduplicated from findings), the document's safety note and notes (what this view
cannot measure, and why). JSON never holds NaN/Infinity (they become ``null``); its shape is
``analyzer/schema/report.schema.json`` (documented in ``docs/REPORT_SCHEMA.md``).
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..metrics.registry import METRICS
from ..rules.loader import load_rules
from ..rules.model import Evaluation, Skip
from ..types import Context, Finding, MetricSet, clean_json
from .text import evidence_line, in_sentence, top_findings

SCHEMA_VERSION = "1.4"


SCHEMA_PATH = Path(__file__).resolve().parent / "report.schema.json"


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
        return {
            "exercise": ctx.exercise,
            "view": ctx.view,
            "n_reps": len(ctx.reps),
            "n_valid_reps": sum(1 for r in ctx.reps if r.valid),
            "n_completed_reps": sum(1 for r in ctx.reps if r.complete),
            "n_steps": sum(1 for e in ctx.gait_events if e.kind == "ic"),
            "finding_counts": counts,
            "top_findings": top_findings(self.findings, 3),
        }

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
        return clean_json(
            {
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
            }
        )

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)


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
        from ..landmarks import NAMES

        gaps = list(getattr(clean, "gaps", []) or [])
        q["n_long_gaps"] = len(gaps)
        q["long_gaps"] = [
            {
                "landmark": NAMES[g.landmark] if 0 <= int(g.landmark) < len(NAMES) else str(g.landmark),
                "t0": float(g.t0),
                "t1": float(g.t1),
                "duration_s": float(g.t1 - g.t0),
            }
            for g in gaps[:100]
        ]
        sw = getattr(clean, "swapped", None)
        q["swap_frames"] = int(np.asarray(sw).sum()) if sw is not None else 0
        q["cutoff_hz"] = float(getattr(clean, "cutoff_hz", float("nan")))
    return q


def _per_rep_rows(ctx: Context, metrics: MetricSet) -> list[dict[str, Any]]:
    if metrics.per_rep_rows:
        return [dict(r) for r in metrics.per_rep_rows]
    if not ctx.reps:
        return []
    rows: list[dict[str, Any]] = [
        {"rep": r.index, "t_start_s": r.t_start, "t_bottom_s": r.t_bottom, "t_end_s": r.t_end, "valid": r.valid}
        for r in ctx.reps
    ]
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


def _gate_notes(ctx: Context, skipped: list[Skip]) -> list[str]:
    """Rules that were measured but not judged, one plain sentence per reason, naming the measures."""
    unit = "steps" if ctx.exercise == "running" else "reps"
    by: dict[str, list[str]] = {}
    for s in skipped:
        if s.reason == "min_reps":
            why = s.detail.replace("reps/steps", unit).replace("≥ ", "at least ")
        elif s.reason == "insufficient_data":
            why = "there were not enough valid values"
        elif s.reason == "no_noise_floor":
            why = "there was no standing noise level to compare with"
        else:
            continue
        label = in_sentence(METRICS[s.metric].label if s.metric in METRICS else str(s.metric))
        names = by.setdefault(why, [])
        if label not in names:
            names.append(label)
    return [f"Not judged on this clip ({why}): {', '.join(names)}." for why, names in by.items()]


def _notes(ctx: Context, metrics: MetricSet, findings: list[Finding], skipped: list[Skip], lib) -> list[str]:
    notes: list[str] = []
    unchecked = unchecked_message(ctx, metrics, findings)
    if unchecked:
        notes.append(unchecked)
    h = lib.note("hierarchy")
    if h:
        notes.append(h)
    notes += _gate_notes(ctx, skipped)
    if any(m.proxy and m.status == "ok" for m in metrics.values.values()) or any(f.proxy for f in findings):
        notes.append(
            "Pelvic tilt and back rounding are read from the outline of your back as changes from your own "
            "standing: proxies that loose clothing can bias, never a verdict that you have a tilted pelvis."
        )
    if ctx.exercise == "running":
        wv = lib.note("weekly_volume")
        if wv and not any(f.rule_id == "symptom_volume_spike" for f in findings):
            notes.append(wv)
    nn = lib.note("nerve_not_from_video")
    if nn:
        notes.append(nn)
    # dedupe, keep order
    return list(dict.fromkeys(notes))


def unchecked_message(ctx: Context, metrics: MetricSet, findings: list[Finding]) -> str | None:
    """Why a clip with no technique finding is not an all-clear, or None when something was measured.

    An unknown exercise names the choice to make; a clip where no metric could be measured says so.
    """
    from .. import exercises as X

    if X.get(ctx.exercise) is None:
        return (
            "We could not tell which exercise this clip shows, so nothing was checked. Choose it and analyse "
            f"again: --exercise {' | '.join(X.NAMES)} on the command line, or the Exercise box in the app."
        )
    if any(f.category != "setup" and f.severity != "positive" for f in findings):
        return None
    measured = [m for i, m in metrics.values.items() if i != "rep_count" and m.status == "ok"]
    if measured:
        return None
    return (
        "Nothing could be measured in this clip, so the lack of findings is not an all-clear: the setup notes say "
        "what to change when you film it again."
    )


def _not_measurable(metrics: MetricSet) -> list[dict[str, Any]]:
    out = []
    for m in metrics.values.values():
        if m.status == "not_measurable":
            out.append(
                {
                    "metric": m.id,
                    "label": m.label,
                    "reason": m.reason or "not measurable",
                    "why": METRICS[m.id].why_not() if m.id in METRICS else "",
                }
            )
    return out


def build_report(
    *,
    context: Context,
    metrics: MetricSet,
    evaluation: Evaluation,
    info: Any = None,
    track: Any = None,
    clean: Any = None,
    run: dict[str, Any] | None = None,
) -> Report:
    """Assemble a :class:`Report` from the stages' results.

    ``evaluation``: the rules' findings, the silent rules and the rule set used (its cue library gives the
    safety note); ``info``: a ``VideoInfo`` (or dict); ``track``/``clean``: PoseTrack/CleanTrack for the
    quality summary; ``run``: model/settings/timings.
    """
    lib = evaluation.rules.cues if evaluation.rules is not None else load_rules().cues
    fs = list(evaluation.findings)
    if info is None:
        video: dict[str, Any] = {}
    elif isinstance(info, dict):
        video = dict(info)
    else:
        video = dict(info.as_dict()) if hasattr(info, "as_dict") else dict(vars(info))
    if video.get("path") and not video.get("name"):
        video["name"] = Path(str(video["path"])).name
    return Report(
        context=context,
        metrics=metrics,
        findings=fs,
        video=video,
        run=dict(run or {}),
        quality=_quality(track, clean),
        per_rep=_per_rep_rows(context, metrics),
        drills=_dedupe_drills(fs),
        safety_note=lib.note("safety"),
        disclaimer=lib.note("not_diagnosis"),
        notes=_notes(context, metrics, fs, evaluation.skipped, lib),
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


def report_schema() -> dict[str, Any]:
    """The report's JSON schema (``report.schema.json``) with the exercise enum from the exercise registry."""
    from .. import exercises as X

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    schema["properties"]["context"]["properties"]["exercise"]["enum"] = [*X.NAMES, X.UNKNOWN]
    return schema


def validate_report_dict(d: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` if ``d`` does not match the report schema."""
    import jsonschema

    jsonschema.Draft202012Validator(report_schema()).validate(d)


__all__ = ["Report", "SCHEMA_VERSION", "SCHEMA_PATH", "report_schema", "build_report", "validate_report_dict"]
