"""Hinge timing on the synthetic figure with perfect landmarks and its exact silhouette: the method's own error.

The renderer's skeleton is projected by its camera and its silhouette taken from the depth buffer
(``tests/perfect_tracks.py``, ``masks=True``); the production pipeline then times back rounding against the
pelvis tipping forward (``analyzer.metrics.hinge``). Designed lag = lumbar onset − hip onset = −``lumbar_lead_ms``;
reps whose back stays within its noise are not timed (and must not be flagged).

    python benchmarks/experiments/hinge_onsets.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from perfect_tracks import perfect_track  # noqa: E402

from analyzer.pipeline import AnalyzeOptions, analyze_track  # noqa: E402
from analyzer.synth.scenarios import ScenarioSpec  # noqa: E402


def lags(ex: str, lead: float, flex: float) -> tuple[list[float], bool]:
    """Per-rep measured lag (ms) of one side-view design, and whether the back-first finding was given."""
    spec = ScenarioSpec("x", ex, "side_left", dict(lumbar_lead_ms=lead, lumbar_flex=flex, n_reps=2), seed=7)
    a = analyze_track(perfect_track(spec, masks=True), AnalyzeOptions(exercise=ex))
    m = a.metrics.get("hinge_lag_ms")
    flagged = any(f.rule_id == "hinge_back_first" for f in a.findings)
    return [v for v in (m.per_rep if m is not None else []) if v is not None], flagged


def main() -> None:
    errs, hip_first_flags, back_first_found, n_back = [], 0, 0, 0
    for ex in ("rdl", "hinge", "deadlift"):
        for lead in (-150.0, 0.0, 150.0, 300.0):
            for flex in (4.0, 30.0):
                got, flagged = lags(ex, lead, flex)
                if flex >= 30:
                    errs += [g + lead for g in got]
                if lead < 0:
                    hip_first_flags += flagged
                if lead >= 150 and flex >= 30:
                    n_back += 1
                    back_first_found += flagged
                print(
                    f"{ex:8s} lead {lead:+5.0f} ms, lumbar {flex:2.0f}°: lag {[round(g) for g in got]} ms"
                    f"{'  back-first' if flagged else ''}",
                    flush=True,
                )
    e = np.array(errs)
    print(
        f"30° designs: per-rep lag MAE {np.abs(e).mean():.0f} ms, bias {e.mean():+.0f} ms over {e.size} reps; "
        f"hip-first designs called back-first: {hip_first_flags} of 6; lumbar-first (≥ 150 ms) found: "
        f"{back_first_found} of {n_back}"
    )


if __name__ == "__main__":
    main()
