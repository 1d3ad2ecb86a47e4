"""The annotated video's overlay: it draws what the view measures, with the report's sign, a stable leg and °."""

from __future__ import annotations

import numpy as np

from analyzer import landmarks as L
from analyzer.metrics.valgus import fppa_series
from analyzer.report.overlay import draw_label, label_width
from analyzer.report.overlay_view import LEGENDS, MIN_VIEW_FRAMES, ViewOverlay, draw_front, knee_in_angles


def _pose(shoulder_half: float, knee_in: float = 0.0) -> np.ndarray:
    """(33, 2) px of a person standing at x = 200: shoulders ± ``shoulder_half`` px, torso 120 px, hips ± 30 px,
    knees moved ``knee_in`` px towards the midline."""
    xy = np.full((L.N_LANDMARKS, 2), np.nan)
    xy[L.NOSE] = (200, 40)
    for side, sgn in (("left", 1.0), ("right", -1.0)):
        hip, knee, ankle, heel, toe = L.LEG[side]
        sh = L.L_SHOULDER if side == "left" else L.R_SHOULDER
        xy[sh] = (200 + sgn * shoulder_half, 80)
        xy[hip] = (200 + sgn * 30, 200)
        xy[knee] = (200 + sgn * (30 - knee_in), 300)
        xy[ankle] = (200 + sgn * 30, 400)
        xy[heel] = (200 + sgn * 30 - 5, 410)
        xy[toe] = (200 + sgn * 30 + 20, 412)
    return xy


def _vis(left: float = 0.9, right: float = 0.9) -> np.ndarray:
    v = np.full(L.N_LANDMARKS, 0.9)
    v[list(L.LEG["left"])] = left
    v[list(L.LEG["right"])] = right
    return v


def _img() -> np.ndarray:
    return np.zeros((480, 400, 3), np.uint8)


def test_view_follows_the_footage_after_a_few_frames():
    side, front = ViewOverlay(30.0), ViewOverlay(30.0)
    for _ in range(MIN_VIEW_FRAMES):
        assert side.view() == "" and front.view() == ""  # nothing drawn as a view before it is known
        side(_img(), _pose(shoulder_half=5), _vis())
        front(_img(), _pose(shoulder_half=50), _vis())
    assert side.view() == "side"
    assert front.view() == "front"
    angled = ViewOverlay(30.0)
    for _ in range(MIN_VIEW_FRAMES):
        angled(_img(), _pose(shoulder_half=25), _vis())
    assert angled.view() == "unclear"
    assert "no angles" in LEGENDS["unclear"][-1][0]


def test_side_leg_does_not_flicker_and_switches_on_a_clear_lead():
    paint = ViewOverlay(30.0)
    for k in range(40):  # the right leg a little more visible on every other frame: no switch
        paint(_img(), _pose(5), _vis(0.9, 0.93 if k % 2 else 0.88))
        assert paint.leg == "left"
    for _ in range(40):  # the right leg clearly nearer from now on
        paint(_img(), _pose(5), _vis(0.3, 0.95))
    assert paint.leg == "right"


def test_knee_in_angle_has_the_reports_sign():
    inward = knee_in_angles(_pose(50, knee_in=15))
    outward = knee_in_angles(_pose(50, knee_in=-15))
    for leg in ("left", "right"):
        assert inward[leg] > 5 and outward[leg] < -5
        assert np.isclose(inward[leg], fppa_series(_pose(50, knee_in=15)[None], leg)[0][0])


def test_knee_in_number_is_left_off_while_the_thigh_is_foreshortened():
    xy = _pose(50, knee_in=15)
    plain = _img()
    draw_front(plain, xy, _vis(), thigh_ref={"left": 100.0, "right": 100.0})
    short = _img()
    draw_front(short, xy, _vis(), thigh_ref={"left": 400.0, "right": 400.0})  # thigh shows 25 % of standing
    assert (plain > 0).sum() > (short > 0).sum() + 200  # the labels are drawn only in the first
    assert (short > 0).sum() > 0  # the hip–ankle lines still are


def test_degree_sign_is_drawn_and_measured():
    with_deg, without = _img(), _img()
    draw_label(with_deg, "knee bend 90\u00b0", (10, 10), bg=None)
    draw_label(without, "knee bend 90", (10, 10), bg=None)
    assert (with_deg > 0).sum() > (without > 0).sum()  # the ring is there, not a "?" or nothing
    cols = np.flatnonzero((with_deg > 0).any(axis=(0, 2)))
    assert abs((cols.max() - cols.min()) - label_width(with_deg, "knee bend 90\u00b0")) <= 4


def test_side_view_draws_the_lower_back_outline_when_the_mask_has_one():
    from analyzer.report.overlay_view import OUTLINE_COLOUR, OUTLINE_LEGEND

    xy = _pose(shoulder_half=3)  # side view; toes point to +x: facing +x, the back is on the -x side
    mask = np.zeros((240, 200), bool)  # half the frame's size, covering it
    mask[40:200, 70:115] = True  # the body from shoulders to hips, x 140..230 px in the frame
    paint = ViewOverlay(30.0)
    for _ in range(MIN_VIEW_FRAMES):
        paint(_img(), xy, _vis(), mask)
    img = _img()
    paint(img, xy, _vis(), mask)
    yellow = np.all(np.abs(img.astype(int) - OUTLINE_COLOUR) < 40, axis=2)
    rows, cols = np.nonzero(yellow[:300])  # above the legend
    assert rows.size > 30  # the outline is drawn...
    assert 130 <= cols.min() and cols.max() <= 150  # ...on the mask's back edge (x = 140), behind the trunk
    assert rows.min() >= 130 and rows.max() <= 260  # from below the hips (y = 200) up the lower back
    legend = yellow[300:]  # the legend's outline line is in the outline's colour, below the figure
    assert legend.sum() > 20 and OUTLINE_LEGEND[0][1] == OUTLINE_COLOUR
    bare = ViewOverlay(30.0)
    for _ in range(MIN_VIEW_FRAMES + 1):
        out = bare(_img(), xy, _vis(), None)
    assert not bare._outline_seen
    assert not np.all(np.abs(out.astype(int) - OUTLINE_COLOUR) < 40, axis=2).any()


def test_missing_feet_or_points_never_break_the_drawing():
    xy = _pose(shoulder_half=3)
    xy[[L.L_FOOT, L.R_FOOT, L.L_HEEL, L.R_HEEL]] = np.nan  # feet out of the picture
    paint = ViewOverlay(30.0)
    for _ in range(MIN_VIEW_FRAMES + 1):
        img = paint(_img(), xy, _vis())
    assert paint.view() == "side" and (img > 0).sum() > 0
    xy[L.R_HIP] = np.nan
    draw_front(_img(), xy, _vis(), None)  # no exception with a hip missing
