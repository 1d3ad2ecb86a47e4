"""Hinge timing and back-contour proxy (spec §B–C) on synthetic hinges, with and without masks."""

import numpy as np
import pytest
from synthetic_tracks import hinge_kin, make_clean

from analyzer.context.detect import detect_context
from analyzer.metrics import compute_metrics
from analyzer.metrics.back_outline import back_contour


def run(kin, masks, direction=1):
    c = make_clean(kin, "side", direction, masks=masks)
    ctx = detect_context(c)
    return ctx, compute_metrics(c, ctx)


@pytest.fixture(scope="module")
def hip_first():
    return hinge_kin(3, hip_lead_s=0.15)


@pytest.fixture(scope="module")
def lumbar_first():
    return hinge_kin(3, lumbar_lead_s=0.25, round_m=0.10)  # clearly beyond the outline proxy's 0.04 floor


@pytest.mark.parametrize("masks", [True, False])
def test_hip_first_hinge_not_flagged(hip_first, masks):
    ctx, m = run(hip_first, masks)
    f = m.get("hinge_back_first_fraction")
    if not masks:  # no outline: the order of back and hips is not judged, and the reason says why
        assert f.value is None and "outline of the lower back" in f.reason
        assert m.get("hinge_lag_ms").value is None and m.get("back_rounding_delta").value is None
        return
    assert f.status == "ok" and f.value == 0.0 and f.extra["n_reps"] == 3 and f.extra["flagged_reps"] == []
    lag = m.get("hinge_lag_ms")
    assert lag.extra["neutral_back_reps"] == [1, 2, 3]  # the back stays neutral: no back onset to time


@pytest.mark.parametrize("direction", [1, -1])
def test_lumbar_first_hinge_flagged(lumbar_first, direction):
    ctx, m = run(lumbar_first, True, direction)
    f = m.get("hinge_back_first_fraction")
    assert f.value >= 2 / 3 and len(f.extra["flagged_reps"]) >= 2
    lag = m.get("hinge_lag_ms")
    assert lag.value <= -100.0
    assert all(v is None or v < 0 for v in lag.per_rep)


def test_rounding_proxy_relative_to_standing(lumbar_first, hip_first):
    _, m1 = run(lumbar_first, True)
    _, m2 = run(hip_first, True)
    d1, d2 = m1.get("back_rounding_delta"), m2.get("back_rounding_delta")
    assert d1.proxy and d1.relative_to_baseline and d1.status == "ok"
    assert d1.value > d1.extra["noise_floor"] > d2.value  # the rounded back is rounded, the neutral one is not
    assert m1.get("hinge_early_ratio").value > m2.get("hinge_early_ratio").value
    # no mask → proxy unavailable, not a number
    _, m3 = run(lumbar_first, False)
    assert m3.get("back_rounding_delta").value is None and m3.get("back_rounding_delta").status == "insufficient_data"
    assert m3.get("trunk_angle_bottom").value == pytest.approx(75.0, abs=3)


def test_back_contour_geometry():
    """An inward (arched) lumbar curve gives a negative LCP, and bulging (rounding) raises it."""
    h, w = 200, 200
    yy, xx = np.mgrid[0:h, 0:w]
    mh, ms = np.array([100.0, 150.0]), np.array([100.0, 30.0])  # upright trunk, faces +x
    res = []
    for amp in (-10.0, 10.0):  # − = inward (arched), + = bulging (rounded)
        u = (150.0 - yy) / 120.0
        curve = amp * np.sin(np.pi * np.clip(u / 0.55, 0, 1))
        back = 70.0 - curve - 12.0 * np.exp(-(((u + 0.13) / 0.12) ** 2))
        mask = (xx > back) & (xx < 130) & (yy > 10) & (yy < 200)
        lcp, sigma, pts = back_contour(mask, (1.0, 1.0), mh, ms, 1)
        res.append(lcp)
        assert np.isfinite(lcp) and np.isfinite(sigma) and pts.shape[1] == 2
    assert res[0] < -0.03 and res[1] > res[0] + 0.05


# -- batch contour = one frame at a time (tests/reference_impl.py) ----------------------------------
@pytest.fixture(scope="module")
def lumbar_clean(lumbar_first):
    return make_clean(lumbar_first, "side", 1, masks=True)


def _same(a: np.ndarray, b: np.ndarray, atol: float = 1e-9) -> None:
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a[np.isfinite(a)], b[np.isfinite(b)], rtol=0, atol=atol)


