"""MediaPipe Pose Landmarker runner and the :class:`PoseTrack` it produces.

Coordinates are image **pixels** of the upright original frame (x right, y down).
``z`` is MediaPipe's relative depth (same scale as normalised x; smaller = nearer).
World landmarks are metres, hip-centred, from MediaPipe's GHUM model.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import zlib
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import landmarks as L
from .atomic import atomic_path
from .types import clean_json

TRACK_FORMAT_VERSION = 3  # 2: masks stored zlib-compressed per frame; 3: warnings as {code, message}


@dataclass(frozen=True)
class PoseSettings:
    """Inference settings; all of them enter the landmark cache key."""

    model: str = "full"
    num_poses: int = 2  # >1 lets us notice bystanders and lock on one subject
    #: With ``num_poses`` > 1: the model tracks one person (MediaPipe then skips its person detector
    #: while tracking, ≈ 1.5× faster) and a separate person count runs every ``people_check_s`` seconds
    #: of video; once it sees more than one person, the model tracks ``num_poses`` people on every
    #: frame from then on. 0 = track ``num_poses`` people on every frame from the start.
    people_check_s: float = 1.0
    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    masks: bool = True  # segmentation mask for the back-contour proxy
    mask_max_side: int = 256  # stored mask size (px, longer side)
    max_side: int = 1280  # frames are decoded at most this size (px, longer side); the overlay is drawn on them
    #: The model gets the frame at half size while the subject's reach in the previous frame, measured at
    #: half size, is at least this many px (:func:`use_half_size`); 0 = always the decoded size. On the real
    #: clips decoded at 1280 px this moves landmarks about as far as a 1 % resize does (benchmarks/notes.md).
    half_size_reach_px: int = 128

    @property
    def adaptive(self) -> bool:
        """True when the model starts with one pose and a periodic people count decides about more."""
        return self.num_poses > 1 and self.people_check_s > 0

    @property
    def model_num_poses(self) -> int:
        """``num_poses`` the landmarker starts with (what a single-person clip runs with throughout)."""
        return 1 if self.adaptive else self.num_poses

    def key(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)


#: Half-size model input only when its longer side stays at least this (px): the size of the synthetic
#: renders the accuracy report validates (480×640).
HALF_MIN_SIDE = 640


def subject_reach(xy: np.ndarray) -> float:
    """Largest distance (px) from the hip centre to any of the 33 landmarks ``xy`` (33, 2) px; NaN if unknown.

    MediaPipe crops the landmark model's input around the hip centre, about 2.5 reaches wide, and
    resamples that crop to 256×256 px; at a reach of 128 px the crop is ≈ 320 px, so nothing is lost.
    """
    hip = (xy[L.L_HIP] + xy[L.R_HIP]) / 2
    d = np.linalg.norm(xy - hip, axis=1)
    return float(np.nanmax(d)) if np.isfinite(d).any() else float("nan")


def use_half_size(w: int, h: int, reach_px: float, reach_min: float, was_half: bool) -> bool:
    """Whether a decoded frame of ``w`` × ``h`` px can go to the model at half size.

    ``reach_px``: the subject's :func:`subject_reach` in the previous frame, in px of this frame (NaN when
    nobody was found: then full size, so the person detector sees every pixel). Half size needs even
    dimensions, a longer side of at least 2 × :data:`HALF_MIN_SIDE`, and a half-size reach of at least
    ``reach_min`` (``0.9 * reach_min`` to stay at half size, so a reach near the limit does not flip sizes).
    """
    if reach_min <= 0 or w % 2 or h % 2 or max(w, h) < 2 * HALF_MIN_SIDE or not np.isfinite(reach_px):
        return False
    return reach_px / 2 >= (0.9 if was_half else 1.0) * reach_min


def half_size(image: np.ndarray) -> np.ndarray:
    """``image`` (h, w[, c]) with even sides, halved by area averaging: what the model gets under :func:`use_half_size`."""
    import cv2

    h, w = image.shape[:2]
    return cv2.resize(image, (w // 2, h // 2), interpolation=cv2.INTER_AREA)


def small_mask_shape(h: int, w: int, max_side: int) -> tuple[int, int]:
    """(h, w) of a mask of size (h, w) shrunk so its longer side is at most ``max_side``."""
    s = max_side / max(h, w)
    return (h, w) if s >= 1 else (max(1, int(round(h * s))), max(1, int(round(w * s))))


def small_mask(m: np.ndarray, max_side: int, frame_hw: tuple[int, int] | None = None) -> np.ndarray:
    """Person probability map (h, w) float → bool mask of :func:`small_mask_shape` (bilinear, > 0.5).

    The shape follows ``frame_hw`` (h, w) when given (the decoded frame, so half-size and full-size model
    inputs give masks of one shape), else the map's own. Bilinear sampling costs 0.09 ms for a 1280×720
    map (area averaging 0.48 ms) and changes 0.02 % of the pixels of the area-averaged mask
    (``benchmarks/ab_pass.py``, experiment ``mask``).
    """
    import cv2

    h, w = m.shape[:2]
    sh, sw = small_mask_shape(*(frame_hw or (h, w)), max_side)
    if (sh, sw) != (h, w):
        m = cv2.resize(m, (sw, sh), interpolation=cv2.INTER_LINEAR)
    return m > 0.5


def pack_mask(m: np.ndarray) -> bytes:
    """Bool mask → bit-packed, zlib-compressed bytes (the :class:`MaskStore` row format)."""
    return zlib.compress(np.packbits(m.ravel()).tobytes(), 1)


class MaskStore:
    """Per-frame binary person masks of shape ``shape`` = (h, w), bit-packed and zlib-compressed per frame.

    A person mask compresses ~20× (≈200 B instead of 4.6 kB per frame at 256×144), so memory
    stays nearly flat however long the clip. ``MaskStore(shape, bits, valid)`` takes the
    packed form, (T, ceil(h*w/8)) uint8; ``bits`` gives it back (materialised on demand).
    """

    def __init__(self, shape: tuple[int, int], bits: np.ndarray | None = None, valid: np.ndarray | None = None, *,
                 packed: list[bytes] | None = None):
        self.shape = (int(shape[0]), int(shape[1]))
        if packed is None:
            bits = np.asarray(bits, np.uint8)
            valid = np.ones(len(bits), bool) if valid is None else np.asarray(valid, bool)
            packed = [zlib.compress(bits[i].tobytes(), 1) if valid[i] else b"" for i in range(len(bits))]
        self._z = packed
        self.valid = np.array([len(b) > 0 for b in packed], bool) if valid is None else np.asarray(valid, bool)

    def __len__(self) -> int:
        return len(self._z)

    @property
    def nbytes_row(self) -> int:
        return (self.shape[0] * self.shape[1] + 7) // 8

    def compressed(self, i: int) -> bytes:
        """Frame ``i`` as stored: ``zlib(np.packbits(mask.ravel()))`` (row-major, h·w bits); b"" when absent."""
        return self._z[i]

    def get(self, i: int) -> np.ndarray | None:
        """Mask of frame ``i`` as (h, w) bool, or None when absent."""
        if not self.valid[i]:
            return None
        h, w = self.shape
        row = np.frombuffer(zlib.decompress(self._z[i]), np.uint8)
        return np.unpackbits(row, count=h * w).reshape(h, w).astype(bool)

    @property
    def bits(self) -> np.ndarray:
        """All masks as (T, ceil(h*w/8)) uint8 packed bits (zeros where absent); O(T) memory."""
        out = np.zeros((len(self._z), self.nbytes_row), np.uint8)
        for i, b in enumerate(self._z):
            if b:
                out[i] = np.frombuffer(zlib.decompress(b), np.uint8)
        return out

    def to_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(data uint8, offsets int64 (T+1,)): the compressed frames laid end to end, for saving."""
        off = np.zeros(len(self._z) + 1, np.int64)
        off[1:] = np.cumsum([len(b) for b in self._z])
        return np.frombuffer(b"".join(self._z), np.uint8), off

    @classmethod
    def from_arrays(cls, shape, data: np.ndarray, offsets: np.ndarray, valid: np.ndarray) -> "MaskStore":
        buf = np.asarray(data, np.uint8).tobytes()
        return cls(shape, valid=valid, packed=[buf[a:b] for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())])


