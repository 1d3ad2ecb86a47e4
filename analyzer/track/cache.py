"""The landmark cache: tracks keyed by the video's content hash, the model and the pose settings, and beside each
track its annotated video (keyed also by the code that draws it), so a re-run with the same settings is nearly free."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from functools import lru_cache
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


#: Sources that draw and encode the annotated video: a change to any of them makes cached videos stale.
OVERLAY_SOURCES = ("report/overlay.py", "report/overlay_view.py", "track/pose_pass.py", "capture/writer.py")


@lru_cache(maxsize=1)
def _overlay_hash() -> str:
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for rel in OVERLAY_SOURCES:
        h.update((root / rel).read_bytes())
    return h.hexdigest()[:12]


def _video_path(key: str) -> Path:
    return cache_dir() / f"{key}-{_overlay_hash()}.mp4"


def cached_video(key: str) -> Path | None:
    """The annotated video cached with track ``key`` (drawn by today's overlay code), or None."""
    p = _video_path(key)
    return p if p.is_file() and p.stat().st_size > 0 else None


def store_video(key: str, video: str | os.PathLike) -> None:
    """Keep a copy of the annotated video of track ``key``; like the track cache, never fails a run."""
    try:
        from ..atomic import atomic_path

        cache_dir().mkdir(parents=True, exist_ok=True)
        with atomic_path(_video_path(key)) as tmp:
            shutil.copyfile(video, tmp)
    except Exception:
        pass
