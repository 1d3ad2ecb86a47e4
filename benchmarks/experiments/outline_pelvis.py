"""The back outline's pelvis angle and back-rounding proxy on the renderer's exact silhouette (no pose model).

For side-view bodyweight hinges with lumbar flexion 0/10/20/30° (lumbar onset with the hips), 0 or 10° of
extra anterior pelvic tilt and two builds, the silhouette comes from the renderer's depth buffer and the true
joint centres from its skeleton; the outline is read by the production code (``back_contours``). Printed:
the pelvis angle's change from standing against the true pelvic-tilt change, and the back-rounding proxy
(upper-back outline change minus pelvis change) against the true lumbar flexion, over every third frame of a rep.

    python benchmarks/experiments/outline_pelvis.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scipy.stats import spearmanr  # noqa: E402

from analyzer.metrics.back_outline import back_contours  # noqa: E402
from analyzer.synth.raster import raster  # noqa: E402
from analyzer.synth.scenarios import _Film  # noqa: E402
from analyzer.synth.spec import ScenarioSpec, build_motion  # noqa: E402
from analyzer.track.masks import MaskStore  # noqa: E402


def exact_outline(lumbar_flex: float, apt: float, build: float, direction: int = -1, exercise: str = "hinge"):
    """(pelvis-angle change, rounding-proxy change, true tilt change, true lumbar change) per sampled frame."""
    spec = ScenarioSpec(
        "x",
        exercise,
        "side_left",
        dict(lumbar_flex=lumbar_flex, lumbar_lead_ms=0.0, n_reps=1, apt_offset=apt),
        build=build,
    )
    m = build_motion(spec)
    film = _Film(spec, m)
    truth = film.truth(film.meta())
    fps, rep = spec.frame_rate, m.events["reps"][0]
    idx = np.arange(int(0.8 * fps), int(rep["end"] * fps), 3)
    r = film.rnd
    masks = []
    for i in idx:
        _, depth = raster(
            r._cam_hi,
            r.rays,
            film.prims.C[i],
            film.prims.Q[i],
            film.prims.R[i],
            film.prims.colour,
            film.prims.gloss,
            r.bg,
            r.bg_depth,
            r.scene,
        )
        masks.append(np.packbits((depth < r.bg_depth - 1e-6).ravel()))
    store = MaskStore(depth.shape, np.array(masks))
    L = truth.landmarks
    mh = (L["left_hip"][idx] + L["right_hip"][idx]) / 2
    ms = (L["left_shoulder"][idx] + L["right_shoulder"][idx]) / 2
    _, _, pel, upb = back_contours(store, np.arange(len(idx)), (1.0, 1.0), mh, ms, direction)
    tilt, lum = truth.angles_3d["pelvic_tilt"][idx], truth.angles_3d["lumbar_flexion"][idx]
    dp = pel - pel[0]
    return dp, (upb - upb[0]) - dp, tilt - tilt[0], lum - lum[0]


def main() -> None:
    rows = [exact_outline(lf, apt, b) for lf in (0, 10, 20, 30) for apt, b in ((0, 1.0), (10, 1.0), (0, 1.25))]
    dp, dr, dt, dl = (np.concatenate(x) for x in zip(*rows))
    e = dp - dt
    print(
        f"pelvis angle change vs true tilt change: MAE {np.mean(np.abs(e)):.1f}°, bias {np.mean(e):+.1f}°, "
        f"max {np.max(np.abs(e)):.1f}° over {e.size} frames"
    )
    slope = np.polyfit(dl, dr, 1)[0]
    print(
        f"rounding proxy vs true lumbar flexion: Spearman {spearmanr(dr, dl)[0]:.2f}, slope {slope:.2f}, "
        f"spread with a neutral spine (SD) {np.std(dr[dl == 0]):.1f}°"
    )
    for (p, r_, t, lum), lf in zip(rows[::3], (0, 10, 20, 30)):
        k = int(np.argmax(t))
        print(
            f"  lumbar {lf:2d}°: at the bottom pelvis {p[k]:+.1f}° (true {t[k]:+.1f}°), rounding {r_[k]:+.1f}° "
            f"(true {lum[k]:+.1f}°)"
        )


if __name__ == "__main__":
    main()