@dataclass
class PoseTrack:
    """Landmark tracks for one subject over a clip: one dataclass of aligned arrays.

    Shapes: T frames × 33 landmarks. Missing detections are NaN in ``xy``/``z``/``world``
    and 0 in ``visibility``/``presence``.
    """

    t: np.ndarray  # (T,) float64, seconds (true presentation times)
    xy: np.ndarray  # (T,33,2) float32, pixels in the upright original frame
    z: np.ndarray  # (T,33) float32, MediaPipe relative depth
    visibility: np.ndarray  # (T,33) float32 in [0,1]
    presence: np.ndarray  # (T,33) float32 in [0,1]
    world: np.ndarray  # (T,33,3) float32, metres
    n_people: np.ndarray  # (T,) int8, poses MediaPipe found in the frame
    width: int
    height: int
    fps: float
    model: str
    masks: MaskStore | None = None
    meta: dict = field(default_factory=dict)

    # -- views -----------------------------------------------------------
    def __len__(self) -> int:
        return int(self.t.shape[0])

    @property
    def detected(self) -> np.ndarray:
        """(T,) bool: a pose was found in the frame."""
        return ~np.isnan(self.xy[:, 0, 0])

    @property
    def detection_rate(self) -> float:
        return float(self.detected.mean()) if len(self) else 0.0

    def point(self, index: int) -> np.ndarray:
        """(T,2) pixel track of one landmark."""
        return self.xy[:, index, :]

    def replace(self, **changes) -> "PoseTrack":
        return dataclasses.replace(self, **changes)

    # -- io --------------------------------------------------------------
    def header(self) -> dict:
        return {
            "format": "hinge-analyzer/pose-track",
            "version": TRACK_FORMAT_VERSION,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "model": self.model,
            "n_frames": len(self),
            "landmarks": list(L.NAMES),
            "units": {"t": "s", "xy": "px", "world": "m"},
            "mask_shape": list(self.masks.shape) if self.masks is not None else None,
            "meta": self.meta,
        }

    def save(self, path: str | os.PathLike) -> None:
        """Write an ``.npz`` (atomically) with a JSON header.

        Stored uncompressed: float landmarks deflate by only ~10 % while deflating them costs
        ~4 s per 10-minute clip; the masks are already compressed per frame.
        """
        arrays = dict(t=self.t, xy=self.xy, z=self.z, visibility=self.visibility, presence=self.presence,
                      world=self.world, n_people=self.n_people)
        if self.masks is not None:
            data, off = self.masks.to_arrays()
            arrays.update(mask_z=data, mask_offsets=off, mask_valid=self.masks.valid)
        header = np.frombuffer(json.dumps(clean_json(self.header())).encode(), dtype=np.uint8)
        with atomic_path(path, suffix=".npz") as tmp:
            with open(tmp, "wb") as fh:
                np.savez(fh, header=header, **arrays)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "PoseTrack":
        with np.load(path, allow_pickle=False) as z:
            h = json.loads(bytes(z["header"]).decode())
            if h.get("format") != "hinge-analyzer/pose-track":
                raise ValueError(f"{path} is not a hinge-analyzer pose track")
            masks = None
            if "mask_z" in z.files:
                masks = MaskStore.from_arrays(tuple(h["mask_shape"]), z["mask_z"], z["mask_offsets"], z["mask_valid"])
            elif "mask_bits" in z.files:  # format 1
                masks = MaskStore(tuple(h["mask_shape"]), z["mask_bits"], z["mask_valid"])
            return cls(t=z["t"], xy=z["xy"], z=z["z"], visibility=z["visibility"], presence=z["presence"],
                       world=z["world"], n_people=z["n_people"], width=h["width"], height=h["height"],
                       fps=h["fps"], model=h["model"], masks=masks, meta=h.get("meta", {}))


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
    return FramePose(nan2, np.full(33, np.nan, np.float32), np.zeros(33, np.float32), np.zeros(33, np.float32),
                     np.full((33, 3), np.nan, np.float32), 0)


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


