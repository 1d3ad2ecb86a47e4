"""Upload safety: size and type limits, private temp files, no user-supplied name on disk.

The uploaded file's *name* is only used to pick one of the allowed extensions and to show it
back to the user; it never becomes part of a filesystem path. Uploads are written with
:func:`tempfile.mkstemp` (mode 0600, in the system temp dir) and deleted when the analysis ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import AnalyzerError

#: Video containers the app accepts (lower case, no dot).
ALLOWED_EXTENSIONS = ("mp4", "mov", "avi", "webm")
ENV_MAX_MB = "HINGE_APP_MAX_UPLOAD_MB"
ENV_MAX_SECONDS = "HINGE_APP_MAX_SECONDS"
DEFAULT_MAX_MB = 200
DEFAULT_MAX_SECONDS = 120.0


class UploadRejected(AnalyzerError):
    """The upload is too large, empty, or not one of the accepted video types."""

    code = "upload_rejected"
    exit_code = 4


def max_upload_mb() -> int:
    """Upload size limit in MB (``$HINGE_APP_MAX_UPLOAD_MB``, default 200; never above Streamlit's own)."""
    try:
        v = int(os.environ.get(ENV_MAX_MB, DEFAULT_MAX_MB))
    except ValueError:
        v = DEFAULT_MAX_MB
    return max(1, v)


def max_clip_seconds() -> float:
    """Longest clip the app analyses, seconds (``$HINGE_APP_MAX_SECONDS``, default 120)."""
    try:
        v = float(os.environ.get(ENV_MAX_SECONDS, DEFAULT_MAX_SECONDS))
    except ValueError:
        v = DEFAULT_MAX_SECONDS
    return v if v > 0 else DEFAULT_MAX_SECONDS


def extension_of(name: str | None) -> str:
    """The allowed extension of a user-supplied file name, or raise :class:`UploadRejected`."""
    ext = Path(str(name or "")).suffix.lower().lstrip(".")
    if ext not in ALLOWED_EXTENSIONS:
        raise UploadRejected(
            f"Only {', '.join(e.upper() for e in ALLOWED_EXTENSIONS)} videos can be analysed here; "
            f"this file is {('.' + ext) if ext else 'of an unknown type'}."
        )
    return ext


def validate_upload(name: str | None, size: int, limit_mb: int | None = None) -> str:
    """Check type and size of an upload; returns the (allowed) extension."""
    ext = extension_of(name)
    limit = (limit_mb or max_upload_mb()) * 1024 * 1024
    if size <= 0:
        raise UploadRejected("The uploaded file is empty (0 bytes); it is not a video.")
    if size > limit:
        raise UploadRejected(
            f"The file is {size / 1024 / 1024:.0f} MB; the limit here is {limit // (1024 * 1024)} MB. "
            "Trim the clip to the set you want checked, or lower its resolution."
        )
    return ext


def safe_stem(name: str | None, default: str = "clip", max_len: int = 40) -> str:
    """A harmless label for download file names: ASCII letters, digits, ``-`` and ``_`` only."""
    stem = Path(str(name or "")).stem
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_.-")[:max_len]
    return stem or default


def sha256_of(data: bytes | BinaryIO, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    if isinstance(data, (bytes, bytearray, memoryview)):
        h.update(data)
    else:
        pos = data.tell()
        data.seek(0)
        while b := data.read(chunk):
            h.update(b)
        data.seek(pos)
    return h.hexdigest()


@contextlib.contextmanager
def private_copy(data: bytes | BinaryIO, ext: str, limit_mb: int | None = None) -> Iterator[Path]:
    """Write ``data`` to a new private temp file (0600, random name, allowed ``ext``); delete it afterwards.

    Streams file-like objects in chunks and stops with :class:`UploadRejected` past the size limit.
    """
    if ext not in ALLOWED_EXTENSIONS:
        raise UploadRejected(f"Files of type .{ext} are not accepted.")
    limit = (limit_mb or max_upload_mb()) * 1024 * 1024
    fd, name = tempfile.mkstemp(prefix="hinge-upload-", suffix="." + ext)
    path = Path(name)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, (bytes, bytearray, memoryview)):
                if len(data) > limit:
                    raise UploadRejected(f"The file is larger than the {limit // (1024 * 1024)} MB limit.")
                fh.write(data)
            else:
                data.seek(0)
                written = 0
                while b := data.read(1 << 20):
                    written += len(b)
                    if written > limit:
                        raise UploadRejected(f"The file is larger than the {limit // (1024 * 1024)} MB limit.")
                    fh.write(b)
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextlib.contextmanager
def private_dir() -> Iterator[Path]:
    """A private (0700) temp directory for one run's outputs, removed afterwards."""
    import shutil

    d = Path(tempfile.mkdtemp(prefix="hinge-run-"))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)
