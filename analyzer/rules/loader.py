"""Loading ``rules.toml`` + ``cues.toml``: checked against ``rules.schema.json`` (jsonschema), then against the
registries and each other; every mistake names the file, the rule and the line.

The schema holds the shape (keys, types, comparators, aggregations); the enums of metric ids, exercises
and views come from :mod:`analyzer.metrics.registry` and :mod:`analyzer.exercises` at load time. What a
schema cannot say is checked here: duplicate ids, a view that cannot measure the metric, unknown cues
and drills, thresholds in the wrong order, unknown placeholders, live rules that do not exist.
"""

from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import exercises as X
from ..errors import RulesFileError
from ..metrics.registry import METRICS
from ..types import Drill
from .model import (
    DEFAULT_CUES,
    DEFAULT_RULES,
    PLACEHOLDERS,
    SEVERITIES,
    CueLibrary,
    Extra,
    Rule,
    RuleSet,
    Threshold,
)
from .toml_lines import TomlLines, read_toml

SCHEMA_PATH = Path(__file__).resolve().parent / "rules.schema.json"
_NOISE_RE = re.compile(r"^\s*(-)?\s*(?:(\d+(?:\.\d+)?)\s*\*\s*)?noise_floor\s*$")


@lru_cache(maxsize=1)
def _validators():
    """(rules-file validator, cues-file validator), with the registries' enums filled in."""
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    schema["$defs"]["metric_id"]["enum"] = list(METRICS)
    schema["$defs"]["exercise"]["enum"] = [*X.NAMES, "any"]
    schema["$defs"]["view"]["enum"] = list(X.VIEWS)
    cues = copy.deepcopy(schema)
    cues.update({"$ref": "#/$defs/cues_file"})
    for k in ("required", "additionalProperties", "properties", "type"):
        cues.pop(k, None)
    cls = jsonschema.Draft202012Validator
    return cls(schema), cls(cues)


def _first_error(validator, data: dict):
    """The most relevant schema error (jsonschema's best match), or None."""
    import jsonschema

    return jsonschema.exceptions.best_match(validator.iter_errors(data))


def _say(e) -> tuple[str, list[str]]:
    """(plain message, keys to find the line by) for a schema error."""
    path = [p for p in e.absolute_path if isinstance(p, str)]
    key = path[-1] if path else ""
    v = e.instance
    if e.validator == "required":
        missing = next(m for m in e.validator_value if m not in e.instance)
        return f"missing required field '{missing}'.", path
    if e.validator == "additionalProperties":
        extra = sorted(set(e.instance) - set(e.schema.get("properties", {})))
        return f"unknown field '{extra[0]}'.", path + extra[:1]
    if e.validator == "dependentRequired":
        return "'variants' need a 'variant_key' (the metric.extra key that selects them).", ["variants"]
    if key == "comparator":
        return f"comparator {v!r} is not one of {' '.join(e.schema.get('enum', []))}.", path
    if key in SEVERITIES:
        return f'malformed threshold {key} = {v!r}: use a number or "noise_floor".', path
    if key == "value":
        return f"malformed threshold value = {v!r} in 'also': use a number.", path
    if e.validator == "anyOf" and {"cue", "cue_text"} <= {k for s in e.validator_value for k in s.get("required", [])}:
        return "needs 'cue' (an id in cues.toml) or 'cue_text'.", []
    if e.validator == "minProperties" and key == "condition":
        return "condition needs at least one threshold (red, amber, info or positive).", path
    names = {"metric": "metric id", "exercises": "exercise", "views": "view"}
    if key in names or (e.validator == "enum" and len(path) >= 1):
        allowed = {"metric": list(METRICS), "exercises": [*X.NAMES, "any"], "views": list(X.VIEWS)}.get(key)
        if key == "metric" and isinstance(v, str):
            return f"unknown metric id '{v}'.", path
        if allowed is not None:
            return f"'{key}' must list some of {', '.join(allowed)}; got {v!r}.", path
        return f"'{key}' must be one of {', '.join(map(str, e.validator_value))}; got {v!r}.", path
    if e.validator in ("minLength", "pattern") and key == "id":
        return "'id' must use letters, digits and _ only.", path
    if e.validator in ("minLength", "pattern"):
        return f"'{key}' must be non-empty text.", path
    if e.validator in ("minimum", "maximum", "exclusiveMinimum"):
        return f"'{key}' is out of range ({v!r}).", path
    if e.validator == "type":
        return f"'{key}' has the wrong type ({type(v).__name__}).", path
    return f"{e.message}.", path


