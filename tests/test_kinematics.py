"""frame_kinematics on synthetic side-view figures built from chosen angles."""

from __future__ import annotations

import types
import warnings

import numpy as np
import pytest

from analyzer import landmarks as L
from analyzer.kinematics import COLUMNS, frame_kinematics, kinematics_from_xy

L_TRUNK, L_THIGH, L_SHANK = 260.0, 200.0, 190.0


def _unit(deg_from_up: np.ndarray, direction: int) -> np.ndarray:
    """Unit vector(s) at ``deg_from_up`` from the upward vertical, + toward the facing direction (y down)."""
    r = np.radians(deg_from_up)
    return np.stack([direction * np.sin(r), -np.cos(r)], axis=-1)


def figure(direction, trunk, thigh_l, shank_l, thigh_r, shank_r, mh=(400.0, 500.0)) -> np.ndarray:
    """(T,33,2) px: both hips at MH; trunk from up-vertical; thigh from DOWN-vertical; shank φ(A→K)."""
    trunk, thigh_l, shank_l, thigh_r, shank_r = map(np.atleast_1d, (trunk, thigh_l, shank_l, thigh_r, shank_r))
    T = len(trunk)
    xy = np.full((T, 33, 2), np.nan)
    MH = np.broadcast_to(np.asarray(mh, float), (T, 2))
    MS = MH + L_TRUNK * _unit(trunk, direction)
    xy[:, L.L_SHOULDER] = MS + [3.0, 0.0]
    xy[:, L.R_SHOULDER] = MS - [3.0, 0.0]
    for side, th, sh in (("left", thigh_l, shank_l), ("right", thigh_r, shank_r)):
        hip, knee, ankle, heel, foot = L.LEG[side]
        H = MH
        K = H + L_THIGH * np.stack([direction * np.sin(np.radians(th)), np.cos(np.radians(th))], axis=-1)
        A = K - L_SHANK * _unit(sh, direction)
        xy[:, hip], xy[:, knee], xy[:, ankle] = H, K, A
        xy[:, heel] = A + [-direction * 15.0, 15.0]
        xy[:, foot] = A + [direction * 60.0, 20.0]
    return xy


@pytest.mark.parametrize("direction", [1, -1])
def test_recovers_chosen_angles(direction):
    trunk = np.array([0.0, 15.0, 40.0, 55.0, 70.0])
    thigh_l = np.array([0.0, 30.0, 70.0, 95.0, 60.0])  # 95° = hip below knee
    shank_l = np.array([0.0, 10.0, 25.0, 35.0, 15.0])
    thigh_r = np.array([5.0, 20.0, 50.0, 80.0, 45.0])
    shank_r = np.array([-5.0, 5.0, 20.0, 30.0, 10.0])
    xy = figure(direction, trunk, thigh_l, shank_l, thigh_r, shank_r)
    k = kinematics_from_xy(xy, direction, "left")
    tol = dict(atol=0.5)
    np.testing.assert_allclose(k["trunk_angle"], trunk, **tol)
    np.testing.assert_allclose(k["knee_flexion_left"], thigh_l + shank_l, **tol)
    np.testing.assert_allclose(k["knee_flexion_right"], thigh_r + shank_r, **tol)
    np.testing.assert_allclose(k["hip_flexion_left"], trunk + thigh_l, **tol)
    np.testing.assert_allclose(k["hip_flexion_right"], trunk + thigh_r, **tol)
    np.testing.assert_allclose(k["thigh_angle_left"], thigh_l, **tol)
    np.testing.assert_allclose(k["thigh_angle_right"], thigh_r, **tol)
    np.testing.assert_allclose(k["shank_angle_left"], shank_l, **tol)
    np.testing.assert_allclose(k["shank_angle_right"], shank_r, **tol)
    np.testing.assert_allclose(k["hip_trunk_angle_left"], trunk + thigh_l, **tol)
    np.testing.assert_allclose(k["depth_angle_left"], 90.0 - np.abs(thigh_l), **tol)
    assert k["depth_angle_left"][3] < 0  # hip below knee → α < 0
    for name in ("knee_flexion", "hip_flexion", "thigh_angle", "shank_angle", "hip_trunk_angle", "depth_angle"):
        np.testing.assert_array_equal(k[f"{name}_near"], k[f"{name}_left"])
    k_r = kinematics_from_xy(xy, direction, "right")
    np.testing.assert_array_equal(k_r["knee_flexion_near"], k_r["knee_flexion_right"])


def test_hip_trunk_angle_is_signed_in_extension():
    # knee behind the hip (running push-off): thigh −20°, trunk upright → extension −20°, hip flexion +20 unsigned
    xy = figure(1, [0.0], [-20.0], [10.0], [0.0], [0.0])
    k = kinematics_from_xy(xy, 1, "left")
    assert k["hip_trunk_angle_left"][0] == pytest.approx(-20.0, abs=0.5)
    assert k["hip_flexion_left"][0] == pytest.approx(20.0, abs=0.5)
    assert k["thigh_angle_left"][0] == pytest.approx(-20.0, abs=0.5)


def test_frame_kinematics_columns_nan_and_unknown_direction():
    xy = figure(1, [10.0, 20.0, 30.0], [30.0] * 3, [10.0] * 3, [30.0] * 3, [10.0] * 3)
    xy[1, L.L_KNEE] = np.nan
    clean = types.SimpleNamespace(xy=xy)  # frame_kinematics only needs .xy
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        k = frame_kinematics(clean, 1, "left")
        k0 = frame_kinematics(clean, 0, "left")
    assert tuple(k) == COLUMNS
    assert len(set(COLUMNS)) == len(COLUMNS)
    assert all(v.shape == (3,) and v.dtype == np.float64 for v in k.values())
    assert np.isnan(k["knee_flexion_left"][1]) and np.isfinite(k["knee_flexion_right"][1])
    assert np.isfinite(k["trunk_angle"]).all()
    # without a facing direction the signed angles are unknown, unsigned ones still computed
    assert np.isnan(k0["trunk_angle"]).all() and np.isnan(k0["shank_angle_near"]).all()
    np.testing.assert_allclose(k0["knee_flexion_right"], k["knee_flexion_right"])
    with pytest.raises(ValueError):
        frame_kinematics(clean, 1, "middle")
