"""Turning a MetricSet into Findings with a loaded rule set.

A rule never speaks about a metric the view cannot measure: metrics whose status is not ``"ok"``,
or rules whose views/exercises do not include the clip's, are skipped (with a reason kept for the
report's notes). Findings are ordered by the documents' hierarchy "pelvis first, nerves second,
muscles third" (then technique, setup, load), then by severity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import exercises as X
from ..types import Context, Finding, MetricSet, MetricValue
from .loader import load_rules
from .model import CATEGORIES, SEVERITIES, Evaluation, Rule, RuleSet, Skip, _finite


# ---------------------------------------------------------------------------------- evaluation
def compare(x: float, comp: str, thr: float) -> bool:
    """``x <comp> thr``; ``abs…`` comparators use |x|."""
    if comp.startswith("abs"):
        x, comp = abs(x), comp[3:]
    return {">": x > thr, ">=": x >= thr, "<": x < thr, "<=": x <= thr}[comp]


def display_comparator(comp: str) -> str:
    return f"|x| {comp[3:]}" if comp.startswith("abs") else comp


def _valid_per_rep(m: MetricValue) -> list[tuple[int, float]]:
    return [(i, float(v)) for i, v in enumerate(m.per_rep or []) if v is not None and _finite(v)]


def _count(m: MetricValue, ctx: Context) -> int | None:
    """Valid reps/steps behind a metric: the metric's own count (extra n_reps/n_steps/n_strides), else its
    per_rep values, else the context's valid reps / initial contacts."""
    for key in ("n_reps", "n_steps", "n_strides"):
        v = (m.extra or {}).get(key)
        if v is not None and _finite(v):
            return int(v)
    pr = _valid_per_rep(m)
    if pr:
        return len(pr)
    if ctx.exercise == "running":
        n_ic = sum(1 for e in ctx.gait_events if e.kind == "ic")
        return n_ic or None
    n = sum(1 for r in ctx.reps if r.valid and r.complete)
    return n or None


def _rep_number(pos: int, m: MetricValue, ctx: Context) -> int:
    if ctx.reps and len(ctx.reps) == len(m.per_rep or []):
        return ctx.reps[pos].index
    return pos + 1


def _frames_times(positions: Iterable[int], m: MetricValue, ctx: Context) -> tuple[list[int], list[float]]:
    frames: list[int] = []
    times: list[float] = []
    for p in positions:
        f = m.frames[p] if p < len(m.frames or []) else None
        t = m.times[p] if p < len(m.times or []) else None
        if f is None and t is None and ctx.reps and len(ctx.reps) == len(m.per_rep or []) and p < len(ctx.reps):
            f, t = ctx.reps[p].bottom, ctx.reps[p].t_bottom
        if f is not None:
            frames.append(int(f))
        if t is not None and _finite(t):
            times.append(float(t))
    return frames, times


@dataclass
class _Outcome:
    ok: bool
    positions: list[int] = field(default_factory=list)  # per-rep positions that meet the condition
    n: int | None = None
    reason: str = ""


def _test(m: MetricValue, comp: str, thr: float, agg: str, min_fraction: float) -> _Outcome:
    """Does metric ``m`` meet ``comp thr`` under aggregation ``agg``?"""
    pr = _valid_per_rep(m)
    if agg == "value":
        if m.value is None or not _finite(m.value):
            return _Outcome(False, reason="missing")
        hits = [i for i, v in pr if compare(v, comp, thr)]
        return _Outcome(compare(float(m.value), comp, thr), hits, len(pr) or None)
    if not pr:
        return _Outcome(False, reason="insufficient_data")
    hits = [i for i, v in pr if compare(v, comp, thr)]
    n = len(pr)
    if agg == "all_reps":
        return _Outcome(len(hits) == n, hits, n)
    if agg == "any_rep":
        return _Outcome(bool(hits), hits, n)
    if agg == "fraction_reps":
        return _Outcome(len(hits) / n >= min_fraction, hits, n)
    # same_direction_fraction: hits split by sign; the larger same-sign group must reach min_fraction
    pos = [i for i in hits if dict(pr)[i] > 0]
    neg = [i for i in hits if dict(pr)[i] < 0]
    best = pos if len(pos) >= len(neg) else neg
    return _Outcome(len(best) / n >= min_fraction, best, n)


def _metric_side(mid: str) -> str:
    if mid.endswith("_left"):
        return "left"
    if mid.endswith("_right"):
        return "right"
    return ""


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:  # pragma: no cover - placeholders are validated on load
        return "{" + key + "}"


