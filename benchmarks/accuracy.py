"""Accuracy of hinge-analyzer against synthetic ground truth: ``python benchmarks/accuracy.py [--quick] [--jobs N]``
(also ``hinge-analyzer bench accuracy``).

Renders every scenario of :func:`analyzer.synth.scenario_matrix` (48: exercise × view × fault level ×
nuisance; ``--quick``: 8 of them) into a cache directory (never into the repo), runs the real
pipeline (:func:`analyzer.pipeline.analyze`, exercise and view auto-detected, full model) on each, and
compares what it measured with the renderer's truth:

* per-frame angles in side views (near side): knee flexion, hip flexion (hip–trunk angle), trunk and
  shank angle, against the projected truth (``angles_2d``) and the 3D truth (``angles_3d``);
* FPPA per knee (front/back views) at the frames the metric reads, against the 2D and 3D truth;
* hinge lag (ms) per rep against the designed ``hinge_lag_ms`` (side hinges);
* cadence, overstride, trunk lean, pelvic drop (per step, against the 2D truth at the same frames, and
  the clip mean against the 3D truth), step width, depth angle, trunk–shank difference, rep count;
* detection rate per view, view / exercise / near-side detection;
* finding precision and recall against the truth's expected findings (rule id → truth name via
  :mod:`analyzer.bench.vocabulary`), and the number of findings reported for a metric the view
  cannot measure (must be 0).

Each scenario's render is cached by a hash of its spec and the renderer source; its result by that
plus a hash of the analyzer source and the model, so a rerun only redoes what changed. Writes
``docs/ACCURACY.md`` and ``docs/accuracy.json``.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import platform
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULT_VERSION = 3
DEFAULT_CACHE = Path(os.environ.get("HINGE_ACCURACY_CACHE",
                                    Path.home() / ".cache" / "hinge-analyzer" / "accuracy"))
HINGES = ("deadlift", "rdl", "hinge")
SQUATS = ("squat", "back_squat")
#: scenario names used by --quick (one per view family, each headline metric once).
QUICK = ("squat_side_left_good_clean", "squat_front_valgus15_", "squat_back_good_", "rdl_side_left_lumbar_first_",
         "hinge_side_right_hip_first_", "running_side_left_overstride_", "running_back_drop_", "squat_oblique45_valgus15_")


# ----------------------------------------------------------------------------------------------- hashing
from analyzer.bench.cache import analyzer_hash, synth_hash  # noqa: E402


def render_key(spec) -> str:
    payload = json.dumps(spec.as_dict(), sort_keys=True, default=str) + synth_hash()
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


# ----------------------------------------------------------------------------------------------- scenarios
def select(quick: bool, only: list[str] | None = None):
    from analyzer.synth import scenario_matrix

    specs = scenario_matrix()
    if quick:
        specs = [next(s for s in specs if s.name.startswith(q)) for q in QUICK]
    if only:
        specs = [s for s in specs if any(o in s.name for o in only)]
    return specs


# ----------------------------------------------------------------------------------------------- one scenario
def _err(meas, true) -> list[float]:
    """measured − true over the samples where both are finite (rounded for the JSON)."""
    m = np.asarray(meas, float).ravel()
    t = np.asarray(true, float).ravel()
    ok = np.isfinite(m) & np.isfinite(t)
    return [round(float(x), 3) for x in (m - t)[ok]]


def _truth_exercise(ex: str) -> str:
    return "squat" if ex in SQUATS else ("running" if ex == "running" else "hinge")


def _exercise_family(ex: str) -> str:
    return "squat" if ex == "squat" else ("running" if ex == "running" else ("hinge" if ex in HINGES else ex))


def evaluate(analysis, truth) -> dict:
    """Compare one :class:`~analyzer.pipeline.Analysis` with its :class:`~analyzer.synth.GroundTruth`."""
    from analyzer.metrics.common import META
    from analyzer.bench.vocabulary import negated_name, truth_name

    ctx, ms, track = analysis.context, analysis.metrics, analysis.track
    kind = truth.meta["view_kind"]
    ex = truth.meta["exercise"]
    n = min(len(track), len(truth.t))
    a2, a3 = truth.angles_2d, truth.angles_3d
    errors: dict[str, list[float]] = {}

    def add(key, meas, true):
        e = _err(meas, true)
        if e:
            errors.setdefault(key, []).extend(e)

    def ok(mid):
        m = ms.get(mid)
        return m if (m is not None and m.status == "ok") else None

    out: dict = {
        "view_kind": kind, "exercise": ex,
        "detection_rate": float(np.mean(track.detected[:n])) if n else 0.0,
        "detected_view": ctx.view, "view_correct": ctx.view == kind,
        "detected_exercise": ctx.exercise,
        "exercise_correct": _exercise_family(ctx.exercise) == _truth_exercise(ex),
        "near_side": ctx.near_side, "true_near_side": truth.meta.get("near_side"),
        "direction": ctx.direction, "true_direction": truth.meta.get("direction"),
    }
    # --- per-frame sagittal angles (side views, near side) ----------------------------------------------
    if kind == "side" and ctx.view == "side":
        kin = analysis.kinematics
        near = truth.meta["near_side"]
        out["near_side_correct"] = ctx.near_side == near
        out["direction_correct"] = ctx.direction == truth.meta.get("direction")
        sl = slice(0, n)
        add("knee_flexion_frame_2d", kin["knee_flexion_near"][sl], a2["knee_flexion_near"][sl])
        add("knee_flexion_frame_3d", kin["knee_flexion_near"][sl], a3[f"knee_flexion_{near}"][sl])
        add("hip_flexion_frame_2d", kin["hip_flexion_near"][sl], a2["hip_flexion_near"][sl])
        add("hip_flexion_frame_3d", kin["hip_flexion_near"][sl], a3[f"hip_trunk_angle_{near}"][sl])
        add("trunk_angle_frame_2d", kin["trunk_angle"][sl], a2["trunk_angle"][sl])
        add("trunk_angle_frame_3d", kin["trunk_angle"][sl], a3["trunk_angle"][sl])
        add("shank_angle_frame_2d", kin["shank_angle_near"][sl], a2["shank_angle_near"][sl])
        add("shank_angle_frame_3d", kin["shank_angle_near"][sl], a3[f"shank_angle_{near}"][sl])
        if ex in SQUATS:
            for mid, tr in (("depth_angle", a2["depth_angle_near"]),
                            ("trunk_shank_diff_bottom", a2["trunk_angle"] - a2["shank_angle_near"])):
                m = ok(mid)
                if m:
                    fr = [f for f, v in zip(m.frames, m.per_rep) if f is not None and v is not None and f < n]
                    add(mid, [v for f, v in zip(m.frames, m.per_rep) if f is not None and v is not None and f < n],
                        tr[fr])
    # --- FPPA (front/back) at the frames the metric reads -----------------------------------------------
    if kind in ("front", "back") and ex not in ("running",):
        for side in ("left", "right"):
            m = ok(f"fppa_{side}")
            if m:
                pairs = [(f, v) for f, v in zip(m.frames, m.per_rep) if f is not None and v is not None and f < n]
                fr = [f for f, _ in pairs]
                add("fppa_2d", [v for _, v in pairs], a2[f"fppa_{side}"][fr])
                add("fppa_3d", [v for _, v in pairs], a3[f"fppa_{side}"][fr])
                if truth.meta["params"].get("valgus_fppa"):
                    add("fppa_vs_design", [np.mean([v for _, v in pairs])] if pairs else [],
                        [truth.summary.get(f"fppa_{side}_valgus_ref_3d")])
    # --- hinge timing -------------------------------------------------------------------------------------
    if ex in HINGES and kind == "side":
        m = ok("hinge_lag_ms")
        out["hinge_method"] = (ms.get("hinge_lag_ms").extra or {}).get("method") if ms.get("hinge_lag_ms") else None
        fl = ms.get("hinge_back_first_fraction")
        out["hinge_back_first_fraction"] = fl.value if fl is not None else None
        lcp = ms.get("lcp_delta")
        out["lcp_delta"] = None if lcp is None else lcp.value
        out["lcp_status"] = None if lcp is None else lcp.status
        out["lcp_noise_floor"] = None if lcp is None else (lcp.extra or {}).get("noise_floor")
        if m:
            from analyzer.metrics.common import valid_reps

            reps = valid_reps(ctx)
            tr_reps = truth.events.get("reps", [])
            for r, v in zip(reps, m.per_rep):
                if v is None or not tr_reps:
                    continue
                j = int(np.argmin([abs(tr["bottom"] - r.t_bottom) for tr in tr_reps]))
                if abs(tr_reps[j]["bottom"] - r.t_bottom) < 1.0:
                    add("hinge_lag_ms", [v], [tr_reps[j]["hinge_lag_ms"]])
    # --- rep count (lifts) ---------------------------------------------------------------------------------
    if ex != "running":
        m = ms.get("rep_count")
        out["rep_count"] = None if m is None else m.value
        out["true_reps"] = truth.summary.get("n_reps")
        add("rep_count", [out["rep_count"]], [out["true_reps"]])
    # --- running -------------------------------------------------------------------------------------------
    if ex == "running":
        s = truth.summary
        m = ok("cadence_spm")
        add("cadence_spm_side" if kind == "side" else "cadence_spm_frontal", [m.value] if m else [], [s["cadence_spm"]])
        out["cadence_spm"] = m.value if m else None
        if kind == "side":
            for mid, key in (("overstride", "overstride_ic_3d"), ("trunk_lean", "trunk_lean_3d")):
                m = ok(mid)
                add(mid, [m.value] if m else [], [s.get(key)])
        if kind in ("front", "back"):
            m = ok("pelvic_drop_deg")
            add("pelvic_drop_clip_3d", [m.value] if m else [], [s.get("pelvic_drop_midstance_3d")])
            rows = [r for r in ms.per_rep_rows if r.get("stride_event") == "midstance" and "pelvic_drop" in r]
            fr = [r["frame"] for r in rows if r["frame"] < n]
            sgn = np.array([1.0 if r["foot"] == "left" else -1.0 for r in rows if r["frame"] < n])
            add("pelvic_drop_step_2d", [r["pelvic_drop"] for r in rows if r["frame"] < n],
                sgn * a2["pelvis_obliquity"][fr] if fr else [])
            m = ok("step_width")
            add("step_width", [m.value] if m else [], [s.get("step_width_ic_3d")])
    out["errors"] = errors
    # --- findings ------------------------------------------------------------------------------------------
    must = set(truth.expected.get("must_report", []))
    must_not = set(truth.expected.get("must_not_report", []))
    fnd, unmeas, unmeas_true, contradictions = [], [], [], []
    for f in analysis.findings:
        name = truth_name(f.rule_id)
        fnd.append({"rule_id": f.rule_id, "severity": f.severity, "metric": f.metric, "value": f.value,
                    "truth_name": name})
        if f.metric is not None:
            mv = ms.get(f.metric)
            valid_det = f.metric in META and ctx.view in META[f.metric][3]
            if mv is None or mv.status != "ok" or not valid_det:
                unmeas.append(f.rule_id)
            if f.metric in META and kind not in META[f.metric][3]:
                unmeas_true.append(f.rule_id)
        neg = negated_name(f.rule_id)
        if f.severity == "positive" and neg in must:
            contradictions.append(f.rule_id)
    reported = {x["truth_name"] for x in fnd if x["truth_name"] and x["severity"] != "positive"}
    out["findings"] = fnd
    out["must_report"], out["must_not_report"] = sorted(must), sorted(must_not)
    out["tp"] = sorted(reported & must)
    out["fn"] = sorted(must - reported)
    out["fp"] = sorted(reported & must_not)
    out["unscored"] = sorted(reported - must - must_not)
    out["unmeasurable_findings"] = unmeas
    out["unmeasurable_for_true_view"] = unmeas_true
    out["positive_contradictions"] = contradictions
    return out


def run_scenario(spec, cache: str, model_dir: str | None = None, force: bool = False) -> dict:
    """Render (cached), analyse and evaluate one scenario; returns the per-scenario result dict."""
    cache = Path(cache)
    os.environ["ANALYZER_CACHE_DIR"] = str(cache / "landmarks")
    if model_dir:
        os.environ["ANALYZER_MODEL_DIR"] = model_dir
    os.environ.setdefault("GLOG_minloglevel", "2")
    from analyzer import models
    from analyzer.errors import AnalyzerError
    from analyzer.pipeline import AnalyzeOptions, analyze
    from analyzer.synth import GroundTruth, render_scenario

    rk = render_key(spec)
    mpath = models.resolve("full")
    res_key = hashlib.sha256(f"{rk}|{analyzer_hash()}|{mpath.name}|{mpath.stat().st_size}|v{RESULT_VERSION}"
                             .encode()).hexdigest()[:16]
    res_path = cache / "results" / f"{spec.name}-{res_key}.json"
    if res_path.is_file() and not force:
        out = json.loads(res_path.read_text())
        out["cached"] = True
        return out
    mp4 = cache / "renders" / f"{spec.name}-{rk}.mp4"
    t0 = time.perf_counter()
    if not (mp4.is_file() and mp4.with_suffix(".json").is_file()):
        tmp = mp4.with_name(f"{mp4.stem}.{os.getpid()}.part.mp4")  # two runs may share a cache
        truth = render_scenario(spec, tmp, truth_path=mp4.with_suffix(".json"))
        tmp.replace(mp4)
    else:
        truth = GroundTruth.load(mp4.with_suffix(".json"))
    t_render = time.perf_counter() - t0
    out = {"name": spec.name, "tags": list(spec.tags), "exercise": spec.exercise, "view": spec.view,
           "knobs": spec.knobs, "seed": spec.seed, "render_s": round(t_render, 1)}
    t1 = time.perf_counter()
    try:
        a = analyze(mp4, AnalyzeOptions(out_dir=None, write_video=False))
        out.update(evaluate(a, truth))
        out["error"] = None
    except AnalyzerError as exc:  # a user-facing refusal is a result too (counted as a miss)
        out.update({"view_kind": truth.meta["view_kind"], "error": f"{type(exc).__name__}: {exc}", "errors": {},
                    "must_report": truth.expected.get("must_report", []),
                    "must_not_report": truth.expected.get("must_not_report", []),
                    "tp": [], "fn": truth.expected.get("must_report", []), "fp": [], "unscored": [], "findings": [],
                    "unmeasurable_findings": [], "unmeasurable_for_true_view": [], "positive_contradictions": [],
                    "detection_rate": None})
    out["analyze_s"] = round(time.perf_counter() - t1, 1)
    res_path.parent.mkdir(parents=True, exist_ok=True)
    from analyzer.atomic import write_text
    from analyzer.types import clean_json

    write_text(res_path, json.dumps(clean_json(out)))
    out["cached"] = False
    return out



def _safe_run(spec, cache, model_dir, force):
    try:
        return run_scenario(spec, cache, model_dir, force)
    except Exception as exc:  # keep the batch going; the failure is reported
        return {"name": spec.name, "tags": list(spec.tags), "view_kind": None, "crash": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc()}


# ----------------------------------------------------------------------------------------------- aggregate
METRIC_ROWS = (
    ("knee_flexion_frame_2d", "Knee flexion, per frame (near side) vs projected truth", "deg", "side"),
    ("knee_flexion_frame_3d", "Knee flexion, per frame (near side) vs 3D truth", "deg", "side"),
    ("hip_flexion_frame_2d", "Hip flexion (hip–trunk angle), per frame vs projected truth", "deg", "side"),
    ("hip_flexion_frame_3d", "Hip flexion (hip–trunk angle), per frame vs 3D truth", "deg", "side"),
    ("trunk_angle_frame_2d", "Trunk angle, per frame vs projected truth", "deg", "side"),
    ("trunk_angle_frame_3d", "Trunk angle, per frame vs 3D truth", "deg", "side"),
    ("shank_angle_frame_2d", "Shank angle, per frame (near side) vs projected truth", "deg", "side"),
    ("shank_angle_frame_3d", "Shank angle, per frame (near side) vs 3D truth", "deg", "side"),
    ("depth_angle", "Depth angle per rep (squats) vs projected truth, same frame", "deg", "side"),
    ("trunk_shank_diff_bottom", "Trunk − shank at the bottom (squats) vs projected truth", "deg", "side"),
    ("fppa_2d", "FPPA per knee per rep, at the metric's read frame, vs projected truth", "deg", "front/back"),
    ("fppa_3d", "FPPA per knee per rep, at the metric's read frame, vs 3D frontal-plane truth", "deg", "front/back"),
    ("fppa_vs_design", "FPPA clip mean vs the designed valgus (3D, at 60° knee flexion)", "deg", "front/back"),
    ("hinge_lag_ms", "Hinge lag per rep vs designed lumbar − hip onset", "ms", "side"),
    ("rep_count", "Rep count (lifts), measured − true", "reps", "all"),
    ("cadence_spm_side", "Cadence, side view", "spm", "side"),
    ("cadence_spm_frontal", "Cadence, front/back view", "spm", "front/back"),
    ("overstride", "Overstride at contact (clip mean) vs 3D truth", "leg lengths", "side"),
    ("trunk_lean", "Running trunk lean (clip) vs 3D truth", "deg", "side"),
    ("pelvic_drop_step_2d", "Pelvic drop per step vs projected truth, same frame", "deg", "front/back"),
    ("pelvic_drop_clip_3d", "Pelvic drop (clip mean) vs 3D truth at midstance", "deg", "front/back"),
    ("step_width", "Step width (clip mean) vs 3D truth at contact", "hip widths", "front/back"),
)


def _stats(e: list[float]) -> dict:
    a = np.asarray(e, float)
    if not a.size:
        return {"n": 0, "mae": None, "bias": None, "p95": None}
    return {"n": int(a.size), "mae": round(float(np.mean(np.abs(a))), 3), "bias": round(float(np.mean(a)), 3),
            "p95": round(float(np.percentile(np.abs(a), 95)), 3)}


def aggregate(results: list[dict]) -> dict:
    ok = [r for r in results if "crash" not in r]
    pooled: dict[str, list[float]] = {}
    n_scen: dict[str, int] = {}
    for r in ok:
        for k, v in (r.get("errors") or {}).items():
            pooled.setdefault(k, []).extend(v)
            n_scen[k] = n_scen.get(k, 0) + 1
    metrics = {k: {**_stats(pooled.get(k, [])), "scenarios": n_scen.get(k, 0), "label": lab, "unit": unit, "views": v}
               for k, lab, unit, v in METRIC_ROWS}
    det: dict[str, dict] = {}
    for kind in ("side", "front", "back", "oblique"):
        rs = [r for r in ok if r.get("view_kind") == kind]
        rates = [r["detection_rate"] for r in rs if r.get("detection_rate") is not None]
        det[kind] = {"scenarios": len(rs), "mean": round(float(np.mean(rates)), 4) if rates else None,
                     "min": round(float(np.min(rates)), 4) if rates else None,
                     "n_ge_95": int(sum(x >= 0.95 for x in rates)),
                     "view_correct": int(sum(bool(r.get("view_correct")) for r in rs)),
                     "refused": int(sum(r.get("error") is not None for r in rs))}
    names = sorted({n for r in ok for n in r.get("must_report", []) + r.get("must_not_report", []) + r.get("unscored", [])})
    per_name = {}
    for nm in names:
        tp = sum(nm in r.get("tp", []) for r in ok)
        fn = sum(nm in r.get("fn", []) for r in ok)
        fp = sum(nm in r.get("fp", []) for r in ok)
        tn = sum(nm in r.get("must_not_report", []) and nm not in r.get("fp", []) for r in ok)
        per_name[nm] = {"tp": tp, "fn": fn, "fp": fp, "tn": tn, "unscored": sum(nm in r.get("unscored", []) for r in ok),
                        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
                        "recall": round(tp / (tp + fn), 3) if tp + fn else None}
    TP = sum(v["tp"] for v in per_name.values())
    FP = sum(v["fp"] for v in per_name.values())
    FN = sum(v["fn"] for v in per_name.values())
    findings = {"tp": TP, "fp": FP, "fn": FN, "precision": round(TP / (TP + FP), 3) if TP + FP else None,
                "recall": round(TP / (TP + FN), 3) if TP + FN else None, "per_name": per_name,
                "unmeasurable_findings": int(sum(len(r.get("unmeasurable_findings", [])) for r in ok)),
                "unmeasurable_for_true_view": int(sum(len(r.get("unmeasurable_for_true_view", [])) for r in ok)),
                "positive_contradictions": int(sum(len(r.get("positive_contradictions", [])) for r in ok))}
    side_ok = [r for r in ok if r.get("view_kind") == "side" and "near_side_correct" in r]
    ctx = {"view_correct": int(sum(bool(r.get("view_correct")) for r in ok)),
           "exercise_correct": int(sum(bool(r.get("exercise_correct")) for r in ok)),
           "near_side_correct": int(sum(bool(r.get("near_side_correct")) for r in side_ok)), "side_scenarios": len(side_ok),
           "scenarios": len(ok)}
    hinge = [r for r in ok if r.get("exercise") in HINGES and r.get("view_kind") == "side"]
    hinge_info = {"scenarios": len(hinge),
                  "methods": {m: sum(r.get("hinge_method") == m for r in hinge) for m in ("contour", "trunk", None)},
                  "lcp_delta": [{"name": r["name"], "lcp_delta": r.get("lcp_delta"), "noise_floor": r.get("lcp_noise_floor"),
                                 "status": r.get("lcp_status"), "lumbar_flex_true": (r.get("knobs") or {}).get("lumbar_flex")}
                                for r in hinge]}
    return {"metrics": metrics, "detection": det, "findings": findings, "context": ctx, "hinge": hinge_info,
            "n_scenarios": len(results), "n_crashed": len(results) - len(ok)}


# ----------------------------------------------------------------------------------------------- report
def _f(x, nd=1):
    return "—" if x is None else f"{x:.{nd}f}"


def render_markdown(summary: dict, results: list[dict], meta: dict) -> str:
    L = []
    L.append("# Accuracy against synthetic ground truth\n")
    L.append(f"Generated {meta['date']} by\n\n```bash\n{meta['command']}\n```\n")
    L.append(f"Model: `{meta['model']}` (MediaPipe Pose Landmarker, full). Scenarios: {summary['n_scenarios']} "
             f"(`analyzer.synth.scenario_matrix()`{', --quick subset' if meta['quick'] else ''}: exercise × view × fault "
             "level × nuisance), rendered on the fly into a cache directory (not committed) and run through the real "
             "pipeline (`analyzer.pipeline.analyze`, exercise and view auto-detected). Errors are *measured − true*; MAE = "
             "mean absolute error, bias = mean signed error, P95 = 95th percentile of the absolute error. "
             f"Host: {meta['host']}. This report's run took {meta['wall_s'] / 60:.1f} min with --jobs {meta['jobs']}; "
             "renders, landmark tracks and results are cached by content hash (spec + renderer source; analyzer "
             "source + model), so a rerun only redoes what changed.\n")
    if summary["n_crashed"]:
        L.append(f"**{summary['n_crashed']} scenario(s) crashed** (see docs/accuracy.json).\n")
    L.append("## Detection\n")
    L.append("| View | Scenarios | Detection rate mean | min | ≥ 95 % | View detected correctly | Refused |")
    L.append("|---|---|---|---|---|---|---|")
    for k, d in summary["detection"].items():
        if d["scenarios"]:
            L.append(f"| {k} | {d['scenarios']} | {_f(100 * d['mean'] if d['mean'] is not None else None)} % | "
                     f"{_f(100 * d['min'] if d['min'] is not None else None)} % | {d['n_ge_95']}/{d['scenarios']} | "
                     f"{d['view_correct']}/{d['scenarios']} | {d['refused']} |")
    c = summary["context"]
    L.append(f"\nExercise family detected correctly in {c['exercise_correct']}/{c['scenarios']} scenarios; near side "
             f"correct in {c['near_side_correct']}/{c['side_scenarios']} side-view scenarios.\n")
    L.append("## Metric errors\n")
    L.append("| Metric | Unit | Views | Scenarios | Samples | MAE | Bias | P95 |")
    L.append("|---|---|---|---|---|---|---|---|")
    for k, m in summary["metrics"].items():
        nd = 3 if m["unit"] in ("leg lengths", "hip widths") else (0 if m["unit"] == "ms" else (2 if m["unit"] == "reps" else 1))
        L.append(f"| {m['label']} (`{k}`) | {m['unit']} | {m['views']} | {m['scenarios']} | {m['n']} | {_f(m['mae'], nd)} | "
                 f"{_f(m['bias'], nd)} | {_f(m['p95'], nd)} |")
    f = summary["findings"]
    L.append("\n## Findings against the expected findings\n")
    L.append(f"Overall: precision **{_f(f['precision'], 2)}**, recall **{_f(f['recall'], 2)}** "
             f"(TP {f['tp']}, FP {f['fp']}, FN {f['fn']}). A finding counts as a false positive only when the truth "
             "lists it under `must_not_report`; findings for faults the truth leaves open (borderline knob values) are "
             "*unscored*. Rule ids map to truth names via `analyzer/bench/vocabulary.py`.\n")
    L.append(f"- Findings reported for a metric the detected view cannot measure (or whose metric is not `ok`): "
             f"**{f['unmeasurable_findings']}** (must be 0).")
    L.append(f"- Findings whose metric the *true* view cannot measure (only possible after a wrong view detection): "
             f"**{f['unmeasurable_for_true_view']}**.")
    L.append(f"- Positive findings denying a fault the clip has (e.g. \"hips led\" on a back-first hinge): "
             f"**{f['positive_contradictions']}**.\n")
    L.append("| Finding (truth name) | TP | FN | FP | TN | Unscored | Precision | Recall |")
    L.append("|---|---|---|---|---|---|---|---|")
    for nm, v in f["per_name"].items():
        L.append(f"| {nm} | {v['tp']} | {v['fn']} | {v['fp']} | {v['tn']} | {v['unscored']} | {_f(v['precision'], 2)} | "
                 f"{_f(v['recall'], 2)} |")
    h = summary["hinge"]
    if h["scenarios"]:
        L.append("\n## Hinge timing and the back-contour proxy\n")
        L.append(f"Side-view hinge scenarios: {h['scenarios']}. Method that produced the lag: " +
                 ", ".join(f"{k or 'none'} {v}" for k, v in h["methods"].items()) + ". ")
        L.append("`lcp_delta` (ΔLCP at the bottom, + = more rounded than standing) against its noise floor and the "
                 "true lumbar flexion knob:\n")
        L.append("| Scenario | true lumbar flexion (deg) | ΔLCP | noise floor | status |")
        L.append("|---|---|---|---|---|")
        for r in h["lcp_delta"]:
            L.append(f"| {r['name']} | {_f(r['lumbar_flex_true'], 0)} | {_f(r['lcp_delta'], 3)} | {_f(r['noise_floor'], 3)} | "
                     f"{r['status']} |")
    L.append("\n## Per scenario\n")
    L.append("| Scenario | Detection | View (detected) | Exercise (detected) | Reps | Must report | Reported (mapped) | "
             "FN | FP | Unmeasurable |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        if "crash" in r:
            L.append(f"| {r['name']} | crashed: {r['crash'][:80]} | | | | | | | | |")
            continue
        rep = sorted({x["truth_name"] for x in r.get("findings", []) if x["truth_name"] and x["severity"] != "positive"})
        reps = f"{_f(r.get('rep_count'), 0)}/{r.get('true_reps')}" if r.get("true_reps") is not None else "—"
        view = f"{r.get('view_kind')} ({r.get('detected_view', '—')})" + ("" if r.get("error") is None else " refused")
        L.append(f"| {r['name']} | {_f(100 * r['detection_rate'] if r.get('detection_rate') is not None else None, 0)} % | "
                 f"{view} | {r.get('exercise')} ({r.get('detected_exercise', '—')}) | {reps} | "
                 f"{', '.join(r.get('must_report', [])) or '—'} | {', '.join(rep) or '—'} | {', '.join(r.get('fn', [])) or '—'} | "
                 f"{', '.join(r.get('fp', [])) or '—'} | {len(r.get('unmeasurable_findings', []))} |")
    if meta.get("notes"):
        L.append("\n## Notes\n")
        L.append(meta["notes"])
    return "\n".join(L) + "\n"


# ----------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="8 scenarios (smoke run)")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="parallel worker processes")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help=f"render/result cache (default {DEFAULT_CACHE})")
    ap.add_argument("--only", action="append", help="only scenarios whose name contains this (repeatable)")
    ap.add_argument("--reverse", action="store_true",
                    help="work through the scenarios from the end (a second run sharing the cache)")
    ap.add_argument("--force", action="store_true", help="re-analyse even when a cached result exists")
    ap.add_argument("--out-dir", type=Path, default=ROOT / "docs", help="where ACCURACY.md and accuracy.json go")
    ap.add_argument("--no-write", action="store_true", help="print the summary only")
    ap.add_argument("--notes", type=Path, default=HERE / "accuracy_notes.md",
                    help="Markdown appended to ACCURACY.md as 'Notes' (if the file exists)")
    a = ap.parse_args(argv)
    os.environ.setdefault("ANALYZER_MODEL_DIR", str(ROOT.parent / "shared" / "models"))
    from analyzer import models

    mpath = models.resolve("full")
    specs = select(a.quick, a.only)
    a.cache.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    results: dict[str, dict] = {}
    model_dir = os.environ.get("ANALYZER_MODEL_DIR")
    print(f"{len(specs)} scenarios, cache {a.cache}, jobs {a.jobs}", file=sys.stderr)

    def report(r):
        results[r["name"]] = r
        if "crash" in r:
            tag = "crash " + r["crash"]
        else:
            took = " (cached)" if r.get("cached") else " render %s s, analyse %s s" % (r.get("render_s"), r.get("analyze_s"))
            tag = (f"det {r.get('detection_rate') or 0:.2f} view {r.get('detected_view')} fn {r.get('fn')} "
                   f"fp {r.get('fp')}{took}")
        print(f"[{len(results)}/{len(specs)}] {r['name']}: {tag}", file=sys.stderr, flush=True)

    todo = specs[::-1] if a.reverse else specs
    if a.jobs <= 1:
        for s in todo:
            report(_safe_run(s, str(a.cache), model_dir, a.force))
    else:
        import multiprocessing as mp

        with ProcessPoolExecutor(max_workers=a.jobs, mp_context=mp.get_context("spawn")) as ex:
            futs = [ex.submit(_safe_run, s, str(a.cache), model_dir, a.force) for s in todo]
            for fu in as_completed(futs):
                report(fu.result())
    ordered = [results[s.name] for s in specs]
    summary = aggregate(ordered)
    wall = time.perf_counter() - t0
    cmd = "python benchmarks/accuracy.py" + (" --quick" if a.quick else "") + (f" --jobs {a.jobs}" if a.jobs > 1 else "") + \
          "".join(f" --only {o}" for o in (a.only or []))
    meta = {"date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "command": cmd, "model": mpath.name,
            "model_bytes": mpath.stat().st_size, "quick": a.quick, "jobs": a.jobs, "wall_s": round(wall, 1),
            "host": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "scenario_s_median": float(np.median(per)) if (per := [r.get("render_s", 0) + r.get("analyze_s", 0)
                                                                  for r in ordered if "crash" not in r]) else None,
            "scenario_s_total": float(np.sum(per)) if per else None,
            "analyzer_hash": analyzer_hash(), "synth_hash": synth_hash(),
            "notes": a.notes.read_text() if a.notes and a.notes.is_file() else None}
    slim = [{**r, "errors": {k: _stats(v) for k, v in (r.get("errors") or {}).items()}} for r in ordered]
    doc = {"meta": meta, "summary": summary, "scenarios": slim}
    f = summary["findings"]
    print(json.dumps({"precision": f["precision"], "recall": f["recall"], "unmeasurable_findings": f["unmeasurable_findings"],
                      "detection": {k: v["mean"] for k, v in summary["detection"].items()}}, indent=1))
    if not a.no_write:
        from analyzer.atomic import write_text
        from analyzer.types import clean_json

        a.out_dir.mkdir(parents=True, exist_ok=True)
        write_text(a.out_dir / "accuracy.json", json.dumps(clean_json(doc), indent=1))
        write_text(a.out_dir / "ACCURACY.md", render_markdown(summary, ordered, meta))
        print(f"wrote {a.out_dir / 'ACCURACY.md'} and {a.out_dir / 'accuracy.json'}", file=sys.stderr)
    return 0 if summary["n_crashed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
