"""Output folders: not writable, odd names, and two runs writing to the same folder."""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from analyzer.atomic import OutputSet
from analyzer.errors import NoPersonError, OutputError, VideoOpenError

from . import inputs as I
from .conftest import (
    as_in_a_terminal,
    assert_clean_failure,
    assert_no_outputs,
    cli_cmd,
    files_in,
    run_cli,
)


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return I.small_clip(tmp_path_factory.mktemp("clip") / "blobs.mp4", n=45)


# ---------------------------------------------------------------------------
# Not writable (the tests run as root, so permission bits would not stop them)
# ---------------------------------------------------------------------------
def test_output_folder_below_a_regular_file(clip, tmp_path, model_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    out = blocker / "out"
    r = run_cli("analyze", clip, "--out", out, "--quiet", cwd=tmp_path)
    assert_clean_failure(r, OutputError.exit_code, r"Cannot write to the output folder .*Not a directory", out)
    assert blocker.read_text() == "a file, not a folder"


def test_output_folder_in_proc(clip, tmp_path, model_path):
    out = Path("/proc/hinge-analyzer-out")
    r = run_cli("analyze", clip, "--out", out, "--quiet", cwd=tmp_path)
    assert_clean_failure(r, OutputError.exit_code, r"Cannot write to the output folder /proc/hinge-analyzer-out", None)
    assert not out.exists()


@pytest.fixture
def readonly_mount(tmp_path):
    mnt = tmp_path / "ro"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a read-only tmpfs")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.mark.parametrize("sub", ["", "new-folder"])
def test_output_folder_on_a_read_only_filesystem(clip, tmp_path, model_path, readonly_mount, sub):
    out = readonly_mount / sub if sub else readonly_mount
    r = run_cli("analyze", clip, "--out", out, "--quiet", cwd=tmp_path)
    assert_clean_failure(r, OutputError.exit_code, r"Cannot write to the output folder .*Read-only file system", out)


# ---------------------------------------------------------------------------
# Spaces and unicode
# ---------------------------------------------------------------------------
ODD = "my squat ünïcødé 测试 (1)"


def test_unicode_and_spaces_in_a_bad_input_name(tmp_path):
    d = tmp_path / f"in {ODD}"
    d.mkdir()
    bad = I.text_file(d / f"{ODD}.mp4")
    out = tmp_path / f"out {ODD}"
    r = run_cli("analyze", bad, "--out", out, "--quiet", cwd=tmp_path)
    msg = assert_clean_failure(r, VideoOpenError.exit_code, re.escape(f"{ODD}.mp4") + r" could not be opened", out)
    assert "\\x" not in msg and "\\u" not in msg


def test_unicode_and_spaces_in_input_and_output_paths(clip, tmp_path, model_path):
    """The whole run (decode, model, output set) on odd paths, ending in the expected no-person answer."""
    d = tmp_path / f"in {ODD}"
    d.mkdir()
    src = d / f"{ODD}.mp4"
    shutil.copy(clip, src)
    out = tmp_path / f"out {ODD}"
    r = run_cli("analyze", src, "--out", out, "--quiet", cwd=tmp_path)
    assert_clean_failure(r, NoPersonError.exit_code, r"No person was found", out)
    r = run_cli("analyze", src, "--quiet", cwd=tmp_path)  # default folder runs/<safe name>
    assert_clean_failure(r, NoPersonError.exit_code, r"No person was found", tmp_path / "runs")
    r = run_cli("info", src)
    assert r.returncode == 0 and '"width": 160' in r.stdout


# ---------------------------------------------------------------------------
# Two runs, one folder
# ---------------------------------------------------------------------------
def test_folder_locked_by_another_run(clip, tmp_path, model_path):
    out = tmp_path / "shared out"
    with OutputSet(out) as held:
        keep = held.tmp("report.json")
        keep.write_text("{}")
        r = run_cli("analyze", clip, "--out", out, "--quiet", cwd=tmp_path)
        assert_clean_failure(r, OutputError.exit_code, r"Another analysis is writing to .* right now")
        assert keep.read_text() == "{}"  # the other run's work is untouched
        held.commit()
    assert files_in(out) == ["report.json"]


def test_two_cli_runs_at_once(tmp_path_factory, tmp_path, model_path):
    """Run A is mid-analysis when run B starts on the same folder: B is refused, A is unaffected."""
    long_clip = I.long_blobs(tmp_path_factory.getbasetemp() / "long-blobs-outputs.mp4")
    out = tmp_path / "out"
    a = subprocess.Popen(
        [*cli_cmd(), "analyze", str(long_clip), "--out", str(out), "--no-cache"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        preexec_fn=as_in_a_terminal,
    )
    buf = bytearray()
    reader = threading.Thread(
        target=lambda: [buf.extend(c) for c in iter(lambda: a.stderr.read1(4096), b"")], daemon=True
    )
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while (
            time.monotonic() < deadline
            and a.poll() is None
            and not re.search(rb"analysing:.*?[1-9]\d*/%d" % I.LONG_FRAMES, bytes(buf))
        ):
            time.sleep(0.05)
        assert a.poll() is None, bytes(buf)[-500:]
        r = run_cli("analyze", long_clip, "--out", out, "--quiet", cwd=tmp_path)
        assert_clean_failure(r, OutputError.exit_code, r"Another analysis is writing to .* right now")
        assert a.poll() is None  # A keeps going
    finally:
        a.send_signal(signal.SIGINT)
        rc = a.wait(60)
        reader.join(5)
    assert rc == 130
    assert_no_outputs(out)


def _hold_and_check(out: str, seconds: float) -> tuple[int, int]:
    """Enter/leave the OutputSet in a loop; count times two holders were inside at once."""
    from analyzer.errors import OutputError as OE

    overlaps = entered = 0
    marker = os.path.join(out, "inside")
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with OutputSet(out):
                try:
                    fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                except FileExistsError:
                    overlaps += 1
                    continue
                entered += 1
                os.close(fd)
                os.unlink(marker)
        except OE:
            pass
    return overlaps, entered


def test_output_lock_is_exclusive_under_contention(tmp_path):
    """Lock files are removed after a run; that must never let two runs hold the folder at once."""
    out = tmp_path / "contended"
    out.mkdir()
    with mp.get_context("spawn").Pool(3) as pool:
        res = pool.starmap(_hold_and_check, [(str(out), 1.5)] * 3)
    overlaps, entered = sum(r[0] for r in res), sum(r[1] for r in res)
    assert entered > 50, res
    assert overlaps == 0, f"{overlaps} overlapping holders ({res})"
    assert files_in(out) == []