@pytest.mark.parametrize("direction", [1, -1])
def test_contour_series_equals_back_contour_per_frame(lumbar_clean, monkeypatch, direction):
    from reference_impl import contour_series_ref

    import analyzer.metrics.back_outline as H

    monkeypatch.setattr(H, "_BLOCK", 50)  # several blocks, decoded ahead by the helper thread
    lcp, sig, _, _ = H.contour_series(lumbar_clean, direction)
    ref_lcp, ref_sig = contour_series_ref(lumbar_clean, direction)
    assert np.isfinite(ref_lcp).mean() > 0.5
    _same(lcp, ref_lcp)
    _same(sig, ref_sig, atol=1e-7)  # degrees
    some = np.arange(3, len(lcp), 7)
    part, _, _, _ = H.contour_series(lumbar_clean, direction, frames=some)
    _same(part[some], ref_lcp[some])
    assert np.isnan(np.delete(part, some)).all()


def test_back_contours_any_mask_width_and_store(lumbar_clean):
    """Masks whose width is not a whole number of bytes, missing masks, and a store read only via get()."""
    from analyzer.context import reps as S
    from analyzer.metrics.back_outline import back_contours
    from analyzer.track.masks import MaskStore

    st = lumbar_clean.masks
    T = len(lumbar_clean)
    full = np.stack([st.get(i) for i in range(T)])
    h, w = st.shape
    MH, MS = S.mid_hip(lumbar_clean.xy), S.mid_shoulder(lumbar_clean.xy)
    valid = np.arange(T) % 5 != 0

    class GetOnly:  # the MaskStore interface without its packed rows
        def __init__(self, store):
            self.shape, self.valid, self.get = store.shape, store.valid, store.get

    for ww in (w, w - 3):
        store = MaskStore((h, ww), np.packbits(full[:, :, :ww].reshape(T, -1), axis=1), valid)
        scale = (ww / lumbar_clean.width, h / lumbar_clean.height)
        fr = np.flatnonzero(valid)
        ref = np.array([back_contour(store.get(i), scale, MH[i], MS[i], 1)[0] for i in fr])
        for s in (store, GetOnly(store)):
            lcp, _, _, _ = back_contours(s, fr, scale, MH[fr], MS[fr], 1)
            _same(lcp, ref)
        assert np.isfinite(ref).sum() > len(fr) / 2


@pytest.mark.parametrize("which", ["lumbar", "hip", "blank"])
def test_hinge_metrics_same_as_with_contour_on_every_frame(lumbar_first, hip_first, monkeypatch, which):
    """The contour is computed only on the frames the metrics read; the results are those of every frame."""
    import dataclasses

    from synthetic_tracks import make_track

    import analyzer.metrics.hinge as H
    from analyzer.clean.track import clean_track
    from analyzer.track.masks import MaskStore
    from analyzer.types import clean_json

    tr = make_track(lumbar_first if which != "hip" else hip_first, "side", 1, masks=True)
    if which == "blank":  # masks present but empty: no outline anywhere
        tr = dataclasses.replace(
            tr, masks=MaskStore(tr.masks.shape, np.zeros((len(tr), tr.masks.nbytes_row), np.uint8))
        )
    c = clean_track(tr)
    ctx = detect_context(c)
    fast = compute_metrics(c, ctx)
    every = H.contour_series
    monkeypatch.setattr(H, "contour_series", lambda clean, d, frames=None: every(clean, d))
    full = compute_metrics(c, ctx)
    assert clean_json(fast.values) == clean_json(full.values)
    assert clean_json(fast.per_rep_rows) == clean_json(full.per_rep_rows)
    rnd = fast.get("back_rounding_delta")
    if which == "blank":
        assert rnd.status == "insufficient_data" and "outline" in rnd.reason
    else:
        assert rnd.status == "ok"
        seen = np.isfinite(fast.series["back_rounding_delta"])
        np.testing.assert_array_equal(
            fast.series["back_rounding_delta"][seen], full.series["back_rounding_delta"][seen]
        )


def test_onset_equals_frame_by_frame_scan():
    from reference_impl import onset_ref

    from analyzer.metrics.hinge import onset

    rng = np.random.default_rng(11)
    hits = 0
    for _ in range(400):
        T = int(rng.integers(5, 120))
        x = np.cumsum(rng.normal(0, 1, T))
        x[rng.random(T) < 0.1] = np.nan
        base = np.arange(0, int(rng.integers(0, min(10, T))))
        lo, hi = int(rng.integers(0, T)), int(rng.integers(0, T + 5))
        fs = float(rng.choice([10.0, 30.0, 60.0]))
        frac = float(rng.choice([0.0, 0.2]))
        got = onset(x, base, lo, hi, 0.5, fs, frac)
        assert got == onset_ref(x, base, lo, hi, 0.5, fs, frac)
        hits += got is not None
    assert hits > 50


def test_contour_found_scans_the_frames_not_yet_computed(lumbar_clean):
    from analyzer.metrics.back_outline import _contour_found

    T = len(lumbar_clean)
    none = np.full(T, np.nan)
    assert _contour_found(lumbar_clean, 1, none, np.array([], int))  # found on other frames
    assert not _contour_found(lumbar_clean, 1, none, np.arange(T))  # every frame done, none found
    assert not _contour_found(lumbar_clean, 0, none, np.array([], int))  # no facing direction
