"""The :class:`PoseTrack`: one subject's landmarks over a clip as one dataclass of aligned arrays, and its ``.npz`` io.

Coordinates are image **pixels** of the upright original frame (x right, y down).
``z`` is MediaPipe's relative depth (same scale as normalised x; smaller = nearer).
World landmarks are metres, hip-centred, from MediaPipe's GHUM model.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field

import numpy as np

from .. import landmarks as L
from ..atomic import atomic_path
from ..types import clean_json
from .masks import MaskStore

TRACK_FORMAT_VERSION = 4  # 2: masks zlib-compressed per frame; 3: warnings as {code, message}; 4: scans in meta


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

    def replace(self, **changes) -> PoseTrack:
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
        arrays = dict(
            t=self.t,
            xy=self.xy,
            z=self.z,
            visibility=self.visibility,
            presence=self.presence,
            world=self.world,
            n_people=self.n_people,
        )
        if self.masks is not None:
            data, off = self.masks.to_arrays()
            arrays.update(mask_z=data, mask_offsets=off, mask_valid=self.masks.valid)
        header = np.frombuffer(json.dumps(clean_json(self.header())).encode(), dtype=np.uint8)
        with atomic_path(path, suffix=".npz") as tmp:
            with open(tmp, "wb") as fh:
                np.savez(fh, header=header, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: str | os.PathLike) -> PoseTrack:
        with np.load(path, allow_pickle=False) as z:
            h = json.loads(bytes(z["header"]).decode())
            if h.get("format") != "hinge-analyzer/pose-track":
                raise ValueError(f"{path} is not a hinge-analyzer pose track")
            masks = None
            if "mask_z" in z.files:
                masks = MaskStore.from_arrays(tuple(h["mask_shape"]), z["mask_z"], z["mask_offsets"], z["mask_valid"])
            elif "mask_bits" in z.files:  # format 1
                masks = MaskStore(tuple(h["mask_shape"]), z["mask_bits"], z["mask_valid"])
            return cls(
                t=z["t"],
                xy=z["xy"],
                z=z["z"],
                visibility=z["visibility"],
                presence=z["presence"],
                world=z["world"],
                n_people=z["n_people"],
                width=h["width"],
                height=h["height"],
                fps=h["fps"],
                model=h["model"],
                masks=masks,
                meta=h.get("meta", {}),
            )
