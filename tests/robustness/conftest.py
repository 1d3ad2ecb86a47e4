"""Robustness suite helpers: run the real console script and check that a failure is clean.

A clean failure is: the expected exit code, one ``error: <sentence>`` line on stderr
naming the problem, no traceback anywhere, and no output file left behind
(the output folder is absent or empty, hidden temp files included).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXE = Path(sys.executable).parent / "hinge-analyzer"
SAMPLES = ROOT / "sample_videos"

#: Results of the fuzz run, reported in the terminal summary (see ``pytest_terminal_summary``).
FUZZ_SUMMARY: list[str] = []


def cli_cmd() -> list[str]:
    """The installed console script, or ``python -m analyzer`` when it is not installed."""
    return [str(EXE)] if EXE.exists() else [sys.executable, "-m", "analyzer"]


def as_in_a_terminal() -> None:
    """``preexec_fn`` for a CLI child that must see Ctrl-C: SIGINT back to its default. A test run started
    in the background (``cmd &`` in a script) inherits SIGINT ignored, and the CLI rightly keeps it so."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ln.startswith("error: ")]


def run_cli(*args, cwd: Path | None = None, env: dict | None = None, timeout: float = 180) -> Run:
    e = dict(os.environ)
    e.pop("HINGE_DEBUG", None)
    e.update(env or {})
    argv = [*cli_cmd(), *map(str, args)]
    r = subprocess.run(argv, capture_output=True, text=True, env=e, timeout=timeout, cwd=cwd or ROOT)
    return Run(argv, r.returncode, r.stdout, r.stderr)


def files_in(folder: Path) -> list[str]:
    """Every entry under ``folder`` (hidden temp and lock files included); [] when absent."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def assert_no_outputs(folder: Path) -> None:
    left = files_in(folder)
    assert left == [], f"partial outputs left in {folder}: {left}"


def assert_clean_failure(r: Run, exit_code: int, pattern: str, out: Path | None = None) -> str:
    """Check a CLI failure; return the error sentence."""
    both = r.stdout + r.stderr
    assert "Traceback" not in both, both
    assert "internal error" not in both, both
    assert r.returncode == exit_code, f"exit {r.returncode} != {exit_code}; stderr: {r.stderr!r}"
    assert len(r.error_lines) == 1, f"expected one 'error:' line, got stderr {r.stderr!r}"
    msg = r.error_lines[0][len("error: ") :]
    assert re.search(pattern, msg, re.I), f"{msg!r} does not match {pattern!r}"
    assert msg.rstrip().endswith((".", ")")) and len(msg) < 400, f"not one or two plain sentences: {msg!r}"
    if out is not None:
        assert_no_outputs(out)
    return msg


def expect_error(video: Path, error_cls: type, pattern: str, out: Path, *, cli_args=(), options=None) -> str:
    """The input fails with exactly ``error_cls`` in the library and with its exit code in the CLI."""
    from analyzer.pipeline import AnalyzeOptions, analyze

    opts = options or AnalyzeOptions(out_dir=out / "lib", write_video=False)
    with pytest.raises(error_cls) as ei:
        analyze(video, opts)
    assert type(ei.value) is error_cls, f"{type(ei.value).__name__} raised, expected {error_cls.__name__}"
    assert re.search(pattern, str(ei.value), re.I), str(ei.value)
    assert_no_outputs(out / "lib")
    r = run_cli("analyze", video, "--out", out / "cli", "--quiet", *cli_args, cwd=out.parent)
    return assert_clean_failure(r, error_cls.exit_code, pattern, out / "cli")


def sample_clip(*patterns: str) -> Path:
    """First bundled sample clip matching one of ``patterns`` (skip when there is none yet)."""
    for pat in patterns:
        hits = sorted(SAMPLES.glob(pat))
        if hits:
            return hits[0]
    pytest.skip(f"no sample clip matching {patterns} in sample_videos/")


@pytest.fixture
def work(tmp_path) -> Path:
    """A folder for generated inputs; outputs go to ``work / 'out'``."""
    d = tmp_path / "in"
    d.mkdir()
    return d


def pytest_terminal_summary(terminalreporter):
    if FUZZ_SUMMARY:
        terminalreporter.section("robustness fuzz")
        for line in FUZZ_SUMMARY:
            terminalreporter.write_line(line)


def pytest_collection_modifyitems(config, items):
    """Every robustness test gets a hard timeout (pytest-timeout), so a hang fails instead of stalling CI."""
    if not config.pluginmanager.hasplugin("timeout"):
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(300))
