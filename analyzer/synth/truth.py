"""Ground truth of a synthetic clip: projected joint centres, true angles, events, expected findings.

Angle conventions follow ``method_spec.md``:

* 2D angles (``angles_2d``) are the spec formulas applied to the *true* joint centres
  projected into the image (what a perfect 2D landmark detector would give):
  knee flexion 180−∠(H,K,A); hip flexion = hip–trunk angle 180−∠(MS,H,K); trunk
  φ(MH→MS), thigh φ(H→K), shank φ(A→K) with φ(a→b)=atan2(dir·(b_x−a_x), a_y−b_y)
  (+ = tilted forward; only in side/oblique views where dir ≠ 0); depth angle
  atan2(y_K−y_H, |x_K−x_H|); FPPA 180−∠(H,K,A), + when the knee lies medial of the
  line H–A (toward MH_x); pelvic obliquity of the hip line (+ = the right hip lower in
  the image).
* 3D angles (``angles_3d``) come from the world-space skeleton: knee flexion,
  hip flexion of the femur on the pelvis (sagittal), hip adduction (+ = knee toward
  the midline), trunk/shank angles in the sagittal plane, pelvic tilt (ASIS–PSIS line
  vs horizontal, + anterior, the model pelvis being 12° anterior in neutral), lumbar
  flexion relative to the neutral standing lordosis (+ = rounding), pelvic obliquity
  (+ = the left side higher), FPPA in the body's frontal plane.

All angles are degrees, pixel coordinates are px in the rendered frame (x right, y down).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import landmarks as _L
from .body import Skeleton
from .camera import Camera, view_kind
from .crowd import in_view
from .expected import expected_findings
from .motion import VALGUS_REF_KNEE
from .truth_angles import angles_2d, angles_3d

TRUTH_FORMAT = "hinge-analyzer/synth-truth"


TRUTH_VERSION = 1


#: MediaPipe-named points written per frame.
LANDMARK_NAMES = tuple(n for n in _L.NAMES if n.split("_", 1)[-1] not in ("pinky", "index", "thumb"))


@dataclass
class GroundTruth:
    """Truth of one clip (see module doc). Arrays are numpy; ``to_json`` rounds for size."""

    meta: dict
    t: np.ndarray
    landmarks: dict[str, np.ndarray]  # name -> (T,2) px
    angles_2d: dict[str, np.ndarray]
    angles_3d: dict[str, np.ndarray]
    events: dict
    summary: dict
    expected: dict  # {"must_report": [...], "must_not_report": [...]}
    extra: dict = field(default_factory=dict)

    @property
    def fps(self) -> float:
        return float(self.meta["fps"])

    def as_dict(self) -> dict:
        def r(a, n):
            return np.round(np.asarray(a, float), n).tolist()

        return {
            "format": TRUTH_FORMAT,
            "version": TRUTH_VERSION,
            **self.meta,
            "frames": {
                "t": r(self.t, 5),
                "landmarks_px": {k: r(v, 2) for k, v in self.landmarks.items()},
                "angles_2d": {k: r(v, 2) for k, v in self.angles_2d.items()},
                "angles_3d": {k: r(v, 2) for k, v in self.angles_3d.items()},
            },
            "events": self.events,
            "summary": self.summary,
            "expected_findings": self.expected,
        } | self._other_dict(r)

    def _other_dict(self, r) -> dict:
        """The bystander's projected joints (px), only when the clip has one."""
        lm = self.extra.get("bystander_landmarks")
        return {} if lm is None else {"bystander_landmarks_px": {k: r(v, 2) for k, v in lm.items()}}

    def save(self, path: str | os.PathLike) -> None:
        from ..atomic import write_text

        write_text(path, json.dumps(self.as_dict(), separators=(",", ":"), default=_default))

    @classmethod
    def load(cls, path: str | os.PathLike) -> GroundTruth:
        d = json.loads(Path(path).read_text())
        if d.get("format") != TRUTH_FORMAT:
            raise ValueError(f"{path} is not a synthetic ground-truth file")
        fr = d.pop("frames")
        events, summary, expected = d.pop("events"), d.pop("summary"), d.pop("expected_findings")
        other = d.pop("bystander_landmarks_px", None)

        def arr(m):
            return {k: np.asarray(v, float) for k, v in m.items()}

        return cls(
            meta=d,
            t=np.asarray(fr["t"], float),
            landmarks=arr(fr["landmarks_px"]),
            angles_2d=arr(fr["angles_2d"]),
            angles_3d=arr(fr["angles_3d"]),
            events=events,
            summary=summary,
            expected=expected,
            extra={} if other is None else {"bystander_landmarks": arr(other)},
        )


