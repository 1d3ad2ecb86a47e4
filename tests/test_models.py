"""Model resolution, verification and download (against a local HTTP server)."""

from __future__ import annotations

import http.server
import shutil
import threading
import zipfile
from functools import partial
from pathlib import Path

import pytest

from analyzer.capture import models
from analyzer.errors import ModelDownloadError, ModelInvalidError, ModelNotFoundError


def _fake_bundle(path: Path, members=models.REQUIRED_MEMBERS) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for m in members:
            zf.writestr(m, b"\0" * 1024)
    return path


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    monkeypatch.delenv(models.ENV_DIR, raising=False)
    monkeypatch.setenv("ANALYZER_CACHE_MODELS", str(tmp_path / "cache"))
    return tmp_path


def test_verify_accepts_bundle_and_rejects_others(tmp_path):
    good = _fake_bundle(tmp_path / "pose_landmarker_full.task")
    assert models.verify(good) == good
    with pytest.raises(ModelInvalidError, match="not a valid MediaPipe"):
        models.verify(tmp_path.joinpath("x.task").write_bytes(b"hello") and tmp_path / "x.task")
    partial_zip = _fake_bundle(tmp_path / "p.task", members=("pose_detector.tflite",))
    with pytest.raises(ModelInvalidError, match="pose_landmarks_detector.tflite"):
        models.verify(partial_zip)


def test_shared_bundle_verifies(model_path):
    assert models.verify(model_path).name == "pose_landmarker_full.task"


def test_resolution_order(no_env, monkeypatch):
    tmp = no_env
    explicit = _fake_bundle(tmp / "explicit.task")
    envdir = tmp / "envdir"
    envdir.mkdir()
    env_model = _fake_bundle(envdir / "pose_landmarker_lite.task")
    cache = tmp / "cache"
    cache.mkdir()
    cached = _fake_bundle(cache / "pose_landmarker_lite.task")

    assert models.resolve("lite", download=False) == cached
    monkeypatch.setenv(models.ENV_DIR, str(envdir))
    assert models.resolve("lite", download=False) == env_model
    monkeypatch.setenv(models.ENV_DIR, str(env_model))  # a file works too
    assert models.resolve("lite", download=False) == env_model
    assert models.resolve("lite", explicit, download=False) == explicit


def test_missing_model_says_how_to_get_one(no_env):
    with pytest.raises(ModelNotFoundError) as ei:
        models.resolve("heavy", download=False)
    msg = str(ei.value)
    assert "pose_landmarker_heavy.task" in msg and models.ENV_DIR in msg and msg.count(".") >= 1
    assert "\n" not in msg


@pytest.fixture
def http_dir(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *a, **k: None
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield served, f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_download_verifies_and_caches(http_dir, tmp_path, model_path):
    served, base = http_dir
    shutil.copy(model_path, served / "m.task")
    dest = tmp_path / "dl"
    p = models.fetch("full", url=f"{base}/m.task", dest_dir=dest, progress=False)
    assert p == dest / "pose_landmarker_full.task"
    assert p.stat().st_size == model_path.stat().st_size
    assert [x.name for x in dest.iterdir()] == ["pose_landmarker_full.task"]


def test_download_of_garbage_leaves_nothing(http_dir, tmp_path):
    served, base = http_dir
    (served / "bad.task").write_bytes(b"<html>not a model</html>")
    dest = tmp_path / "dl"
    with pytest.raises(ModelDownloadError, match="nothing was kept"):
        models.fetch("full", url=f"{base}/bad.task", dest_dir=dest, progress=False)
    assert list(dest.iterdir()) == []


def test_interrupted_download_leaves_nothing(tmp_path):
    class Resp:
        headers = {"Content-Length": "100000"}

        def __init__(self):
            self.sent = 0

        def read(self, n):
            if self.sent >= 30000:
                raise ConnectionResetError("connection reset by peer")
            self.sent += 10000
            return b"x" * 10000

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

    dest = tmp_path / "dl"
    with pytest.raises(ModelDownloadError, match="nothing was kept"):
        models.fetch("lite", url="http://127.0.0.1:9/x", dest_dir=dest, progress=False, opener=lambda *a, **k: Resp())
    assert list(dest.iterdir()) == []


def test_unreachable_server_is_a_clear_error(tmp_path):
    with pytest.raises(ModelDownloadError, match="Could not download"):
        models.fetch("lite", url="http://127.0.0.1:9/none.task", dest_dir=tmp_path, progress=False, timeout=2)


def test_project_models_dir_is_the_repo_models_folder():
    """The documented cache is ``models/`` at the repository root (the fixed layout), wherever the code lives."""
    from pathlib import Path

    from analyzer.capture import models as M

    root = Path(__file__).resolve().parent.parent
    assert M.PROJECT_MODELS_DIR == root / "models"
    assert (root / "pyproject.toml").is_file()