def load_cues(path: str | Path | None = None) -> CueLibrary:
    """Load and validate the cue library (``[cues.*]``, ``[drills.*]``, ``[notes.*]``)."""
    p = Path(path) if path is not None else DEFAULT_CUES
    data, text = read_toml(p)
    lines = TomlLines(text)
    e = _first_error(_validators()[1], data)
    if e is not None:
        path_ = [str(x) for x in e.absolute_path]
        if e.validator == "required" and (not path_ or path_ == ["notes"]):  # a whole table is missing
            missing = next(m for m in e.validator_value if m not in e.instance)
            raise RulesFileError(f"{p.name}: missing [{'.'.join([*path_, missing])}] (the report always shows it).")
        msg, keys = _say(e)
        table = ".".join(path_[:2])
        span = lines.table_block(table)
        ln = lines.key_line(span, *keys[2:]) if len(keys) > 2 else span[0]
        raise RulesFileError(f"{p.name}, line {ln}: [{table}] {msg}")
    cues = {cid: {k: str(v) for k, v in c.items()} for cid, c in (data.get("cues") or {}).items()}
    drills = {
        did: Drill(name=d["name"], how=d["how"], dose=d.get("dose"), source=d["source"], caution=d.get("caution"))
        for did, d in (data.get("drills") or {}).items()
    }
    notes = {nid: {k: str(v) for k, v in n.items()} for nid, n in (data.get("notes") or {}).items()}
    return CueLibrary(cues=cues, drills=drills, notes=notes, path=p)


def _threshold(v: Any) -> Threshold:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return Threshold(number=float(v))
    m = _NOISE_RE.match(str(v))
    assert m is not None  # the schema only lets numbers and noise-floor expressions through
    f = float(m.group(2)) if m.group(2) else 1.0
    return Threshold(noise_factor=-f if m.group(1) else f)


def _as_list(v: Any) -> list:
    return [v] if isinstance(v, str) else list(v)


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
    data, text = read_toml(p)
    lines = TomlLines(text)
    raw = data.get("rule")
    if not isinstance(raw, list) or not raw:
        raise RulesFileError(f"{p.name}: no [[rule]] entries found.", hint="Each rule starts with a [[rule]] line.")
    e = _first_error(_validators()[0], data)
    if e is not None:
        path_ = list(e.absolute_path)
        msg, keys = _say(e)
        if len(path_) >= 2 and path_[0] == "rule":
            k = int(path_[1])
            rid = raw[k].get("id") if isinstance(raw[k].get("id"), str) else f"#{k + 1}"
            span = lines.rule_block(k)
            sub = [x for x in keys if x != "rule"]
            ln = lines.key_line(span, *sub) if sub else span[0]
            raise RulesFileError(f"{p.name}, line {ln}: rule '{rid}': {msg}")
        span = lines.table_block(str(path_[0])) if path_ else (1, 1)
        raise RulesFileError(f"{p.name}, line {span[0]}: {msg}")
    rules = [_build(k, r, lines, cues, p) for k, r in enumerate(raw)]
    seen: dict[str, int] = {}
    for r in rules:
        if r.id in seen:
            raise RulesFileError(
                f"{p.name}, line {lines.key_line(lines.rule_block(rules.index(r)), 'id')}: rule "
                f"'{r.id}': duplicate id (first used at line {seen[r.id]})."
            )
        seen[r.id] = r.line
    live = {check: list(ids) for check, ids in (data.get("live") or {}).items()}
    for check, ids in live.items():
        for rid in ids:
            if rid not in seen:
                ln = lines.key_line(lines.table_block("live"), check)
                raise RulesFileError(f"{p.name}, line {ln}: [live] {check}: unknown rule '{rid}'.")
    return RuleSet(rules=rules, cues=cues, path=p, live=live)


