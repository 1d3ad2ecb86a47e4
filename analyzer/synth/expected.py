"""The findings a correct analyzer must and must not report for a scenario, from its knobs, view and summary."""

from __future__ import annotations


def expected_findings(exercise: str, p: dict, kind: str, s: dict) -> dict:
    """Findings a correct analyzer must / must not report, from the scenario's knobs and view.

    Names are rule-like ids: knee_valgus, lateral_shift, depth_above_parallel, trunk_lean, heel_lift,
    hinge_back_first, lumbar_rounding, overstride, pelvic_drop, crossover, low_cadence. Faults the view
    cannot see go to ``must_not_report`` (a number there would be a finding for an unmeasurable metric).
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
    return {
        "must_report": sorted(set(must)),
        "must_not_report": sorted(set(must_not) - set(must)),
        "note": "ids are rule-like names; faults a view cannot measure are listed under must_not_report",
    }
