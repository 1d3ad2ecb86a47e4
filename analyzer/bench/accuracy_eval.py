"""Comparing one analysis with its synthetic ground truth: per-frame angles, FPPA, hinge lag, reps, running
metrics, and the findings against the expected findings.
"""

from __future__ import annotations

import numpy as np

from .. import exercises as X

HINGES = tuple(n for n, s in X.EXERCISES.items() if s.family == "hinge")


SQUATS = ("squat", "back_squat")  # the renderer's squat motions


# ----------------------------------------------------------------------------------------------- conditions
def split_expected(expected: dict) -> tuple[set[str], set[str], set[str], set[str]]:
    """(faults must, faults must not, conditions must, conditions must not) of a truth's expected findings:
    clip conditions (:data:`~analyzer.bench.vocabulary.CONDITION_NAMES`) are scored apart from the faults."""
    from .vocabulary import CONDITION_NAMES

    must = set(expected.get("must_report", []))
    must_not = set(expected.get("must_not_report", []))
    return must - CONDITION_NAMES, must_not - CONDITION_NAMES, must & CONDITION_NAMES, must_not & CONDITION_NAMES


def score_conditions(report: dict, must: set[str], must_not: set[str], said: set[str] | None = None) -> dict:
    """Clip conditions said by a report (``Report.to_dict()``: setup issues, ``setup:`` findings and warning
    codes, read as the real-clip harness reads them) against the truth's; ``said`` overrides (e.g. a refusal)."""
    from .labels import said_from_report

    got = said_from_report(report).conditions if said is None else said
    return {
        "conditions_said": sorted(got),
        "cond_must_report": sorted(must),
        "cond_must_not_report": sorted(must_not),
        "cond_tp": sorted(got & must),
        "cond_fn": sorted(must - got),
        "cond_fp": sorted(got & must_not),
    }


# ----------------------------------------------------------------------------------------------- one scenario
def _err(meas, true) -> list[float]:
    """measured − true over the samples where both are finite (rounded for the JSON)."""
    m = np.asarray(meas, float).ravel()
    t = np.asarray(true, float).ravel()
    ok = np.isfinite(m) & np.isfinite(t)
    return [round(float(x), 3) for x in (m - t)[ok]]


def _truth_exercise(ex: str) -> str:
    """The registry exercise a synthetic motion shows (the renderer's back squat is a squat)."""
    return "squat" if ex in SQUATS else ex


def _exercise_family(ex: str) -> str:
    spec = X.get(_truth_exercise(ex))
    return spec.family if spec is not None else ex


def evaluate(analysis, truth) -> dict:
    """Compare one :class:`~analyzer.pipeline.Analysis` with its :class:`~analyzer.synth.GroundTruth`."""
    from ..metrics.registry import METRICS
    from .vocabulary import negated_name, truth_name

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
        "view_kind": kind,
        "exercise": ex,
        "detection_rate": float(np.mean(track.detected[:n])) if n else 0.0,
        "detected_view": ctx.view,
        "view_correct": ctx.view == kind,
        "detected_exercise": ctx.exercise,
        "exercise_correct": _exercise_family(ctx.exercise) == _exercise_family(ex),
        "near_side": ctx.near_side,
        "true_near_side": truth.meta.get("near_side"),
        "direction": ctx.direction,
        "true_direction": truth.meta.get("direction"),
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
            for mid, tr in (
                ("depth_angle", a2["depth_angle_near"]),
                ("trunk_shank_diff_bottom", a2["trunk_angle"] - a2["shank_angle_near"]),
            ):
                m = ok(mid)
                if m:
                    fr = [f for f, v in zip(m.frames, m.per_rep) if f is not None and v is not None and f < n]
                    add(
                        mid,
                        [v for f, v in zip(m.frames, m.per_rep) if f is not None and v is not None and f < n],
                        tr[fr],
                    )
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
                    add(
                        "fppa_vs_design",
                        [np.mean([v for _, v in pairs])] if pairs else [],
                        [truth.summary.get(f"fppa_{side}_valgus_ref_3d")],
                    )
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
            from ..metrics.common import valid_reps

            reps = valid_reps(ctx)
            tr_reps = truth.events.get("reps", [])
            for r, v in zip(reps, m.per_rep):
                if v is None or not tr_reps:
                    continue
                j = int(np.argmin([abs(tr["bottom"] - r.t_bottom) for tr in tr_reps]))
                if abs(tr_reps[j]["bottom"] - r.t_bottom) < 1.0:
                    add("hinge_lag_ms", [v], [tr_reps[j]["hinge_lag_ms"]])
    # --- pelvic tilt and back rounding (side-view lifts): changes from the same standing frames ----------------
    if kind == "side" and ex != "running" and ctx.baseline:
        base = slice(*ctx.baseline)
        for mid, key, out_key in (
            ("pelvic_tilt_delta", "pelvic_tilt", None),
            ("back_rounding_delta", "lumbar_flexion", "rounding_pairs"),
        ):
            m = ok(mid)
            pairs = (
                [(f, v) for f, v in zip(m.frames, m.per_rep) if f is not None and v is not None and f < n] if m else []
            )
            true = a3[key][[f for f, _ in pairs]] - float(np.median(a3[key][base])) if pairs else []
            if out_key:  # the rounding proxy is scored by rank (AUC, Spearman) against the true flexion change
                out[out_key] = [[float(v), float(t)] for (_, v), t in zip(pairs, true)]
            else:
                add(mid, [v for _, v in pairs], true)
    # --- rep count (lifts) ---------------------------------------------------------------------------------
    if ex != "running":
        m = ms.get("rep_count")
        out["rep_count"] = None if m is None else m.value
        out["true_reps"] = truth.expected.get("reps", truth.summary.get("n_reps"))
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
            add(
                "pelvic_drop_step_2d",
                [r["pelvic_drop"] for r in rows if r["frame"] < n],
                sgn * a2["pelvis_obliquity"][fr] if fr else [],
            )
            m = ok("step_width")
            add("step_width", [m.value] if m else [], [s.get("step_width_ic_3d")])
    out["errors"] = errors
    # --- findings ------------------------------------------------------------------------------------------
    must, must_not, c_must, c_must_not = split_expected(truth.expected)
    out.update(score_conditions(analysis.report.to_dict(), c_must, c_must_not))
    fnd, unmeas, unmeas_true, contradictions = [], [], [], []
    for f in analysis.findings:
        name = truth_name(f.rule_id)
        fnd.append(
            {"rule_id": f.rule_id, "severity": f.severity, "metric": f.metric, "value": f.value, "truth_name": name}
        )
        if f.metric is not None:
            mv = ms.get(f.metric)
            valid_det = f.metric in METRICS and ctx.view in METRICS[f.metric].views
            if mv is None or mv.status != "ok" or not valid_det:
                unmeas.append(f.rule_id)
            if f.metric in METRICS and kind not in METRICS[f.metric].views:
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
