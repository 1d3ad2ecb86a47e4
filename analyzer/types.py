"""Result dataclasses passed between stages (context → metrics → findings → report).

Conventions (see ``docs/method_spec`` conventions): pixels, y down; angles in degrees;
times in seconds from clip start; frame indices index the PoseTrack arrays.
``direction`` (``dir`` in the spec) is +1 when the subject faces +x (image right).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import Any, Literal

import numpy as np

View = Literal["side", "front", "back", "oblique", "unknown"]
Exercise = str  # a name of the exercise registry (analyzer.exercises.NAMES), or "unknown"
Side = Literal["left", "right"]
Severity = Literal["red", "amber", "info", "positive"]
Category = Literal["pelvis", "nerves", "muscles", "technique", "setup", "load"]
MetricStatus = Literal["ok", "not_measurable", "insufficient_data"]

NOT_MEASURABLE_FROM_VIEW = "not measurable from this view"


@dataclass
class SetupIssue:
    """A problem with how the clip was filmed, said as what to do about it."""

    code: str  # e.g. "body_not_in_frame", "turn_sideways", "camera_not_level", "low_fps"
    message: str  # e.g. "Whole body not in frame: step back so feet and head are visible."
    severity: Literal["blocking", "warning"] = "warning"


@dataclass
class ClipWarning:
    """Something about the footage the report must say (several people, the person out of view, a damaged file)."""

    code: str  # e.g. "several_people", "out_of_view", "damaged_file"
    message: str  # one plain sentence for the user

    @classmethod
    def from_json(cls, d: dict[str, str] | str) -> ClipWarning:
        """From its JSON form ({code, message}); a bare message string gets the code "note"."""
        return cls("note", d) if isinstance(d, str) else cls(str(d["code"]), str(d["message"]))


@dataclass
class Rep:
    """One repetition: frame indices of start, bottom (deepest point) and end."""

    index: int  # 1-based
    start: int
    bottom: int
    end: int
    t_start: float
    t_bottom: float
    t_end: float
    valid: bool = True  # False when < 80 % of its frames have valid landmarks
    note: str | None = None
    from_bottom: bool = False  # began at its bottom (a pull from the floor): no descent before it
    complete: bool = True  # False when the lifter never came back up from the bottom (failed, or the clip ended)


@dataclass
class GaitEvent:
    """Running: an initial contact ("ic") or toe-off ("to") of one foot."""

    foot: Side
    kind: Literal["ic", "to"]
    frame: int
    t: float


@dataclass
class Context:
    """What the clip shows: view, facing, near side, exercise, reps/strides, baseline."""

    view: View
    view_confidence: float  # 0..1
    direction: int  # +1 faces +x, -1 faces −x, 0 unknown/frontal
    near_side: Side | None  # side nearer the camera (sagittal metrics use it)
    exercise: Exercise
    exercise_source: Literal["auto", "user"] = "auto"
    view_source: Literal["auto", "user"] = "auto"
    view_segments: list[tuple[float, float, View]] = field(default_factory=list)  # (t0, t1, view)
    baseline: tuple[int, int] | None = None  # standing frames [i0, i1)
    baseline_source: Literal["standing", "lockout"] | None = None  # lockout: no standing second, less sure
    reps: list[Rep] = field(default_factory=list)
    gait_events: list[GaitEvent] = field(default_factory=list)
    setup_issues: list[SetupIssue] = field(default_factory=list)
    facing_camera: bool | None = None  # front (True) vs back (False) for frontal views
    footage: list[ClipWarning] = field(default_factory=list)  # slow motion, moving camera (context.footage)

    def to_dict(self) -> dict[str, Any]:
        return clean_json(self)


@dataclass
class MetricValue:
    """One metric for the clip, with per-rep (or per-stride) values and its evidence.

    A metric that the view cannot measure has ``status="not_measurable"``,
    ``value=None`` and ``reason=NOT_MEASURABLE_FROM_VIEW``, never a number.
    """

    id: str  # e.g. "fppa_left", "hinge_lag_ms", "knee_flexion_peak"
    label: str  # human label, e.g. "Knee-in angle (FPPA), left"
    unit: str  # "deg", "ms", "ratio", "spm", "fraction of leg length", ...
    value: float | None  # clip summary (mean over valid reps unless stated)
    per_rep: list[float | None] = field(default_factory=list)
    frames: list[int | None] = field(default_factory=list)  # frame index of the value per rep
    times: list[float | None] = field(default_factory=list)
    status: MetricStatus = "ok"
    reason: str | None = None
    confidence: float = 1.0  # 0..1
    proxy: bool = False  # True for proxies (e.g. back-contour), labelled as such
    relative_to_baseline: bool = False  # value is a change from the person's standing baseline
    band: float | None = None  # display error band (±, same unit)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def not_measurable(cls, id: str, label: str, unit: str, reason: str = NOT_MEASURABLE_FROM_VIEW) -> MetricValue:
        return cls(id=id, label=label, unit=unit, value=None, status="not_measurable", reason=reason, confidence=0.0)


@dataclass
class MetricSet:
    """All metrics of a clip, plus per-frame series for charts and CSV."""

    values: dict[str, MetricValue] = field(default_factory=dict)
    series: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (T,) float, NaN where unknown
    per_rep_rows: list[dict[str, Any]] = field(default_factory=list)  # table rows (rep or stride)

    def add(self, m: MetricValue) -> None:
        self.values[m.id] = m

    def get(self, id: str) -> MetricValue | None:
        return self.values.get(id)

    def merge(self, other: MetricSet) -> MetricSet:
        """Take ``other``'s values, series and rows in (later values of the same id win); returns self."""
        self.values.update(other.values)
        self.series.update(other.series)
        self.per_rep_rows.extend(other.per_rep_rows)
        return self


