"""Inputs that are not (usable) videos fail in the container/decode layer, before the pose model.

Each class: the exact error class in the library, its exit code and a specific sentence
from the CLI, no traceback, and no output files.
"""

from __future__ import annotations

import pytest

from analyzer.capture.video import FileSource, probe
from analyzer.errors import NoFramesError, NoVideoStreamError, VideoOpenError

from . import inputs as I
from .conftest import assert_clean_failure, expect_error, run_cli


def test_empty_file(work):
    expect_error(I.empty_file(work / "empty.mp4"), VideoOpenError, r"is empty \(0 bytes\)", work.parent / "out")


def test_random_bytes(work):
    expect_error(
        I.random_bytes(work / "noise.mp4"), VideoOpenError, r"could not be opened as a video", work.parent / "out"
    )


def test_text_file_renamed_mp4(work):
    expect_error(
        I.text_file(work / "notes.mp4"),
        VideoOpenError,
        r"could not be opened as a video.*not a video file",
        work.parent / "out",
    )


@pytest.mark.parametrize("name", ["photo.png", "photo.jpg"])
def test_still_image(work, name):
    expect_error(I.still_image(work / name), NoVideoStreamError, r"is a still image, not a video", work.parent / "out")


def test_jpeg_renamed_mp4(work):
    jpg = I.still_image(work / "photo.jpg")
    expect_error(jpg.rename(work / "photo.mp4"), NoVideoStreamError, r"still image", work.parent / "out")


def test_audio_only(work):
    expect_error(
        I.audio_only(work / "voice.mp4"),
        NoVideoStreamError,
        r"no video track: it is an audio-only file",
        work.parent / "out",
    )


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_zero_frame_container(work, suffix):
    p = I.zero_frame(work / f"zero{suffix}")
    assert p.stat().st_size > 0
    expect_error(p, NoFramesError, r"(no readable tracks or frames|ends before any video data)", work.parent / "out")


def test_unsupported_codec(work):
    expect_error(
        I.unsupported_codec(work / "odd.avi"),
        VideoOpenError,
        r"video codec this build cannot decode",
        work.parent / "out",
    )


def test_missing_file_and_folder(work):
    out = work.parent / "out"
    expect_error(work / "nope.mp4", VideoOpenError, r"does not exist", out)
    expect_error(work, VideoOpenError, r"is a folder, not a video file", out)


# ---------------------------------------------------------------------------
# Truncated files: index at the end (index lost) vs. index at the front (decodable head)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fraction,error_cls,pattern",
    [
        (0.1, VideoOpenError, r"could not be opened as a video"),
        (0.5, VideoOpenError, r"could not be opened as a video"),
        (0.9, NoFramesError, r"empty, unfinished or truncated"),
    ],
)
def test_truncated_mp4_without_index(work, fraction, error_cls, pattern):
    whole = I.mp4_with_moov_last(work / "whole.mp4")
    cut = I.truncated(whole, work / f"cut{int(fraction * 100)}.mp4", fraction)
    expect_error(cut, error_cls, pattern, work.parent / "out")


@pytest.mark.parametrize("fraction", [0.5, 0.9])
def test_truncated_faststart_mp4_decodes_its_head_with_a_warning(work, fraction):
    whole = I.faststart_mp4(work / "whole.mp4", n=60)
    cut = I.truncated(whole, work / "cut.mp4", fraction)
    src = FileSource(cut, max_side=320)
    frames = list(src)
    assert 0 < len(frames) < 60
    assert len(src.warnings) == 1 and "truncated" in src.warnings[0]
    assert all(f.image.shape == (120, 160, 3) for f in frames)
    assert all(b.t > a.t for a, b in zip(frames, frames[1:]))


def test_truncated_faststart_mp4_at_10_percent_has_no_frames(work, model_path):
    whole = I.faststart_mp4(work / "whole.mp4", n=60)
    cut = I.truncated(whole, work / "cut10.mp4", 0.1)
    probe(cut)  # the index is intact, so the container opens ...
    expect_error(cut, NoFramesError, r"no decodable video frames", work.parent / "out")  # ... but nothing decodes


def test_info_command_shares_the_messages(work):
    r = run_cli("info", I.audio_only(work / "voice.mp4"))
    assert_clean_failure(r, NoVideoStreamError.exit_code, r"audio-only")
    r = run_cli("info", I.text_file(work / "notes.mp4"))
    assert_clean_failure(r, VideoOpenError.exit_code, r"not a video file")
