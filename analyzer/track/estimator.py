"""The MediaPipe Pose Landmarker (Tasks API, VIDEO mode) run frame by frame, with subject choice and people counts."""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import landmarks as L
from .masks import small_mask
from .reacquire import TrackCheck
from .settings import PoseSettings, half_size, subject_reach, use_half_size


# ---------------------------------------------------------------------------
# Per-frame inference
# ---------------------------------------------------------------------------
@dataclass
class FramePose:
    """Landmarks of the chosen subject in one frame (all NaN/0 when nobody was found)."""

    xy: np.ndarray  # (33,2) px
    z: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world: np.ndarray
    n_people: int
    mask: np.ndarray | None = None  # (h,w) bool at stored mask size

    @property
    def found(self) -> bool:
        return not np.isnan(self.xy[0, 0])


def _empty_pose() -> FramePose:
    nan2 = np.full((33, 2), np.nan, np.float32)
    return FramePose(
        nan2,
        np.full(33, np.nan, np.float32),
        np.zeros(33, np.float32),
        np.zeros(33, np.float32),
        np.full((33, 3), np.nan, np.float32),
        0,
    )


@contextlib.contextmanager
def quiet_native_stderr():
    """Silence C++ log lines (TFLite, glog) written straight to fd 2, unless HINGE_DEBUG=1."""
    if os.environ.get("HINGE_DEBUG") == "1":
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def create_landmarker(model_path: str | os.PathLike, settings: PoseSettings, num_poses: int, video: bool, masks: bool):
    """A MediaPipe PoseLandmarker (VIDEO or IMAGE mode); a bad model file gives :class:`ModelInvalidError`."""
    from mediapipe.tasks.python import BaseOptions, vision

    s = settings
    opts = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
        num_poses=num_poses,
        min_pose_detection_confidence=s.min_detection_confidence,
        min_pose_presence_confidence=s.min_presence_confidence,
        min_tracking_confidence=s.min_tracking_confidence,
        output_segmentation_masks=masks,
    )
    try:
        with quiet_native_stderr():
            return vision.PoseLandmarker.create_from_options(opts)
    except (RuntimeError, ValueError) as exc:
        from ..errors import ModelInvalidError

        raise ModelInvalidError(
            f"MediaPipe could not load the pose model {model_path} ({exc}); delete it and download it again."
        ) from exc


def close_quietly(landmarker) -> None:
    """Close a MediaPipe landmarker without the native "DestroyAccelerator" lines on stderr."""
    with quiet_native_stderr():
        landmarker.close()


class PeopleCounter:
    """Counts the people in single frames with an IMAGE-mode landmarker of ``settings.num_poses`` poses."""

    def __init__(self, model_path: str | os.PathLike, settings: PoseSettings):
        self._lm = create_landmarker(model_path, settings, settings.num_poses, False, False)

    def count(self, mp_img) -> int:
        """Number of people MediaPipe finds in ``mp_img`` (at most ``num_poses``)."""
        return len(self._lm.detect(mp_img).pose_landmarks)

    def close(self) -> None:
        if self._lm is not None:
            close_quietly(self._lm)
            self._lm = None


#: With ``settings.person``: start looking this many seconds before its time, and accept a person whose
#: box misses the point by at most this share of the frame height.
TARGET_EARLY_S = 0.5
TARGET_MAX_DIST = 0.25


