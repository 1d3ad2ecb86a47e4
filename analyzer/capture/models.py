"""Find, download, verify and cache the MediaPipe pose landmarker bundles.

Resolution order for a variant (``lite`` | ``full`` | ``heavy``):

1. an explicit path (file, or directory holding ``pose_landmarker_<variant>.task``);
2. ``$ANALYZER_MODEL_DIR`` (a directory, or a ``.task`` file used as is);
3. the project's ``models/`` directory (or ``$ANALYZER_CACHE_MODELS``);
4. a download from MediaPipe's model storage into that directory, with a progress
   bar, written atomically and verified before use.
"""

from __future__ import annotations

import http.client
import os
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..atomic import atomic_path
from ..errors import ModelDownloadError, ModelInvalidError, ModelNotFoundError

VARIANTS = ("lite", "full", "heavy")
ENV_DIR = "ANALYZER_MODEL_DIR"
ENV_NO_DOWNLOAD = "ANALYZER_NO_DOWNLOAD"
URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{v}/float16/latest/pose_landmarker_{v}.task"
)
REQUIRED_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
PROJECT_MODELS_DIR = Path(__file__).resolve().parents[2] / "models"


def filename(variant: str) -> str:
    return f"pose_landmarker_{variant}.task"


def how_to_get(variant: str) -> str:
    """One sentence that tells the user how to obtain a model."""
    return (
        f"No pose model '{variant}' was found: download {URL.format(v=variant)} into "
        f"{models_dir()}/ (or set {ENV_DIR} to a folder or .task file that holds it)."
    )


def models_dir() -> Path:
    """Directory where downloaded models are cached (``models/`` of the project)."""
    return Path(os.environ.get("ANALYZER_CACHE_MODELS", PROJECT_MODELS_DIR))


def verify(path: str | os.PathLike) -> Path:
    """Check that ``path`` is a Tasks bundle (zip with detector and landmark networks).

    Returns the path; raises :class:`ModelInvalidError` otherwise.
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ModelInvalidError(
            f"The model file {path} is not a valid MediaPipe .task bundle ({exc}); delete it and download it again."
        ) from exc
    missing = [m for m in REQUIRED_MEMBERS if m not in names]
    if missing or bad is not None:
        what = f"it lacks {', '.join(missing)}" if missing else f"{bad} is corrupt"
        raise ModelInvalidError(
            f"The model file {path} is not a usable pose landmarker bundle: {what}. Delete it and download it again."
        )
    return path


def _candidate(location: Path, variant: str) -> Path | None:
    if location.is_file():
        return location
    if location.is_dir():
        p = location / filename(variant)
        if p.is_file():
            return p
    return None


def resolve(
    variant: str = "full",
    explicit: str | os.PathLike | None = None,
    *,
    download: bool | None = None,
    progress: bool = True,
) -> Path:
    """Return a verified path to ``pose_landmarker_<variant>.task``.

    Raises :class:`ModelNotFoundError` with instructions when none can be had.
    """
    if variant not in VARIANTS:
        raise ModelNotFoundError(f"Unknown model '{variant}'; choose one of {', '.join(VARIANTS)}.")
    if explicit is not None:
        p = _candidate(Path(explicit), variant)
        if p is None:
            raise ModelNotFoundError(f"The model path {explicit} does not exist or holds no {filename(variant)}.")
        return verify(p)
    env = os.environ.get(ENV_DIR)
    if env:
        p = _candidate(Path(env), variant)
        if p is not None:
            return verify(p)
    p = _candidate(models_dir(), variant)
    if p is not None:
        return verify(p)
    if download is None:
        download = os.environ.get(ENV_NO_DOWNLOAD, "") in ("", "0")
    if not download:
        raise ModelNotFoundError(how_to_get(variant))
    return fetch(variant, progress=progress)


def fetch(
    variant: str,
    url: str | None = None,
    dest_dir: Path | None = None,
    *,
    progress: bool = True,
    timeout: float = 30.0,
    opener: Callable[..., Any] = urllib.request.urlopen,
) -> Path:
    """Download a bundle into ``dest_dir`` atomically, with a progress bar, and verify it.

    An interrupted or failed download leaves nothing behind.
    """
    url = url or URL.format(v=variant)
    dest_dir = Path(dest_dir or models_dir())
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelDownloadError(f"Cannot create {dest_dir} to store the model: {exc}.") from exc
    target = dest_dir / filename(variant)
    try:
        with atomic_path(target) as tmp:
            with opener(url, timeout=timeout) as resp, open(tmp, "wb") as out:
                total = int(getattr(resp, "headers", {}).get("Content-Length") or 0) or None
                bar = _bar(total, f"pose_landmarker_{variant}", progress)
                try:
                    while True:
                        chunk = resp.read(1 << 16)
                        if not chunk:
                            break
                        out.write(chunk)
                        bar.update(len(chunk))
                finally:
                    bar.close()
                if total is not None and out.tell() != total:
                    raise ModelDownloadError(
                        f"The download of {url} stopped after {out.tell()} of {total} bytes; nothing was kept. Try "
                        "again."
                    )
            verify(tmp)
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError, http.client.HTTPException) as exc:
        # HTTPException: e.g. IncompleteRead when a chunked transfer is cut mid-body.
        reason = getattr(exc, "reason", None) or exc
        raise ModelDownloadError(
            f"Could not download the pose model from {url} ({reason}); nothing was kept. "
            f"Check the connection, or put {filename(variant)} in {dest_dir}/ or set {ENV_DIR}."
        ) from exc
    except ModelInvalidError as exc:
        raise ModelDownloadError(
            f"The downloaded model was not a valid bundle; nothing was kept. ({exc.message})"
        ) from exc
    return target


def _bar(total: int | None, desc: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc, disable=not enabled)
