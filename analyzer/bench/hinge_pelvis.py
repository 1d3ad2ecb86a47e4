"""The hinge-and-pelvis section of docs/ACCURACY.md: pelvic tilt, back rounding and hinge order on the matrix.

Pooled from the per-scenario results of :mod:`.accuracy_eval`: the rounding proxy is scored by rank against the
true lumbar flexion change at each rep's bottom (AUC of ≥ 20° against ≤ 5°, Spearman), hinge order by the
``hinge_back_first`` finding on hip-first designs, and both per nuisance (the scenario's last tag).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import spearmanr

from .accuracy_eval import HINGES

ROUNDED_DEG, NEUTRAL_DEG = 20.0, 5.0  # true lumbar flexion change: "rounded" at or above, "neutral" at or below


def auc(pos: list[float], neg: list[float]) -> float | None:
    """Probability that a rounded rep reads higher than a neutral one (ties half); None without both."""
    if not pos or not neg:
        return None
    p, n = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float(np.mean((p > n) + 0.5 * (p == n)))


def _rank(pairs: list[list[float]]) -> dict[str, Any]:
    v = [m for m, _ in pairs]
    t = [x for _, x in pairs]
    pos = [m for m, x in pairs if x >= ROUNDED_DEG]
    neg = [m for m, x in pairs if x <= NEUTRAL_DEG]
    rho = spearmanr(v, t)[0] if len(pairs) > 2 and np.ptp(t) > 0 else None
    a = auc(pos, neg)
    return {
        "reps": len(pairs),
        "auc": None if a is None else round(a, 3),
        "spearman": None if rho is None else round(float(rho), 3),
    }


def hinge_pelvis(ok: list[dict], per_name: dict) -> dict[str, Any]:
    """Summary of the side-view lifts: rounding rank scores overall and per nuisance, back-first on hip-first."""
    side = [r for r in ok if r.get("view_kind") == "side" and r.get("exercise") != "running"]
    pairs = [p for r in side for p in r.get("rounding_pairs", [])]
    by_tag: dict[str, list] = {}
    for r in side:
        by_tag.setdefault((r.get("tags") or ["-"])[-1], []).extend(r.get("rounding_pairs", []))
    tilt: dict[str, list[float]] = {}
    for r in side:  # pelvic-tilt change errors (deg) by the scenario's true exercise
        tilt.setdefault(r.get("exercise") or "-", []).extend((r.get("errors") or {}).get("pelvic_tilt_delta", []))
    hip_first = [
        r for r in side if r.get("exercise") in HINGES and (r.get("knobs") or {}).get("lumbar_lead_ms", -150.0) < 0
    ]
    rows = [
        {
            "name": r["name"],
            "lumbar_flex": (r.get("knobs") or {}).get("lumbar_flex"),
            "lead_ms": (r.get("knobs") or {}).get("lumbar_lead_ms"),
            "rounding": [round(m, 1) for m, _ in r.get("rounding_pairs", [])],
            "true": [round(x, 1) for _, x in r.get("rounding_pairs", [])],
            "back_first": "hinge_back_first" in {f["rule_id"] for f in r.get("findings", [])},
        }
        for r in side
        if r.get("exercise") in HINGES
    ]
    return {
        "side_lifts": len(side),
        "rounding": _rank(pairs),
        "rounding_by_nuisance": {k: _rank(v) for k, v in sorted(by_tag.items())},
        "pelvic_tilt_by_exercise": {
            k: {"n": len(v), "mae": round(float(np.mean(np.abs(v))), 2), "bias": round(float(np.mean(v)), 2)}
            for k, v in sorted(tilt.items())
            if v
        },
        "hip_first_scenarios": len(hip_first),
        "hip_first_read_back_first": sorted(r["name"] for r in hip_first if "hinge_back_first" in r.get("fp", [])),
        "recall": {k: (per_name.get(k) or {}).get("recall") for k in ("hinge_back_first", "lumbar_rounding")},
        "precision": {k: (per_name.get(k) or {}).get("precision") for k in ("hinge_back_first", "lumbar_rounding")},
        "rows": rows,
    }


def _f(x, nd: int = 2) -> str:
    return "–" if x is None else f"{x:.{nd}f}"


def hinge_pelvis_markdown(h: dict) -> list[str]:
    """Lines of the section (pelvic-tilt and lag errors are in the metric table above)."""
    if not h.get("side_lifts"):
        return []
    r = h["rounding"]
    L = ["\n## Hinge and pelvis\n"]
    L.append(
        f"Side-view lifts: {h['side_lifts']}. The pelvic-tilt change and the hinge lag are scored in the table above. "
        "Back rounding (the upper back's turn minus the pelvis's, from the outline, from standing) against the "
        "true lumbar flexion change at "
        f"each rep's bottom: AUC {_f(r['auc'])} (≥ {ROUNDED_DEG:.0f}° against ≤ {NEUTRAL_DEG:.0f}°), "
        f"Spearman {_f(r['spearman'])}, over {r['reps']} reps. Recall: hinge back-first "
        f"{_f(h['recall']['hinge_back_first'])}, lumbar rounding {_f(h['recall']['lumbar_rounding'])}; precision "
        f"{_f(h['precision']['hinge_back_first'])} and {_f(h['precision']['lumbar_rounding'])}. Hip-first designs "
        f"read as back-first: {len(h['hip_first_read_back_first'])} of {h['hip_first_scenarios']}"
        + (f" ({', '.join(h['hip_first_read_back_first'])})." if h["hip_first_read_back_first"] else ".")
    )
    L.append("\n| True exercise | reps | pelvic-tilt change MAE (°) | bias (°) |")
    L.append("|---|---|---|---|")
    for k, v in h.get("pelvic_tilt_by_exercise", {}).items():
        L.append(f"| {k} | {v['n']} | {_f(v['mae'], 1)} | {_f(v['bias'], 1)} |")
    L.append("\n| Nuisance | reps | AUC | Spearman |")
    L.append("|---|---|---|---|")
    for k, v in h["rounding_by_nuisance"].items():
        L.append(f"| {k} | {v['reps']} | {_f(v['auc'])} | {_f(v['spearman'])} |")
    L.append("\n| Hinge scenario | true lumbar flexion (°) | lead (ms) | rounding read per rep (°) | back-first said |")
    L.append("|---|---|---|---|---|")
    for x in h["rows"]:
        L.append(
            f"| {x['name']} | {_f(x['lumbar_flex'], 0)} | {_f(x['lead_ms'], 0)} | "
            f"{', '.join(f'{v:+.0f}' for v in x['rounding']) or '–'} | {'yes' if x['back_first'] else 'no'} |"
        )
    return L
