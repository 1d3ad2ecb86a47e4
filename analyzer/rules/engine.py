"""Rules as data: load ``rules.toml`` + ``cues.toml``, validate them, turn a MetricSet into Findings.

A rule never speaks about a metric the view cannot measure: metrics whose status is not ``"ok"``,
or rules whose views/exercises do not include the clip's, are skipped (with a reason kept for the
report's "not measurable" notes). Findings are ordered by the documents' hierarchy
"pelvis first, nerves second, muscles third" (then technique, setup, load), then by severity.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

try:  # Python ≥ 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from ..errors import RulesFileError
from ..types import Context, Drill, Finding, MetricSet, MetricValue

RULES_DIR = Path(__file__).resolve().parent
DEFAULT_RULES = RULES_DIR / "rules.toml"
DEFAULT_CUES = RULES_DIR / "cues.toml"

#: Metric ids shared with analyzer.metrics, and the views that can measure each (spec "Metric × view").
SIDE = ("side",)
FRONTAL = ("front", "back")
ALL_VIEWS = ("side", "front", "back", "oblique")
KNOWN_METRICS: dict[str, tuple[str, ...]] = {
    # pelvis / back proxies and hinge timing (side view)
    "lcp_delta": SIDE, "sacral_tangent_delta": SIDE, "trunk_angle_bottom": SIDE, "hip_trunk_angle_bottom": SIDE,
    "hinge_lag_ms": SIDE, "hinge_early_ratio": SIDE, "hinge_back_first_fraction": SIDE,
    # valgus (front/back only)
    "fppa_left": FRONTAL, "fppa_right": FRONTAL, "fppa_delta_left": FRONTAL, "fppa_delta_right": FRONTAL,
    "nksd": FRONTAL, "kasr": FRONTAL, "mkd_left": FRONTAL, "mkd_right": FRONTAL,
    # squat / deadlift
    "knee_flexion_peak": SIDE, "hip_flexion_peak": SIDE, "shank_angle_bottom": SIDE, "trunk_shank_diff_bottom": SIDE,
    "depth_angle": SIDE, "knee_travel": SIDE, "heel_lift": SIDE, "bar_path_offset": SIDE, "lateral_shift": FRONTAL,
    # running
    "cadence_spm": ALL_VIEWS, "overstride": SIDE, "tibia_angle_ic": SIDE, "knee_flexion_ic": SIDE, "strike_angle": SIDE,
    "pelvic_drop_deg": FRONTAL, "pelvic_drop_asymmetry": FRONTAL, "step_width": FRONTAL,
    "trunk_lean": SIDE, "vertical_oscillation": ("side", "front", "back"),
    # counts
    "rep_count": ALL_VIEWS,
}

CATEGORIES = ("pelvis", "nerves", "muscles", "technique", "setup", "load")  # documents' hierarchy, then the rest
SEVERITIES = ("red", "amber", "info", "positive")
EXERCISES = ("squat", "deadlift", "rdl", "hinge", "running", "any")
VIEWS = ("side", "front", "back", "oblique")
AGGREGATIONS = ("value", "all_reps", "any_rep", "fraction_reps", "same_direction_fraction")
COMPARATORS = (">", ">=", "<", "<=", "abs>", "abs>=", "abs<", "abs<=")
PLACEHOLDERS = {"n_reps", "n_flagged", "side", "value"}
_RULE_KEYS = {"id", "metric", "combine", "exercises", "views", "category", "condition", "aggregation", "min_fraction",
              "min_reps", "also", "title", "why", "cue", "cue_text", "drills", "source", "threshold_source",
              "severity_note", "confidence_factor", "proxy", "variant_key", "variants"}
_REQUIRED = ("id", "metric", "exercises", "views", "category", "condition", "title", "why", "drills", "source",
             "threshold_source")
_NOISE_RE = re.compile(r"^\s*(-)?\s*(?:(\d+(?:\.\d+)?)\s*\*\s*)?noise_floor\s*$")
_ID_RE = re.compile(r"^[A-Za-z0-9_]+$")


# ----------------------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Threshold:
    """A number, or ``sign·factor·noise_floor`` read from ``MetricValue.extra["noise_floor"]``."""

    number: float | None = None
    noise_factor: float | None = None  # signed

    def resolve(self, m: MetricValue) -> float | None:
        if self.number is not None:
            return self.number
        nf = m.extra.get("noise_floor") if m.extra else None
        if nf is None or not _finite(nf):
            return None
        return float(self.noise_factor) * float(nf)

    def describe(self) -> str:
        if self.number is not None:
            return f"{self.number:g}"
        f = self.noise_factor or 0.0
        return ("-" if f < 0 else "") + ("" if abs(f) == 1 else f"{abs(f):g}*") + "noise_floor"


@dataclass(frozen=True)
class Extra:
    """An additional condition of a rule (``also = [...]``)."""

    metric: str
    comparator: str
    value: float
    aggregation: str = "value"
    optional: bool = False


@dataclass
class Rule:
    id: str
    metrics: list[str]
    combine: str
    exercises: list[str]
    views: list[str]
    category: str
    comparator: str
    thresholds: dict[str, Threshold]  # severity -> threshold ("positive" for positive rules)
    aggregation: str
    min_fraction: float
    min_reps: int | None
    also: list[Extra]
    title: str
    why: str
    cue: str
    cue_id: str | None
    drills: list[Drill]
    drill_ids: list[str]
    source: str
    threshold_source: str
    confidence_factor: float = 1.0
    proxy: bool = False
    variant_key: str | None = None
    variants: dict[str, dict[str, str]] = field(default_factory=dict)
    line: int = 0

    @property
    def positive(self) -> bool:
        return "positive" in self.thresholds


@dataclass
class CueLibrary:
    cues: dict[str, dict[str, str]]
    drills: dict[str, Drill]
    notes: dict[str, dict[str, str]]
    path: Path

    def note(self, key: str) -> str:
        return self.notes.get(key, {}).get("text", "")

    def cue_text(self, key: str) -> str:
        return self.cues.get(key, {}).get("text", "")


@dataclass
class RuleSet:
    rules: list[Rule]
    cues: CueLibrary
    path: Path


@dataclass
class Skip:
    """Why a rule said nothing (kept for the report's notes)."""

    rule_id: str
    metric: str | None
    reason: str  # "view" | "exercise" | "not_measurable" | "insufficient_data" | "missing" | "min_reps" | "no_noise_floor"
    detail: str = ""


@dataclass
class Evaluation:
    findings: list[Finding]
    skipped: list[Skip]


# ------------------------------------------------------------------------------------- loading
class _Lines:
    """Find line numbers of rules and keys in a TOML text (tomllib does not report them)."""

    _HDR = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str, bool]] = []  # (line 1-based, name, is_array)
        for i, ln in enumerate(self.lines, 1):
            m = self._HDR.match(ln)
            if m and not ln.lstrip().startswith("#"):
                self.headers.append((i, m.group(1).strip(), ln.lstrip().startswith("[[")))

    def rule_block(self, k: int) -> tuple[int, int]:
        """Line span [first, last] of the k-th ``[[rule]]`` (0-based), sub-tables included."""
        starts = [h for h in self.headers if h[2] and h[1] == "rule"]
        if k >= len(starts):
            return (1, len(self.lines))
        first = starts[k][0]
        last = len(self.lines)
        for ln, name, is_arr in self.headers:
            if ln <= first:
                continue
            if (is_arr and name == "rule") or not name.startswith("rule."):
                last = ln - 1
                break
        return first, last

    def table_block(self, name: str) -> tuple[int, int]:
        for idx, (ln, nm, _arr) in enumerate(self.headers):
            if nm == name:
                nxt = self.headers[idx + 1][0] - 1 if idx + 1 < len(self.headers) else len(self.lines)
                return ln, nxt
        return (1, len(self.lines))

    def key_line(self, span: tuple[int, int], *keys: str) -> int:
        """First line in ``span`` assigning the deepest key found (``key =`` or ``key=`` inside an inline table)."""
        first, last = span
        for key in reversed(keys):
            pat = re.compile(rf"(^|[{{,\s]){re.escape(key)}\s*=")
            for i in range(first, min(last, len(self.lines)) + 1):
                code = self.lines[i - 1].split("#", 1)[0]
                if pat.search(code):
                    return i
        return first


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))