class PoseEstimator:
    """A context-managed MediaPipe PoseLandmarker (VIDEO mode) for one run.

    Call :meth:`process` with frames in time order; timestamps are turned into
    strictly increasing integer milliseconds, as VIDEO mode requires. With several
    people in view it locks on one subject: at the start the largest, most central
    person, then whoever continues that person's path.

    With ``settings.adaptive`` the landmarker tracks one person and a second, IMAGE-mode
    landmarker counts people on the first frame and then every ``people_check_s`` seconds;
    when it sees several, the tracker is rebuilt for ``num_poses`` people (see
    :class:`PoseSettings`). A count taken at frame *i* takes effect at frame *i* + ``CHECK_LAG``
    whether it ran in ``executor`` (a background thread) or inline, so results do not depend
    on thread timing.

    When the pose jumps farther than a person can move (:class:`~analyzer.track.reacquire.TrackCheck`), the
    landmarker is rebuilt and the frame detected afresh, keeping the person nearest the last plausible pose.
    """

    CHECK_LAG = 6  # frames between a background people count and its use

    def __init__(
        self,
        model_path: str | os.PathLike,
        settings: PoseSettings = PoseSettings(),
        *,
        live: bool = False,
        executor=None,
    ):
        self.model_path = str(model_path)
        self.settings = settings
        self.live = live
        self.executor = executor  # concurrent.futures.Executor for the people counts (None: inline)
        self._lm: Any = None  # the MediaPipe landmarker while open
        self._counter: PeopleCounter | None = None  # the people counter, while people are counted
        self._last_ms = -1
        self._first = True
        self._i = 0
        self._tracking = settings.model_num_poses  # poses the VIDEO landmarker tracks now
        self._people = 0  # last people count (adaptive mode)
        self._next_check_t = -np.inf
        self._pending: list[tuple[int, Future]] = []  # (frame index to apply at, people count)
        self._prev_centre: np.ndarray | None = None
        self._prev_size: float | None = None
        self._reach = float("nan")  # subject's reach in the previous frame, px of the original frame
        self._half = False  # the previous frame went to the model at half size
        self.half_frames = 0  # frames the model saw at half size
        self.escalated_at: int | None = None  # frame from which several people were tracked
        #: Judges each pose against the person's recent size and path; None = never restart (live mode).
        self.check: TrackCheck | None = TrackCheck() if settings.reacquire and not live else None

    def _create(self, num_poses: int):
        return create_landmarker(self.model_path, self.settings, num_poses, True, self.settings.masks)

    def __enter__(self) -> PoseEstimator:
        self._lm = self._create(self._tracking)
        if self.settings.adaptive and not self.live:
            try:
                self._counter = PeopleCounter(self.model_path, self.settings)
            except BaseException:
                self.__exit__(None, None, None)
                raise
        return self

    def __exit__(self, *exc) -> None:
        for _, job in self._pending:  # a count still running in the executor must end before its landmarker closes
            try:
                job.result()
            except Exception:
                pass
        self._pending = []
        self._stop_counting()
        if self._lm is not None:
            close_quietly(self._lm)
            self._lm = None

    def _stop_counting(self) -> None:
        if self._counter is not None:
            self._counter.close()
        self._counter = None

    # -- people count (adaptive mode) ------------------------------------------
    def _count_people(self, mp_img) -> int:
        assert self._counter is not None  # only scheduled while people are counted
        return self._counter.count(mp_img)

    def _people_check(self, mp_img, t: float) -> None:
        """Schedule/collect the periodic people count; escalate when it sees several people."""
        i = self._i
        if i == 0:  # first frame: counted inline, so a clip with two people is tracked as such from the start
            with quiet_native_stderr():
                self._apply_count(self._count_people(mp_img))
            self._next_check_t = t + self.settings.people_check_s
        elif t >= self._next_check_t:
            self._next_check_t = t + self.settings.people_check_s
            if self.executor is not None:
                job = self.executor.submit(self._count_people, mp_img)
            else:
                job = Future()
                job.set_result(self._count_people(mp_img))
            self._pending.append((i + self.CHECK_LAG, job))
        while self._pending and self._pending[0][0] <= i and self._counter is not None:
            _, job = self._pending.pop(0)
            self._apply_count(job.result())

    def _apply_count(self, n: int) -> None:
        self._people = n
        if n > 1 and self._tracking < self.settings.num_poses:
            for _, job in self._pending:
                job.result()
            self._pending = []
            close_quietly(self._lm)
            self._lm = None
            self._tracking = self.settings.num_poses
            self._lm = self._create(self._tracking)
            self._first = True  # its first inference prints set-up chatter too
            self._stop_counting()
            self.escalated_at = self._i

    # -- per frame ---------------------------------------------------------------
    def process(self, image: np.ndarray, t: float, orig_size: tuple[int, int] | None = None) -> FramePose:
        """Run the model on one RGB frame shown at ``t`` seconds.

        ``orig_size`` (w, h) is the size the pixel coordinates refer to (defaults to the
        image's own size, for frames that were not downscaled). The model may get the frame at
        half size (:func:`use_half_size`); its landmarks are normalised, so coordinates do not change.
        """
        import mediapipe as mp

        ms = max(int(round(t * 1000.0)), self._last_ms + 1)
        self._last_ms = ms
        h_img, w_img = image.shape[:2]
        W, H = orig_size or (w_img, h_img)
        self._half = use_half_size(w_img, h_img, self._reach * w_img / W, self.settings.half_size_reach_px, self._half)
        if self._half:
            image = half_size(image)
            self.half_frames += 1
        mp_img = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(image))
        if self._counter is not None:
            self._people_check(mp_img, t)
        if self._first:
            with quiet_native_stderr():  # TFLite/glog print set-up chatter on the first inference
                res = self._lm.detect_for_video(mp_img, ms)
            self._first = False
        else:
            res = self._lm.detect_for_video(mp_img, ms)
        self._i += 1
        n = len(res.pose_landmarks)
        n_people = max(n, self._people) if self._tracking < self.settings.num_poses else n
        if n == 0:
            self._reach = float("nan")
            pose = _empty_pose()
            pose.n_people = n_people
            return pose
        cand = [np.array([(p.x * W, p.y * H) for p in lm], np.float32) for lm in res.pose_landmarks]
        k = self._choose(cand, W, H, t)
        if k is None:  # the chosen person (--person) is not in view yet
            self._reach = float("nan")
            pose = _empty_pose()
            pose.n_people = n_people
            return pose
        lm = res.pose_landmarks[k]
        xy = cand[k]
        world = np.array([(p.x, p.y, p.z) for p in res.pose_world_landmarks[k]], np.float32)
        check = self.check
        if check is not None and check.implausible(xy, t) and check.may_restart(t):
            check.restarted(t)
            fresh = self._restart(mp_img, ms, W, H, t)
            if fresh is not None:
                res, cand, k = fresh
                lm, xy = res.pose_landmarks[k], cand[k]
                world = np.array([(p.x, p.y, p.z) for p in res.pose_world_landmarks[k]], np.float32)
        if check is not None and not check.implausible(xy, t):
            assert self._prev_centre is not None and self._prev_size is not None  # set by _choose
            check.accept(xy, world, t, self._prev_centre, self._prev_size)
        self._reach = subject_reach(xy)
        z = np.array([p.z for p in lm], np.float32)
        vis = np.array([p.visibility or 0.0 for p in lm], np.float32)
        pres = np.array([p.presence or 0.0 for p in lm], np.float32)
        mask = None
        if self.settings.masks and res.segmentation_masks:
            mask = small_mask(res.segmentation_masks[k].numpy_view(), self.settings.mask_max_side, (h_img, w_img))
        return FramePose(xy, z, vis, pres, world, n_people, mask)

    def _restart(self, mp_img, ms: int, W: int, H: int, t: float):
        """Start the tracker afresh (tracking at least two poses, so it can choose) and detect on this frame;
        returns (result, candidates, chosen) with the pose nearest the last plausible one, or None."""
        for _, job in self._pending:
            job.result()
        self._pending = []
        self._stop_counting()
        close_quietly(self._lm)
        self._tracking = max(2, self._tracking)
        with quiet_native_stderr():
            self._lm = self._create(self._tracking)
            res = self._lm.detect_for_video(mp_img, ms)
        if not res.pose_landmarks:
            return None
        cand = [np.array([(p.x * W, p.y * H) for p in lm], np.float32) for lm in res.pose_landmarks]
        assert self.check is not None
        self._prev_centre, self._prev_size = self.check.centre, self.check.size  # continue from the person
        k = self._choose(cand, W, H, t)
        return None if k is None else (res, cand, k)

    def _choose(self, cand: list[np.ndarray], W: int, H: int, t: float = 0.0) -> int | None:
        """Pick the subject among detected poses: continuity first; at the start the person at
        ``settings.person`` (from its time on), else the largest, most central one."""
        centres = np.array([np.nanmean(c[[L.L_HIP, L.R_HIP, L.L_SHOULDER, L.R_SHOULDER]], axis=0) for c in cand])
        sizes = np.array([float(np.nanmax(c[:, 1]) - np.nanmin(c[:, 1])) for c in cand])
        target = self.settings.person
        if target is not None and self._prev_centre is None:
            if t < target[0] - TARGET_EARLY_S:
                return None
            point = np.array([target[1] * W, target[2] * H])
            lo, hi = np.array([c.min(axis=0) for c in cand]), np.array([c.max(axis=0) for c in cand])
            inside: np.ndarray = np.asarray(((lo <= point) & (point <= hi)).all(axis=1))
            dist = np.linalg.norm(centres - point, axis=1) / H
            k = int(np.argmin(np.where(inside, dist - 1.0, dist)))
            if not inside[k] and dist[k] > TARGET_MAX_DIST:
                return None
        elif len(cand) == 1:
            k = 0
        elif self._prev_centre is not None:
            d = np.linalg.norm(centres - self._prev_centre, axis=1) / max(self._prev_size or H, 1.0)
            k = int(np.argmin(d))
        else:
            off = np.linalg.norm((centres - np.array([W / 2, H / 2])) / np.array([W, H]), axis=1)
            k = int(np.argmax(sizes / H - 0.5 * off))
        self._prev_centre, self._prev_size = centres[k], sizes[k]
        return k
