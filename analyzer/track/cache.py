"""The landmark cache: tracks keyed by the video's content hash, the model and the pose settings."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .data import TRACK_FORMAT_VERSION, PoseTrack
from .settings import PoseSettings


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
