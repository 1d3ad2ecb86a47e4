"""Re-analysis speed-ups give the results of the straightforward code, on a real pose track.

The array versions of the leg-swap fix, Hampel filter, Butterworth runs, back contour and the CSV
writer are compared with the frame-by-frame versions in ``reference_impl.py`` on the track of a
bundled side-view clip (masks included), also tiled to a longer clip. Needs the pose model.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from reference_impl import (
    butter_lowpass_ref,
    contour_series_ref,
    fix_leg_swaps_ref,
    hampel_ref,
    kinematics_csv_ref,
)

from analyzer.clean.filters import (
    butter_lowpass,
    fill_short_gaps,
    fix_leg_swaps,
    hampel,
    swap_leg_columns,
)
from analyzer.clean.track import clean_track
from analyzer.track.data import PoseTrack
from analyzer.track.masks import MaskStore
from analyzer.types import clean_json


@pytest.fixture(scope="module")
def analysis(model_path, side_sample):
    from analyzer.pipeline import AnalyzeOptions, analyze

    a = analyze(side_sample, AnalyzeOptions(out_dir=None, write_video=False))
    assert a.track.masks is not None and a.context.view == "side"
    return a


def tiled(track: PoseTrack, n: int) -> PoseTrack:
    """``track`` played forwards and backwards (motion stays continuous) to ``n`` frames."""
    T = len(track)
    k = np.arange(n) % (2 * T - 2)
    idx = np.where(k < T, k, 2 * T - 2 - k)
    masks = None
    if track.masks is not None:
        data, off = track.masks.to_arrays()
        buf = data.tobytes()
        masks = MaskStore(track.masks.shape, packed=[buf[off[i] : off[i + 1]] for i in idx])
    arrays = {f: getattr(track, f)[idx] for f in ("xy", "z", "visibility", "presence", "world", "n_people")}
    return dataclasses.replace(track, t=np.arange(n) / track.fps, masks=masks, **arrays)


def _gated(track: PoseTrack) -> np.ndarray:
    xy = np.array(track.xy, dtype=np.float64)
    xy[np.nan_to_num(track.visibility) < 0.5] = np.nan
    return xy


def test_cleaning_steps_equal_reference(analysis):
    tr = analysis.track
    xy = _gated(tr)
    a, ma = hampel(xy, 7, 3.0, return_mask=True)
    b, mb = hampel_ref(xy, 7, 3.0, return_mask=True)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ma, mb)
    rng = np.random.default_rng(0)
    for n_swaps in (0, 12):  # as tracked, and with leg labels swapped on random runs of frames
        x = a.copy()
        for _ in range(n_swaps):
            rows = np.zeros(len(x), bool)
            s = int(rng.integers(0, len(x)))
            rows[s : s + int(rng.integers(1, 30))] = True
            x = swap_leg_columns(x, rows)
        f, sf = fix_leg_swaps(x, tr.t)
        g, sg = fix_leg_swaps_ref(x, tr.t)
        np.testing.assert_array_equal(sf, sg)
        np.testing.assert_array_equal(f, g)
    filled, _, _ = fill_short_gaps(tr.t, f, 0.2)
    assert np.isnan(filled).any()  # runs of several lengths to filter
    np.testing.assert_array_equal(butter_lowpass(filled, tr.fps, 6.0), butter_lowpass_ref(filled, tr.fps, 6.0))


@pytest.mark.parametrize("direction", [1, -1])
def test_back_contour_equals_reference(analysis, direction):
    from analyzer.metrics.back_outline import contour_series

    lcp, sig, _, _ = contour_series(analysis.clean, direction)
    ref_lcp, ref_sig = contour_series_ref(analysis.clean, direction)
    assert np.isfinite(ref_lcp).sum() > len(lcp) / 2
    np.testing.assert_array_equal(np.isnan(lcp), np.isnan(ref_lcp))
    ok = np.isfinite(ref_lcp)
    np.testing.assert_allclose(lcp[ok], ref_lcp[ok], rtol=0, atol=1e-9)
    np.testing.assert_allclose(sig[ok], ref_sig[ok], rtol=0, atol=1e-7)


@pytest.mark.parametrize("n_frames", [None, 1500])
def test_hinge_metrics_equal_contour_on_every_frame(analysis, monkeypatch, n_frames):
    import analyzer.metrics.hinge as H
    from analyzer.context.detect import detect_context
    from analyzer.metrics import compute_metrics

    c = analysis.clean if n_frames is None else clean_track(tiled(analysis.track, n_frames))
    ctx = detect_context(c)
    assert ctx.view == "side" and ctx.reps
    fast = compute_metrics(c, ctx)
    every = H.contour_series
    monkeypatch.setattr(H, "contour_series", lambda clean, d, frames=None: every(clean, d))
    full = compute_metrics(c, ctx)
    assert fast.get("lcp_delta").status == "ok"
    assert clean_json(fast.values) == clean_json(full.values)
    assert clean_json(fast.per_rep_rows) == clean_json(full.per_rep_rows)


def test_kinematics_csv_equals_row_by_row(analysis):
    from analyzer.pipeline import analyze_track, kinematics_csv

    assert kinematics_csv(analysis) == kinematics_csv_ref(analysis)
    long = analyze_track(tiled(analysis.track, 700))
    kin = {k: v.copy() for k, v in long.kinematics.items()}
    first = next(iter(kin))
    kin[first][[3, 4, 5]] = [np.inf, -np.inf, -0.004]  # unknown, unknown, "-0.00"
    long.kinematics = kin
    text = kinematics_csv(long)
    assert text == kinematics_csv_ref(long)
    assert len(text.splitlines()) == 701 and ",," in text
