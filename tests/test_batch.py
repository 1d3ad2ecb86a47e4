"""Batch analysis: local process pool and Ray give the same summary; resume by content hash; bad clips are rows."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES

from analyzer.batch import (
    COLUMNS,
    MANIFEST,
    SUMMARY,
    BatchOptions,
    find_clips,
    run_batch,
    split_ray_address,
)

COMPARE = [c for c in COLUMNS if c not in ("seconds", "out_dir")]


def read_summary(out: Path) -> list[dict]:
    with open(out / SUMMARY, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory):
    clips = sorted(Path(os.environ.get("HINGE_SAMPLE_DIR", SAMPLES)).glob("*side*.mp4"))
    if not clips:
        pytest.skip("no sample clip yet")
    d = tmp_path_factory.mktemp("batch_in")
    shutil.copy(clips[0], d / "good one.mp4")  # a space on purpose
    (d / "broken.mp4").write_bytes(os.urandom(4096))  # not a video
    (d / "notes.txt").write_text("not a clip")  # ignored: not a video extension
    return d


@pytest.fixture(scope="module")
def local_run(clip_dir, model_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch_out")
    res = run_batch(clip_dir, BatchOptions(out_dir=out, jobs=2))
    return out, res


# ---------------------------------------------------------------------------
def test_find_clips_folder_glob_and_file(tmp_path):
    (tmp_path / "sub").mkdir()
    for n in ("a.mp4", "b.MOV", "sub/c.webm", "x.txt", ".hidden.mp4"):
        (tmp_path / n).write_bytes(b"x")
    assert [p.name for p in find_clips(tmp_path)] == ["a.mp4", "b.MOV", "c.webm"]
    assert [p.name for p in find_clips(str(tmp_path / "*.mp4"))] == ["a.mp4"]
    assert [p.name for p in find_clips(str(tmp_path / "**" / "*.webm"))] == ["c.webm"]
    assert find_clips(tmp_path / "a.mp4") == [tmp_path / "a.mp4"]
    assert [p.name for p in find_clips([tmp_path / "a.mp4", str(tmp_path / "*.mp4")])] == ["a.mp4"]


def test_ray_address_is_told_apart_from_clip_paths(tmp_path):
    assert split_ray_address(["clips/", "auto"]) == (["clips/"], "auto")
    assert split_ray_address(["ray://head:10001", "a.mp4"]) == (["a.mp4"], "ray://head:10001")
    assert split_ray_address(["10.0.0.5:6379", "d"]) == (["d"], "10.0.0.5:6379")
    assert split_ray_address(["local", "d"]) == (["d"], None)
    f = tmp_path / "auto"
    f.write_bytes(b"")
    assert split_ray_address([str(f)]) == ([str(f)], None)


def test_empty_folder_is_a_clear_error(tmp_path):
    from analyzer.errors import AnalyzerError

    with pytest.raises(AnalyzerError, match="No video files"):
        run_batch(tmp_path, BatchOptions(out_dir=tmp_path / "out", jobs=1))


# ---------------------------------------------------------------------------
def test_local_pool_summary_rows(local_run, clip_dir):
    out, res = local_run
    rows = {Path(r["clip"]).name: r for r in read_summary(out)}
    assert set(rows) == {"good one.mp4", "broken.mp4"}
    good, bad = rows["good one.mp4"], rows["broken.mp4"]
    assert good["status"] == "ok" and good["error"] == ""
    assert good["exercise"] in ("squat", "deadlift", "rdl", "hinge", "running")
    assert good["view"] == "side"
    assert int(good["frames"]) > 30 and float(good["detection_rate"]) > 0.8
    assert int(good["n_findings"]) == len([f for f in good["findings"].split("; ") if f])
    # the per-clip outputs are where the row says, and agree with it
    rep = json.loads((Path(good["out_dir"]) / "report.json").read_text())
    assert good["exercise"] in json.dumps(rep)
    assert sorted(p.name for p in Path(good["out_dir"]).iterdir()) == [
        "kinematics.csv",
        "report.html",
        "report.json",
        "report.md",
        "subject.jpg",
        "tracks.npz",
    ]
    # the bad clip is a row with a clear reason, not a crash
    assert bad["status"] == "error" and bad["error_code"] == "video_unreadable"
    assert "broken.mp4" in bad["error"]
    assert (res.analysed, res.failed, res.skipped) == (1, 1, 0)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # atomic writes leave no temp files


def test_resume_skips_clips_already_analysed(local_run, clip_dir):
    out, first = local_run
    rows0 = read_summary(out)
    good_dir = Path(next(r for r in rows0 if r["status"] == "ok")["out_dir"])
    stamp = (good_dir / "report.json").stat().st_mtime_ns
    res = run_batch(clip_dir, BatchOptions(out_dir=out, jobs=1))
    assert res.skipped == 1 and res.analysed == 0 and res.failed == 1  # errors are tried again
    assert (good_dir / "report.json").stat().st_mtime_ns == stamp  # not re-analysed
    rows1 = read_summary(out)
    assert [{k: r[k] for k in COMPARE} for r in rows1] == [{k: r[k] for k in COMPARE} for r in rows0]
    man = json.loads((out / MANIFEST).read_text())
    assert {v["status"] for v in man["clips"].values()} == {"ok", "error"}


def test_new_and_renamed_clips_on_resume(local_run, clip_dir, tmp_path):
    """A renamed copy (same content) is not analysed again; only the new file is."""
    out, _ = local_run
    out2 = tmp_path / "out"
    shutil.copytree(out, out2)
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(clip_dir / "good one.mp4", d / "renamed.mp4")
    (d / "also broken.mov").write_bytes(b"\x00" * 100)
    res = run_batch(d, BatchOptions(out_dir=out2, jobs=1))
    assert (res.skipped, res.analysed, res.failed) == (1, 0, 1)
    rows = {Path(r["clip"]).name: r for r in read_summary(out2)}
    assert rows["renamed.mp4"]["status"] == "ok" and rows["also broken.mov"]["status"] == "error"


def test_cli_batch_command(clip_dir, local_run, tmp_path):
    out, _ = local_run
    out2 = tmp_path / "cli out"
    shutil.copytree(out, out2)  # resumes: nothing to run but the broken clip
    exe = Path(sys.executable).parent / "hinge-analyzer"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "analyzer"]
    r = subprocess.run(
        [*cmd, "batch", str(clip_dir), "--jobs", "1", "--out", str(out2), "--quiet"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert "2 clips: 0 analysed, 1 already done, 1 failed" in r.stdout
    assert "broken.mp4" in r.stderr


# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ray_local():
    ray = pytest.importorskip("ray")
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_gives_the_same_summary_as_the_pool(ray_local, local_run, clip_dir, tmp_path):
    out_local, _ = local_run
    out = tmp_path / "ray out"
    res = run_batch(clip_dir, BatchOptions(out_dir=out, jobs=2, ray=True))
    assert (res.analysed, res.failed) == (1, 1)
    a, b = read_summary(out_local), read_summary(out)
    assert [{k: r[k] for k in COMPARE} for r in b] == [{k: r[k] for k in COMPARE} for r in a]
    ok = next(r for r in b if r["status"] == "ok")
    assert (Path(ok["out_dir"]) / "report.json").is_file()
    # and it resumes like the pool
    res2 = run_batch(clip_dir, BatchOptions(out_dir=out, jobs=2, ray=True))
    assert res2.skipped == 1 and res2.analysed == 0
