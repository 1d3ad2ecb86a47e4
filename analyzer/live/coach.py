"""Causal, per-frame coaching for live mode (webcam / WebRTC), on the same metrics and rules as a clip.

One :class:`LiveCoach` per camera stream. Each call to :meth:`LiveCoach.process` takes an RGB frame and
its timestamp (seconds, any monotonic clock), runs the pose model (VIDEO mode), smooths the landmarks
with a One-Euro filter (causal — the offline Butterworth is zero-lag and needs the future), and moves a
small state machine:

``setup`` → (whole body visible, right view, standing still ≥ 1 s) → ``ready`` ⇄ ``rep`` → …

Reps are counted with hysteresis (:class:`~analyzer.live.reps.RepCounter`). After each rep, the frames of
the standing hold and of that rep become a small :class:`~analyzer.clean.track.CleanTrack`, and the
offline stages run on it: :func:`~analyzer.kinematics.frame_kinematics`, :func:`~analyzer.metrics.compute_metrics`
and the rules of ``rules.toml`` listed in its ``[live]`` section (most important first; the first that fires
gives the cue, its threshold the same as offline; ``min_reps`` does not apply to one rep). A set ends after
``set_gap_s`` without a new rep; its reps form a :class:`~analyzer.live.state.LiveSet`.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from pathlib import Path

import numpy as np

from .. import exercises as X
from .. import geometry as G
from .. import landmarks as L
from ..clean.one_euro import OneEuroFilter
from ..clean.track import from_filtered
from ..rules.evaluate import evaluate_rule
from ..rules.loader import load_rules
from ..rules.model import Skip
from ..types import Context, MetricSet, Rep, View
from .draw import draw_live, live_painter
from .reps import RepCounter
from .setup import setup_check, view_ratio
from .state import (
    SETUP_MESSAGES,
    LiveRep,
    LiveSet,
    LiveSettings,
    LiveState,
    SetupStatus,
)

#: Seconds of frames kept before a rep's start for its onset baseline (hinge timing needs quiet frames).
LEAD_S = 1.0


class LiveCoach:
    """Per-frame live coaching: pose → One-Euro → setup check → rep counter → metrics → rules → cue → overlay.

    ``process(image, t)`` is for camera frames (runs the model); ``process_pose(xy, vis, t, width, height,
    z=...)`` is the same engine on landmarks you already have (used by tests and replays). Thread-safe
    snapshot via :meth:`snapshot`. Use as a context manager (closes the model).
    """

    def __init__(
        self,
        settings: LiveSettings | None = None,
        model_path: str | Path | None = None,
        rules_path: str | Path | None = None,
    ):
        self.settings = settings or LiveSettings()
        self.model_path = model_path
        self.rules = load_rules(rules_path)
        self._est = None
        self._lock = threading.Lock()
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------
    def reset(self) -> None:
        s = self.settings
        self.filter = OneEuroFilter(mincutoff=s.mincutoff, beta=s.beta)
        self.counter = RepCounter(s)
        self.state = LiveState()
        self._paint = live_painter(s.check)
        self._last_t = -np.inf
        self._ok_since: float | None = None
        self._bad_since: float | None = None
        self._baseline: dict | None = None
        self._hist: deque = deque(maxlen=600)  # (t, xy, vis, z, s, a) of recent frames
        self._ratios: deque = deque(maxlen=15)
        self._cue_until = -np.inf
        self._last_rep_t = -np.inf
        self._last_person_t = -np.inf
        self._size = (0, 0)
        self._walls: deque = deque(maxlen=30)  # wall-clock times of the last processed frames

    def _estimator(self):
        if self._est is None:
            from ..capture import models
            from ..track.estimator import PoseEstimator
            from ..track.settings import PoseSettings

            path = self.model_path or models.resolve(self.settings.model)
            ps = PoseSettings(model=self.settings.model, num_poses=1, masks=False, max_side=self.settings.max_side)
            self._est = PoseEstimator(path, ps, live=True).__enter__()
        return self._est

    def close(self) -> None:
        if self._est is not None:
            self._est.__exit__(None, None, None)
            self._est = None

    def __enter__(self) -> LiveCoach:
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
        small = (
            image
            if scale >= 1.0
            else cv2.resize(image, (max(2, int(w * scale)), max(2, int(h * scale))), interpolation=cv2.INTER_AREA)
        )
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

    def process_pose(
        self, xy: np.ndarray, vis: np.ndarray, t: float, width: int, height: int, z: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Advance the engine by one frame of landmarks (px, NaN if nobody); returns the filtered xy."""
        s = self.settings
        t = float(t)
        if t <= self._last_t:
            t = self._last_t + 1e-3
        self._last_t = t
        self._size = (int(width), int(height))
        xy = np.asarray(xy, np.float64)
        vis = np.asarray(vis, np.float64)
        z = np.full(33, np.nan) if z is None else np.asarray(z, np.float64)
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
    def _signals(self, xy: np.ndarray) -> tuple[float, float]:
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
        frames = [h for h in self._hist if h[0] >= t - self.settings.hold_s]
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
            ht = 180.0 - G.angle3(ms, xy[:, hip], xy[:, knee])
        leg_m = float(np.nanmedian(leg))
        if not np.isfinite(leg_m) or leg_m <= 1:
            return None
        # standing still: hip height varies < 3 % of the leg length over the window
        if float(np.nanmax(mh[:, 1]) - np.nanmin(mh[:, 1])) > 0.06 * leg_m:
            return None
        direction = G.facing_direction(xy) if self.settings.check == "side" else 0
        return {
            "mh_y": float(np.nanmedian(mh[:, 1])),
            "leg": leg_m,
            "hip_trunk": float(np.nanmedian(ht)),
            "side": side,
            "direction": int(direction),
            "t": t,
            "frames": list(frames),
        }

    def _step(self, t: float, xy: np.ndarray, vis: np.ndarray, z: np.ndarray, status: SetupStatus) -> None:
        s, st = self.settings, self.state
        sig_s, sig_a = self._signals(xy)
        self._hist.append((t, xy, vis, z, sig_s, sig_a))
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
                st.cue = (
                    "Down… and up."
                    if self.counter.s_max < s.s_min and self.counter.a_max < s.a_min
                    else "Now stand tall."
                )
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

    # -- one rep through the offline stages ------------------------------------------------------
    def _exercise(self, kind: str) -> str:
        ex = self.settings.exercise
        if ex in X.EXERCISES and X.EXERCISES[ex].is_lift:
            return ex
        return "squat" if kind == "squat" else "hinge"

    def _rep_metrics(self, t0: float, tb: float, t1: float, exercise: str) -> tuple[MetricSet, Context] | None:
        """The offline metrics of one rep: the standing hold plus the rep's frames as a small clean track."""
        b = self._baseline
        if not b:
            return None
        base = b["frames"]
        rep = [h for h in self._hist if t0 - LEAD_S <= h[0] <= t1 and h[0] > base[-1][0]]
        frames = base + rep
        if len(rep) < 3:
            return None
        T = np.array([f[0] for f in frames])
        clean = from_filtered(
            T,
            np.stack([f[1] for f in frames]),
            np.stack([f[2] for f in frames]),
            np.stack([f[3] for f in frames]),
            *self._size,
        )
        i0 = len(base) + int(np.searchsorted([f[0] for f in rep], t0))
        ib = int(np.argmin(np.abs(T - tb)))
        i1 = len(frames) - 1
        check = self.settings.check
        view: View = "side" if check == "side" else "front"
        d = (b.get("direction") or 1) if check == "side" else 0
        ctx = Context(
            view=view,
            view_confidence=1.0,
            direction=d,
            near_side=b["side"] if check == "side" else None,
            exercise=exercise,
            baseline=(0, len(base)),
            reps=[Rep(1, i0, ib, i1, float(T[i0]), float(T[ib]), float(T[i1]))],
        )
        from ..kinematics import frame_kinematics
        from ..metrics import compute_metrics

        kin = frame_kinematics(clean, d or 1, ctx.near_side or "left")
        return compute_metrics(clean, ctx, kin), ctx

    def _pick_finding(self, ms: MetricSet, ctx: Context):
        """The first live rule (``[live]`` in rules.toml, most important first) that fires on this rep, or None."""
        skipped: list[Skip] = []
        for rid in self.rules.live.get(self.settings.check, []):
            rule = self.rules.rule(rid)
            if (ctx.exercise not in rule.exercises and "any" not in rule.exercises) or ctx.view not in rule.views:
                continue
            for mids in [rule.metrics] if rule.combine == "all" else [[m] for m in rule.metrics]:
                f = evaluate_rule(rule, mids, ms, ctx, skipped, min_reps=False)
                if f is not None and f.severity != "positive":
                    return f
        return None

    def _summarise(self, t0: float, tb: float, t1: float, kind: str, s_max: float, a_max: float) -> LiveRep:
        ex = self.settings.exercise
        spec = X.get(ex)
        if spec is not None and spec.family == "hinge":
            kind = "hinge" if spec.rep_signal == "hip_trunk_angle" or s_max < self.settings.s_min else kind
        elif ex == "squat":
            kind = "squat"
        rep = LiveRep(len(self.state.reps) + 1, kind, t0, tb, t1, s_max, a_max)
        got = self._rep_metrics(t0, tb, t1, self._exercise(kind))
        finding = None
        if got is not None:
            ms, ctx = got
            for field_, mid in (
                ("knee_flexion_peak", "knee_flexion_peak"),
                ("hip_flexion_peak", "hip_flexion_peak"),
                ("trunk_angle_bottom", "trunk_angle_bottom"),
                ("shank_angle_bottom", "shank_angle_bottom"),
                ("depth_angle", "depth_angle"),
                ("knee_in", "nksd"),
            ):
                m = ms.get(mid)
                if m is not None and m.status == "ok" and m.value is not None:
                    setattr(rep, field_, float(m.value))
            fl = ms.get("hinge_back_first_fraction")
            if fl is not None and fl.status == "ok" and fl.value is not None:
                rep.trunk_first = bool(fl.value > 0)
            rep.metrics = {
                k: float(m.value)
                for k, m in ms.values.items()
                if m.status == "ok" and m.value is not None and k != "rep_count"
            }
            finding = self._pick_finding(ms, ctx)
        if finding is not None:
            rep.cue_id, rep.cue, rep.rule_id = finding.rule_id, finding.cue, finding.rule_id
        else:
            rep.cue_id, rep.cue = "keep_going", self.rules.cues.cue_text("keep_going")
        return rep

    # -- drawing -------------------------------------------------------------------------------
    def draw(self, img: np.ndarray, xy: np.ndarray, vis: np.ndarray) -> np.ndarray:
        """Skeleton, a top banner (rep counter or setup message) and the current cue at the bottom."""
        return draw_live(img, xy, vis, self.state, self._paint)
