"""Causal, per-frame coaching for live mode (webcam / WebRTC).

One :class:`LiveCoach` per camera stream. Each call to :meth:`LiveCoach.process` takes an RGB
frame and its timestamp (seconds, any monotonic clock), runs the pose model (VIDEO mode),
smooths the landmarks with a One-Euro filter (causal — the offline Butterworth is zero-lag and
needs the future), and moves a small state machine:

``setup`` → (whole body visible, right view, standing still ≥ 1 s) → ``ready`` ⇄ ``rep`` → …

Reps are counted with hysteresis on two signals measured against the standing baseline:

* ``s`` = hip drop (y_MH − y_MH,stand) / L_leg (spec §F.8 squat signal; y down, + = lower);
* ``a`` = hip–trunk flexion 180 − ∠(MS, H, K) minus standing (spec eq. 9, near side; side view only).

A rep starts when s > ``s_on`` or a > ``a_on``, and ends when both fall back below ``s_off`` /
``a_off``; it counts when the excursion was deep enough (s ≥ ``s_min`` or a ≥ ``a_min``) and
lasted ≥ ``min_rep_s``. All thresholds are engineering choices (heuristics), not norms.

After each rep a :class:`LiveRep` summary (depth, knee/hip flexion, trunk and shank angle at the
bottom, hinge order) picks one coaching cue from ``rules/cues.toml``. A set ends after
``set_gap_s`` without a new rep; its reps form a :class:`LiveSet`.
"""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from . import geometry as G
from .context import FRONTAL_R, SAGITTAL_R
from .context import view_ratio as _view_ratio
from . import landmarks as L
from .filtering import OneEuroFilter
from .rules.engine import tomllib  # stdlib on 3.11+, tomli on 3.10

# -- cue wording (all from rules/cues.toml; the fallbacks only keep the engine alive if it is missing)
_CUES_PATH = Path(__file__).resolve().parent / "rules" / "cues.toml"
_FALLBACK = {
    "hinge": "Push your butt straight back — keep your chest proud, spine neutral.",
    "depth": "Sit a little deeper if pain-free.",
    "squat_trunk": "Keep your chest proud; sit between your heels.",
    "valgus": "Press the outer edge of your foot into the floor.",
    "keep_going": "Keep doing what you are doing.",
}

SETUP_MESSAGES = {
    "no_person": "Step into the frame so the camera can see you.",
    "body_not_in_frame": "Step back so your whole body is visible (head to feet).",
    "too_small": "Come a little closer: you should fill at least half of the frame height.",
    "turn_sideways": "Turn sideways for hinge checks (side-on to the camera).",
    "face_camera": "Face the camera (or turn your back to it) for knee-in checks.",
    "hold_still": "Stand tall and hold still for a second…",
}


def load_cues(path: str | Path | None = None) -> dict[str, str]:
    """Cue texts by id from ``cues.toml`` (``[cues.<id>] text``), with built-in fallbacks."""
    cues = dict(_FALLBACK)
    p = Path(path) if path else _CUES_PATH
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
        for k, v in (data.get("cues") or {}).items():
            if isinstance(v, dict) and v.get("text"):
                cues[k] = str(v["text"])
    except (OSError, tomllib.TOMLDecodeError):
        pass
    return cues


# ---------------------------------------------------------------------------------------------
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
class SetupStatus:
    ok: bool
    code: str  # "ok" or a SETUP_MESSAGES key
    message: str
    view_ratio: float = float("nan")


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
    cue_id: str = "keep_going"
    cue: str = ""

    @property
    def duration(self) -> float:
        return self.t_end - self.t_start

    def row(self) -> dict:
        d = asdict(self)
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
        cues = {}
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

    def copy(self) -> "LiveState":
        return replace(self, reps=list(self.reps), sets=list(self.sets))


# ---------------------------------------------------------------------------------------------
def view_ratio(xy: np.ndarray) -> float:
    """r = |x_LSh − x_RSh| / |MS − MH| (spec §F.7) of one frame ``xy`` (33,2) px; NaN when unknown."""
    return float(_view_ratio(xy[None])[0])


