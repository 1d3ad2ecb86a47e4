"""Odd but real clips: size, shape, rotation, timing, length, and what is (not) in the frame.

Person-dependent classes compose their inputs in a temp folder from a real clip in
``../shared/realclips`` (read only, nothing copied into the repo) and skip when it is absent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analyzer.capture.video import FileSource, probe
from analyzer.capture.writer import write_rotated_copy
from analyzer.errors import ClipTooShortError, NoPersonError

from . import inputs as I
from .conftest import (
    ROOT,
    assert_clean_failure,
    assert_no_outputs,
    expect_error,
    run_cli,
)

SHARED = Path(os.environ.get("HINGE_SHARED_DIR", ROOT.parent / "shared"))
OUTPUTS = ["kinematics.csv", "report.html", "report.json", "report.md", "subject.jpg", "tracks.npz"]


def realclip(name: str) -> Path:
    p = SHARED / "realclips" / name
    if not p.is_file():
        pytest.skip("../shared/realclips is not available")
    return p


@pytest.fixture(scope="module")
def person(tmp_path_factory):
    """A real 3.9 s clip of one person (480×480, 30 fps) as RGB frames."""
    frames, fps, ts = I.read_rgb(realclip("goodmorning_oblique_01_barbell.mp4"))
    return frames, fps


def analyse_ok(clip: Path, out: Path, *extra) -> tuple[str, dict]:
    r = run_cli("analyze", clip, "--out", out, "--quiet", "--no-video", *extra, cwd=out.parent)
    both = r.stdout + r.stderr
    assert r.returncode == 0 and "Traceback" not in both, both[-1500:]
    assert sorted(p.name for p in out.iterdir()) == OUTPUTS
    return r.stdout, json.loads((out / "report.json").read_text())


def peak_rss_mb(code: str) -> float:
    """Peak RSS (MB) of a fresh Python running ``code``."""
    wrapper = (
        "import resource, subprocess, sys; subprocess.run([sys.executable, '-c', sys.argv[1]], check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    r = subprocess.run([sys.executable, "-c", wrapper, code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    return int(r.stdout.split()[-1]) / 1024


# ---------------------------------------------------------------------------
# Size and shape
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def clip_8k(tmp_path_factory):
    return I.huge_frame(tmp_path_factory.mktemp("8k") / "8k.mp4", n=12, fps=12)


def test_8k_frames_are_downscaled_in_the_decoder_with_bounded_memory(clip_8k):
    info = probe(clip_8k)
    assert (info.width, info.height) == (7680, 4320)
    frames = list(FileSource(clip_8k))
    assert len(frames) == 12 and frames[0].image.shape == (720, 1280, 3) and frames[0].scale == pytest.approx(6.0)
    peak = peak_rss_mb(f"from analyzer.capture.video import FileSource\nfor f in FileSource({str(clip_8k)!r}): pass")
    full_rgb_mb = 12 * 7680 * 4320 * 3 / 2**20  # the whole clip as full-size RGB: 1.1 GiB
    assert peak < 700, f"decoding 8K used {peak:.0f} MB (all frames at full size would be {full_rgb_mb:.0f} MB)"


@pytest.mark.slow
def test_8k_clip_through_the_cli(clip_8k, tmp_path, model_path):
    """The whole run (decode, 1280-px model input, overlay) on 8K: a clean no-person answer, bounded memory."""
    out = tmp_path / "out"
    code = (
        "import sys\nfrom analyzer.cli import main\n"
        f"sys.exit(0 if main(['analyze', {str(clip_8k)!r}, '--out', {str(out)!r}, '--quiet']) == 5 else 1)"
    )
    peak = peak_rss_mb(code)
    assert peak < 1500, f"8K analysis peaked at {peak:.0f} MB"
    assert_no_outputs(out)
    # 12 frames at 12 fps = 1 s of 8K
    assert probe(clip_8k).duration == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize("w,h", [(1920, 96), (96, 1920), (4000, 16)])
def test_extreme_aspect_ratio_decodes_to_scale(tmp_path, w, h):
    clip = I.encode(tmp_path / "strip.mp4", I.frames_noise(12, w, h), fmt="mp4")
    frames = list(FileSource(clip))
    fh, fw = frames[0].image.shape[:2]
    assert max(fh, fw) == min(1280, max(w, h))
    assert abs(fw / fh - w / h) / (w / h) < 0.15 or min(fh, fw) == 2


def test_extreme_aspect_ratio_through_the_cli(tmp_path, model_path):
    clip = I.encode(tmp_path / "strip.mp4", I.frames_noise(40, 1920, 96), fmt="mp4")
    expect_error(clip, NoPersonError, r"No person was found", tmp_path / "out")


# ---------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------
def test_clip_under_one_second(work):
    expect_error(
        I.short_clip(work / "blink.mp4", seconds=0.3),
        ClipTooShortError,
        r"only 0\.30 s long; film at least a standing second and one full rep",
        work.parent / "out",
    )


def test_clip_of_0_8_s_with_a_person_is_too_short(person, tmp_path):
    frames, fps = person
    clip = I.encode(tmp_path / "short.mp4", frames[:24], fps=fps, fmt="mp4")
    expect_error(clip, ClipTooShortError, r"only 0\.80 s long", tmp_path / "out")


def test_no_person(work, model_path):
    clip = I.small_clip(work / "empty-room.mp4", n=45)
    expect_error(
        clip, NoPersonError, r"No person was found in this clip \(detected in 0% of frames\)", work.parent / "out"
    )


@pytest.mark.realclips
def test_variable_frame_rate_keeps_true_timestamps(person, tmp_path):
    frames, fps = person
    rng = np.random.default_rng(2)
    t = np.round(np.concatenate([[0.0], np.cumsum(rng.uniform(0.015, 0.055, len(frames) - 1))]), 4)
    clip = I.encode(tmp_path / "vfr.mp4", frames, fmt="mp4", times=list(t))
    stdout, rep = analyse_ok(clip, tmp_path / "out")
    rows = (tmp_path / "out" / "kinematics.csv").read_text().splitlines()[1:]
    got = np.array([float(r.split(",")[0]) for r in rows])
    assert len(got) == len(t)
    np.testing.assert_allclose(got - got[0], t - t[0], atol=2e-3)


# ---------------------------------------------------------------------------
# Orientation
# ---------------------------------------------------------------------------
@pytest.mark.realclips
@pytest.mark.slow
def test_portrait_phone_clip_with_rotation_metadata(tmp_path):
    """Stored landscape with a 90° tag, shown portrait: analysed upright, same landmarks as the upright clip."""
    import cv2

    frames, fps, _ = I.read_rgb(realclip("squat_side_02_phone_gym_mirror.mp4"), max_frames=45)
    small = [cv2.resize(f, (304, 540), interpolation=cv2.INTER_AREA) for f in frames]
    upright = I.encode(tmp_path / "upright.mp4", small, fps=fps, fmt="mp4")
    rotated = tmp_path / "phone.mp4"
    write_rotated_copy(upright, rotated, 90)
    info = probe(rotated)
    assert info.rotation == 90 and (info.width, info.height) == (304, 540)
    _, rep_r = analyse_ok(rotated, tmp_path / "out_r")
    _, rep_u = analyse_ok(upright, tmp_path / "out_u")
    from analyzer.track.data import PoseTrack

    tr, tu = PoseTrack.load(tmp_path / "out_r" / "tracks.npz"), PoseTrack.load(tmp_path / "out_u" / "tracks.npz")
    assert (tr.width, tr.height) == (304, 540)
    hips = [23, 24]
    d = np.nanmedian(np.abs(tr.xy[:, hips] - tu.xy[:, hips]))
    assert tr.detection_rate > 0.8 and d < 6, f"median hip difference {d:.1f} px"


# ---------------------------------------------------------------------------
# Who is in the frame
# ---------------------------------------------------------------------------
@pytest.mark.realclips
def test_two_people_locks_on_one_and_says_so(person, tmp_path):
    import cv2

    frames, fps = person
    two = [
        cv2.resize(np.concatenate([f, f[:, ::-1]], axis=1), (640, 320), interpolation=cv2.INTER_AREA) for f in frames
    ]
    clip = I.encode(tmp_path / "two.mp4", two, fps=fps, fmt="mp4")
    stdout, rep = analyse_ok(clip, tmp_path / "out")
    assert "warning: Several people were visible" in stdout and "follows one person" in stdout
    from analyzer.track.data import PoseTrack

    tr = PoseTrack.load(tmp_path / "out" / "tracks.npz")
    assert int(tr.n_people.max()) >= 2
    hip_x = np.nanmean(tr.xy[:, [23, 24], 0], axis=1)
    hip_x = hip_x[np.isfinite(hip_x)]
    assert len(hip_x) > 0.8 * len(tr)
    left = hip_x < 320
    assert left.all() or (~left).all(), "the tracked subject switched between the two people"


@pytest.mark.realclips
def test_person_leaves_and_reenters(person, tmp_path):
    frames, fps = person
    w = frames[0].shape[1]
    bg = np.full_like(frames[0], 110)
    clip_frames = []
    for i, f in enumerate(frames):
        k = min(i - 35, 74 - i) if 35 <= i < 75 else -1  # slides out over 8 frames, away ~1 s, slides back
        shift = min(w, k * 60) if k >= 0 else 0
        g = bg.copy()
        if shift < w:
            g[:, shift:] = f[:, : w - shift]
        clip_frames.append(g)
    clip = I.encode(tmp_path / "leave.mp4", clip_frames, fps=fps, fmt="mp4")
    stdout, rep = analyse_ok(clip, tmp_path / "out")
    assert "warning: The person was out of view from 1." in stdout
    from analyzer.track.data import PoseTrack

    tr = PoseTrack.load(tmp_path / "out" / "tracks.npz")
    det = tr.detected
    assert det[:30].mean() > 0.9 and det[80:].mean() > 0.9 and det[50:60].mean() == 0


@pytest.mark.realclips
def test_very_dark_footage(person, tmp_path):
    frames, fps = person
    clip = I.encode(tmp_path / "dark.mp4", I.dark(frames), fps=fps, fmt="mp4")
    expect_error(
        clip,
        NoPersonError,
        r"too dark to find a person \(average brightness \d of 255",
        tmp_path / "out",
        cli_args=("--no-cache",),
    )


@pytest.mark.realclips
def test_wrong_view_for_the_requested_check(tmp_path):
    """Front-on footage with a hinge check asked for: refused (exit 6) with what to do, nothing written."""
    clip = realclip("goodmorning_oblique_01_barbell.mp4")
    r = run_cli(
        "analyze", clip, "--out", tmp_path / "out", "--quiet", "--no-video", "--exercise", "hinge", cwd=tmp_path
    )
    assert_clean_failure(r, 6, r"need a side view.*turn 90° so the camera sees your side", tmp_path / "out")


@pytest.mark.realclips
def test_wrong_view_in_auto_mode_is_analysed_with_a_warning(tmp_path):
    """The same clip in auto mode: analysed, told to turn, side metrics not measurable."""
    clip = realclip("goodmorning_oblique_01_barbell.mp4")
    stdout, rep = analyse_ok(clip, tmp_path / "out")
    assert "setup: For hinge timing and back posture, film from the side" in stdout
    assert "not measurable from this view" in json.dumps(rep)


@pytest.mark.realclips
@pytest.mark.parametrize("fraction", [0.5, 0.9])
def test_truncated_clip_with_a_person_is_analysed_up_to_the_cut(person, tmp_path, fraction):
    frames, fps = person
    whole = I.encode(tmp_path / "whole.mp4", frames, fps=fps, fmt="mp4", container_options={"movflags": "+faststart"})
    cut = I.truncated(whole, tmp_path / "cut.mp4", fraction)
    stdout, rep = analyse_ok(cut, tmp_path / "out")
    assert "warning: The file is damaged:" in stdout and "Only the first" in stdout
    n = len((tmp_path / "out" / "kinematics.csv").read_text().splitlines()) - 1
    assert 0 < n < len(frames)
