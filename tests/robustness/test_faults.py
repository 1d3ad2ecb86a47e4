"""Faults mid-run: broken or missing model, interrupted download, full disk, SIGINT/SIGTERM."""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest

from analyzer.atomic import OutputSet
from analyzer.capture import models
from analyzer.errors import (
    ModelDownloadError,
    ModelInvalidError,
    ModelNotFoundError,
    OutputError,
)
from analyzer.pipeline import AnalyzeOptions, analyze

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
    """1.5 s of moving blobs: opens, decodes, has no person."""
    return I.small_clip(tmp_path_factory.mktemp("clip") / "blobs.mp4", n=45)


# ---------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------
def _model_dir(tmp_path: Path, kind: str) -> Path:
    d = tmp_path / f"models-{kind}"
    d.mkdir()
    target = d / "pose_landmarker_full.task"
    if kind == "garbage":
        target.write_bytes(b"<html>503 Service Unavailable</html>")
    elif kind == "half":  # a download that stopped half way and was renamed by hand
        shared = Path(os.environ.get("ANALYZER_MODEL_DIR", "")) / "pose_landmarker_full.task"
        if not shared.is_file():
            pytest.skip("no pose model to cut")
        target.write_bytes(shared.read_bytes()[: shared.stat().st_size // 2])
    elif kind == "bad-networks":  # the right zip members, corrupt networks inside
        with zipfile.ZipFile(target, "w") as zf:
            for m in models.REQUIRED_MEMBERS:
                zf.writestr(m, os.urandom(4096))
    return d


@pytest.mark.parametrize(
    "kind,pattern",
    [
        ("garbage", r"not a valid MediaPipe \.task bundle.*download it again"),
        ("half", r"(not a valid MediaPipe|not a usable pose landmarker bundle).*download it again"),
        ("bad-networks", r"MediaPipe could not load the pose model.*download it again"),
    ],
)
def test_corrupt_model(clip, tmp_path, kind, pattern):
    mdir = _model_dir(tmp_path, kind)
    out = tmp_path / "out"
    r = run_cli("analyze", clip, "--out", out, "--quiet", env={"ANALYZER_MODEL_DIR": str(mdir)}, cwd=tmp_path)
    assert_clean_failure(r, ModelInvalidError.exit_code, pattern, out)
    assert sorted(p.name for p in mdir.iterdir()) == ["pose_landmarker_full.task"]  # nothing else written there


def test_missing_model(clip, tmp_path):
    out = tmp_path / "out"
    r = run_cli(
        "analyze",
        clip,
        "--out",
        out,
        "--quiet",
        cwd=tmp_path,
        env={
            "ANALYZER_MODEL_DIR": str(tmp_path / "nowhere"),
            "ANALYZER_CACHE_MODELS": str(tmp_path / "empty"),
            "ANALYZER_NO_DOWNLOAD": "1",
        },
    )
    assert_clean_failure(
        r, ModelNotFoundError.exit_code, r"No pose model 'full' was found: download .*ANALYZER_MODEL_DIR", out
    )


def _dropping_server(body: bytes, chunked: bool) -> tuple[str, threading.Thread]:
    """An HTTP server that sends part of a model and then drops the connection."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)

    def serve():
        conn, _ = srv.accept()
        conn.recv(65536)
        if chunked:
            head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % (4 * len(body))
        else:
            head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (4 * len(body))
        conn.sendall(head + body)
        conn.shutdown(socket.SHUT_RDWR)
        conn.close()
        srv.close()

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    return f"http://127.0.0.1:{srv.getsockname()[1]}/pose_landmarker_full.task", th


@pytest.mark.parametrize("chunked", [False, True])
def test_download_dropped_mid_transfer_leaves_nothing(tmp_path, chunked):
    url, th = _dropping_server(b"PK\x03\x04" + os.urandom(200_000), chunked)
    dest = tmp_path / "models"
    with pytest.raises(ModelDownloadError) as ei:
        models.fetch("full", url=url, dest_dir=dest, progress=False, timeout=10)
    th.join(5)
    assert "nothing was kept" in str(ei.value) and "\n" not in str(ei.value)
    assert files_in(dest) == []


def test_download_interrupted_by_ctrl_c_leaves_nothing(tmp_path):
    class Resp:
        headers = {"Content-Length": "1000000"}
        n = 0

        def read(self, k):
            self.n += 1
            if self.n > 3:
                raise KeyboardInterrupt
            return b"x" * k

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

    dest = tmp_path / "models"
    with pytest.raises(KeyboardInterrupt):
        models.fetch(
            "full", url="http://unused.invalid/m.task", dest_dir=dest, progress=False, opener=lambda *a, **k: Resp()
        )
    assert files_in(dest) == []


# ---------------------------------------------------------------------------
# Disk full
# ---------------------------------------------------------------------------
def test_disk_full_inside_an_output_set_is_an_output_error(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(OutputError, match="disk is full.*nothing was kept"):
        with OutputSet(out) as o:
            o.tmp("report.json").write_text("{}")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert_no_outputs(out)


def test_disk_full_while_encoding_the_video(clip, tmp_path, model_path, monkeypatch):
    """The H.264 writer fails with ENOSPC on its 5th frame (simulated): OutputError, nothing kept."""
    from analyzer.capture.writer import H264Writer

    real = H264Writer.write
    calls = {"n": 0}

    def failing_write(self, image, t=None):
        calls["n"] += 1
        if calls["n"] >= 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, image, t)

    monkeypatch.setattr(H264Writer, "write", failing_write)
    out = tmp_path / "out"
    with pytest.raises(OutputError, match=r"disk (filled up|is full).*nothing was kept"):
        analyze(clip, AnalyzeOptions(out_dir=out, use_cache=False))
    assert calls["n"] >= 5
    assert_no_outputs(out)


@pytest.fixture
def tiny_tmpfs(tmp_path):
    """A 96 KiB tmpfs (needs root and mount rights; skipped otherwise)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode(errors='replace').strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_disk_full_for_real_on_a_tiny_tmpfs(tmp_path, tiny_tmpfs, model_path):
    """A noisy clip whose annotated video cannot fit in 96 KiB: the real ENOSPC, through the CLI."""
    import numpy as np

    rng = np.random.default_rng(0)
    noisy = I.encode(
        tmp_path / "noisy.mp4", [rng.integers(0, 255, (120, 160, 3), dtype=np.uint8) for _ in range(45)], fmt="mp4"
    )
    out = tiny_tmpfs / "out"
    r = run_cli("analyze", noisy, "--out", out, "--quiet", cwd=tmp_path)
    assert_clean_failure(r, OutputError.exit_code, r"disk (filled up|is full).*nothing was kept", out)
    assert files_in(tiny_tmpfs) in ([], ["out"])  # at most the empty folder itself
    assert shutil.disk_usage(tiny_tmpfs).used < 16 * 1024


# ---------------------------------------------------------------------------
# Interrupts
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_mid_analysis_leaves_no_outputs(tmp_path_factory, tmp_path, model_path, sig):
    long_clip = I.long_blobs(tmp_path_factory.getbasetemp() / "long-blobs.mp4")
    out = tmp_path / "out"
    env = dict(os.environ)
    env.pop("HINGE_DEBUG", None)
    proc = subprocess.Popen(
        [*cli_cmd(), "analyze", str(long_clip), "--out", str(out), "--no-cache"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
        preexec_fn=as_in_a_terminal,
    )
    buf = bytearray()
    reader = threading.Thread(
        target=lambda: [buf.extend(c) for c in iter(lambda: proc.stderr.read1(4096), b"")], daemon=True
    )
    reader.start()
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        m = re.findall(rb"analysing:.*?(\d+)/%d" % I.LONG_FRAMES, bytes(buf))
        done = int(m[-1]) if m else 0
        if done >= 20:
            break
        time.sleep(0.05)
    assert done >= 20, f"progress never started: {bytes(buf)[-500:]!r}"
    assert any(n.startswith(".annotated") for n in files_in(out))  # a temp output exists mid-run ...
    proc.send_signal(sig)
    rc = proc.wait(60)
    reader.join(5)
    stderr = bytes(buf).decode(errors="replace")
    assert rc == 130, stderr[-800:]
    assert "Traceback" not in stderr
    assert "interrupted: the analysis was stopped; no outputs were written." in stderr
    assert_no_outputs(out)  # ... and is gone afterwards, lock file included
