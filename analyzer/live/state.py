"""Live-mode settings and what the coach knows after each frame: reps, sets, the current cue."""

from __future__ import annotations

import math
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

    def row(self) -> dict:
        d = asdict(self)
        d.pop("metrics")
        d["duration_s"] = round(self.duration, 2)
        for k, v in list(d.items()):
            if isinstance(v, float):
                d[k] = round(v, 2) if math.isfinite(v) else None
        return d


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

    def copy(self) -> LiveState:
        return replace(self, reps=list(self.reps), sets=list(self.sets))