def _applicable(rule: Rule, ctx: Context) -> str | None:
    if "any" not in rule.exercises and ctx.exercise not in rule.exercises:
        return "exercise"
    if ctx.view not in rule.views:
        return "view"
    return None


def evaluate_rule(
    rule: Rule, mids: list[str], metrics: MetricSet, ctx: Context, skipped: list[Skip], *, min_reps: bool = True
) -> Finding | None:
    """The finding of ``rule`` on metrics ``mids`` (one group of an "each" rule, or all of an "all" rule), or
    None; why it stayed silent is appended to ``skipped``. ``min_reps=False`` ignores the rule's ``min_reps``
    (live mode judges one rep at a time)."""
    primary = metrics.get(mids[0])
    for mid in mids:
        m = metrics.get(mid)
        if m is None:
            skipped.append(Skip(rule.id, mid, "missing", "metric not computed for this clip"))
            return None
        if m.status != "ok":
            skipped.append(Skip(rule.id, mid, m.status, m.reason or ""))
            return None
    assert primary is not None
    n = _count(primary, ctx)
    few = _few_reps(rule, n, ctx) if min_reps else None
    if min_reps and rule.min_reps is not None and (n is None or n < rule.min_reps) and few is None:
        skipped.append(
            Skip(
                rule.id,
                mids[0],
                "min_reps",
                f"needs ≥ {rule.min_reps} valid reps/steps; this clip had "
                f"{n if n is not None else 'an unknown number'}",
            )
        )
        return None

    # severity: most severe first
    order = ("positive",) if rule.positive else ("red", "amber", "info")
    hit_sev: str | None = None
    outcome = _Outcome(False)
    thr_val: float | None = None
    for sev in order:
        if sev not in rule.thresholds:
            continue
        thr = rule.thresholds[sev].resolve(primary)
        if thr is None:
            skipped.append(Skip(rule.id, mids[0], "no_noise_floor", "the metric has no noise floor to compare with"))
            return None
        results = [
            _test(metrics.values[mid], rule.comparator, thr, rule.aggregation, rule.min_fraction) for mid in mids
        ]
        if all(r.ok for r in results):
            hit_sev, outcome, thr_val = sev, results[0], thr
            break
        if any(r.reason == "insufficient_data" for r in results):
            skipped.append(Skip(rule.id, mids[0], "insufficient_data", "no per-rep values"))
            return None
    if hit_sev is None:
        return None

    conf = min(float(metrics.values[mid].confidence) for mid in mids)
    for a in rule.also:
        am = metrics.get(a.metric)
        if am is None or am.status != "ok":
            if a.optional:
                continue
            skipped.append(
                Skip(
                    rule.id,
                    a.metric,
                    am.status if am is not None else "missing",
                    (am.reason or "") if am is not None else "metric not computed for this clip",
                )
            )
            return None
        if not _test(am, a.comparator, a.value, a.aggregation, rule.min_fraction).ok:
            return None
        conf = min(conf, float(am.confidence))

    # evidence
    extra = primary.extra or {}
    flagged_reps = extra.get("flagged_reps")
    if isinstance(flagged_reps, (list, tuple)) and flagged_reps and rule.aggregation == "value":
        idx_to_pos = {r.index: p for p, r in enumerate(ctx.reps)} if ctx.reps else {}
        reps = [int(x) for x in flagged_reps]
        positions = [idx_to_pos.get(x, x - 1) for x in reps]
    else:
        positions = outcome.positions
        reps = [_rep_number(p, primary, ctx) for p in positions]
    frames, times = _frames_times(positions, primary, ctx)
    n_reps = n if n is not None else len(reps)
    variant = rule.variants.get(str(extra.get(rule.variant_key))) if rule.variant_key else None
    fmt = _SafeDict(
        n_reps=n_reps,
        n_flagged=len(reps),
        side=_metric_side(mids[0]),
        value=f"{primary.value:.3g}" if primary.value is not None else "",
    )
    title = (variant or {}).get("title", rule.title).format_map(fmt)
    why = (variant or {}).get("why", rule.why).format_map(fmt)
    cue = (variant or {}).get("cue_text", rule.cue)
    return Finding(
        rule_id=rule.id if len(rule.metrics) == 1 or rule.combine == "all" else f"{rule.id}:{mids[0]}",
        severity=hit_sev,  # type: ignore[arg-type]
        category=rule.category,  # type: ignore[arg-type]
        title=title,
        cue=cue,
        why=why,
        metric=mids[0],
        value=float(primary.value) if primary.value is not None and _finite(primary.value) else None,
        threshold=thr_val,
        comparator=display_comparator(rule.comparator),
        unit=primary.unit,
        reps=reps,
        frames=frames,
        times=times,
        confidence=max(0.0, min(1.0, conf * rule.confidence_factor * (few[0] if few else 1.0))),
        drills=list(rule.drills),
        source=f"{rule.source} | threshold: {rule.threshold_source}",
        proxy=bool(rule.proxy or primary.proxy),
        note=few[1] if few else None,
    )