def setup_check(xy: np.ndarray | None, vis: np.ndarray | None, width: int, height: int,
                check: str = "side", s: LiveSettings = LiveSettings(), ratio: float | None = None) -> SetupStatus:
    """Is the person filmed so that live coaching works? Pure; one frame (``ratio`` may be smoothed).

    Checks, in order: a person; head, shoulders, hips, knees, ankles and heels visible (best of
    left/right ≥ ``min_vis``) and inside the frame; body height ≥ ``min_height_frac`` of the frame;
    the view (side for hinge checks, front/back for knee-in checks).
    """
    if xy is None or vis is None or not np.isfinite(xy[0, 0]):
        return SetupStatus(False, "no_person", SETUP_MESSAGES["no_person"])
    margin_x, margin_y = 0.01 * width, 0.01 * height
    inside = (xy[:, 0] >= -margin_x) & (xy[:, 0] <= width + margin_x) & (xy[:, 1] >= -margin_y) & (xy[:, 1] <= height + margin_y)
    good = (vis >= s.min_vis) & inside & np.isfinite(xy[:, 0])
    head_ok = bool(good[[L.NOSE, L.L_EAR, L.R_EAR]].any())
    pairs = [(L.L_SHOULDER, L.R_SHOULDER), (L.L_HIP, L.R_HIP), (L.L_KNEE, L.R_KNEE), (L.L_ANKLE, L.R_ANKLE),
             (L.L_HEEL, L.R_HEEL)]
    body_ok = all(good[a] or good[b] for a, b in pairs)
    r = view_ratio(xy) if ratio is None else ratio
    if not (head_ok and body_ok):
        return SetupStatus(False, "body_not_in_frame", SETUP_MESSAGES["body_not_in_frame"], r)
    top = float(np.nanmin(xy[[L.NOSE, L.L_EAR, L.R_EAR, L.L_SHOULDER, L.R_SHOULDER], 1]))
    bottom = float(np.nanmax(xy[[L.L_ANKLE, L.R_ANKLE, L.L_HEEL, L.R_HEEL, L.L_FOOT, L.R_FOOT], 1]))
    if (bottom - top) < s.min_height_frac * height:
        return SetupStatus(False, "too_small", SETUP_MESSAGES["too_small"], r)
    if check == "side" and not (r <= s.side_ratio_max):
        return SetupStatus(False, "turn_sideways", SETUP_MESSAGES["turn_sideways"], r)
    if check == "front" and not (r >= s.front_ratio_min):
        return SetupStatus(False, "face_camera", SETUP_MESSAGES["face_camera"], r)
    return SetupStatus(True, "ok", "Ready: start your set.", r)


class RepCounter:
    """Causal rep detector with hysteresis on hip drop ``s`` and hip–trunk flexion ``a``.

    Feed :meth:`update` once per frame; it returns ``(start, bottom, end)`` indices of the
    buffered frames when a rep completes, else None. NaN inputs count as "no information".
    """

    def __init__(self, settings: LiveSettings = LiveSettings()):
        self.s = settings
        self.reset()

    def reset(self) -> None:
        self.down = False
        self.t_start = 0.0
        self.t_low = getattr(self, "t_low", 0.0)
        self.s_max = -np.inf
        self.a_max = -np.inf
        self.t_peak_s = 0.0
        self.t_peak_a = 0.0

    def update(self, t: float, s: float, a: float) -> tuple[float, float, float, str, float, float] | None:
        """Returns ``(t_start, t_bottom, t_end, kind, s_max, a_max)`` when a rep completes.

        Start: s > s_on or a > a_on (the rep starts at the last frame below both). A start that
        falls back below both without reaching s_min / a_min is dropped (sway, unracking).
        End: s < max(s_off, 0.2·s_max) and a < max(a_off, 0.3·a_max) (cf. spec §F.8: boundaries
        where the signal returns near its baseline, relative to that rep's peak).
        """
        st = self.s
        has = bool(np.isfinite(s) or np.isfinite(a))
        s_ = float(s) if np.isfinite(s) else -np.inf
        a_ = float(a) if np.isfinite(a) else -np.inf
        low = s_ <= st.s_on and a_ <= st.a_on
        if not self.down:
            if low or not has:
                self.t_low = t
                return None
            self.down, self.t_start = True, self.t_low
            self.s_max, self.a_max, self.t_peak_s, self.t_peak_a = s_, a_, t, t
            return None
        if s_ > self.s_max:
            self.s_max, self.t_peak_s = s_, t
        if a_ > self.a_max:
            self.a_max, self.t_peak_a = a_, t
        if t - self.t_start > st.max_rep_s:
            self.reset()
            self.t_low = t
            return None
        deep = self.s_max >= st.s_min or self.a_max >= st.a_min
        if not deep:
            if low:
                self.reset()
                self.t_low = t
            return None
        s_end = max(st.s_off, 0.2 * self.s_max)
        a_end = max(st.a_off, 0.3 * self.a_max)
        if not (has and s_ < s_end and a_ < a_end):
            return None
        kind = "squat" if self.s_max >= st.s_min else "hinge"
        tb = self.t_peak_s if kind == "squat" else self.t_peak_a
        result = None
        if t - self.t_start >= st.min_rep_s:
            result = (self.t_start, tb, t, kind, float(self.s_max), float(self.a_max))
        self.reset()
        self.t_low = t
        return result


