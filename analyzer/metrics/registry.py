"""The metric registry: one :class:`MetricSpec` per metric id — the only list of metrics.

The metric modules, the rules loader (which ids a rule may name, from which views), the report (labels,
units, "could not show" reasons), the app (headline table, charts), the batch summary and the overlay all
read this. A value is stored in its raw ``unit`` (report.json); people read it through :meth:`MetricSpec.format`
(``symbol`` after multiplying by ``scale``, ``decimals`` places).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

SIDE = frozenset({"side"})
FRONTAL = frozenset({"front", "back"})
ALL_VIEWS = frozenset({"side", "front", "back", "oblique"})

#: Why a group of metrics cannot be measured from a view, and how to film it (one sentence each).
WHY_NOT: dict[str, str] = {
    "knee_in": "From the side we can't see the knees caving in, because that movement points at the camera: "
    "film from the front or from behind for knee-in.",
    "side_to_side": "Side-to-side movement (hip shift, pelvic drop, step width) is only visible from the front or "
    "from behind: film from there for it.",
    "bending": "Bending angles, squat depth, heel lift and bar path need a side-on view: film from the side, "
    "camera at hip height.",
    "back": "Back posture and hinge timing need a side-on view: film from the side, camera at hip height.",
    "landing": "Where the foot lands and how the trunk leans need a side-on view: film the runner from the side.",
    "counts": "",
}


@dataclass(frozen=True)
class MetricSpec:
    """What the analyzer knows about one metric.

    ``unit``: the unit of the stored number; ``symbol``/``scale``/``decimals``: how a person reads it
    (e.g. a ratio 0.58 → "58 %"); ``sign``: the sign convention in words ("" when no sign matters);
    ``band``: the display error band ± in ``unit`` (method spec §G), None when none is known; ``views``:
    views that can measure it; ``group``: the reason family when they cannot (:data:`WHY_NOT`);
    ``series``: the per-frame series it is read from, for charts (None: not charted); ``proxy``: an
    estimate of something the camera cannot see directly; ``headline``: shown in the app's headline
    table and the batch summary; ``module``: the metric module of :mod:`analyzer.metrics` that computes it;
    ``needs``: what the footage must keep true for the number to mean anything — ``"real_time"`` (timing and
    rates: withheld on slow motion) and ``"still_camera"`` (positions in the frame: withheld when the camera
    moves); see :data:`analyzer.context.footage.BREAKS`. ``untrusted``: exercise → why the number is not shown
    for it (measured on the synthetic check, docs/ACCURACY.md). ``families``: the exercise families it belongs to
    (empty: all), e.g. hinge timing is not reported for squats.
    """

    id: str
    label: str
    unit: str
    symbol: str
    views: frozenset[str]
    group: str
    module: str = ""
    decimals: int = 0
    scale: float = 1.0
    sign: str = ""
    band: float | None = None
    series: str | None = None
    proxy: bool = False
    headline: bool = False
    needs: frozenset[str] = frozenset()
    untrusted: tuple[tuple[str, str], ...] = ()
    families: frozenset[str] = frozenset()

    def format(self, value: float | None, *, band: bool = False) -> str:
        """``value`` for people: scaled, rounded, with its symbol (and ± band when asked); "–" when unknown."""
        if value is None or value != value:
            return "–"
        v = round(float(value) * self.scale, self.decimals) or 0.0  # no "-0"
        s = f"{v:.{self.decimals}f}".replace("-", "\u2212")  # the minus sign the sign conventions use
        sym = self.symbol
        out = f"{s}{sym}" if sym in ("°", "%") else f"{s} {sym}".rstrip()
        if band and self.band:
            b = self.band * self.scale
            out += f" ± {b:.{self.decimals}f}" + (sym if sym in ("°", "%") else f" {sym}".rstrip())
        return out

    def shown(self, value: float | None) -> str:
        """:meth:`format` with the ± band only when the band is narrower than the value (else the band says more
        than the number)."""
        wide = value is None or value != value or not self.band or abs(float(value)) <= self.band
        return self.format(value, band=not wide)

    def why_not(self) -> str:
        return WHY_NOT.get(self.group, "")


def _m(id, label, unit, symbol, views, group, needs=(), families=(), **kw) -> MetricSpec:
    return MetricSpec(
        id, label, unit, symbol, frozenset(views), group, needs=frozenset(needs), families=frozenset(families), **kw
    )


def _computed_by(module: str, *specs: MetricSpec) -> tuple[MetricSpec, ...]:
    return tuple(replace(s, module=module) for s in specs)


_KNEE_IN_SIGN = "+ = knee inside the hip–ankle line"
_HINGE = frozenset({"hinge"})
_DEADLIFT_PELVIS = (
    "not shown for deadlifts yet: at the bottom of a pull from the floor it read about 15° too far forward on the "
    "synthetic check"
)
# One metric per entry: the table reads better than the formatter's layout.
# fmt: off
METRICS: dict[str, MetricSpec] = {s.id: s for s in (
    # --- pelvis / low back (side view, proxies relative to standing) and hinge timing
    *_computed_by("hinge",
        _m("pelvic_tilt_delta", "Pelvic tilt, change from standing", "deg", "°", SIDE, "back",
           sign="+ = pelvis tipped forward, − = tucked under", proxy=True, band=6.0, headline=True,
           series="pelvic_tilt_delta", untrusted=(("deadlift", _DEADLIFT_PELVIS),)),
        # report.json only (no rule, not headline): its real-clip readings were not plausible (docs/ACCURACY.md)
        _m("pelvic_tuck_bottom", "Pelvis tucking under at the bottom", "deg", "°", SIDE, "back",
           sign="how far the pelvis tipped back from its most forward point on the way down", proxy=True, band=4.0),
        _m("back_rounding_delta", "Back rounding, change from standing", "deg", "°", SIDE, "back",
           sign="+ = more rounded, − = more arched", proxy=True, band=6.0, headline=True,
           series="back_rounding_delta"),
        _m("lcp_delta", "Low-back curve (outline bulge), change from standing", "fraction of chord", "", SIDE, "back",
           decimals=3, sign="+ = more rounded, − = more arched", proxy=True),
        _m("trunk_angle_bottom", "Trunk angle at the bottom", "deg", "°", SIDE, "bending",
           sign="from vertical, + = leaning forward", band=5.0, series="trunk_angle", headline=True),
        _m("hip_trunk_angle_bottom", "Hip bend at the bottom", "deg", "°", SIDE, "bending", band=6.0,
           series="hip_trunk_angle_near"),
        _m("hinge_lag_ms", "Hinge timing: back rounding onset minus pelvis onset", "ms", "ms", SIDE, "back",
           sign="− = back moved first, + = hips moved first", band=200.0, headline=True,
           needs=("real_time", "still_camera"), families=_HINGE),
        _m("hinge_early_ratio", "Early back : hip ratio (first 30° of the hinge)", "ratio", "", SIDE, "back",
           decimals=2, proxy=True, sign="degrees of back rounding per degree of hip bend", families=_HINGE),
        _m("hinge_back_first_fraction", "Reps where the back moved before the hips", "fraction", "%", SIDE, "back",
           scale=100.0, headline=True, needs=("still_camera",), families=_HINGE),
    ),
    # --- knee-in (front/back only)
    *_computed_by("valgus",
        _m("fppa_left", "Knee-in angle, left", "deg", "°", FRONTAL, "knee_in", sign=_KNEE_IN_SIGN, band=6.0,
           headline=True),
        _m("fppa_right", "Knee-in angle, right", "deg", "°", FRONTAL, "knee_in", sign=_KNEE_IN_SIGN, band=6.0,
           headline=True),
        _m("fppa_delta_left", "Knee-in change from standing, left", "deg", "°", FRONTAL, "knee_in", sign=_KNEE_IN_SIGN,
           band=6.0, headline=True),
        _m("fppa_delta_right", "Knee-in change from standing, right", "deg", "°", FRONTAL, "knee_in",
           sign=_KNEE_IN_SIGN, band=6.0, headline=True),
        _m("nksd", "Knee width as a share of hip width", "ratio", "%", FRONTAL, "knee_in", scale=100.0,
           sign="lower = knees closer together", headline=True),
        _m("kasr", "Knee width as a share of ankle width", "ratio", "%", FRONTAL, "knee_in", scale=100.0,
           sign="lower = knees closer together"),
        _m("mkd_left", "Knee moved inward from standing, left", "fraction of leg length", "% of leg length", FRONTAL,
           "knee_in", scale=100.0, sign="+ = toward the midline"),
        _m("mkd_right", "Knee moved inward from standing, right", "fraction of leg length", "% of leg length", FRONTAL,
           "knee_in", scale=100.0, sign="+ = toward the midline"),
    ),
    # --- squat / deadlift (side view, near side)
    *_computed_by("squat_sagittal",
        _m("knee_flexion_peak", "Deepest knee bend", "deg", "°", SIDE, "bending", band=6.0, series="knee_flexion_near",
           headline=True),
        _m("hip_flexion_peak", "Deepest hip bend", "deg", "°", SIDE, "bending", band=6.0, series="hip_flexion_near",
           headline=True),
        _m("shank_angle_bottom", "Shin angle at the bottom", "deg", "°", SIDE, "bending",
           sign="from vertical, + = knee ahead of the ankle", band=8.0, series="shank_angle_near"),
        _m("trunk_shank_diff_bottom", "Trunk lean beyond the shins at the bottom", "deg", "°", SIDE, "bending",
           sign="+ = trunk more inclined than the shins", band=8.0, headline=True),
        _m("depth_angle", "Depth: hip against knee (approx.)", "deg", "°", SIDE, "bending",
           sign="≤ 0 = hip at or below the knee (parallel or deeper)", band=6.0, series="depth_angle_near",
           headline=True),
        _m("knee_travel", "Knee travel past the toes", "fraction of foot length", "% of foot length", SIDE, "bending",
           scale=100.0, sign="+ = knee ahead of the toes"),
        _m("heel_lift", "Heel lift", "fraction of shank length", "% of shin length", SIDE, "bending", scale=100.0,
           sign="+ = heel above its standing height"),
        _m("bar_path_offset", "Hands ahead of mid-foot (bar path, approx.)", "fraction of foot length",
           "% of foot length", SIDE, "bending", scale=100.0, sign="+ = ahead of mid-foot", proxy=True),
    ),
    # --- lifts, frontal
    *_computed_by("lateral_shift",
        _m("lateral_shift", "Sideways hip shift at the bottom", "fraction of hip width", "% of hip width", FRONTAL,
           "side_to_side", scale=100.0, sign="+ = toward your left", headline=True),
    ),
    # --- single-leg lifts, frontal
    *_computed_by("stance_leg",
        _m("stance_knee_in", "Knee-in angle of the standing leg", "deg", "°", FRONTAL, "knee_in",
           sign=_KNEE_IN_SIGN, band=6.0, headline=True),
        _m("stance_pelvic_drop", "Pelvic drop on the free-leg side", "deg", "°", FRONTAL, "side_to_side",
           sign="+ = the free-leg hip lower than the standing hip", band=3.0, headline=True),
    ),
    # --- running
    *_computed_by("running",
        _m("cadence_spm", "Cadence", "spm", "steps/min", ALL_VIEWS, "counts", headline=True, needs=("real_time",)),
        _m("overstride", "Overstride: heel ahead of the hips at landing", "fraction of leg length", "% of leg length",
           SIDE, "landing", scale=100.0, sign="+ = heel ahead of the hips", headline=True),
        _m("tibia_angle_ic", "Shin angle at landing", "deg", "°", SIDE, "landing", sign="+ = ankle ahead of the knee",
           band=8.0),
        _m("knee_flexion_ic", "Knee bend at landing", "deg", "°", SIDE, "landing", band=6.0),
        _m("strike_angle", "Foot angle at landing, change from standing", "deg", "°", SIDE, "landing",
           sign="+ = heel first", band=8.0),
        _m("pelvic_drop_deg", "Pelvic drop at mid-stance", "deg", "°", FRONTAL, "side_to_side",
           sign="+ = swing-side hip lower", band=3.0, headline=True),
        _m("pelvic_drop_asymmetry", "Pelvic drop, left–right difference", "deg", "°", FRONTAL, "side_to_side",
           band=3.0),
        _m("step_width", "Step width at landing", "fraction of hip width", "% of hip width", FRONTAL, "side_to_side",
           scale=100.0, sign="− = foot crossed the midline"),
        _m("trunk_lean", "Trunk lean while running", "deg", "°", SIDE, "landing", sign="from vertical, + = forward",
           band=5.0, headline=True),
        _m("vertical_oscillation", "Hip bounce per step", "fraction of leg length", "% of leg length", ALL_VIEWS,
           "counts", scale=100.0, needs=("still_camera",)),
    ),
    # --- counts
    *_computed_by("counts",
        _m("rep_count", "Reps counted", "reps", "", ALL_VIEWS, "counts", headline=True),
    ),
)}
# fmt: on


def get(metric_id: str) -> MetricSpec:
    """The spec of ``metric_id`` (KeyError names the unknown id)."""
    try:
        return METRICS[metric_id]
    except KeyError:
        raise KeyError(f"unknown metric id {metric_id!r}") from None


def measurable(metric_id: str, view: str) -> bool:
    """Whether ``view`` can measure ``metric_id``."""
    return view in get(metric_id).views


def headline_ids() -> tuple[str, ...]:
    """Metrics shown in the app's headline table and the batch summary, in registry order."""
    return tuple(i for i, s in METRICS.items() if s.headline)


def computed_by(module: str) -> tuple[str, ...]:
    """Ids of the metrics one metric module computes, in registry order."""
    return tuple(i for i, s in METRICS.items() if s.module == module)


def chart_series() -> dict[str, str]:
    """metric id → the per-frame series it is read from (for threshold lines on charts)."""
    return {i: s.series for i, s in METRICS.items() if s.series}
