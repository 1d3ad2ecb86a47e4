"""The findings a correct analyzer must and must not report for a scenario, from its knobs, view and summary."""

from __future__ import annotations

#: Clip conditions the renderer can make (names of :data:`analyzer.bench.vocabulary.CONDITION_NAMES`).
CONDITIONS = ("no_standing_start", "multi_person", "camera_moving", "slow_motion")


def expected_conditions(exercise: str, p: dict, clip: dict) -> tuple[list[str], list[str]]:
    """(must report, must not report) clip conditions: a lift that opens at the bottom (``floor_start``) has no
    standing start, a bystander makes ``multi_person``, a camera path ``camera_moving``, and footage slowed to
    ≤ 0.75 of real time (``time_scale``) is ``slow_motion``; real-time footage never is."""
    must: list[str] = []
    must_not: list[str] = []
    if exercise != "running":
        (must if p.get("floor_start") else must_not).append("no_standing_start")
    (must if clip.get("bystander") else must_not).append("multi_person")
    (must if clip.get("camera_moving") else must_not).append("camera_moving")
    scale = float(p.get("time_scale", 1.0))
    if scale <= 0.75:
        must.append("slow_motion")
    elif scale == 1.0:
        must_not.append("slow_motion")
    return must, must_not


def expected_findings(exercise: str, p: dict, kind: str, s: dict, clip: dict | None = None) -> dict:
    """Findings a correct analyzer must / must not report, from the scenario's knobs and view.

    Names are rule-like ids: knee_valgus, lateral_shift, depth_above_parallel, trunk_lean, heel_lift,
    hinge_back_first, lumbar_rounding, pelvis_tuck, overstride, pelvic_drop, crossover, low_cadence. Faults the view
    cannot see go to ``must_not_report`` (a number there would be a finding for an unmeasurable metric).
    With ``clip`` (``{"bystander": bool, "camera_moving": bool}``) the lists also name the clip conditions
    (:func:`expected_conditions`) and, for lifts, ``reps`` is the number of completed reps to count.
    """
    must, must_not = [], []
    frontal = kind in ("front", "back")
    side = kind == "side"

    def rule(name, present: bool | None, measurable: bool):
        if not measurable:
            must_not.append(name)
        elif present is True:
            must.append(name)
        elif present is False:
            must_not.append(name)

    if exercise in ("squat", "back_squat"):
        v = p.get("valgus_fppa")
        rule("knee_valgus", None if v is not None and 5 < v < 12 else (v is not None and v >= 12), frontal)
        sh = abs(p.get("lateral_shift", 0.0))
        rule("lateral_shift", None if 0.05 < sh < 0.15 else sh >= 0.15, frontal)
        depth = s.get("depth_angle_near_bottom_2d")
        rule("depth_above_parallel", None if depth is None or abs(depth) < 5 else depth > 0, side)
        diff = s.get("trunk_shank_diff_bottom_2d")
        rule("trunk_lean", None if diff is None or 10 < abs(diff) < 20 else abs(diff) >= 20, side)
        hl = p.get("heel_lift", 0.0)
        rule("heel_lift", None if 0 < hl < 8 else hl >= 8, side)
        rule("hinge_back_first", False, True)
        lf = p.get("lumbar_flex", 6.0)
        rule("lumbar_rounding", True if lf >= 20 else (False if lf <= 8 else None), side)
        tuck = s.get("pelvis_tuck_bottom_3d")
        rule("pelvis_tuck", None if tuck is None or 5 < tuck < 10 else tuck >= 10, side)
    elif exercise in ("rdl", "deadlift", "hinge"):
        lead, lf = p.get("lumbar_lead_ms", 0.0), p.get("lumbar_flex", 0.0)
        bad = lead >= 200 and lf >= 15
        good = lead <= -100
        rule("hinge_back_first", True if bad else (False if good else None), side)
        rule("lumbar_rounding", True if lf >= 20 else (False if lf <= 6 else None), side)
        rule("knee_valgus", False, frontal)
    elif exercise == "single_leg_rdl":
        lead, lf = p.get("lumbar_lead_ms", -150.0), p.get("lumbar_flex", 4.0)
        rule("hinge_back_first", True if lead >= 200 and lf >= 15 else (False if lead <= -100 else None), side)
        rule("lumbar_rounding", True if lf >= 20 else (False if lf <= 6 else None), side)
        drop = s.get("stance_pelvic_drop_bottom_3d") or 0.0
        rule("pelvic_drop", None if 3 < drop < 8 else drop >= 8, frontal)
        kin = s.get("stance_fppa_bottom_3d") or 0.0
        rule("knee_valgus", None if 6 < kin < 14 else kin >= 14, frontal)
    elif exercise == "running":
        os_ = s.get("overstride_ic_3d") or 0.0
        rule("overstride", None if 0.22 < os_ < 0.3 else os_ >= 0.3, side)
        drops = [
            p.get("pelvic_drop", 0.0),
            p.get("pelvic_drop_right") if p.get("pelvic_drop_right") is not None else p.get("pelvic_drop", 0.0),
        ]
        rule("pelvic_drop", None if 4 <= max(drops) <= 7 else max(drops) > 7, frontal)
        swv = p.get("step_width", 0.3)
        rule("crossover", None if -0.1 < swv < 0.15 else swv <= -0.1, frontal)
        cad = p.get("cadence", 170)
        rule("low_cadence", None if 155 <= cad < 165 else cad < 155, True)
        rule("knee_valgus", False, True) if not frontal else None
    out_reps: dict = {}
    if clip is not None:
        c_must, c_must_not = expected_conditions(exercise, p, clip)
        must += c_must
        must_not += c_must_not
        if exercise != "running":
            out_reps["reps"] = s.get("n_reps")
    return out_reps | {
        "must_report": sorted(set(must)),
        "must_not_report": sorted(set(must_not) - set(must)),
        "note": "ids are rule-like names; faults a view cannot measure are listed under must_not_report",
    }
