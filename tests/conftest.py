"""Shared fixtures: the real pose model (via ANALYZER_MODEL_DIR), sample clips, temp caches."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("HINGE_SHARED_DIR", ROOT.parent / "shared"))
SAMPLES = ROOT / "sample_videos"
REALCLIPS = SHARED / "realclips"

if not os.environ.get("ANALYZER_MODEL_DIR") and (SHARED / "models" / "pose_landmarker_full.task").is_file():
    os.environ["ANALYZER_MODEL_DIR"] = str(SHARED / "models")
os.environ.setdefault("ANALYZER_NO_DOWNLOAD", "1")
os.environ.setdefault("GLOG_minloglevel", "2")


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    """Landmark cache in a per-session temp dir, so tests never see a stale user cache."""
    os.environ["ANALYZER_CACHE_DIR"] = str(tmp_path_factory.mktemp("landmark-cache"))
    yield


@pytest.fixture(scope="session")
def model_path() -> Path:
    from analyzer.capture import models
    from analyzer.errors import ModelNotFoundError

    try:
        return models.resolve("full", download=False)
    except ModelNotFoundError:
        pytest.skip("no pose model: set ANALYZER_MODEL_DIR (see models/README.md)")


def sample(name: str) -> Path:
    p = SAMPLES / name
    if not p.is_file():
        pytest.skip(f"sample clip {name} is missing")
    return p


def realclip(name: str) -> Path:
    p = REALCLIPS / name
    if not p.is_file():
        pytest.skip("../shared/realclips is not available")
    return p


@pytest.fixture(scope="session")
def side_sample() -> Path:
    """The first bundled side-view sample clip (a person the model finds)."""
    clips = sorted(SAMPLES.glob("*side*.mp4"))
    if not clips:
        pytest.skip("no side-view sample clip")
    return clips[0]
