"""Atomic file output: write to a temp file in the target directory, then rename.

A reader never sees a half-written file; on any error the temp file is removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import OutputError


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    The temp name keeps the target's suffix (e.g. ``.mp4``) so writers that pick a
    format from the extension still work.
    """
    target = Path(target)
    suffix = target.suffix if suffix is None else suffix
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{suffix}", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"Cannot write to {target.parent}: {exc.strerror or exc}.") from exc
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
    except OSError as exc:
        _unlink(tmp_path)
        if exc.errno == errno.ENOSPC:
            raise OutputError(f"The disk is full while writing {target.name}; nothing was kept.") from exc
        raise
    except BaseException:
        _unlink(tmp_path)
        raise
    try:
        _publish(tmp_path, target)
    except OSError as exc:
        _unlink(tmp_path)
        raise OutputError(f"Could not write {target.name}: {exc.strerror or exc}.") from exc


def _umask_mode() -> int:
    """0o666 minus the process umask: the mode a normal ``open()`` would create files with."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _publish(tmp: Path, target: Path) -> None:
    """Give the temp file normal permissions (mkstemp makes it 0600) and rename it onto ``target``."""
    os.chmod(tmp, _umask_mode())
    os.replace(tmp, target)


def write_bytes(target: str | os.PathLike, data: bytes) -> None:
    """Atomically write ``data`` to ``target``."""
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())


def write_text(target: str | os.PathLike, text: str) -> None:
    """Atomically write UTF-8 ``text`` to ``target``."""
    write_bytes(target, text.encode("utf-8"))


def _unlink(p: Path) -> None:
    with contextlib.suppress(OSError):
        p.unlink()


class OutputSet:
    """A group of output files that appear together or not at all.

    ``tmp(name)`` hands out a temp path inside ``out_dir``; ``commit()`` renames every
    temp file onto its final name; ``discard()`` (also on any exception inside a
    ``with`` block) deletes them. A lock file stops two runs writing the same folder.
    """

    LOCK_NAME = ".hinge-analyzer.lock"

    def __init__(self, out_dir: str | os.PathLike):
        self.out_dir = Path(out_dir)
        self._tmps: dict[str, Path] = {}
        self._lock_fh: Any = None  # the open lock file while the output set is held

    def __enter__(self) -> OutputSet:
        import fcntl

        lock_path = self.out_dir / self.LOCK_NAME
        self._made_dir = not self.out_dir.exists()  # a failed run removes the folder it created
        for _ in range(5):
            try:
                self.out_dir.mkdir(parents=True, exist_ok=True)
                self._lock_fh = open(lock_path, "a+")
            except OSError as exc:
                raise OutputError(f"Cannot write to the output folder {self.out_dir}: {exc.strerror or exc}.") from exc
            try:
                fcntl.flock(self._lock_fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                self._lock_fh.close()
                self._lock_fh = None
                raise OutputError(
                    f"Another analysis is writing to {self.out_dir} right now; wait for it to finish or choose "
                    "another output folder."
                ) from exc
            # A run that just finished unlinks its lock file: if ours is no longer the file at
            # lock_path, another run may lock a fresh one, so start again with that file.
            try:
                if os.stat(lock_path).st_ino == os.fstat(self._lock_fh.fileno()).st_ino:
                    return self
            except FileNotFoundError:
                pass
            self._lock_fh.close()
            self._lock_fh = None
        raise OutputError(f"Could not lock the output folder {self.out_dir}; another analysis keeps using it.")

    def tmp(self, name: str) -> Path:
        """A fresh temp path for the final file ``name`` (created empty)."""
        target = self.out_dir / name
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=self.out_dir)
        except OSError as exc:
            raise OutputError(f"Cannot write to the output folder {self.out_dir}: {exc.strerror or exc}.") from exc
        os.close(fd)
        self._tmps[name] = Path(tmp)
        return Path(tmp)

    def commit(self) -> dict[str, Path]:
        done: dict[str, Path] = {}
        try:
            for name, tmp in self._tmps.items():
                _publish(tmp, self.out_dir / name)
                done[name] = self.out_dir / name
        except OSError as exc:
            for p in done.values():
                _unlink(p)
            self.discard()
            raise OutputError(f"Could not finish writing outputs in {self.out_dir}: {exc.strerror or exc}.") from exc
        self._tmps.clear()
        return done

    def discard(self) -> None:
        for tmp in self._tmps.values():
            _unlink(tmp)
        self._tmps.clear()

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.discard()
        if self._lock_fh is not None:
            _unlink(self.out_dir / self.LOCK_NAME)  # unlink while still holding the lock, then release
            self._lock_fh.close()
            self._lock_fh = None
        if exc_type is not None and getattr(self, "_made_dir", False):
            with contextlib.suppress(OSError):
                self.out_dir.rmdir()  # only succeeds when empty
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            # A full disk while writing any output is the user's to fix, not an internal error.
            raise OutputError(f"The disk is full while writing outputs to {self.out_dir}; nothing was kept.") from exc