def _read_toml(path: Path) -> tuple[dict, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesFileError(f"Rules file not found: {path}.", hint="Check the path, or omit it to use the built-in rules.") from None
    except OSError as exc:
        raise RulesFileError(f"Cannot read rules file {path}: {exc.strerror or exc}.") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise RulesFileError(f"{path.name}: not valid TOML: {exc}.", hint="Fix the syntax at that line.") from None


def load_cues(path: str | Path | None = None) -> CueLibrary:
    """Load and validate the cue library (``[cues.*]``, ``[drills.*]``, ``[notes.*]``)."""
    p = Path(path) if path is not None else DEFAULT_CUES
    data, text = _read_toml(p)
    lines = _Lines(text)

    def err(table: str, key: str | None, msg: str) -> RulesFileError:
        span = lines.table_block(table)
        ln = lines.key_line(span, key) if key else span[0]
        return RulesFileError(f"{p.name}, line {ln}: [{table}] {msg}")

    cues: dict[str, dict[str, str]] = {}
    for cid, c in (data.get("cues") or {}).items():
        if not isinstance(c, dict):
            raise err(f"cues.{cid}", None, "must be a table.")
        for key in ("text", "source"):
            if not isinstance(c.get(key), str) or not c[key].strip():
                raise err(f"cues.{cid}", key, f"needs a non-empty '{key}'.")
        cues[cid] = {k: str(v) for k, v in c.items()}
    drills: dict[str, Drill] = {}
    for did, d in (data.get("drills") or {}).items():
        if not isinstance(d, dict):
            raise err(f"drills.{did}", None, "must be a table.")
        for key in ("name", "how", "source"):
            if not isinstance(d.get(key), str) or not d[key].strip():
                raise err(f"drills.{did}", key, f"needs a non-empty '{key}'.")
        unknown = set(d) - {"name", "how", "dose", "source", "caution"}
        if unknown:
            raise err(f"drills.{did}", sorted(unknown)[0], f"unknown key '{sorted(unknown)[0]}'.")
        drills[did] = Drill(name=d["name"], how=d["how"], dose=d.get("dose"), source=d["source"], caution=d.get("caution"))
    notes: dict[str, dict[str, str]] = {}
    for nid, n in (data.get("notes") or {}).items():
        if not isinstance(n, dict) or not isinstance(n.get("text"), str):
            raise err(f"notes.{nid}", "text", "needs a 'text'.")
        notes[nid] = {k: str(v) for k, v in n.items()}
    for required in ("safety", "not_diagnosis"):
        if required not in notes:
            raise RulesFileError(f"{p.name}: missing [notes.{required}] (the report always shows it).")
    return CueLibrary(cues=cues, drills=drills, notes=notes, path=p)


def _parse_threshold(v: Any) -> Threshold | None:
    if _finite(v):
        return Threshold(number=float(v))
    if isinstance(v, str):
        m = _NOISE_RE.match(v)
        if m:
            f = float(m.group(2)) if m.group(2) else 1.0
            return Threshold(noise_factor=-f if m.group(1) else f)
    return None


def _as_list(v: Any) -> list | None:
    if isinstance(v, str):
        return [v]
    if isinstance(v, list):
        return v
    return None


def load_rules(rules_path: str | Path | None = None, cues_path: str | Path | None = None) -> RuleSet:
    """Load and validate a rules file (default: the packaged ``rules.toml``).

    The cue library is ``cues_path``, else a ``cues.toml`` next to the rules file, else the packaged one.
    Raises :class:`RulesFileError` naming the rule and the line of the first mistake.
    """
    p = Path(rules_path) if rules_path is not None else DEFAULT_RULES
    if cues_path is None:
        sib = p.with_name("cues.toml")
        cues_path = sib if sib.exists() else DEFAULT_CUES
    key = (str(p.resolve()), _mtime(p), str(Path(cues_path).resolve()), _mtime(Path(cues_path)))
    return _load_rules_cached(*key)


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime_ns
    except OSError:
        return -1.0


@lru_cache(maxsize=16)
def _load_rules_cached(rules_path: str, _m1: float, cues_path: str, _m2: float) -> RuleSet:
    p = Path(rules_path)
    cues = load_cues(cues_path)
    data, text = _read_toml(p)
    lines = _Lines(text)
    raw = data.get("rule")
    if not isinstance(raw, list) or not raw:
        raise RulesFileError(f"{p.name}: no [[rule]] entries found.", hint="Each rule starts with a [[rule]] line.")
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for k, r in enumerate(raw):
        span = lines.rule_block(k)
        rid = r.get("id") if isinstance(r.get("id"), str) else f"#{k + 1}"

        def err(msg: str, *keys: str) -> RulesFileError:
            ln = lines.key_line(span, *keys) if keys else span[0]
            return RulesFileError(f"{p.name}, line {ln}: rule '{rid}': {msg}")

        for key in _REQUIRED:
            if key not in r:
                raise err(f"missing required field '{key}'.")
        if "cue" not in r and "cue_text" not in r:
            raise err("needs 'cue' (an id in cues.toml) or 'cue_text'.")
        for key in r:
            if key not in _RULE_KEYS:
                raise err(f"unknown field '{key}'.", key)
        if not isinstance(r["id"], str) or not _ID_RE.match(r["id"]):
            raise err("'id' must use letters, digits and _ only.", "id")
        if rid in seen:
            raise err(f"duplicate id (first used at line {seen[rid]}).", "id")
        seen[rid] = span[0]

        metrics = _as_list(r["metric"])
        if not metrics or not all(isinstance(m, str) for m in metrics):
            raise err("'metric' must be a metric id or a list of them.", "metric")
        for m in metrics:
            if m not in KNOWN_METRICS:
                raise err(f"unknown metric id '{m}'.", "metric")
        combine = r.get("combine", "each")
        if combine not in ("each", "all"):
            raise err(f"'combine' must be \"each\" or \"all\", not {combine!r}.", "combine")

        exercises = _as_list(r["exercises"])
        if not exercises or any(e not in EXERCISES for e in exercises):
            raise err(f"'exercises' must list some of {', '.join(EXERCISES)}; got {r['exercises']!r}.", "exercises")
        views = _as_list(r["views"])
        if not views or any(v not in VIEWS for v in views):
            raise err(f"'views' must list some of {', '.join(VIEWS)}; got {r['views']!r}.", "views")
        for m in metrics:
            bad = [v for v in views if v not in KNOWN_METRICS[m]]
            if bad:
                raise err(f"metric '{m}' is not measurable from the {'/'.join(bad)} view (method spec 'Metric × view').", "views")
        if r["category"] not in CATEGORIES:
            raise err(f"'category' must be one of {', '.join(CATEGORIES)}; got {r['category']!r}.", "category")

        cond = r["condition"]
        if not isinstance(cond, dict):
            raise err("'condition' must be a table like { comparator = \">\", amber = 12.0, red = 16.0 }.", "condition")
        comp = cond.get("comparator")
        if comp not in COMPARATORS:
            raise err(f"comparator {comp!r} is not one of {' '.join(COMPARATORS)}.", "condition", "comparator")
        for key in cond:
            if key not in ("comparator", *SEVERITIES):
                raise err(f"unknown condition key '{key}' (use comparator, red, amber, info or positive).", "condition", key)
        thresholds: dict[str, Threshold] = {}
        for sev in SEVERITIES:
            if sev in cond:
                th = _parse_threshold(cond[sev])
                if th is None:
                    raise err(f"malformed threshold {sev} = {cond[sev]!r}: use a number or \"noise_floor\".", "condition", sev)
                thresholds[sev] = th
        if not thresholds:
            raise err("condition needs at least one threshold (red, amber, info or positive).", "condition")
        if "positive" in thresholds and len(thresholds) > 1:
            raise err("a positive rule has only 'positive' (no red/amber/info).", "condition", "positive")
        _check_order(thresholds, comp, err)

        agg = r.get("aggregation", "value")
        if agg not in AGGREGATIONS:
            raise err(f"'aggregation' must be one of {', '.join(AGGREGATIONS)}; got {agg!r}.", "aggregation")
        min_fraction = r.get("min_fraction", 0.666)
        if not _finite(min_fraction) or not 0 < float(min_fraction) <= 1:
            raise err("'min_fraction' must be a number in (0, 1].", "min_fraction")
        min_reps = r.get("min_reps")
        if min_reps is not None and (not isinstance(min_reps, int) or isinstance(min_reps, bool) or min_reps < 1):
            raise err("'min_reps' must be a whole number ≥ 1.", "min_reps")
        cf = r.get("confidence_factor", 1.0)
        if not _finite(cf) or not 0 <= float(cf) <= 1:
            raise err("'confidence_factor' must be a number in [0, 1].", "confidence_factor")

        also: list[Extra] = []
        raw_also = r.get("also", [])
        if not isinstance(raw_also, list):
            raise err("'also' must be a list of { metric, comparator, value } tables.", "also")
        for a in raw_also:
            if not isinstance(a, dict) or {"metric", "comparator", "value"} - set(a):
                raise err("each 'also' entry needs metric, comparator and value.", "also")
            if a["metric"] not in KNOWN_METRICS:
                raise err(f"unknown metric id '{a['metric']}' in 'also'.", "also", "metric")
            if a["comparator"] not in COMPARATORS:
                raise err(f"comparator {a['comparator']!r} in 'also' is not one of {' '.join(COMPARATORS)}.", "also", "comparator")
            if not _finite(a["value"]):
                raise err(f"malformed threshold value = {a['value']!r} in 'also': use a number.", "also", "value")
            a_agg = a.get("aggregation", "value")
            if a_agg not in ("value", "all_reps", "any_rep"):
                raise err(f"'also' aggregation must be value, all_reps or any_rep; got {a_agg!r}.", "also", "aggregation")
            also.append(Extra(a["metric"], a["comparator"], float(a["value"]), a_agg, bool(a.get("optional", False))))

        for key in ("title", "why", "source", "threshold_source"):
            if not isinstance(r[key], str) or not r[key].strip():
                raise err(f"'{key}' must be non-empty text.", key)
        _check_placeholders(r["title"], err, "title")
        _check_placeholders(r["why"], err, "why")

        if "cue_text" in r:
            if not isinstance(r["cue_text"], str) or not r["cue_text"].strip():
                raise err("'cue_text' must be non-empty text.", "cue_text")
            cue, cue_id = r["cue_text"], None
        else:
            cue_id = r["cue"]
            if cue_id not in cues.cues:
                raise err(f"unknown cue '{cue_id}' (not in {cues.path.name}).", "cue")
            cue = cues.cue_text(cue_id)
        drill_ids = r["drills"]
        if not isinstance(drill_ids, list) or not all(isinstance(d, str) for d in drill_ids):
            raise err("'drills' must be a list of drill ids.", "drills")
        for d in drill_ids:
            if d not in cues.drills:
                raise err(f"unknown drill '{d}' (not in {cues.path.name}).", "drills")

        variants = r.get("variants", {})
        if not isinstance(variants, dict) or not all(isinstance(v, dict) for v in variants.values()):
            raise err("'variants' must be tables like [rule.variants.trunk].", "variants")
        for vname, v in variants.items():
            for key, val in v.items():
                if key not in ("title", "why", "cue_text"):
                    raise err(f"variant '{vname}' may only set title, why or cue_text (not '{key}').", key)
                if not isinstance(val, str):
                    raise err(f"variant '{vname}' {key} must be text.", key)
                _check_placeholders(val, err, key)
        if variants and not isinstance(r.get("variant_key"), str):
            raise err("'variants' need a 'variant_key' (the metric.extra key that selects them).", "variants")

        rules.append(Rule(
            id=rid, metrics=list(metrics), combine=combine, exercises=list(exercises), views=list(views),
            category=r["category"], comparator=comp, thresholds=thresholds, aggregation=agg,
            min_fraction=float(min_fraction), min_reps=min_reps, also=also, title=r["title"], why=r["why"],
            cue=cue, cue_id=cue_id, drills=[cues.drills[d] for d in drill_ids], drill_ids=list(drill_ids),
            source=r["source"], threshold_source=r["threshold_source"], confidence_factor=float(cf),
            proxy=bool(r.get("proxy", False)), variant_key=r.get("variant_key"), variants=variants, line=span[0]))
    return RuleSet(rules=rules, cues=cues, path=p)


def _check_placeholders(text: str, err, key: str) -> None:
    for name in re.findall(r"\{([^{}]*)\}", text):
        if name not in PLACEHOLDERS:
            raise err(f"unknown placeholder {{{name}}} in '{key}' (use {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}).", key)


def _check_order(th: dict[str, Threshold], comp: str, err) -> None:
    """red must be at least as extreme as amber, amber as info (numbers only)."""
    nums = [(s, th[s].number) for s in ("red", "amber", "info") if s in th and th[s].number is not None]
    upward = ">" in comp
    for (s1, a), (s2, b) in zip(nums, nums[1:]):
        if (upward and a < b) or (not upward and a > b):
            raise err(f"threshold {s1} = {a:g} is less extreme than {s2} = {b:g} for comparator '{comp}'.", "condition", s1)


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
        if _finite(v):
            return int(v)
    pr = _valid_per_rep(m)
    if pr:
        return len(pr)
    if ctx.exercise == "running":
        n_ic = sum(1 for e in ctx.gait_events if e.kind == "ic")
        return n_ic or None
    n = sum(1 for r in ctx.reps if r.valid)
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


def _evaluate_rule(rule: Rule, mids: list[str], metrics: MetricSet, ctx: Context,
                   skipped: list[Skip]) -> Finding | None:
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
    if rule.min_reps is not None and (n is None or n < rule.min_reps):
        skipped.append(Skip(rule.id, mids[0], "min_reps",
                            f"needs ≥ {rule.min_reps} valid reps/steps; this clip had {n if n is not None else 'an unknown number'}"))
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
        results = [_test(metrics.values[mid], rule.comparator, thr, rule.aggregation, rule.min_fraction) for mid in mids]
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
            skipped.append(Skip(rule.id, a.metric, am.status if am is not None else "missing",
                                (am.reason or "") if am is not None else "metric not computed for this clip"))
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
    fmt = _SafeDict(n_reps=n_reps, n_flagged=len(reps), side=_metric_side(mids[0]),
                    value=f"{primary.value:.3g}" if primary.value is not None else "")
    title = (variant or {}).get("title", rule.title).format_map(fmt)
    why = (variant or {}).get("why", rule.why).format_map(fmt)
    cue = (variant or {}).get("cue_text", rule.cue)
    return Finding(
        rule_id=rule.id if len(rule.metrics) == 1 or rule.combine == "all" else f"{rule.id}:{mids[0]}",
        severity=hit_sev,  # type: ignore[arg-type]
        category=rule.category,  # type: ignore[arg-type]
        title=title, cue=cue, why=why, metric=mids[0],
        value=float(primary.value) if primary.value is not None and _finite(primary.value) else None,
        threshold=thr_val, comparator=display_comparator(rule.comparator), unit=primary.unit,
        reps=reps, frames=frames, times=times,
        confidence=max(0.0, min(1.0, conf * rule.confidence_factor)),
        drills=list(rule.drills), source=f"{rule.source} | threshold: {rule.threshold_source}",
        proxy=bool(rule.proxy or primary.proxy),
    )


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Order by category (pelvis, nerves, muscles, technique, setup, load), then severity; stable otherwise."""
    cat = {c: i for i, c in enumerate(CATEGORIES)}
    sev = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: (cat.get(f.category, len(cat)), sev.get(f.severity, len(sev))))


def setup_findings(ctx: Context) -> list[Finding]:
    """Filming problems as ``setup`` findings (blocking → amber, warning → info)."""
    out = []
    for s in ctx.setup_issues:
        out.append(Finding(rule_id=f"setup:{s.code}", severity="amber" if s.severity == "blocking" else "info",
                           category="setup", title=s.message, cue=s.message, why="How the clip was filmed limits what can be measured.",
                           metric=None, value=None, threshold=None, comparator=None, unit=None, confidence=1.0))
    return out


def evaluate_detailed(metrics: MetricSet, ctx: Context, rules_path: str | Path | None = None, *,
                      include_setup: bool = True) -> Evaluation:
    """Like :func:`evaluate`, also returning why each silent rule was skipped."""
    rs = load_rules(rules_path)
    findings: list[Finding] = []
    skipped: list[Skip] = []
    for rule in rs.rules:
        why_not = _applicable(rule, ctx)
        if why_not:
            skipped.append(Skip(rule.id, rule.metrics[0], why_not, f"rule is for {'/'.join(rule.exercises if why_not == 'exercise' else rule.views)}"))
            continue
        groups = [rule.metrics] if rule.combine == "all" else [[m] for m in rule.metrics]
        for g in groups:
            f = _evaluate_rule(rule, g, metrics, ctx, skipped)
            if f is not None:
                findings.append(f)
    if include_setup:
        findings.extend(setup_findings(ctx))
    return Evaluation(sort_findings(findings), skipped)


def evaluate(metrics: MetricSet, ctx: Context, rules_path: str | Path | None = None, *,
             symptoms: dict | None = None) -> list[Finding]:
    """Findings for a clip, ordered pelvis → nerves → muscles → technique → setup → load, then by severity.

    ``symptoms``: optional answers to the short symptom check (see :mod:`analyzer.rules.symptoms`);
    nerve-related advice is only ever given from those answers, never inferred from video.
    """
    findings = evaluate_detailed(metrics, ctx, rules_path).findings
    if symptoms:
        from .symptoms import symptom_check

        findings = sort_findings(findings + symptom_check(symptoms, rules_path=rules_path))
    return findings
