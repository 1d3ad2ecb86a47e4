"""Track cleaning on synthetic signals with known answers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from analyzer import landmarks as L
from analyzer.clean.filters import (
    Gap,
    butter_lowpass,
    fill_short_gaps,
    fix_leg_swaps,
    hampel,
    sampling_rate,
    swap_leg_columns,
)
from analyzer.clean.one_euro import OneEuroFilter
from analyzer.clean.track import CleanTrack, clean_track
from analyzer.track.data import PoseTrack

FS = 30.0


def _amplitude(y: np.ndarray) -> float:
    return float((np.nanmax(y) - np.nanmin(y)) / 2)


# -- Hampel --------------------------------------------------------------------------------
def test_hampel_removes_spike_and_keeps_signal():
    t = np.arange(90) / FS
    x = 100 * np.sin(2 * np.pi * 0.5 * t)  # a slow squat-like motion, ≤ 10 px/frame
    spiky = x.copy()
    spiky[40] += 80  # a one-frame glitch
    y, mask = hampel(spiky, 7, 3.0, return_mask=True)
    assert mask[40] and mask.sum() == 1
    assert abs(y[40] - x[40]) < 15  # replaced by the local median
    np.testing.assert_array_equal(y[~mask], spiky[~mask])
    y_nan = hampel(spiky, replace="nan")
    assert np.isnan(y_nan[40]) and np.isfinite(np.delete(y_nan, 40)).all()


def test_hampel_nan_aware_and_multidimensional():
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, (60, 3, 2))
    x[10:14, 1, 0] = np.nan
    x[30, 2, 1] = 50.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, mask = hampel(x, return_mask=True)
    assert y.shape == x.shape
    assert mask[30, 2, 1]
    assert np.isnan(y[10:14, 1, 0]).all()  # NaN stays NaN, never flagged
    assert not mask[10:14, 1, 0].any()


# -- leg swaps --------------------------------------------------------------------------------
def _walking_legs(T: int = 80) -> np.ndarray:
    """(T,33,2): two legs swinging out of phase in a side view, left leg ahead at t=0."""
    t = np.arange(T) / FS
    xy = np.full((T, 33, 2), np.nan)
    phase = {"left": 0.0, "right": np.pi}
    for side in ("left", "right"):
        swing = 60 * np.cos(2 * np.pi * 0.7 * t + phase[side])
        for j, (lm, y) in enumerate(zip(L.LEG[side], (500, 700, 900, 915, 920))):
            xy[:, lm, 0] = 300 + swing * (j / 2 if j < 3 else 1) + (40 if j == 4 else 0)
            xy[:, lm, 1] = y
        xy[:, L.LEG[side][0], 0] += {"left": -4, "right": 4}[side]
    xy[:, L.L_SHOULDER] = [300, 200]
    xy[:, L.R_SHOULDER] = [305, 200]
    return xy


def test_fix_leg_swaps_unswaps_a_segment():
    truth = _walking_legs()
    bad = truth.copy()
    seg = np.zeros(len(bad), bool)
    seg[12:30] = True  # legs far apart in this stretch
    bad = swap_leg_columns(bad, seg)
    assert not np.allclose(bad, truth, equal_nan=True)
    fixed, swapped = fix_leg_swaps(bad)
    np.testing.assert_array_equal(swapped, seg)
    np.testing.assert_allclose(fixed, truth)
    # a clean track is left alone
    same, none = fix_leg_swaps(truth)
    assert not none.any()
    np.testing.assert_array_equal(same, truth)


def test_fix_leg_swaps_no_false_swaps_when_legs_cross():
    rng = np.random.default_rng(5)
    legs = _walking_legs(300) + rng.normal(0, 1.0, (300, 33, 2))  # 4 crossings, 1 px jitter
    _, swapped = fix_leg_swaps(legs, np.arange(300) / FS)
    assert not swapped.any()


def test_fix_leg_swaps_bridges_missing_frames():
    truth = _walking_legs()
    bad = swap_leg_columns(truth, np.r_[np.zeros(14, bool), np.ones(16, bool), np.zeros(50, bool)])
    bad[14:17, list(L.LEG["left"]) + list(L.LEG["right"])] = np.nan  # swap starts inside a dropout
    bad[20, list(L.LEG["right"])] = np.nan  # and one leg vanishes mid-swap
    fixed, swapped = fix_leg_swaps(bad)
    assert swapped[17:30].all() and not swapped[30:].any() and not swapped[:14].any()
    ok = np.isfinite(fixed)
    np.testing.assert_allclose(fixed[ok], truth[ok])


# -- Butterworth -------------------------------------------------------------------------------
@pytest.mark.parametrize("fs", [30.0, 60.0])
def test_butterworth_passes_2hz_keeps_phase(fs):
    t = np.arange(int(4 * fs)) / fs
    x = 50 * np.sin(2 * np.pi * 2.0 * t)
    y = butter_lowpass(x, fs, 6.0)
    mid = slice(int(fs), int(3 * fs))
    assert _amplitude(y[mid]) >= 0.95 * 50
    gain = np.dot(y[mid], x[mid]) / np.dot(x[mid], x[mid])
    assert np.max(np.abs(y[mid] - gain * x[mid])) < 0.5  # a pure scaling of the input: zero phase lag


def test_butterworth_attenuates_15hz():
    fs = 60.0
    t = np.arange(240) / fs
    y = butter_lowpass(50 * np.sin(2 * np.pi * 15.0 * t), fs, 6.0)
    assert _amplitude(y[60:180]) < 0.05 * 50  # 4th-order effective: ≈ 2.5 % at 15 Hz


def test_butterworth_nan_runs_and_short_runs():
    fs = 30.0
    rng = np.random.default_rng(2)
    x = rng.normal(0, 5, (100, 2))
    x[40:45] = np.nan
    x[50:56, 0] = np.nan  # leaves a 5-sample run 45..49 in column 0 → unchanged
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = butter_lowpass(x, fs, 6.0)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(x))
    np.testing.assert_array_equal(y[45:50, 0], x[45:50, 0])
    assert np.std(y[:40, 0]) < 0.8 * np.std(x[:40, 0])  # long runs are smoothed
    np.testing.assert_array_equal(butter_lowpass(x, 10.0, 6.0), x)  # cutoff above Nyquist: untouched


def test_sampling_rate_uses_median_dt():
    t = np.arange(100) / 30.0
    t[50:] += 0.2  # one dropped stretch
    assert sampling_rate(t) == pytest.approx(30.0)
    assert np.isnan(sampling_rate([0.0]))


# -- gap fill ---------------------------------------------------------------------------------
def test_fill_short_gap_accurately_and_report_long_gap():
    t = np.arange(120) / FS
    truth = 100 * np.sin(2 * np.pi * 1.0 * t)
    x = truth.copy()
    x[30:33] = np.nan  # 3 frames = 0.1 s
    x[60:75] = np.nan  # 15 frames = 0.5 s
    y, filled, gaps = fill_short_gaps(t, x, 0.2)
    assert np.max(np.abs(y[30:33] - truth[30:33])) < 0.5
    assert filled[30:33].all() and filled.sum() == 3
    assert np.isnan(y[60:75]).all()
    assert gaps == [Gap(0, t[60], t[74])]


def test_fill_gap_length_uses_real_timestamps_and_edges():
    t = np.arange(40) / FS
    t[21:] += 0.3  # 2 missing frames but the clock jumped: 0.37 s of missing time
    x = np.stack([np.linspace(0, 10, 40), np.linspace(5, 6, 40)], axis=1)[:, None, :]  # (T,1,2)
    x[19:21, 0, 1] = np.nan  # one coordinate missing → the point is missing
    x[:2] = np.nan  # leading run cannot be interpolated
    y, filled, gaps = fill_short_gaps(t, x, 0.2)
    assert filled.shape == (40, 1) and not filled.any()
    assert np.isnan(y[19:21, 0]).all() and np.isnan(y[:2]).all()
    assert {(g.t0, g.t1) for g in gaps} == {(t[0], t[1]), (t[19], t[20])}
    y2, filled2, _ = fill_short_gaps(np.arange(40) / FS, x, 0.2)
    assert filled2[19:21, 0].all()
    np.testing.assert_allclose(
        y2[19:21, 0], np.stack([np.linspace(0, 10, 40), np.linspace(5, 6, 40)], 1)[19:21], atol=1e-6
    )


# -- One-Euro --------------------------------------------------------------------------------
def test_one_euro_reduces_jitter_on_constant():
    rng = np.random.default_rng(3)
    f = OneEuroFilter(mincutoff=1.0, beta=0.02)
    noisy = 200 + rng.normal(0, 2.0, 300)
    out = np.array([f(v, i / FS) for i, v in enumerate(noisy)])
    assert np.std(out[60:]) < 0.5 * np.std(noisy[60:])
    assert abs(np.mean(out[60:]) - 200) < 1.0


def test_one_euro_follows_ramp_with_bounded_lag():
    f = OneEuroFilter(mincutoff=1.0, beta=0.02)
    v = 300.0  # px/s
    t = np.arange(90) / FS
    out = np.array([f(v * ti, ti) for ti in t])
    lag_s = (v * t[30:] - out[30:]) / v
    assert np.all(lag_s >= 0) and np.all(lag_s < 0.1)


def test_one_euro_arrays_and_nan_elements():
    f = OneEuroFilter()
    x = np.ones((33, 2)) * 10
    y0 = f(x, 0.0)
    np.testing.assert_array_equal(y0, x)
    x2 = x + 1
    x2[5] = np.nan
    y1 = f(x2, 1 / FS)
    assert y1.shape == (33, 2) and np.isnan(y1[5]).all()
    assert np.all((y1[0] > 10) & (y1[0] < 11))
    y2 = f(x + 1, 2 / FS)  # element 5 resumes from its own state
    assert np.isfinite(y2[5]).all() and 10 < y2[5, 0] <= 11


# -- the chain on a PoseTrack --------------------------------------------------------------------
def _track(xy: np.ndarray, vis: np.ndarray, fps: float = FS, swap: np.ndarray | None = None) -> PoseTrack:
    """PoseTrack from arrays; ``swap`` exchanges the leg labels of xy, visibility and z in those frames."""
    T = xy.shape[0]
    z = np.zeros((T, 33), np.float32)
    z[:, list(L.LEG["right"])] = 0.1  # right leg farther
    if swap is not None:
        xy, vis, z = (swap_leg_columns(a, swap) for a in (xy, vis, z))
    return PoseTrack(
        t=np.arange(T) / fps,
        xy=xy.astype(np.float32),
        z=z,
        visibility=vis.astype(np.float32),
        presence=np.ones((T, 33), np.float32),
        world=np.full((T, 33, 3), np.nan, np.float32),
        n_people=np.ones(T, np.int8),
        width=640,
        height=1000,
        fps=fps,
        model="full",
    )


def test_clean_track_shapes_and_flags():
    truth = _walking_legs(90)
    rng = np.random.default_rng(4)
    truth[:, L.NOSE] = [320, 120]
    xy = truth + rng.normal(0, 0.5, truth.shape)
    xy[np.isnan(truth)] = 0.0  # MediaPipe gives numbers for every landmark …
    vis = np.where(np.isnan(truth[..., 0]), 0.1, 0.95)  # … with low visibility where we have no truth
    vis[:, list(L.LEG["right"])] = 0.8
    vis[20:23, L.L_KNEE] = 0.2  # 0.1 s dropout → filled
    vis[50:65, L.L_ANKLE] = 0.2  # 0.5 s dropout → gap
    xy[70, L.NOSE] += [90, -60]  # spike → rejected by Hampel
    seg = np.zeros(90, bool)
    seg[12:30] = True
    c = clean_track(_track(xy, vis, swap=seg))
    assert isinstance(c, CleanTrack)
    T = 90
    assert c.xy.shape == (T, 33, 2) and c.valid.shape == (T, 33) and c.filled.shape == (T, 33)
    assert c.swapped.shape == (T,) and c.t.shape == (T,)
    assert c.fs == pytest.approx(FS) and c.cutoff_hz == 6.0
    assert (c.width, c.height, c.masks) == (640, 1000, None)
    np.testing.assert_array_equal(c.swapped, seg)
    # swap also undone in visibility/z: right leg keeps its lower visibility and larger z
    assert np.all(c.visibility[seg][:, L.R_KNEE] == pytest.approx(0.8))
    assert np.all(c.z[seg][:, L.R_KNEE] == pytest.approx(0.1))
    assert c.filled[20:23, L.L_KNEE].all() and c.valid[20:23, L.L_KNEE].all()
    assert not c.valid[50:65, L.L_ANKLE].any()
    assert Gap(L.L_ANKLE, c.t[50], c.t[64]) in c.gaps
    assert c.rejected[70, L.NOSE] and c.valid[70, L.NOSE] and not c.filled[70, L.NOSE]
    assert np.hypot(*(c.xy[70, L.NOSE] - truth[70, L.NOSE])) < 2.0
    assert not c.valid[:, L.L_WRIST].any()  # never visible → unknown, reported as one gap
    assert Gap(L.L_WRIST, c.t[0], c.t[-1]) in c.gaps
    # cleaned positions track the truth (noise 0.5 px, swap undone, spike gone)
    ok = c.valid & np.isfinite(truth[..., 0])
    err = np.hypot(*(c.xy - truth)[ok].T)
    assert np.max(err) < 4.0 and np.median(err) < 0.6
    assert np.array_equal(c.measured, c.valid & ~c.filled)


def test_clean_track_empty_and_all_missing():
    xy = np.full((5, 33, 2), np.nan)
    c = clean_track(_track(xy, np.zeros((5, 33))))
    assert not c.valid.any() and not c.swapped.any() and len(c.gaps) == 33
    c0 = clean_track(_track(np.zeros((0, 33, 2)), np.zeros((0, 33))))
    assert c0.xy.shape == (0, 33, 2) and c0.fs == FS


def test_hampel_in_blocks_equals_one_pass(monkeypatch):
    import analyzer.clean.filters as F

    rng = np.random.default_rng(3)
    x = rng.normal(size=(1000, 4, 2))
    x[rng.random(x.shape) < 0.05] = np.nan
    x[500, 1, 0] = 40.0  # a spike on a block boundary's neighbourhood
    monkeypatch.setattr(F, "_HAMPEL_BLOCK", 97)
    a, ma = F.hampel(x, return_mask=True)
    monkeypatch.setattr(F, "_HAMPEL_BLOCK", 10**6)
    b, mb = F.hampel(x, return_mask=True)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ma, mb)
    assert ma[500, 1, 0]


# -- array code = the straightforward versions (tests/reference_impl.py) ------------------------
def _legs_swapped_in_runs(xy: np.ndarray, rng, n_runs: int) -> np.ndarray:
    """Copy of (T, 33, 2) ``xy`` with the leg labels exchanged on ``n_runs`` random runs of frames."""
    xy = xy.copy()
    T = len(xy)
    for _ in range(n_runs):
        a = int(rng.integers(0, T))
        rows = np.zeros(T, bool)
        rows[a : a + int(rng.integers(1, 40))] = True
        xy = swap_leg_columns(xy, rows)
    return xy


@pytest.mark.parametrize("window", [3, 5, 7, 11])
def test_hampel_equals_nanmedian_reference(monkeypatch, window):
    from reference_impl import hampel_ref

    import analyzer.clean.filters as F

    rng = np.random.default_rng(window)
    monkeypatch.setattr(F, "_HAMPEL_BLOCK", 37)  # many block boundaries
    for _trial in range(20):
        T = int(rng.integers(1, 200))
        x = np.cumsum(rng.normal(0, 3, (T, 5, 2)), axis=0)
        x[rng.random(x.shape) < rng.uniform(0, 0.6)] = np.nan
        x[rng.random(x.shape) < 0.03] += 80.0  # spikes
        x[:, 4] = np.nan  # an element never seen
        x[T // 2, 0, 0] = 0.0  # a run of equal values: MAD = 0
        for shape in (x, x[:, :, 0], x[:, 0, 0]):
            for replace in ("median", "nan"):
                a, ma = hampel(shape, window, 3.0, return_mask=True, replace=replace)
                b, mb = hampel_ref(shape, window, 3.0, return_mask=True, replace=replace)
                np.testing.assert_array_equal(a, b)
                np.testing.assert_array_equal(ma, mb)


@pytest.mark.parametrize("kw", [{}, {"predict": False}, {"ratio": 0.8}, {"max_dt": 0.05, "min_points": 4}])
def test_fix_leg_swaps_equals_frame_by_frame_reference(kw):
    from reference_impl import fix_leg_swaps_ref

    rng = np.random.default_rng(len(kw))
    n_fixed = 0
    for trial in range(40):
        T = int(rng.integers(1, 300))
        t = np.cumsum(rng.uniform(0.01, 0.08, T)) if trial % 2 else np.arange(T) / FS
        xy = np.cumsum(rng.normal(0, 4, (T, 33, 2)), axis=0) + rng.uniform(100, 500, (1, 33, 2))
        xy[rng.random((T, 33)) < rng.uniform(0, 0.4)] = np.nan
        if trial % 5 == 0:
            xy[rng.random((T, 33, 2)) < 0.05] = np.nan  # single coordinates
        xy = _legs_swapped_in_runs(xy, rng, int(rng.integers(0, 8)))
        a, sa = fix_leg_swaps(xy, t, **kw)
        b, sb = fix_leg_swaps_ref(xy, t, **kw)
        np.testing.assert_array_equal(sa, sb)
        np.testing.assert_array_equal(a, b)
        n_fixed += int(sa.sum())
    assert n_fixed > 50  # the data did exercise the swap path


def test_butter_lowpass_equals_run_by_run_reference():
    from reference_impl import butter_lowpass_ref

    rng = np.random.default_rng(5)
    x = np.cumsum(rng.normal(0, 2, (600, 33, 2)), axis=0)
    for k in range(33):  # shared and individual gaps, some shorter than the filter's padding
        for _ in range(int(rng.integers(0, 6))):
            a = int(rng.integers(0, 600))
            x[a : a + int(rng.integers(1, 30)), k if k % 3 else slice(0, 33, 3)] = np.nan
    for fs in (30.0, 60.0):
        np.testing.assert_array_equal(butter_lowpass(x, fs, 6.0), butter_lowpass_ref(x, fs, 6.0))