def create_landmarker(model_path: str | os.PathLike, settings: "PoseSettings", num_poses: int, video: bool,
                      masks: bool):
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
        from .errors import ModelInvalidError

        raise ModelInvalidError(
            f"MediaPipe could not load the pose model {model_path} ({exc}); delete it and download it again."
        ) from exc


class PeopleCounter:
    """Counts the people in single frames with an IMAGE-mode landmarker of ``settings.num_poses`` poses."""

    def __init__(self, model_path: str | os.PathLike, settings: "PoseSettings"):
        self._lm = create_landmarker(model_path, settings, settings.num_poses, False, False)

    def count(self, mp_img) -> int:
        """Number of people MediaPipe finds in ``mp_img`` (at most ``num_poses``)."""
        return len(self._lm.detect(mp_img).pose_landmarks)

    def close(self) -> None:
        if self._lm is not None:
            self._lm.close()
            self._lm = None


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
    """

    CHECK_LAG = 6  # frames between a background people count and its use

    def __init__(self, model_path: str | os.PathLike, settings: PoseSettings = PoseSettings(), *, live: bool = False,
                 executor=None):
        self.model_path = str(model_path)
        self.settings = settings
        self.live = live
        self.executor = executor  # concurrent.futures.Executor for the people counts (None: inline)
        self._lm = None
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

    def _create(self, num_poses: int):
        return create_landmarker(self.model_path, self.settings, num_poses, True, self.settings.masks)

    def __enter__(self) -> "PoseEstimator":
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
            self._lm.close()
            self._lm = None

    def _stop_counting(self) -> None:
        if self._counter is not None:
            self._counter.close()
        self._counter = None

    # -- people count (adaptive mode) ------------------------------------------
    def _count_people(self, mp_img) -> int:
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
            self._lm.close()
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
        k = self._choose(cand, W, H)
        lm = res.pose_landmarks[k]
        xy = cand[k]
        self._reach = subject_reach(xy)
        z = np.array([p.z for p in lm], np.float32)
        vis = np.array([p.visibility or 0.0 for p in lm], np.float32)
        pres = np.array([p.presence or 0.0 for p in lm], np.float32)
        world = np.array([(p.x, p.y, p.z) for p in res.pose_world_landmarks[k]], np.float32)
        mask = None
        if self.settings.masks and res.segmentation_masks:
            mask = small_mask(res.segmentation_masks[k].numpy_view(), self.settings.mask_max_side, (h_img, w_img))
        return FramePose(xy, z, vis, pres, world, n_people, mask)

    def _choose(self, cand: list[np.ndarray], W: int, H: int) -> int:
        """Pick the subject among detected poses (continuity first, then size and centrality)."""
        centres = np.array([np.nanmean(c[[L.L_HIP, L.R_HIP, L.L_SHOULDER, L.R_SHOULDER]], axis=0) for c in cand])
        sizes = np.array([float(np.nanmax(c[:, 1]) - np.nanmin(c[:, 1])) for c in cand])
        if len(cand) == 1:
            k = 0
        elif self._prev_centre is not None:
            d = np.linalg.norm(centres - self._prev_centre, axis=1) / max(self._prev_size or H, 1.0)
            k = int(np.argmin(d))
        else:
            off = np.linalg.norm((centres - np.array([W / 2, H / 2])) / np.array([W, H]), axis=1)
            k = int(np.argmax(sizes / H - 0.5 * off))
        self._prev_centre, self._prev_size = centres[k], sizes[k]
        return k


class TrackBuilder:
    """Accumulates :class:`FramePose` results into a :class:`PoseTrack`.

    Landmarks go into preallocated blocks of ``BLOCK`` frames (no per-frame Python objects
    are kept) and masks are compressed as they arrive, so memory grows by ~1.2 kB per frame.
    """

    BLOCK = 1024
    _FIELDS = (("xy", (33, 2), np.float32, np.nan), ("z", (33,), np.float32, np.nan),
               ("visibility", (33,), np.float32, 0.0), ("presence", (33,), np.float32, 0.0),
               ("world", (33, 3), np.float32, np.nan))

    def __init__(self):
        self.t: list[float] = []
        self.n_people: list[int] = []
        self._blocks: list[dict[str, np.ndarray]] = []
        self._mask_shape: tuple[int, int] | None = None
        self._masks: list[bytes] = []

    def add(self, t: float, pose: FramePose) -> None:
        """Append one frame (its mask, if any, is packed with :func:`pack_mask` and dropped from ``pose``)."""
        i = len(self.t)
        if i % self.BLOCK == 0:
            self._blocks.append({n: np.full((self.BLOCK, *shape), fill, dt) for n, shape, dt, fill in self._FIELDS})
        blk, j = self._blocks[-1], i % self.BLOCK
        for n, *_ in self._FIELDS:
            blk[n][j] = getattr(pose, n)
        self.t.append(t)
        self.n_people.append(pose.n_people)
        m = pose.mask
        z = b""
        if m is not None:
            if self._mask_shape is None:
                self._mask_shape = m.shape
            if m.shape == self._mask_shape:
                z = pack_mask(m)
        self._masks.append(z)
        pose.mask = None

    def build(self, width: int, height: int, fps: float, model: str, meta: dict | None = None) -> PoseTrack:
        """The recorded :class:`PoseTrack`. Hands the data over: the builder is empty afterwards, so a
        long clip's landmarks never exist twice (blocks are freed one field at a time)."""
        T = len(self.t)
        arr = {}
        for n, shape, dt, _ in self._FIELDS:
            out = np.empty((T, *shape), dt)
            for k, b in enumerate(self._blocks):
                part = b.pop(n)[: T - k * self.BLOCK]
                out[k * self.BLOCK: k * self.BLOCK + len(part)] = part
            arr[n] = out
        self._blocks = []
        packed, self._masks = self._masks, []
        masks = MaskStore(self._mask_shape, packed=packed) if self._mask_shape is not None else None
        t, n_people = np.asarray(self.t, np.float64), np.asarray(self.n_people, np.int8)
        self.t, self.n_people = [], []
        return PoseTrack(
            t=t, xy=arr["xy"], z=arr["z"], visibility=arr["visibility"],
            presence=arr["presence"], world=arr["world"], n_people=n_people,
            width=int(width), height=int(height), fps=float(fps), model=model, masks=masks, meta=dict(meta or {}))