def _default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


def _frame(t_s: float, fps: float) -> int:
    return int(round(t_s * fps))


def _onset(x: np.ndarray, t: np.ndarray, t_from: float, t_to: float, base: float, thr: float) -> float | None:
    """First time in [t_from, t_to] where x − base exceeds thr (s), or None."""
    m = (t >= t_from) & (t <= t_to) & (x - base > thr)
    i = np.flatnonzero(m)
    return float(t[i[0]]) if i.size else None


def _project(cam: Camera, cams: list[Camera] | None, idx: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """(T,2) px of world points ``pts`` at motion samples ``idx``, by ``cam`` or each sample's camera of ``cams``."""
    if cams is None:
        return cam.project(pts[idx])
    return np.stack([cams[i].project(pts[i]) for i in idx])


def build_truth(
    motion,
    cam: Camera,
    meta: dict,
    sample_idx: np.ndarray | None = None,
    *,
    cams: list[Camera] | None = None,
    other: Skeleton | None = None,
) -> GroundTruth:
    """Ground truth for the frames ``sample_idx`` of ``motion`` (all when None) seen by ``cam``.

    ``cams``: one camera per motion sample when the camera moves (``cam`` is then its starting pose);
    ``other``: a bystander's skeleton over the same samples (its projected joints go to ``extra``)."""
    sk = motion.skeleton
    idx = np.arange(len(motion.t)) if sample_idx is None else np.asarray(sample_idx)
    t = motion.t[idx]
    fps = meta["fps"]
    t = np.arange(len(idx)) / fps
    lm = {n: _project(cam, cams, idx, sk.points[n]) for n in LANDMARK_NAMES}
    direction = cam.facing_direction()
    kind = view_kind(meta["view"])
    a2 = angles_2d(lm, direction if kind in ("side", "oblique") else 0)
    sub = _subset(sk, idx)
    lum = motion.series["lumbar_flexion_design"]
    lum = np.broadcast_to(lum, motion.t.shape)[idx] if np.ndim(lum) else np.full(len(idx), float(lum))
    a3 = angles_3d(sub, lum)
    # near side in a side view: the leg closer to the camera
    near = None
    if kind in ("side", "oblique"):
        near = "left" if cam.azimuth > 0 else "right"
        for k in ("knee_flexion", "hip_flexion", "shank_angle", "thigh_angle", "depth_angle"):
            if f"{k}_{near}" in a2:
                a2[f"{k}_near"] = a2[f"{k}_{near}"]
        a2["hip_trunk_angle_near"] = a2[f"hip_flexion_{near}"]
    events = _events(motion, t, fps, a3, sub, lm)
    extra: dict = {}
    if other is not None:
        lm_o = {n: _project(cam, cams, idx, other.points[n]) for n in LANDMARK_NAMES}
        extra["bystander_landmarks"] = lm_o
        seen = np.flatnonzero(in_view(lm_o, int(meta["width"]), int(meta["height"])))
        events["bystander"] = {
            "in_view": [float(t[seen[0]]), float(t[seen[-1]])] if seen.size else None,
            "frames_in_view": int(seen.size),
        }
    summary = _summary(motion, t, a2, a3, lm, events, kind, near, sub)
    clip = {"bystander": other is not None, "camera_moving": cams is not None}
    expected = expected_findings(motion.exercise, motion.params, kind, summary, clip)
    meta = dict(meta) | {
        "direction": direction,
        "near_side": near,
        "view_kind": kind,
        "n_frames": int(len(idx)),
        "units": {"t": "s", "landmarks_px": "px", "angles": "deg"},
    }
    return GroundTruth(meta, t, lm, a2, a3, events, summary, expected, extra)


def _subset(sk: Skeleton, idx) -> Skeleton:
    return Skeleton(
        sk.body,
        {k: v[idx] for k, v in sk.points.items()},
        {k: v[idx] for k, v in sk.frames.items()},
        sk.spine[idx],
        sk.spine_frames[idx],
        {},
    )


def _standing(motion, t: np.ndarray) -> np.ndarray:
    """(T,) bool: the standing baseline second (the clip's first second unless the motion says otherwise)."""
    w = motion.events.get("standing")
    return (t < 1.0) if w is None else ((t >= w[0]) & (t < min(w[1], w[0] + 1.0)))


def _events(motion, t, fps, a3, sk, lm=None) -> dict:
    ev: dict[str, Any] = {}
    base = _standing(motion, t)
    for key in ("standing", "walk_in"):
        if key in motion.events:
            ev[key] = [round(x, 4) for x in motion.events[key]]
    if "failed_reps" in motion.events:  # attempts that did not come back up: never reps
        ev["failed_reps"] = [
            {k: round(v, 4) for k, v in r.items()} | {f"{k}_frame": _frame(v, fps) for k, v in r.items()}
            for r in motion.events["failed_reps"]
        ]
    if "reps" in motion.events:
        reps = []
        base_lum = float(np.median(a3["lumbar_flexion"][base]))
        hipflex = 0.5 * (a3["hip_flexion_left"] + a3["hip_flexion_right"])
        base_hip = float(np.median(hipflex[base]))
        for r in motion.events["reps"]:
            rr: dict[str, Any] = {k: (None if v is None else round(v, 4)) for k, v in r.items()}
            rr.update({f"{k}_frame": _frame(v, fps) for k, v in r.items() if v is not None})
            if r["lumbar_onset"] is None or r["hip_onset"] is None:  # a pull from the floor: no descent
                rr["hinge_lag_ms"] = None
                reps.append(rr | {"from_bottom": True})
                continue
            rr["hinge_lag_ms"] = round(1000.0 * (r["lumbar_onset"] - r["hip_onset"]), 1)
            rr["lumbar_onset_2deg"] = _onset(a3["lumbar_flexion"], t, r["start"] - 0.2, r["bottom"], base_lum, 2.0)
            rr["hip_onset_2deg"] = _onset(hipflex, t, r["start"] - 0.2, r["bottom"], base_hip, 2.0)
            # FPPA read frames: (a) the knee passing VALGUS_REF_KNEE in the descent (where the squat's valgus
            # knob is defined); (b) the deepest descent frame whose on-screen thigh is ≥ 50 % of its standing
            # length (what a 2D analyzer can read from a front camera)
            i0, ib = rr["start_frame"], min(rr["bottom_frame"], len(t) - 1)
            kf = 0.5 * (a3["knee_flexion_left"] + a3["knee_flexion_right"])
            seg = np.flatnonzero(kf[i0 : ib + 1] >= VALGUS_REF_KNEE)
            rr["valgus_ref_frame"] = int(i0 + seg[0]) if seg.size else ib
            if lm is not None:
                th = np.minimum(
                    *(np.linalg.norm(lm[f"{sd}_hip"] - lm[f"{sd}_knee"], axis=-1) for sd in ("left", "right"))
                )
                ref = float(np.median(th[base]))
                ok = np.flatnonzero(th[i0 : ib + 1] >= 0.5 * ref)
                rr["thigh50_frame"] = int(i0 + ok[-1]) if ok.size else ib
            reps.append(rr)
        ev["reps"] = reps
        timed = [r for r in motion.events["reps"] if r["lumbar_onset"] is not None and r["hip_onset"] is not None]
        ev["lumbar_first"] = bool(all(r["lumbar_onset"] < r["hip_onset"] for r in timed))
        ev["definitions"] = (
            "hip_onset/lumbar_onset: designed start of pelvis-on-femur flexion / lumbar flexion; "
            "hinge_lag_ms = lumbar_onset − hip_onset (negative = back first, spec C.12 sign); "
            "*_2deg: first time the true angle exceeds its standing value by 2°"
        )
    if "initial_contacts" in motion.events:
        for key in ("initial_contacts", "toe_offs"):
            ev[key] = {s: [round(x, 4) for x in v] for s, v in motion.events[key].items()}
            ev[key + "_frames"] = {s: [_frame(x, fps) for x in v] for s, v in motion.events[key].items()}
        ev["run_start"] = motion.events["run_start"]
    return ev


def _summary(motion, t, a2, a3, lm, events, kind, near, sk) -> dict:
    s: dict = {"exercise": motion.exercise}
    fps = 1.0 / (t[1] - t[0]) if len(t) > 1 else 30.0
    body = sk.body
    if "reps" in events:
        bots = [r["bottom_frame"] for r in events["reps"] if r["bottom_frame"] < len(t)]
        s["n_reps"] = len(events["reps"])

        def m(a):
            return round(float(np.mean(a[bots])), 2) if bots else None

        for k in (
            "knee_flexion_left",
            "knee_flexion_right",
            "hip_flexion_left",
            "hip_flexion_right",
            "trunk_angle",
            "pelvic_tilt",
            "lumbar_flexion",
            "fppa_left",
            "fppa_right",
            "hip_adduction_left",
            "hip_adduction_right",
        ):
            s[f"{k}_bottom_3d"] = m(a3[k])
        for k in (
            "fppa_left",
            "fppa_right",
            "knee_flexion_near",
            "hip_flexion_near",
            "trunk_angle",
            "shank_angle_near",
            "depth_angle_near",
        ):
            if k in a2:
                s[f"{k}_bottom_2d"] = m(a2[k])
        base = _standing(motion, t)
        for key in ("valgus_ref_frame", "thigh50_frame"):
            fr = [r[key] for r in events["reps"] if key in r]
            if fr:
                for sd in ("left", "right"):
                    s[f"fppa_{sd}_{key[:-6]}_2d"] = round(float(np.mean(a2[f"fppa_{sd}"][fr])), 2)
                    s[f"fppa_{sd}_{key[:-6]}_3d"] = round(float(np.mean(a3[f"fppa_{sd}"][fr])), 2)
        s["pelvic_tilt_standing_3d"] = round(float(np.mean(a3["pelvic_tilt"][base])), 2)
        tucks = [  # how far the pelvis tipped back from its most forward point on the way down (+ = tucked)
            float(
                np.max(a3["pelvic_tilt"][r["start_frame"] : r["bottom_frame"] + 1])
                - a3["pelvic_tilt"][r["bottom_frame"]]
            )
            for r in events["reps"]
            if "start_frame" in r and r["bottom_frame"] < len(t)
        ]
        s["pelvis_tuck_bottom_3d"] = round(float(np.mean(tucks)), 2) if tucks else None
        s["fppa_standing_2d"] = {sd: round(float(np.mean(a2[f"fppa_{sd}"][base])), 2) for sd in ("left", "right")}
        s["hinge_lag_ms"] = [r["hinge_lag_ms"] for r in events["reps"]]
        if "failed_reps" in events:
            s["n_failed_reps"] = len(events["failed_reps"])
        s["lumbar_first"] = events["lumbar_first"]
        if "trunk_angle" in a2 and near:
            s["trunk_shank_diff_bottom_2d"] = (
                round(s["trunk_angle_bottom_2d"] - s["shank_angle_near_bottom_2d"], 2) if bots else None
            )
        heel = np.minimum(sk.points["left_heel"][:, 2], sk.points["right_heel"][:, 2])
        s["heel_lift_max_m"] = round(float(heel.max() - heel[base].mean()), 4)
        mh = 0.5 * (sk.points["left_hip"] + sk.points["right_hip"])
        ma = 0.5 * (sk.points["left_ankle"] + sk.points["right_ankle"])
        s["lateral_shift_bottom"] = (
            round(float(np.mean((mh[bots, 1] - ma[bots, 1]) / body.hip_width)), 3) if bots else None
        )
        stance = motion.events.get("stance")
        if stance and bots:  # single-leg lifts: the standing leg's knee-in and the free side's pelvic drop
            sg = 1 if stance == "left" else -1
            s["stance"] = stance
            s["stance_pelvic_drop_bottom_3d"] = round(float(np.mean(sg * a3["pelvic_obliquity"][bots])), 2)
            s["stance_fppa_bottom_3d"] = round(float(np.mean(a3[f"fppa_{stance}"][bots])), 2)
    if "initial_contacts" in events:
        scale = float(motion.params.get("time_scale", 1.0))
        L = body.thigh + body.shank
        os_, sw, cpd = [], [], []
        for side, sg in (("left", 1), ("right", -1)):
            for f in events["initial_contacts_frames"][side]:
                if f >= len(t):
                    continue
                mh = 0.5 * (sk.points["left_hip"][f] + sk.points["right_hip"][f])
                heel = sk.points[f"{side}_heel"][f]
                os_.append((heel[0] - mh[0]) / L)
                sw.append(sg * (heel[1] - mh[1]) / body.hip_width)
        for side, sg in (("left", 1), ("right", -1)):
            for tic in events["initial_contacts"][side]:
                half_stance = 0.5 * motion.params["stance_frac"] * 120.0 / motion.params["cadence"] / scale
                f = int(round((tic + half_stance) * fps))
                if f < len(t):
                    cpd.append(sg * a3["pelvic_obliquity"][f])  # + = swing side dropped
        n_ic = sum(len(v) for v in events["initial_contacts"].values())
        s["cadence_spm"] = motion.params["cadence"]
        if scale != 1.0:  # slowed footage: the cadence a clock on the clip would read
            s["clip_cadence_spm"] = round(motion.params["cadence"] * scale, 2)
        s["n_initial_contacts"] = n_ic
        s["overstride_ic_3d"] = round(float(np.mean(os_)), 3) if os_ else None
        s["step_width_ic_3d"] = round(float(np.mean(sw)), 3) if sw else None
        s["pelvic_drop_midstance_3d"] = round(float(np.mean(cpd)), 2) if cpd else None
        s["trunk_lean_3d"] = round(float(np.mean(a3["trunk_angle"][t >= events["run_start"]])), 2)
    return s
