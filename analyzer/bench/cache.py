"""Content hashes the harnesses key their caches by, so a rerun only redoes what a change can affect."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # analyzer/
ROOT = PACKAGE.parent

#: Modules that cannot change an analysis result (io, interfaces, the harnesses themselves).
_IO_ONLY = frozenset({"cli.py", "batch.py", "live.py", "overlay.py", "__main__.py"})
_SKIP_DIRS = frozenset({"synth", "appkit", "bench"})
#: ... except the id vocabulary, which the accuracy harness's cached results are scored with.
_KEEP = frozenset({PACKAGE / "bench" / "vocabulary.py"})


def tree_hash(paths: Iterable[Path]) -> str:
    """16 hex digits of SHA-256 over the paths (relative to the repository root) and contents of ``paths``."""
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.relative_to(ROOT)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def synth_hash() -> str:
    """Hash of the renderer's source (a render depends on nothing else)."""
    return tree_hash((PACKAGE / "synth").glob("*.py"))


def analyzer_hash() -> str:
    """Hash of every analyzer source file that can change a result (.py and .toml; not synth/appkit/bench/io)."""
    files = [
        p
        for p in PACKAGE.rglob("*")
        if p.is_file()
        and p.suffix in (".py", ".toml")
        and p.name not in _IO_ONLY
        and (p in _KEEP or not _SKIP_DIRS & set(p.relative_to(PACKAGE).parts))
    ]
    return tree_hash(files)