# ---------------------------------------------------------------------------------------------
class LiveCoach:
    """Per-frame live coaching: pose → One-Euro → setup check → rep counter → cue → overlay.

    ``process(image, t)`` is for camera frames (runs the model); ``process_pose(xy, vis, z, t,
    width, height)`` is the same engine on landmarks you already have (used by tests and replays).
    Thread-safe snapshot via :meth:`snapshot`. Use as a context manager (closes the model).
    """

    def __init__(self, settings: LiveSettings | None = None, model_path: str | Path | None = None):
        self.settings = settings or LiveSettings()
        self.model_path = model_path
        self._est = None
        self._lock = threading.Lock()
        self._cues = load_cues()
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------
    def reset(self) -> None:
        s = self.settings
        self.filter = OneEuroFilter(mincutoff=s.mincutoff, beta=s.beta)
        self.counter = RepCounter(s)
        self.state = LiveState()
        self._last_t = -np.inf
        self._ok_since: float | None = None
        self._bad_since: float | None = None
        self._baseline: dict | None = None
        self._hist: deque = deque(maxlen=600)  # (t, xy, vis, s, a) of recent frames
        self._ratios: deque = deque(maxlen=15)
        self._cue_until = -np.inf
        self._last_rep_t = -np.inf
        self._last_person_t = -np.inf
        self._walls: deque = deque(maxlen=30)  # wall-clock times of the last processed frames

    def _estimator(self):
        if self._est is None:
            from . import models
            from .pose import PoseEstimator, PoseSettings

            path = self.model_path or models.resolve(self.settings.model)
            ps = PoseSettings(model=self.settings.model, num_poses=1, masks=False, max_side=self.settings.max_side)
            self._est = PoseEstimator(path, ps, live=True).__enter__()
        return self._est

    def close(self) -> None:
        if self._est is not None:
            self._est.__exit__(None, None, None)
            self._est = None

    def __enter__(self) -> "LiveCoach":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def snapshot(self) -> LiveState:
        with self._lock:
            return self.state.copy()

    def end_set(self) -> LiveSet | None:
        """Close the current set now (e.g. when the user stops the camera)."""
        with self._lock:
            return self._close_set(self.state.t)

    # -- per frame ---------------------------------------------------------------------------
    def process(self, image: np.ndarray, t: float | None = None) -> tuple[np.ndarray, LiveState]:
        """Run on one RGB uint8 frame shown at ``t`` s; returns the annotated frame (a copy) and the state."""
        import cv2

        wall0 = time.perf_counter()
        if t is None:
            t = time.monotonic()
        h, w = image.shape[:2]
        scale = min(1.0, self.settings.max_side / max(h, w))
        small = image if scale >= 1.0 else cv2.resize(image, (max(2, int(w * scale)), max(2, int(h * scale))),
                                                     interpolation=cv2.INTER_AREA)
        pose = self._estimator().process(small, t, (w, h))
        xy, vis = self.process_pose(pose.xy, pose.visibility, t, w, h, z=pose.z)
        out = np.array(image, copy=True)
        self.draw(out, xy, vis)
        dt = time.perf_counter() - wall0
        with self._lock:
            st = self.state
            st.latency_ms = 1000 * dt if st.latency_ms == 0 else 0.9 * st.latency_ms + 100 * dt
            now = time.monotonic()
            self._walls.append(now)
            if len(self._walls) >= 2 and self._walls[-1] > self._walls[0]:
                st.fps = (len(self._walls) - 1) / (self._walls[-1] - self._walls[0])  # frames/s over the last ≤ 30
            st.wall = now
            return out, st.copy()

    def process_pose(self, xy: np.ndarray, vis: np.ndarray, t: float, width: int, height: int,
                     z: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Advance the engine by one frame of landmarks (px, NaN if nobody); returns the filtered xy."""
        s = self.settings
        t = float(t)
        if t <= self._last_t:
            t = self._last_t + 1e-3
        self._last_t = t
        xy = np.asarray(xy, np.float64)
        vis = np.asarray(vis, np.float64)
        person = bool(np.isfinite(xy[0, 0]))
        if person:
            xy = np.where((vis >= 0.2)[:, None], xy, np.nan)  # invisible points would drag the filter
        fxy = self.filter(xy, t) if person else np.full((33, 2), np.nan)
        if person:
            self._last_person_t = t
            self._ratios.append(view_ratio(fxy))
        ratio = float(np.nanmedian(self._ratios)) if person and np.isfinite(self._ratios).any() else float("nan")
        status = setup_check(fxy if person else None, vis if person else None, width, height, s.check, s, ratio=ratio)
        with self._lock:
            st = self.state
            st.frames += 1
            st.frames_with_person += int(person)
            st.person, st.t = person, t
            self._step(t, fxy, vis, z, status)
        return fxy, vis

    # -- the state machine ---------------------------------------------------------------------
    def _signals(self, xy: np.ndarray, vis: np.ndarray) -> tuple[float, float]:
        b = self._baseline
        if b is None or not np.isfinite(xy[0, 0]):
            return float("nan"), float("nan")
        mh = G.midpoint(xy[L.L_HIP], xy[L.R_HIP])
        s = (mh[1] - b["mh_y"]) / b["leg"]
        a = float("nan")
        if self.settings.check == "side":
            hip, knee = L.LEG[b["side"]][:2]
            ms = G.midpoint(xy[L.L_SHOULDER], xy[L.R_SHOULDER])
            a = 180.0 - float(G.angle3(ms, xy[hip], xy[knee])) - b["hip_trunk"]
        return float(s), a

    def _make_baseline(self, t: float) -> dict | None:
        frames = [(ft, fxy, fvis) for ft, fxy, fvis, *_ in self._hist if ft >= t - self.settings.hold_s]
        if len(frames) < 3:
            return None
        xy = np.stack([f[1] for f in frames])
        vis = np.stack([f[2] for f in frames])
        side = G.near_side(vis)
        hip, knee, ankle = L.LEG[side][:3]
        with np.errstate(invalid="ignore"):
            mh = G.midpoint(xy[:, L.L_HIP], xy[:, L.R_HIP])
            ms = G.midpoint(xy[:, L.L_SHOULDER], xy[:, L.R_SHOULDER])
            leg = G.segment_length(xy[:, hip], xy[:, knee]) + G.segment_length(xy[:, knee], xy[:, ankle])
            thigh = G.segment_length(xy[:, hip], xy[:, knee])
            ht = 180.0 - G.angle3(ms, xy[:, hip], xy[:, knee])
        leg_m = float(np.nanmedian(leg))
        if not np.isfinite(leg_m) or leg_m <= 1:
            return None
        # standing still: hip height varies < 3 % of the leg length over the window
        if float(np.nanmax(mh[:, 1]) - np.nanmin(mh[:, 1])) > 0.06 * leg_m:
            return None
        direction = G.facing_direction(xy) if self.settings.check == "side" else 0
        return {"mh_y": float(np.nanmedian(mh[:, 1])), "mh_x": float(np.nanmedian(mh[:, 0])), "leg": leg_m,
                "thigh": float(np.nanmedian(thigh)), "hip_trunk": float(np.nanmedian(ht)), "side": side,
                "direction": int(direction), "t": t}

    def _step(self, t: float, xy: np.ndarray, vis: np.ndarray, z, status: SetupStatus) -> None:
        s, st = self.settings, self.state
        sig_s, sig_a = self._signals(xy, vis)
        self._hist.append((t, xy, vis, sig_s, sig_a))
        in_rep = self.counter.down
        st.setup = status
        # set ends after a pause without reps (or the person walked away)
        if st.reps and (t - self._last_rep_t) > s.set_gap_s and not in_rep:
            self._close_set(t)
        if st.phase == "setup":
            if status.ok:
                self._ok_since = t if self._ok_since is None else self._ok_since
                if t - self._ok_since >= s.hold_s:
                    b = self._make_baseline(t)
                    if b is not None:
                        self._baseline = b
                        st.phase = "ready"
                        st.cue = "Ready — start your set." if not st.reps else st.cue
                        self._bad_since = None
                        return
                st.cue = SETUP_MESSAGES["hold_still"]
            else:
                self._ok_since = None
                st.cue = status.message
            return
        # counting phases: a failing setup pauses counting only when it persists (and not mid-rep)
        lost = not status.ok and not (in_rep and st.person)
        if lost:
            self._bad_since = t if self._bad_since is None else self._bad_since
            if t - self._bad_since >= s.lose_s:
                st.phase, self._ok_since, self._baseline = "setup", None, None
                self.counter.reset()
                st.cue = status.message
                return
        else:
            self._bad_since = None
        done = self.counter.update(t, sig_s, sig_a)
        st.phase = "rep" if self.counter.down else "ready"
        if done is not None:
            rep = self._summarise(*done)
            st.reps.append(rep)
            st.rep_count = len(st.reps)
            st.total_reps += 1
            st.last_rep = rep
            st.cue = rep.cue
            self._last_rep_t = t
            self._cue_until = t + s.cue_hold_s
        elif t > self._cue_until:
            if st.phase == "rep":
                st.cue = "Down… and up." if self.counter.s_max < s.s_min and self.counter.a_max < s.a_min else "Now stand tall."
            elif lost:
                st.cue = status.message
            elif not st.reps:
                st.cue = "Ready — start your set."

    def _close_set(self, t: float) -> LiveSet | None:
        st = self.state
        if not st.reps:
            return None
        ls = LiveSet(len(st.sets) + 1, list(st.reps), t)
        st.sets.append(ls)
        st.reps = []
        st.rep_count = 0
        st.cue = ls.summary()
        self._cue_until = t + self.settings.cue_hold_s
        return ls

    def _summarise(self, t0: float, tb: float, t1: float, kind: str, s_max: float, a_max: float) -> LiveRep:
        b = self._baseline or {}
        frames = [h for h in self._hist if t0 - 0.3 <= h[0] <= t1]
        rep = LiveRep(len(self.state.reps) + 1, kind, t0, tb, t1, s_max, a_max)
        ex = self.settings.exercise
        if ex in ("deadlift", "rdl", "hinge"):
            rep.kind = "hinge" if ex in ("rdl", "hinge") or s_max < self.settings.s_min else kind
        elif ex == "squat":
            rep.kind = "squat"
        if frames and b:
            T = np.array([f[0] for f in frames])
            XY = np.stack([f[1] for f in frames])
            ib = int(np.argmin(np.abs(T - tb)))
            side = b["side"]
            hip, knee, ankle = L.LEG[side][:3]
            with np.errstate(invalid="ignore"):
                ms = G.midpoint(XY[:, L.L_SHOULDER], XY[:, L.R_SHOULDER])
                mh = G.midpoint(XY[:, L.L_HIP], XY[:, L.R_HIP])
                kf = 180.0 - G.angle3(XY[:, hip], XY[:, knee], XY[:, ankle])
                hf = 180.0 - G.angle3(ms, XY[:, hip], XY[:, knee])
            rep.knee_flexion_peak = _nanmax(kf)
            rep.hip_flexion_peak = _nanmax(hf)
            if self.settings.check == "side":
                d = b.get("direction") or 1
                with np.errstate(invalid="ignore"):
                    trunk = G.segment_angle_from_vertical(mh, ms, d)
                    shank = G.segment_angle_from_vertical(XY[:, ankle], XY[:, knee], d)
                    K, H = XY[ib, knee], XY[ib, hip]
                    rep.depth_angle = _finite(math.degrees(math.atan2(K[1] - H[1], abs(K[0] - H[0]))))
                rep.trunk_angle_bottom = _finite(trunk[ib])
                rep.shank_angle_bottom = _finite(shank[ib])
                if rep.kind == "hinge" and b.get("direction"):
                    # spec §C (no mask): "trunk tips before hips move back" — θ_T +5° while h < 0.03
                    h = -d * (mh[:, 0] - b["mh_x"]) / max(b["thigh"], 1.0)
                    k0 = np.flatnonzero(T >= t0 - 0.3)
                    tr0 = G.finite_median(trunk[k0[:3]]) if k0.size else np.nan
                    tips = np.flatnonzero((trunk - tr0) >= 5.0)
                    if tips.size and np.isfinite(tr0):
                        hb = h[tips[0]]
                        rep.trunk_first = bool(np.isfinite(hb) and hb < 0.03)
            else:  # front/back: knee separation / hip separation at the bottom (NKSD)
                ks = abs(XY[ib, L.L_KNEE, 0] - XY[ib, L.R_KNEE, 0])
                hs = abs(XY[ib, L.L_HIP, 0] - XY[ib, L.R_HIP, 0])
                rep.knee_in = _finite(ks / hs) if hs > 1 else None
        rep.cue_id = self._pick_cue(rep)
        rep.cue = self._cues.get(rep.cue_id, _FALLBACK.get(rep.cue_id, ""))
        return rep

    def _pick_cue(self, r: LiveRep) -> str:
        """One cue per rep, most important first (hinge order, then trunk, then depth)."""
        if self.settings.check == "front":
            return "valgus" if (r.knee_in is not None and r.knee_in < 0.6) else "keep_going"
        if r.kind == "hinge":
            return "hinge" if r.trunk_first else "keep_going"
        if r.trunk_angle_bottom is not None and r.shank_angle_bottom is not None \
                and (r.trunk_angle_bottom - r.shank_angle_bottom) > 15.0:
            return "squat_trunk"
        if r.depth_angle is not None and r.depth_angle > 0.0:
            return "depth"
        return "keep_going"

    # -- drawing -------------------------------------------------------------------------------
    def draw(self, img: np.ndarray, xy: np.ndarray, vis: np.ndarray) -> np.ndarray:
        """Skeleton, a top banner (rep counter or setup message) and the current cue at the bottom."""
        from .overlay import annotate, draw_label

        st = self.state
        if st.phase == "setup":
            banner = f"SETUP: {st.setup.message}" if not st.setup.ok else "SETUP: hold still..."
        else:
            banner = f"REPS {st.rep_count}" + (f"  (total {st.total_reps})" if st.total_reps != st.rep_count else "")
        annotate(img, xy if st.person else None, vis, banner=None, angles=st.person)
        _banner(img, banner, ok=st.phase != "setup")
        if st.phase != "setup" and st.cue:
            h, w = img.shape[:2]
            s = max(0.4, min(h, w) / 900)
            lines = _wrap(st.cue, w - 16, s)
            lh = int(30 * s) + 8
            for i, line in enumerate(lines[-3:]):
                draw_label(img, line, (8, h - (len(lines[-3:]) - i) * lh - 4), scale=s)
        return img


def _banner(img: np.ndarray, text: str, ok: bool) -> None:
    from .overlay import draw_label

    h, w = img.shape[:2]
    s = max(0.5, min(h, w) / 700)
    bg = (30, 130, 60) if ok else (180, 40, 40)
    for i, line in enumerate(_wrap(text, w - 16, s)[:2]):
        draw_label(img, line, (8, 8 + i * (int(30 * s) + 10)), scale=s, bg=bg)


_ASCII = str.maketrans({"\u2014": "-", "\u2013": "-", "\u2026": "...", "\u2019": "'", "\u2018": "'",
                        "\u201c": '"', "\u201d": '"', "\u00b0": " deg", "\u2264": "<=", "\u2265": ">="})


def _wrap(text: str, max_w: int, scale: float) -> list[str]:
    """Split ``text`` into lines that fit ``max_w`` px (Hershey fonts are ASCII-only: map the rest)."""
    import cv2

    text = text.translate(_ASCII).encode("ascii", "replace").decode()

    th = max(1, int(round(scale * 2)))
    words, lines, cur = text.split(), [], ""
    for wd in words:
        cand = f"{cur} {wd}".strip()
        if cur and cv2.getTextSize(cand, cv2.FONT_HERSHEY_SIMPLEX, scale, th)[0][0] > max_w:
            lines.append(cur)
            cur = wd
        else:
            cur = cand
    if cur:
        lines.append(cur)
    return lines or [""]


def _finite(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _nanmax(x) -> float | None:
    x = np.asarray(x, float)
    return float(np.nanmax(x)) if np.isfinite(x).any() else None

