"""Words a lifter understands: report.md and report.html of real runs on sample clips carry no raw ids, no numbers
with more than three decimals, no doubled qualifiers and no repeated sentences where each sentence should be once."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
CLIPS = ("hinge_lumbar_first_side", "squat_valgus_front", "run_overstride_side")

#: Lowercase words with underscores that a person may read: file names the report points to.
ALLOWED_IDS = {"method_spec"}
SNAKE = re.compile(r"(?<![\w./-])[a-z]+(?:_[a-z0-9]+)+(?![\w/-]*\.(?:md|json|csv|npz|mp4|jpg|html|toml))\b")
LONG_DECIMALS = re.compile(r"\d\.\d{4,}")
DOUBLED = re.compile(r"\((proxy|approx\.)\)[^.\n]{0,12}\(?\1\)?", re.I)


@pytest.fixture(scope="module")
def reports(model_path, tmp_path_factory):
    from analyzer.pipeline import AnalyzeOptions, analyze

    out = {}
    for c in CLIPS:
        d = tmp_path_factory.mktemp(c)
        analyze(SAMPLES / f"{c}.mp4", AnalyzeOptions(out_dir=d, write_video=False))
        md = (d / "report.md").read_text(encoding="utf-8")
        page = html.unescape(re.sub(r"<[^>]+>", " ", (d / "report.html").read_text(encoding="utf-8")))
        out[c] = (md, page)
    return out


def _prose(text: str) -> str:
    """The text a person reads: without source citations (they name documents and the method spec)."""
    return "\n".join(ln for ln in text.splitlines() if "Source:" not in ln and "threshold:" not in ln)


@pytest.mark.parametrize("clip", CLIPS)
def test_no_raw_ids_or_long_decimals(reports, clip):
    for text in reports[clip]:
        prose = _prose(text)
        ids = sorted({m for m in SNAKE.findall(prose) if m not in ALLOWED_IDS})
        assert not ids, f"raw ids in {clip}: {ids}"
        assert not LONG_DECIMALS.findall(prose), f"numbers with > 3 decimals in {clip}"


@pytest.mark.parametrize("clip", CLIPS)
def test_no_doubled_qualifiers_or_repeated_notes(reports, clip):
    md, _ = reports[clip]
    assert not DOUBLED.search(md), DOUBLED.search(md)
    for section in ("## What this clip could not show", "## Notes"):
        if section not in md:
            continue
        body = md.split(section)[1].split("\n## ")[0]
        lines = [ln.strip("- ").strip() for ln in body.splitlines() if ln.strip()]
        assert len(lines) == len(set(lines)), f"repeated lines under {section} in {clip}"
    assert "long gaps" not in md and "This article provides" not in md.split("From the guide")[0]


def test_the_scanners_catch_what_they_look_for():
    bad = "Hinge hinge_lag_ms = 3.0667 (proxy) (proxy)"
    assert SNAKE.findall(bad) == ["hinge_lag_ms"] and LONG_DECIMALS.findall(bad) and DOUBLED.search(bad)
    ok = "See report.json and kinematics.csv; knee-in 12° (proxy); 0.25 s"
    assert not SNAKE.findall(ok) and not LONG_DECIMALS.findall(ok) and not DOUBLED.search(ok)