def _build(k: int, r: dict, lines: TomlLines, cues: CueLibrary, p: Path) -> Rule:
    """A :class:`Rule` from the k-th ``[[rule]]`` (schema-valid), checked against the registries and the cues."""
    span = lines.rule_block(k)

    def err(msg: str, *keys: str) -> RulesFileError:
        ln = lines.key_line(span, *keys) if keys else span[0]
        return RulesFileError(f"{p.name}, line {ln}: rule '{r['id']}': {msg}")

    metrics, views = _as_list(r["metric"]), _as_list(r["views"])
    for m in metrics:
        bad = [v for v in views if v not in METRICS[m].views]
        if bad:
            raise err(
                f"metric '{m}' is not measurable from the {'/'.join(bad)} view (method spec 'Metric × view').", "views"
            )
    cond = r["condition"]
    thresholds = {sev: _threshold(cond[sev]) for sev in SEVERITIES if sev in cond}
    if "positive" in thresholds and len(thresholds) > 1:
        raise err("a positive rule has only 'positive' (no red/amber/info).", "condition", "positive")
    _check_order(thresholds, cond["comparator"], err)
    also = [
        Extra(
            a["metric"],
            a["comparator"],
            float(a["value"]),
            a.get("aggregation", "value"),
            bool(a.get("optional", False)),
        )
        for a in r.get("also", [])
    ]
    for key in ("title", "why"):
        _check_placeholders(r[key], err, key)
    for _vname, v in r.get("variants", {}).items():
        for key, val in v.items():
            _check_placeholders(val, err, key)
    if "cue_text" in r:
        cue, cue_id = r["cue_text"], None
    else:
        cue_id = r["cue"]
        if cue_id not in cues.cues:
            raise err(f"unknown cue '{cue_id}' (not in {cues.path.name}).", "cue")
        cue = cues.cue_text(cue_id)
    for d in r["drills"]:
        if d not in cues.drills:
            raise err(f"unknown drill '{d}' (not in {cues.path.name}).", "drills")
    return Rule(
        id=r["id"],
        metrics=metrics,
        combine=r.get("combine", "each"),
        exercises=_as_list(r["exercises"]),
        views=views,
        category=r["category"],
        comparator=cond["comparator"],
        thresholds=thresholds,
        aggregation=r.get("aggregation", "value"),
        min_fraction=float(r.get("min_fraction", 0.666)),
        min_reps=r.get("min_reps"),
        also=also,
        title=r["title"],
        why=r["why"],
        cue=cue,
        cue_id=cue_id,
        drills=[cues.drills[d] for d in r["drills"]],
        drill_ids=list(r["drills"]),
        source=r["source"],
        threshold_source=r["threshold_source"],
        confidence_factor=float(r.get("confidence_factor", 1.0)),
        proxy=bool(r.get("proxy", False)),
        variant_key=r.get("variant_key"),
        variants=r.get("variants", {}),
        line=span[0],
    )


def _check_placeholders(text: str, err, key: str) -> None:
    for name in re.findall(r"\{([^{}]*)\}", text):
        if name not in PLACEHOLDERS:
            raise err(
                f"unknown placeholder {{{name}}} in '{key}' (use "
                f"{', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}).",
                key,
            )


def _check_order(th: dict[str, Threshold], comp: str, err) -> None:
    """red must be at least as extreme as amber, amber as info (numbers only)."""
    nums = [(s, float(n)) for s in ("red", "amber", "info") if s in th and (n := th[s].number) is not None]
    upward = ">" in comp
    for (s1, a), (s2, b) in zip(nums, nums[1:]):
        if (upward and a < b) or (not upward and a > b):
            raise err(
                f"threshold {s1} = {a:g} is less extreme than {s2} = {b:g} for comparator '{comp}'.", "condition", s1
            )
