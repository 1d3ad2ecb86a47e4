"""Live-mode settings and what the coach knows after each frame: reps, sets, the current cue."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from ..context.view import FRONTAL_R, SAGITTAL_R

SETUP_MESSAGES = {
    "no_person": "Step into the frame so the camera can see you.",
    "body_not_in_frame": "Step back so your whole body is visible (head to feet).",
    "too_small": "Come a little closer: you should fill at least half of the frame height.",
    "turn_sideways": "Turn sideways for hinge checks (side-on to the camera).",
    "face_camera": "Face the camera (or turn your back to it) for knee-in checks.",
    "hold_still": "Stand tall and hold still for a second…",
}
SETUP_OK = "You're set up"
#: The coach's phases in words (``LiveState.phase`` keeps the short codes).
PHASE_LABELS = {"setup": "Setting up", "ready": "Ready", "rep": "In a rep"}
NO_PERSON = "No one in view"
_NOW = re.compile(r"^\s*now[,:]?\s+", re.I)  # the page already says "Now:" before the cue


@dataclass
class SetupStatus:
    ok: bool
    code: str  # "ok" or a SETUP_MESSAGES key
    message: str
    view_ratio: float = float("nan")


@dataclass
class LiveSettings:
    """Live-mode settings. ``check`` = "side" (hinge/squat depth, the default) or "front" (knee-in)."""

    exercise: str = "auto"  # auto | squat | deadlift | rdl | hinge
    check: str = "side"
    model: str = "full"
    max_side: int = 480  # frames are downscaled to this before inference (px)
    # One-Euro (spec §F.5: mincutoff ≈ 1 Hz); beta in Hz per (px/s) at the inference size
    mincutoff: float = 1.0
    beta: float = 0.02
    # setup
    min_vis: float = 0.5
    hold_s: float = 1.0  # setup must hold this long (standing) before counting
    lose_s: float = 1.5  # setup failing this long pauses counting
    # r = shoulder x-separation / torso length; the same view thresholds as the offline analysis
    side_ratio_max: float = SAGITTAL_R
    front_ratio_min: float = FRONTAL_R
    min_height_frac: float = 0.35
    # rep hysteresis (hip drop in leg lengths; hip–trunk angle in degrees)
    s_on: float = 0.06
    s_off: float = 0.035
    s_min: float = 0.15  # spec §F.8 prominence
    a_on: float = 20.0
    a_off: float = 8.0
    a_min: float = 35.0
    min_rep_s: float = 0.5
    max_rep_s: float = 15.0
    set_gap_s: float = 6.0
    cue_hold_s: float = 4.0


@dataclass
class LiveRep:
    """Summary of one rep (angles in degrees, spec §D; ``depth`` in leg lengths)."""

    index: int
    kind: str  # "squat" | "hinge"
    t_start: float
    t_bottom: float
    t_end: float
    depth: float  # max hip drop / L_leg
    hip_trunk_peak: float  # max hip–trunk flexion change from standing (deg)
    knee_flexion_peak: float | None = None
    hip_flexion_peak: float | None = None
    trunk_angle_bottom: float | None = None
    shank_angle_bottom: float | None = None
    depth_angle: float | None = None  # spec eq. 15: ≤ 0 ⇒ hip at/below knee ("parallel", approx.)
    trunk_first: bool | None = None  # hinge: trunk tipped ≥5° before hips moved back 0.03 L_thigh
    knee_in: float | None = None  # front view: knee separation / hip separation at bottom (NKSD)
    cue_id: str = "keep_going"  # the rule whose finding gave the cue ("keep_going" when none fired)
    cue: str = ""
    rule_id: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)  # metric id → value of this rep (offline metrics)

    @property
    def duration(self) -> float:
        return self.t_end - self.t_start

    def record(self) -> dict:
        """The raw fields (no per-rep metrics) for JSON: ids as keys, floats to 2 decimals, NaN → None."""
        d = asdict(self)
        d.pop("metrics")
        d["duration_s"] = round(self.duration, 2)
        for k, v in list(d.items()):
            if isinstance(v, float):
                d[k] = round(v, 2) if math.isfinite(v) else None
        return d

    def row(self) -> dict[str, object]:
        """The rep for people: labelled columns with units, angles in whole degrees, seconds to 0.1 s.

        Every column is present (None when not measured); :func:`rep_rows` leaves out the empty ones.
        """
        depth = None
        if self.kind == "squat" and self.depth_angle is not None and _ok(self.depth_angle):
            depth = "Hip at or below knee" if self.depth_angle <= 0 else "Above parallel"
        knee_in = self.knee_in if self.knee_in is not None and _ok(self.knee_in) else None
        return {
            "Rep": self.index,
            "Movement": self.kind.capitalize(),
            "Time": f"{self.t_start:.1f}–{self.t_end:.1f} s",
            "Rep time (s)": round(self.duration, 1),
            "Depth": depth,
            "Hip bend peak (°)": _deg(self.hip_trunk_peak),
            "Knee bend peak (°)": _deg(self.knee_flexion_peak),
            "Trunk lean forward at bottom (° from vertical)": _deg(self.trunk_angle_bottom),
            "Shin lean forward at bottom (° from vertical)": _deg(self.shank_angle_bottom),
            "Back moved before hips": None if self.trunk_first is None else ("Yes" if self.trunk_first else "No"),
            "Knee width at bottom (% of hip width; lower = knees closer)": None
            if knee_in is None
            else round(100 * knee_in),
            "Cue": self.cue or None,
        }


#: Columns that only mean something for one check (the other view cannot measure them).
SIDE_ONLY = (
    "Depth",
    "Hip bend peak (°)",
    "Knee bend peak (°)",
    "Trunk lean forward at bottom (° from vertical)",
    "Shin lean forward at bottom (° from vertical)",
    "Back moved before hips",
)
FRONT_ONLY = ("Knee width at bottom (% of hip width; lower = knees closer)",)


def _ok(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


def _deg(v: float | None) -> int | None:
    return round(v) if v is not None and _ok(v) else None


def rep_rows(reps: list[LiveRep], check: str | None = None) -> list[dict[str, object]]:
    """Table rows for ``reps``: :meth:`LiveRep.row` without the columns that are empty for every rep or that do
    not apply to ``check`` ("side" or "front")."""
    rows = [r.row() for r in reps]
    drop = set(FRONT_ONLY if check == "side" else SIDE_ONLY if check == "front" else ())
    keep = [k for k in (rows[0] if rows else {}) if k not in drop and any(r[k] is not None for r in rows)]
    return [{k: r[k] for k in keep} for r in rows]


@dataclass
class LiveSet:
    index: int
    reps: list[LiveRep]
    t_end: float

    def summary(self) -> str:
        if not self.reps:
            return f"Set {self.index}: no reps."
        cues: dict[str, list[int]] = {}
        for r in self.reps:
            if r.cue_id != "keep_going":
                cues.setdefault(r.cue, []).append(r.index)
        tempo = np.mean([r.duration for r in self.reps])
        parts = [f"Set {self.index}: {len(self.reps)} rep{'s' if len(self.reps) != 1 else ''}, {tempo:.1f} s per rep"]
        if cues:
            parts += [f"{c} (rep{'s' if len(ix) > 1 else ''} {', '.join(map(str, ix))})" for c, ix in cues.items()]
        else:
            parts.append("no fault flagged — keep doing what you are doing")
        return "; ".join(parts) + "."


@dataclass
class LiveState:
    """Snapshot of the coach after a frame (safe to hand to another thread)."""

    phase: str = "setup"  # setup | ready | rep
    setup: SetupStatus = field(default_factory=lambda: SetupStatus(False, "no_person", SETUP_MESSAGES["no_person"]))
    person: bool = False
    rep_count: int = 0  # reps in the current set
    total_reps: int = 0
    cue: str = SETUP_MESSAGES["no_person"]
    last_rep: LiveRep | None = None
    reps: list[LiveRep] = field(default_factory=list)  # current set
    sets: list[LiveSet] = field(default_factory=list)  # finished sets
    frames: int = 0
    frames_with_person: int = 0
    fps: float = 0.0  # frames processed per second of wall time (last 30 frames)
    latency_ms: float = 0.0  # model + overlay time per frame (EMA)
    t: float = 0.0
    wall: float = 0.0  # time.monotonic() of the last frame

    @property
    def set_number(self) -> int:
        """The set in progress (1 + the finished sets)."""
        return len(self.sets) + 1

    def phase_label(self) -> str:
        """The phase in words; "No one in view" whenever the last frame had no person."""
        return PHASE_LABELS.get(self.phase, self.phase) if self.person else NO_PERSON

    def cue_text(self) -> str:
        """The cue to show after "Now:": the step-into-frame message when no one is in view; no leading "Now"."""
        cue = self.cue if self.person else SETUP_MESSAGES["no_person"]
        cue = _NOW.sub("", cue or "", count=1)
        return cue[:1].upper() + cue[1:]

    def setup_text(self) -> str:
        """The setup check in words: "You're set up", or what to change."""
        return SETUP_OK if self.setup.ok else self.setup.message.rstrip(".…")

    def copy(self) -> LiveState:
        return replace(self, reps=list(self.reps), sets=list(self.sets))
