"""Recording a :class:`~analyzer.track.data.PoseTrack` frame by frame with flat memory."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .data import PoseTrack
from .estimator import FramePose, PoseEstimator
from .masks import MaskStore, pack_mask
from .settings import PoseSettings


class TrackBuilder:
    """Accumulates :class:`FramePose` results into a :class:`PoseTrack`.

    Landmarks go into preallocated blocks of ``BLOCK`` frames (no per-frame Python objects
    are kept) and masks are compressed as they arrive, so memory grows by ~1.2 kB per frame.
    """

    BLOCK = 1024
    _FIELDS = (
        ("xy", (33, 2), np.float32, np.nan),
        ("z", (33,), np.float32, np.nan),
        ("visibility", (33,), np.float32, 0.0),
        ("presence", (33,), np.float32, 0.0),
        ("world", (33, 3), np.float32, np.nan),
    )

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
                out[k * self.BLOCK : k * self.BLOCK + len(part)] = part
            arr[n] = out
        self._blocks = []
        packed, self._masks = self._masks, []
        masks = MaskStore(self._mask_shape, packed=packed) if self._mask_shape is not None else None
        t, n_people = np.asarray(self.t, np.float64), np.asarray(self.n_people, np.int8)
        self.t, self.n_people = [], []
        return PoseTrack(
            t=t,
            xy=arr["xy"],
            z=arr["z"],
            visibility=arr["visibility"],
            presence=arr["presence"],
            world=arr["world"],
            n_people=n_people,
            width=int(width),
            height=int(height),
            fps=float(fps),
            model=model,
            masks=masks,
            meta=dict(meta or {}),
        )


class TrackRecorder:
    """Runs the pose model over a clip's frames (in order) and records its :class:`PoseTrack`.

    The model and the (cheap) mask shrinking and packing run in the caller's thread; the periodic people
    count of :class:`PoseEstimator` runs in a background thread at lower priority.
    """

    def __init__(self, model_path: str | os.PathLike, settings: PoseSettings = PoseSettings()):
        self.model_path = model_path
        self.settings = settings
        self.builder = TrackBuilder()
        self._pool: Any = None  # the side-thread executor while recording
        self._est: Any = None  # the PoseEstimator while recording
        self.last_mask: np.ndarray | None = None  # the person mask of the frame last added (for the overlay)

    def __enter__(self) -> TrackRecorder:
        from concurrent.futures import ThreadPoolExecutor

        from ..threads import lower_priority

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
        self.last_mask = pose.mask
        self.builder.add(t, pose)
        return pose

    def build(self, width: int, height: int, fps: float, model: str, meta: dict | None = None) -> PoseTrack:
        return self.builder.build(width, height, fps, model, meta)
