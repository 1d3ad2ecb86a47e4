"""End to end: the installed console script on a bundled sample clip."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import ROOT, SAMPLES

EXE = Path(sys.executable).parent / "hinge-analyzer"


def cli(*args, env=None, timeout=600):
    e = dict(os.environ)
    e.update(env or {})
    cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "analyzer"]
    return subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True, env=e, timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def quickstart_clip(side_sample):
    return side_sample


@pytest.fixture(scope="module")
def run_dir(quickstart_clip, model_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out dir ünï"  # spaces and unicode on purpose
    r = cli("analyze", quickstart_clip, "--out", out, "--quiet")
    assert r.returncode == 0, r.stderr
    return out, r


def test_all_outputs_written(run_dir):
    out, r = run_dir
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "annotated.mp4",
        "kinematics.csv",
        "report.html",
        "report.json",
        "report.md",
        "subject.jpg",
        "tracks.npz",
    ]
    assert "error" not in r.stderr.lower()
    # the native libraries' log lines (model load, accelerator set-up and tear-down) stay off the user's terminal
    assert not [ln for ln in r.stderr.splitlines() if ln.startswith(("INFO:", "WARNING:", "W0000", "I0000"))], r.stderr


def test_annotated_video_is_h264_with_input_frame_count(run_dir, quickstart_clip):
    out, _ = run_dir
    with av.open(str(quickstart_clip)) as c:
        n_in = sum(1 for _ in c.decode(video=0))
    with av.open(str(out / "annotated.mp4")) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264" and s.codec_context.pix_fmt == "yuv420p"
        frames = list(c.decode(s))
    assert len(frames) == n_in
    with av.open(str(quickstart_clip)) as c:
        d_in = float(c.streams.video[0].duration * c.streams.video[0].time_base)
    assert abs(float(frames[-1].time) - (d_in - d_in / n_in)) < 0.1


def test_report_and_kinematics(run_dir):
    out, _ = run_dir
    rep = json.loads((out / "report.json").read_text())
    assert rep["schema_version"]
    assert rep["quality"]["detection_rate"] >= 0.9
    header = (out / "kinematics.csv").read_text().splitlines()[0].split(",")
    assert header[:3] == ["time_s", "frame", "detected"]
    assert "knee_flexion_near" in header and "hip_flexion_near" in header
    rows = (out / "kinematics.csv").read_text().splitlines()[1:]
    from analyzer.track.data import PoseTrack

    assert len(rows) == len(PoseTrack.load(out / "tracks.npz")) > 0
    t = np.array([float(r.split(",")[0]) for r in rows])
    assert np.all(np.diff(t) > 0)


def test_reanalysis_uses_landmark_cache(run_dir, quickstart_clip, tmp_path):
    out2 = tmp_path / "again"
    r = cli("analyze", quickstart_clip, "--out", out2, "--quiet", "--no-video", "--json")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["run"]["timings_s"]["cache_hit"] == 1.0


def test_info_command(quickstart_clip):
    r = cli("info", quickstart_clip)
    assert r.returncode == 0
    d = json.loads(r.stdout)
    assert d["codec"] == "h264" and d["fps"] > 0 and d["width"] > 0


def test_no_model_is_one_clear_sentence(quickstart_clip, tmp_path):
    r = cli(
        "analyze",
        quickstart_clip,
        "--out",
        tmp_path / "o",
        env={
            "ANALYZER_MODEL_DIR": str(tmp_path / "nowhere"),
            "ANALYZER_CACHE_MODELS": str(tmp_path / "empty"),
            "ANALYZER_NO_DOWNLOAD": "1",
        },
    )
    assert r.returncode == 3
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "pose_landmarker_full.task" in lines[0] and "ANALYZER_MODEL_DIR" in lines[0]
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_wrong_view_for_the_requested_check_exits_6(model_path, tmp_path):
    clip = SAMPLES / "squat_valgus_front.mp4"
    if not clip.is_file():
        pytest.skip("sample clip missing")
    out = tmp_path / "o"
    r = cli("analyze", clip, "--exercise", "hinge", "--out", out, "--quiet")
    assert r.returncode == 6 and "Traceback" not in r.stderr
    assert "side view" in r.stderr and "turn 90°" in r.stderr
    assert not out.exists() or not any(out.iterdir())


def test_an_uploads_own_name_titles_its_report(quickstart_clip, model_path, tmp_path):
    from analyzer.pipeline import AnalyzeOptions, analyze

    a = analyze(quickstart_clip, AnalyzeOptions(out_dir=tmp_path / "o", write_video=False, display_name="My squat.mov"))
    md = (tmp_path / "o" / "report.md").read_text()
    assert md.startswith("# Movement report — My squat.mov") and quickstart_clip.name not in md
    assert a.report.video["name"] == "My squat.mov"


def test_a_rerun_takes_the_annotated_video_from_the_cache(quickstart_clip, model_path, tmp_path):
    from analyzer.pipeline import AnalyzeOptions, analyze
    from analyzer.track import cache

    analyze(quickstart_clip, AnalyzeOptions(out_dir=tmp_path / "a"))
    again = analyze(quickstart_clip, AnalyzeOptions(out_dir=tmp_path / "b"))
    assert again.timings["cache_hit"] == 1.0 and again.timings.get("video_cache_hit") == 1.0
    assert (tmp_path / "a" / "annotated.mp4").read_bytes() == (tmp_path / "b" / "annotated.mp4").read_bytes()
    # a video drawn by other overlay code is not reused
    cache._overlay_hash.cache_clear()
    try:
        cache.OVERLAY_SOURCES = (*cache.OVERLAY_SOURCES, "track/settings.py")
        third = analyze(quickstart_clip, AnalyzeOptions(out_dir=tmp_path / "c"))
        assert "video_cache_hit" not in third.timings and (tmp_path / "c" / "annotated.mp4").stat().st_size > 0
    finally:
        cache.OVERLAY_SOURCES = cache.OVERLAY_SOURCES[:-1]
        cache._overlay_hash.cache_clear()
