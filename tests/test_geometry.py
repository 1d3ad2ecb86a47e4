"""Geometry helpers against hand-computed cases (pixels, y down, degrees)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from analyzer import geometry as G
from analyzer import landmarks as L


def test_angle3_right_straight_and_vectorised():
    assert G.angle3([1, 0], [0, 0], [0, 1]) == pytest.approx(90.0)
    assert G.angle3([0, -10], [0, 0], [0, 10]) == pytest.approx(180.0)
    assert G.angle3([1, 0], [0, 0], [1, 1]) == pytest.approx(45.0)
    a = np.array([[1, 0], [0, -10], [np.nan, 0]])
    b = np.zeros((3, 2))
    c = np.array([[0, 1], [0, 10], [0, 1]])
    out = G.angle3(a, b, c)
    assert out.shape == (3,)
    np.testing.assert_allclose(out[:2], [90, 180])
    assert np.isnan(out[2])


def test_angle3_degenerate_is_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(G.angle3([0, 0], [0, 0], [1, 0]))
        assert np.isnan(G.signed_distance_to_line([1, 1], [0, 0], [0, 0]))
        assert np.isnan(G.segment_angle_from_vertical([np.nan, 0], [0, 1], 1))


def test_segment_angle_from_vertical_forward_lean_sign():
    # hip at origin, shoulder 30° from vertical toward +x (y up is negative)
    hip = np.array([0.0, 0.0])
    sh = np.array([np.sin(np.radians(30)), -np.cos(np.radians(30))]) * 100
    assert G.segment_angle_from_vertical(hip, sh, +1) == pytest.approx(30.0)
    assert G.segment_angle_from_vertical(hip, sh, -1) == pytest.approx(-30.0)
    assert G.segment_angle_from_vertical(hip, [0, -50], 1) == pytest.approx(0.0)
    assert np.isnan(G.segment_angle_from_vertical(hip, sh, 0))
    # broadcasting a per-frame direction
    out = G.segment_angle_from_vertical(np.zeros((2, 2)), np.stack([sh, sh]), np.array([1, -1]))
    np.testing.assert_allclose(out, [30, -30])


def test_angle_from_horizontal():
    assert G.angle_from_horizontal([0, 0], [10, 0], 1) == pytest.approx(0.0)
    assert G.angle_from_horizontal([0, 0], [10, -10], 1) == pytest.approx(45.0)  # b higher (y down)
    assert G.angle_from_horizontal([0, 0], [-10, -10], -1) == pytest.approx(45.0)  # facing −x
    assert G.angle_from_horizontal([0, 0], [10, 10], 1) == pytest.approx(-45.0)


def test_signed_distance_to_line_sign_and_magnitude():
    a, b = np.array([0.0, 0.0]), np.array([0.0, 10.0])  # line pointing down the image
    assert G.signed_distance_to_line([-5, 3], a, b) == pytest.approx(5.0)  # image-left → +
    assert G.signed_distance_to_line([4, 3], a, b) == pytest.approx(-4.0)
    assert G.signed_distance_to_line([4, 3], b, a) == pytest.approx(4.0)  # reversed line flips sign
    assert G.signed_distance_to_line([0, 50], a, b) == pytest.approx(0.0)


def test_midpoint_and_length():
    np.testing.assert_allclose(G.midpoint([0, 0], [2, 4]), [1, 2])
    assert G.segment_length([0, 0], [3, 4]) == pytest.approx(5.0)


def test_near_side_picks_more_visible_leg_and_uses_z_on_ties():
    vis = np.full((10, 33), 0.9)
    vis[:, list(L.LEG["right"])] = 0.4
    assert G.near_side(vis) == "left"
    vis2 = np.full((10, 33), 0.9)
    vis2[:, list(L.LEG["left"])] = 0.3
    assert G.near_side(vis2) == "right"
    assert G.near_side(vis2[0]) == "right"  # a single frame works too
    tie = np.full((10, 33), 0.9)
    z = np.zeros((10, 33))
    z[:, list(L.LEG["right"])] = -0.2  # right leg nearer the camera
    assert G.near_side(tie, z) == "right"
    z[:, list(L.LEG["right"])] = 0.2
    assert G.near_side(tie, z) == "left"


def stick_figure(direction: int, T: int = 20, x0: float = 300.0, seed: int = 0) -> np.ndarray:
    """Side-view standing figure facing ``direction`` with a little per-frame noise, (T,33,2) px."""
    rng = np.random.default_rng(seed)
    p = np.full((33, 2), np.nan)
    d = direction
    for side, dz in (("left", -3), ("right", 3)):
        hip, knee, ankle, heel, foot = L.LEG[side]
        p[hip] = [x0 + dz, 500]
        p[knee] = [x0 + dz + d * 5, 700]
        p[ankle] = [x0 + dz, 900]
        p[heel] = [x0 + dz - d * 15, 915]
        p[foot] = [x0 + dz + d * 60, 920]
    p[L.L_SHOULDER] = [x0 - 2, 200]
    p[L.R_SHOULDER] = [x0 + 2, 200]
    p[L.L_EAR] = [x0 - d * 5, 120]
    p[L.R_EAR] = [x0 - d * 5, 121]
    p[L.NOSE] = [x0 + d * 35, 130]
    xy = np.repeat(p[None], T, axis=0) + rng.normal(0, 1.0, (T, 33, 2))
    return xy


@pytest.mark.parametrize("direction", [1, -1])
def test_facing_direction_on_stick_figures(direction):
    xy = stick_figure(direction)
    assert G.facing_direction(xy) == direction
    # robust to some bad frames and to a missing head
    xy[:3, L.NOSE, 0] -= direction * 200
    assert G.facing_direction(xy) == direction
    xy[:, :11] = np.nan
    assert G.facing_direction(xy) == direction
    assert G.facing_direction(xy[5]) == direction


def test_facing_direction_front_view_and_empty_is_zero():
    p = np.full((33, 2), np.nan)
    p[L.L_SHOULDER], p[L.R_SHOULDER] = [400, 200], [200, 200]
    p[L.L_HIP], p[L.R_HIP] = [360, 500], [240, 500]
    p[L.NOSE], p[L.L_EAR], p[L.R_EAR] = [300, 120], [340, 115], [260, 115]
    p[L.L_HEEL], p[L.L_FOOT] = [360, 900], [362, 930]
    p[L.R_HEEL], p[L.R_FOOT] = [240, 900], [238, 930]
    assert G.facing_direction(np.repeat(p[None], 5, axis=0)) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert G.facing_direction(np.full((4, 33, 2), np.nan)) == 0