def _few_reps(rule: Rule, n: int | None, ctx: Context) -> tuple[float, str] | None:
    """(confidence factor n/min_reps, note) when a lift's fault rule may speak on fewer reps than it asks for.

    One rep is enough to coach a lift: the finding says how many reps it rests on and how many to film for a surer
    read. All-clears (positive rules) and running (averages over steps) keep their minimum.
    """
    if rule.positive or rule.min_reps is None or not n or n >= rule.min_reps:
        return None
    spec = X.get(ctx.exercise)
    if spec is None or not spec.is_lift:
        return None
    reps = "rep" if n == 1 else "reps"
    return n / rule.min_reps, f"Seen on your {n} {reps}; film {rule.min_reps} for a surer read."


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Order by category (pelvis, nerves, muscles, technique, setup, load), then severity; stable otherwise."""
    cat = {c: i for i, c in enumerate(CATEGORIES)}
    sev = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: (cat.get(f.category, len(cat)), sev.get(f.severity, len(sev))))


def setup_findings(ctx: Context) -> list[Finding]:
    """Filming problems as ``setup`` findings (blocking → amber, warning → info)."""
    out = []
    for s in ctx.setup_issues:
        out.append(
            Finding(
                rule_id=f"setup:{s.code}",
                severity="amber" if s.severity == "blocking" else "info",
                category="setup",
                title=s.message,
                cue=s.message,
                why="How the clip was filmed limits what can be measured.",
                metric=None,
                value=None,
                threshold=None,
                comparator=None,
                unit=None,
                confidence=1.0,
            )
        )
    return out


def evaluate_detailed(
    metrics: MetricSet,
    ctx: Context,
    rules_path: str | Path | None = None,
    *,
    rules: RuleSet | None = None,
    include_setup: bool = True,
) -> Evaluation:
    """The findings of a clip (ordered pelvis → nerves → muscles → technique → setup → load, then severity),
    why each silent rule stayed silent, and the rule set used (``rules``, else loaded from ``rules_path``)."""
    rs = rules if rules is not None else load_rules(rules_path)
    findings: list[Finding] = []
    skipped: list[Skip] = []
    for rule in rs.rules:
        why_not = _applicable(rule, ctx)
        if why_not:
            skipped.append(
                Skip(
                    rule.id,
                    rule.metrics[0],
                    why_not,
                    f"rule is for {'/'.join(rule.exercises if why_not == 'exercise' else rule.views)}",
                )
            )
            continue
        groups = [rule.metrics] if rule.combine == "all" else [[m] for m in rule.metrics]
        for g in groups:
            f = evaluate_rule(rule, g, metrics, ctx, skipped)
            if f is not None:
                findings.append(f)
    if include_setup:
        findings.extend(setup_findings(ctx))
    return Evaluation(sort_findings(findings), skipped, rs)


def evaluate(metrics: MetricSet, ctx: Context, rules_path: str | Path | None = None) -> list[Finding]:
    """The findings of :func:`evaluate_detailed` alone."""
    return evaluate_detailed(metrics, ctx, rules_path).findings


def with_symptoms(evaluation: Evaluation, answers: dict | None) -> Evaluation:
    """``evaluation`` plus the findings of the short symptom check (:mod:`analyzer.rules.symptoms`), in order.

    Nerve-related advice only ever comes from the person's own answers, never from the video.
    """
    if not answers:
        return evaluation
    from .symptoms import symptom_check

    have = {f.rule_id for f in evaluation.findings}
    extra = [
        f
        for f in symptom_check(answers, rules_path=evaluation.rules.path if evaluation.rules else None)
        if f.rule_id not in have
    ]
    return Evaluation(sort_findings(evaluation.findings + extra), evaluation.skipped, evaluation.rules)
