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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import landmarks as L
from .atomic import atomic_path
from .types import clean_json

TRACK_FORMAT_VERSION = 2  # 2: masks stored zlib-compressed per frame


@dataclass(frozen=True)
class PoseSettings:
    """Inference settings; all of them enter the landmark cache key."""

    model: str = "full"
    num_poses: int = 2  # >1 lets us notice bystanders and lock on one subject
    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    masks: bool = True  # segmentation mask for the back-contour proxy
    mask_max_side: int = 256  # stored mask size (px, longer side)
    max_side: int = 1280  # frames are downscaled to this before inference

    def key(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)


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


class PoseEstimator:
    """A context-managed MediaPipe PoseLandmarker (VIDEO mode) for one run.

    Call :meth:`process` with frames in time order; timestamps are turned into
    strictly increasing integer milliseconds, as VIDEO mode requires. With several
    people in view it locks on one subject: at the start the largest, most central
    person, then whoever continues that person's path.
    """

    def __init__(self, model_path: str | os.PathLike, settings: PoseSettings = PoseSettings(), *, live: bool = False):
        self.model_path = str(model_path)
        self.settings = settings
        self.live = live
        self._lm = None
        self._last_ms = -1
        self._first = True
        self._prev_centre: np.ndarray | None = None
        self._prev_size: float | None = None

    def __enter__(self) -> "PoseEstimator":
        from mediapipe.tasks.python import BaseOptions, vision

        s = self.settings
        opts = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=self.model_path),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=s.num_poses,
            min_pose_detection_confidence=s.min_detection_confidence,
            min_pose_presence_confidence=s.min_presence_confidence,
            min_tracking_confidence=s.min_tracking_confidence,
            output_segmentation_masks=s.masks,
        )
        try:
            with quiet_native_stderr():
                self._lm = vision.PoseLandmarker.create_from_options(opts)
        except (RuntimeError, ValueError) as exc:
            from .errors import ModelInvalidError

            raise ModelInvalidError(
                f"MediaPipe could not load the pose model {self.model_path} ({exc}); delete it and download it again."
            ) from exc
        return self

    def __exit__(self, *exc) -> None:
        if self._lm is not None:
            self._lm.close()
            self._lm = None

    def process(self, image: np.ndarray, t: float, orig_size: tuple[int, int] | None = None) -> FramePose:
        """Run the model on one RGB frame shown at ``t`` seconds.

        ``orig_size`` (w, h) is the size the pixel coordinates refer to (defaults to the
        image's own size, for frames that were not downscaled).
        """
        import mediapipe as mp

        ms = max(int(round(t * 1000.0)), self._last_ms + 1)
        self._last_ms = ms
        h_img, w_img = image.shape[:2]
        W, H = orig_size or (w_img, h_img)
        mp_img = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(image))
        if self._first:
            with quiet_native_stderr():  # TFLite/glog print set-up chatter on the first inference
                res = self._lm.detect_for_video(mp_img, ms)
            self._first = False
        else:
            res = self._lm.detect_for_video(mp_img, ms)
        n = len(res.pose_landmarks)
        if n == 0:
            self._prev_centre = None if self._prev_centre is None else self._prev_centre
            return _empty_pose()
        cand = [np.array([(p.x * W, p.y * H) for p in lm], np.float32) for lm in res.pose_landmarks]
        k = self._choose(cand, W, H)
        lm = res.pose_landmarks[k]
        xy = cand[k]
        z = np.array([p.z for p in lm], np.float32)
        vis = np.array([p.visibility or 0.0 for p in lm], np.float32)
        pres = np.array([p.presence or 0.0 for p in lm], np.float32)
        world = np.array([(p.x, p.y, p.z) for p in res.pose_world_landmarks[k]], np.float32)
        mask = None
        if self.settings.masks and res.segmentation_masks:
            mask = self._small_mask(res.segmentation_masks[k].numpy_view())
        return FramePose(xy, z, vis, pres, world, n, mask)

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

    def _small_mask(self, m: np.ndarray) -> np.ndarray:
        import cv2

        h, w = m.shape[:2]
        s = self.settings.mask_max_side / max(h, w)
        if s < 1:
            m = cv2.resize(m, (max(1, int(round(w * s))), max(1, int(round(h * s)))), interpolation=cv2.INTER_AREA)
        return m > 0.5


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
                z = zlib.compress(np.packbits(m.ravel()).tobytes(), 1)
        self._masks.append(z)
        pose.mask = None

    def build(self, width: int, height: int, fps: float, model: str, meta: dict | None = None) -> PoseTrack:
        T = len(self.t)
        arr = {}
        for n, shape, dt, _ in self._FIELDS:
            arr[n] = (np.concatenate([b[n] for b in self._blocks])[:T] if T else np.zeros((0, *shape), dt))
        masks = MaskStore(self._mask_shape, packed=list(self._masks)) if self._mask_shape is not None else None
        return PoseTrack(
            t=np.asarray(self.t, np.float64), xy=arr["xy"], z=arr["z"], visibility=arr["visibility"],
            presence=arr["presence"], world=arr["world"], n_people=np.asarray(self.n_people, np.int8),
            width=int(width), height=int(height), fps=float(fps), model=model, masks=masks, meta=dict(meta or {}))


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