@dataclass
class Drill:
    name: str
    how: str
    dose: str | None = None
    source: str | None = None
    caution: str | None = None  # e.g. "Don't add weight until you can hold clean form for 30 seconds."


@dataclass
class Finding:
    """A coaching finding produced by a rule, with the evidence behind it."""

    rule_id: str
    severity: Severity
    category: Category
    title: str
    cue: str
    why: str
    metric: str | None
    value: float | None
    threshold: float | None
    comparator: str | None  # ">", "<", ">=", ...
    unit: str | None
    reps: list[int] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    confidence: float = 1.0
    drills: list[Drill] = field(default_factory=list)
    source: str | None = None
    proxy: bool = False
    note: str | None = None  # e.g. "Seen on your 1 rep; film 3 for a surer read."

    def evidence(self) -> str:
        """One line: the metric, its value against the threshold, and where it happened."""
        if self.metric is None or self.value is None:
            return ""
        where = ""
        if self.reps:
            where = f" on rep{'s' if len(self.reps) > 1 else ''} {', '.join(map(str, self.reps))}"
        if self.times:
            where += f" (at {', '.join(f'{t:.2f} s' for t in self.times[:4])})"
        thr = f" {self.comparator} {self.threshold:g}" if self.threshold is not None and self.comparator else ""
        return (
            f"{self.metric} = {self.value:.3g} {self.unit or ''}{' vs threshold' + thr if thr else ''}{where}".strip()
        )


def clean_json(o: Any) -> Any:
    """JSON-ready copy: numpy → Python, NaN/±inf → None, tuples/sets → lists, dataclasses → dicts, paths → str."""
    if hasattr(o, "__dataclass_fields__") and not isinstance(o, type):
        return clean_json(asdict(o))
    if isinstance(o, dict):
        return {str(k): clean_json(v) for k, v in o.items()}
    if isinstance(o, (list, tuple, set)):
        return [clean_json(v) for v in o]
    if isinstance(o, np.ndarray):
        return clean_json(o.tolist())
    if isinstance(o, (bool, np.bool_)):
        return bool(o)
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, (float, np.floating)):
        f = float(o)
        return f if math.isfinite(f) else None
    if isinstance(o, PurePath):
        return str(o)
    return o