class TrackRecorder:
    """Runs the pose model over a clip's frames (in order) and records its :class:`PoseTrack`.

    The model and the mask shrinking and packing (≈ 0.1 ms) run in the caller's thread; the periodic people
    count of :class:`PoseEstimator` runs in a background thread at lower priority.
    """

    def __init__(self, model_path: str | os.PathLike, settings: PoseSettings = PoseSettings()):
        self.model_path = model_path
        self.settings = settings
        self.builder = TrackBuilder()
        self._pool = None
        self._est: PoseEstimator | None = None

    def __enter__(self) -> "TrackRecorder":
        from concurrent.futures import ThreadPoolExecutor

        from .threads import lower_priority

        self._pool = ThreadPoolExecutor(1, thread_name_prefix="pose-side", initializer=lower_priority)
        try:
            self._est = PoseEstimator(self.model_path, self.settings, executor=self._pool).__enter__()
        except BaseException:
            self._pool.shutdown(wait=True)
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._est is not None:
                self._est.__exit__(*exc)
        finally:
            self._pool.shutdown(wait=True, cancel_futures=exc[0] is not None)

    @property
    def estimator(self) -> PoseEstimator:
        return self._est

    def add(self, image: np.ndarray, t: float, orig_size: tuple[int, int] | None = None) -> FramePose:
        """Run the model on one frame and record it; returns the frame's pose (landmarks only)."""
        pose = self._est.process(image, t, orig_size)
        self.builder.add(t, pose)
        return pose

    def build(self, width: int, height: int, fps: float, model: str, meta: dict | None = None) -> PoseTrack:
        return self.builder.build(width, height, fps, model, meta)


# ---------------------------------------------------------------------------
# Cache keyed by content hash + model + settings
# ---------------------------------------------------------------------------
def file_sha256(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while b := fh.read(chunk):
            h.update(b)
    return h.hexdigest()


def cache_dir() -> Path:
    return Path(os.environ.get("ANALYZER_CACHE_DIR", Path.home() / ".cache" / "hinge-analyzer"))


def cache_key(video_sha: str, model_path: str | os.PathLike, settings: PoseSettings) -> str:
    mstat = Path(model_path).stat()
    payload = f"{video_sha}|{Path(model_path).name}|{mstat.st_size}|{settings.key()}|v{TRACK_FORMAT_VERSION}"
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def cached_track(key: str) -> PoseTrack | None:
    p = cache_dir() / f"{key}.npz"
    if not p.is_file():
        return None
    try:
        return PoseTrack.load(p)
    except (OSError, ValueError, KeyError, json.JSONDecodeError):
        return None


def store_track(key: str, track: PoseTrack) -> None:
    try:
        cache_dir().mkdir(parents=True, exist_ok=True)
        track.save(cache_dir() / f"{key}.npz")
    except Exception:  # the cache is an optimisation; never fail a run over it
        pass
