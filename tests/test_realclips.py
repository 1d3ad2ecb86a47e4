"""The real-clip ratchet: the whole labelled set (../shared/realclips) through the real pipeline.

Agreement may rise, never fall below the figure committed in docs/realclips.json (regenerate that with
``hinge-analyzer bench realclips`` when it rises). Skips cleanly where the shared folder is absent.
Landmarks and reports are cached by content hash, so only the first run pays the pose passes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.bench.realclips import DEFAULT_CACHE, DEFAULT_CLIPS, run

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.realclips, pytest.mark.slow, pytest.mark.timeout(3600)]


@pytest.fixture(scope="module")
def scored(model_path):
    if not (DEFAULT_CLIPS / "EXPECTED.tsv").is_file():
        pytest.skip("../shared/realclips is absent")
    return run(DEFAULT_CLIPS, DEFAULT_CACHE, jobs=2)


def test_agreement_never_falls_below_the_committed_figure(scored):
    summary, rows = scored
    doc = json.loads((ROOT / "docs" / "realclips.json").read_text())
    assert summary["crashed"] == 0, [r["file"] for r in rows if r["said"]["crash"]]
    now, then = summary["overall"]["agreement"], doc["summary"]["overall"]["agreement"]
    before = {c["file"]: c["right"] for c in doc["clips"]}
    worse = [f"{r['file']} {before[r['file']]} → {r['right']}" for r in rows if r["right"] < before.get(r["file"], 0)]
    assert now >= then - 1e-9, f"real-clip agreement fell from {then:.3f} to {now:.3f}; clips now worse: {worse}"


def test_every_labelled_clip_is_scored(scored):
    summary, rows = scored
    committed = json.loads((ROOT / "docs" / "realclips.json").read_text())
    assert summary["clips"] == len(rows) >= len(committed["clips"])
    assert all(r["total"] > 0 for r in rows)
