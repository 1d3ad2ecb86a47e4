"""Pooling per-scenario accuracy results and writing ``docs/ACCURACY.md``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .hinge_pelvis import hinge_pelvis, hinge_pelvis_markdown

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
    ("pelvic_tilt_delta", "Pelvic-tilt change from standing per rep (side lifts) vs 3D truth", "deg", "side"),
    ("rep_count", "Rep count (lifts), measured − true", "reps", "all"),
    ("cadence_spm_side", "Cadence, side view", "spm", "side"),
    ("cadence_spm_frontal", "Cadence, front/back view", "spm", "front/back"),
    ("overstride", "Overstride at contact (clip mean) vs 3D truth", "leg lengths", "side"),
    ("trunk_lean", "Running trunk lean (clip) vs 3D truth", "deg", "side"),
    ("pelvic_drop_step_2d", "Pelvic drop per step vs projected truth, same frame", "deg", "front/back"),
    ("pelvic_drop_clip_3d", "Pelvic drop (clip mean) vs 3D truth at midstance", "deg", "front/back"),
    ("step_width", "Step width (clip mean) vs 3D truth at contact", "hip widths", "front/back"),
)


def stats(e: list[float]) -> dict:
    a = np.asarray(e, float)
    if not a.size:
        return {"n": 0, "mae": None, "bias": None, "p95": None}
    return {
        "n": int(a.size),
        "mae": round(float(np.mean(np.abs(a))), 3),
        "bias": round(float(np.mean(a)), 3),
        "p95": round(float(np.percentile(np.abs(a), 95)), 3),
    }


def aggregate(results: list[dict]) -> dict:
    ok = [r for r in results if "crash" not in r]
    pooled: dict[str, list[float]] = {}
    n_scen: dict[str, int] = {}
    for r in ok:
        for k, v in (r.get("errors") or {}).items():
            pooled.setdefault(k, []).extend(v)
            n_scen[k] = n_scen.get(k, 0) + 1
    metrics = {
        k: {**stats(pooled.get(k, [])), "scenarios": n_scen.get(k, 0), "label": lab, "unit": unit, "views": v}
        for k, lab, unit, v in METRIC_ROWS
    }
    det: dict[str, dict] = {}
    for kind in ("side", "front", "back", "oblique"):
        rs = [r for r in ok if r.get("view_kind") == kind]
        rates = [r["detection_rate"] for r in rs if r.get("detection_rate") is not None]
        det[kind] = {
            "scenarios": len(rs),
            "mean": round(float(np.mean(rates)), 4) if rates else None,
            "min": round(float(np.min(rates)), 4) if rates else None,
            "n_ge_95": int(sum(x >= 0.95 for x in rates)),
            "view_correct": int(sum(bool(r.get("view_correct")) for r in rs)),
            "refused": int(sum(r.get("error") is not None for r in rs)),
        }
    names = sorted(
        {n for r in ok for n in r.get("must_report", []) + r.get("must_not_report", []) + r.get("unscored", [])}
    )
    per_name: dict[str, dict[str, Any]] = {}
    for nm in names:
        tp = sum(nm in r.get("tp", []) for r in ok)
        fn = sum(nm in r.get("fn", []) for r in ok)
        fp = sum(nm in r.get("fp", []) for r in ok)
        tn = sum(nm in r.get("must_not_report", []) and nm not in r.get("fp", []) for r in ok)
        per_name[nm] = {
            "tp": tp,
            "fn": fn,
            "fp": fp,
            "tn": tn,
            "unscored": sum(nm in r.get("unscored", []) for r in ok),
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None,
        }
    TP = sum(v["tp"] for v in per_name.values())
    FP = sum(v["fp"] for v in per_name.values())
    FN = sum(v["fn"] for v in per_name.values())
    findings = {
        "tp": TP,
        "fp": FP,
        "fn": FN,
        "precision": round(TP / (TP + FP), 3) if TP + FP else None,
        "recall": round(TP / (TP + FN), 3) if TP + FN else None,
        "per_name": per_name,
        "unmeasurable_findings": int(sum(len(r.get("unmeasurable_findings", [])) for r in ok)),
        "unmeasurable_for_true_view": int(sum(len(r.get("unmeasurable_for_true_view", [])) for r in ok)),
        "positive_contradictions": int(sum(len(r.get("positive_contradictions", [])) for r in ok)),
    }
    findings["conditions"] = _conditions(ok)
    side_ok = [r for r in ok if r.get("view_kind") == "side" and "near_side_correct" in r]
    ctx = {
        "view_correct": int(sum(bool(r.get("view_correct")) for r in ok)),
        "exercise_correct": int(sum(bool(r.get("exercise_correct")) for r in ok)),
        "near_side_correct": int(sum(bool(r.get("near_side_correct")) for r in side_ok)),
        "side_scenarios": len(side_ok),
        "scenarios": len(ok),
    }
    return {
        "metrics": metrics,
        "detection": det,
        "findings": findings,
        "context": ctx,
        "hinge": hinge_pelvis(ok, per_name),
        "n_scenarios": len(results),
        "n_crashed": len(results) - len(ok),
    }


def _conditions(ok: list[dict]) -> dict:
    """Clip conditions (no standing start, several people, moving camera, slow motion) said against the truth's,
    pooled apart from the faults so adding them leaves the fault precision and recall alone."""
    names = sorted({n for r in ok for n in r.get("cond_must_report", []) + r.get("cond_must_not_report", [])})
    per: dict[str, dict[str, Any]] = {}
    for nm in names:
        tp = sum(nm in r.get("cond_tp", []) for r in ok)
        fn = sum(nm in r.get("cond_fn", []) for r in ok)
        fp = sum(nm in r.get("cond_fp", []) for r in ok)
        tn = sum(nm in r.get("cond_must_not_report", []) and nm not in r.get("cond_fp", []) for r in ok)
        per[nm] = {
            "tp": tp,
            "fn": fn,
            "fp": fp,
            "tn": tn,
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None,
        }
    TP, FP, FN = (sum(v[k] for v in per.values()) for k in ("tp", "fp", "fn"))
    return {
        "tp": TP,
        "fp": FP,
        "fn": FN,
        "precision": round(TP / (TP + FP), 3) if TP + FP else None,
        "recall": round(TP / (TP + FN), 3) if TP + FN else None,
        "scenarios": sum(bool(r.get("cond_must_report") or r.get("cond_must_not_report")) for r in ok),
        "per_name": per,
    }


# ----------------------------------------------------------------------------------------------- report
def _f(x, nd=1):
    return "—" if x is None else f"{x:.{nd}f}"


def render_markdown(summary: dict, results: list[dict], meta: dict) -> str:
    L = []
    L.append("# Accuracy against synthetic ground truth\n")
    L.append(f"Generated {meta['date']} by\n\n```bash\n{meta['command']}\n```\n")
    L.append(
        f"Model: `{meta['model']}` (MediaPipe Pose Landmarker, full). Scenarios: {summary['n_scenarios']} "
        f"(`analyzer.synth.scenario_matrix()`{', --quick subset' if meta['quick'] else ''}: exercise × view × fault "
        "level × nuisance), rendered on the fly into a cache directory (not committed) and run through the real "
        "pipeline (`analyzer.pipeline.analyze`, exercise and view auto-detected). Errors are *measured − true*; MAE = "
        "mean absolute error, bias = mean signed error, P95 = 95th percentile of the absolute error. "
        f"Host: {meta['host']}. This report's run took {meta['wall_s'] / 60:.1f} min with --jobs {meta['jobs']}; "
        "renders, landmark tracks and results are cached by content hash (spec + renderer source; analyzer "
        "source + model), so a rerun only redoes what changed.\n"
    )
    if summary["n_crashed"]:
        L.append(f"**{summary['n_crashed']} scenario(s) crashed** (see docs/accuracy.json).\n")
    L.append("## Detection\n")
    L.append("| View | Scenarios | Detection rate mean | min | ≥ 95 % | View detected correctly | Refused |")
    L.append("|---|---|---|---|---|---|---|")
    for k, d in summary["detection"].items():
        if d["scenarios"]:
            L.append(
                f"| {k} | {d['scenarios']} | {_f(100 * d['mean'] if d['mean'] is not None else None)} % | "
                f"{_f(100 * d['min'] if d['min'] is not None else None)} % | {d['n_ge_95']}/{d['scenarios']} | "
                f"{d['view_correct']}/{d['scenarios']} | {d['refused']} |"
            )
    c = summary["context"]
    L.append(
        f"\nExercise family detected correctly in {c['exercise_correct']}/{c['scenarios']} scenarios; near side "
        f"correct in {c['near_side_correct']}/{c['side_scenarios']} side-view scenarios.\n"
    )
    L.append("## Metric errors\n")
    L.append("| Metric | Unit | Views | Scenarios | Samples | MAE | Bias | P95 |")
    L.append("|---|---|---|---|---|---|---|---|")
    for k, m in summary["metrics"].items():
        nd = (
            3
            if m["unit"] in ("leg lengths", "hip widths")
            else (0 if m["unit"] == "ms" else (2 if m["unit"] == "reps" else 1))
        )
        L.append(
            f"| {m['label']} (`{k}`) | {m['unit']} | {m['views']} | {m['scenarios']} | {m['n']} | {_f(m['mae'], nd)} | "
            f"{_f(m['bias'], nd)} | {_f(m['p95'], nd)} |"
        )
    f = summary["findings"]
    L.append("\n## Findings against the expected findings\n")
    L.append(
        f"Overall: precision **{_f(f['precision'], 2)}**, recall **{_f(f['recall'], 2)}** "
        f"(TP {f['tp']}, FP {f['fp']}, FN {f['fn']}). A finding counts as a false positive only when the truth "
        "lists it under `must_not_report`; findings for faults the truth leaves open (borderline knob values) are "
        "*unscored*. Rule ids map to truth names via `analyzer/bench/vocabulary.py`.\n"
    )
    L.append(
        f"- Findings reported for a metric the detected view cannot measure (or whose metric is not `ok`): "
        f"**{f['unmeasurable_findings']}** (must be 0)."
    )
    L.append(
        f"- Findings whose metric the *true* view cannot measure (only possible after a wrong view detection): "
        f"**{f['unmeasurable_for_true_view']}**."
    )
    L.append(
        f'- Positive findings denying a fault the clip has (e.g. "hips led" on a back-first hinge): '
        f"**{f['positive_contradictions']}**.\n"
    )
    L.append("| Finding (truth name) | TP | FN | FP | TN | Unscored | Precision | Recall |")
    L.append("|---|---|---|---|---|---|---|---|")
    for nm, v in f["per_name"].items():
        L.append(
            f"| {nm} | {v['tp']} | {v['fn']} | {v['fp']} | {v['tn']} | {v['unscored']} | {_f(v['precision'], 2)} | "
            f"{_f(v['recall'], 2)} |"
        )
    c = f.get("conditions") or {}
    if c.get("per_name"):
        L.append(
            f"\nConditions: precision **{_f(c['precision'], 2)}**, recall **{_f(c['recall'], 2)}** "
            f"(TP {c['tp']}, FP {c['fp']}, FN {c['fn']}; {c['scenarios']} scenarios). Clip conditions the report must "
            "say in a warning or setup note (`multi_person`, `camera_moving`, `slow_motion`, `no_standing_start`), "
            "read from warning and setup codes through `analyzer/bench/vocabulary.py` as the real-clip harness reads "
            "them, and scored apart from the faults above.\n"
        )
        L.append("| Condition | TP | FN | FP | TN | Precision | Recall |")
        L.append("|---|---|---|---|---|---|---|")
        for nm, v in c["per_name"].items():
            L.append(
                f"| {nm} | {v['tp']} | {v['fn']} | {v['fp']} | {v['tn']} | {_f(v['precision'], 2)} | "
                f"{_f(v['recall'], 2)} |"
            )
    L.extend(hinge_pelvis_markdown(summary["hinge"]))
    L.append("\n## Per scenario\n")
    L.append(
        "| Scenario | Detection | View (detected) | Exercise (detected) | Reps | Must report | Reported (mapped) | "
        "FN | FP | Unmeasurable | Conditions (must → said) |"
    )
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        if "crash" in r:
            L.append(f"| {r['name']} | crashed: {r['crash'][:80]} | | | | | | | | | |")
            continue
        rep = sorted(
            {x["truth_name"] for x in r.get("findings", []) if x["truth_name"] and x["severity"] != "positive"}
        )
        reps = f"{_f(r.get('rep_count'), 0)}/{r.get('true_reps')}" if r.get("true_reps") is not None else "—"
        view = f"{r.get('view_kind')} ({r.get('detected_view', '—')})" + ("" if r.get("error") is None else " refused")
        L.append(
            f"| {r['name']} | {_f(100 * r['detection_rate'] if r.get('detection_rate') is not None else None, 0)} % | "
            f"{view} | {r.get('exercise')} ({r.get('detected_exercise', '—')}) | {reps} | "
            f"{', '.join(r.get('must_report', [])) or '—'} | {', '.join(rep) or '—'} | "
            f"{', '.join(r.get('fn', [])) or '—'} | "
            f"{', '.join(r.get('fp', [])) or '—'} | {len(r.get('unmeasurable_findings', []))} | {_cond_cell(r)} |"
        )
    if meta.get("notes"):
        L.append("\n## Notes\n")
        L.append(meta["notes"])
    return "\n".join(L) + "\n"


def _cond_cell(r: dict) -> str:
    """ "must → said" of one scenario's clip conditions, with any false alarm marked."""
    must = ", ".join(r.get("cond_must_report", [])) or "—"
    said = ", ".join(r.get("conditions_said", [])) or "—"
    fp = r.get("cond_fp", [])
    return f"{must} → {said}" + (f" (false: {', '.join(fp)})" if fp else "")
