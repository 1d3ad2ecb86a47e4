"""Accuracy of hinge-analyzer against synthetic ground truth: ``hinge-analyzer bench accuracy [--quick] [--jobs N]``
(or ``python benchmarks/accuracy.py``).

Renders every scenario of :func:`analyzer.synth.scenario_matrix` (48: exercise × view × fault level ×
nuisance; ``--quick``: 8 of them) into a cache directory (never into the repo), runs the real
pipeline (:func:`analyzer.pipeline.analyze`, exercise and view auto-detected, full model) on each, and
compares what it measured with the renderer's truth:

* per-frame angles in side views (near side): knee flexion, hip flexion (hip–trunk angle), trunk and
  shank angle, against the projected truth (``angles_2d``) and the 3D truth (``angles_3d``);
* FPPA per knee (front/back views) at the frames the metric reads, against the 2D and 3D truth;
* hinge lag (ms) per rep against the designed ``hinge_lag_ms`` (side hinges);
* cadence, overstride, trunk lean, pelvic drop (per step, against the 2D truth at the same frames, and
  the clip mean against the 3D truth), step width, depth angle, trunk–shank difference, rep count;
* detection rate per view, view / exercise / near-side detection;
* finding precision and recall against the truth's expected findings (rule id → truth name via
  :mod:`analyzer.bench.vocabulary`), and the number of findings reported for a metric the view
  cannot measure (must be 0).

Each scenario's render is cached by a hash of its spec and the renderer source; its result by that
plus a hash of the analyzer source and the model, so a rerun only redoes what changed. Writes
``docs/ACCURACY.md`` and ``docs/accuracy.json``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import platform
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from .accuracy_eval import evaluate, score_conditions, split_expected
from .accuracy_report import aggregate, render_markdown, stats
from .cache import ROOT, analyzer_hash, synth_hash

RESULT_VERSION = 4


DEFAULT_CACHE = Path(os.environ.get("HINGE_ACCURACY_CACHE", Path.home() / ".cache" / "hinge-analyzer" / "accuracy"))


#: scenario names used by --quick (one per view family, each headline metric once).
QUICK = (
    "squat_side_left_good_clean",
    "squat_front_valgus15_",
    "squat_back_good_",
    "rdl_side_left_lumbar_first_",
    "hinge_side_right_hip_first_",
    "running_side_left_overstride_",
    "running_back_drop_",
    "squat_oblique45_valgus15_",
)


def render_key(spec) -> str:
    payload = json.dumps(spec.as_dict(), sort_keys=True, default=str) + synth_hash()
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


# ----------------------------------------------------------------------------------------------- scenarios
def select(quick: bool, only: list[str] | None = None):
    from ..synth import scenario_matrix

    specs = scenario_matrix()
    if quick:
        specs = [next(s for s in specs if s.name.startswith(q)) for q in QUICK]
    if only:
        specs = [s for s in specs if any(o in s.name for o in only)]
    return specs


def run_scenario(spec, cache_dir: str, model_dir: str | None = None, force: bool = False) -> dict:
    """Render (cached), analyse and evaluate one scenario; returns the per-scenario result dict."""
    cache = Path(cache_dir)
    os.environ["ANALYZER_CACHE_DIR"] = str(cache / "landmarks")
    if model_dir:
        os.environ["ANALYZER_MODEL_DIR"] = model_dir
    os.environ.setdefault("GLOG_minloglevel", "2")
    from ..capture import models
    from ..errors import AnalyzerError
    from ..pipeline import AnalyzeOptions, analyze
    from ..synth import GroundTruth, render_scenario

    rk = render_key(spec)
    mpath = models.resolve("full")
    res_key = hashlib.sha256(
        f"{rk}|{analyzer_hash()}|{mpath.name}|{mpath.stat().st_size}|v{RESULT_VERSION}".encode()
    ).hexdigest()[:16]
    res_path = cache / "results" / f"{spec.name}-{res_key}.json"
    if res_path.is_file() and not force:
        out = json.loads(res_path.read_text())
        out["cached"] = True
        return out
    mp4 = cache / "renders" / f"{spec.name}-{rk}.mp4"
    t0 = time.perf_counter()
    if not (mp4.is_file() and mp4.with_suffix(".json").is_file()):
        tmp = mp4.with_name(f"{mp4.stem}.{os.getpid()}.part.mp4")  # two runs may share a cache
        truth = render_scenario(spec, tmp, truth_path=mp4.with_suffix(".json"))
        tmp.replace(mp4)
    else:
        truth = GroundTruth.load(mp4.with_suffix(".json"))
    t_render = time.perf_counter() - t0
    out = {
        "name": spec.name,
        "tags": list(spec.tags),
        "exercise": spec.exercise,
        "view": spec.view,
        "knobs": spec.knobs,
        "seed": spec.seed,
        "render_s": round(t_render, 1),
    }
    t1 = time.perf_counter()
    try:
        a = analyze(mp4, AnalyzeOptions(out_dir=None, write_video=False))
        out.update(evaluate(a, truth))
        out["error"] = None
    except AnalyzerError as exc:  # a user-facing refusal is a result too (counted as a miss)
        from .labels import said_from_refusal

        must, must_not, c_must, c_must_not = split_expected(truth.expected)
        said = said_from_refusal(type(exc).__name__, str(exc)).conditions
        out.update(score_conditions({}, c_must, c_must_not, said=said))
        out.update(
            {
                "view_kind": truth.meta["view_kind"],
                "error": f"{type(exc).__name__}: {exc}",
                "errors": {},
                "must_report": sorted(must),
                "must_not_report": sorted(must_not),
                "tp": [],
                "fn": sorted(must),
                "fp": [],
                "unscored": [],
                "findings": [],
                "unmeasurable_findings": [],
                "unmeasurable_for_true_view": [],
                "positive_contradictions": [],
                "detection_rate": None,
            }
        )
    out["analyze_s"] = round(time.perf_counter() - t1, 1)
    res_path.parent.mkdir(parents=True, exist_ok=True)
    from ..atomic import write_text
    from ..types import clean_json

    write_text(res_path, json.dumps(clean_json(out)))
    out["cached"] = False
    return out


def _safe_run(spec, cache, model_dir, force):
    try:
        return run_scenario(spec, cache, model_dir, force)
    except Exception as exc:  # keep the batch going; the failure is reported
        return {
            "name": spec.name,
            "tags": list(spec.tags),
            "view_kind": None,
            "crash": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        }


# ----------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="8 scenarios (smoke run)")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="parallel worker processes")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help=f"render/result cache (default {DEFAULT_CACHE})")
    ap.add_argument("--only", action="append", help="only scenarios whose name contains this (repeatable)")
    ap.add_argument(
        "--reverse",
        action="store_true",
        help="work through the scenarios from the end (a second run sharing the cache)",
    )
    ap.add_argument("--force", action="store_true", help="re-analyse even when a cached result exists")
    ap.add_argument("--out-dir", type=Path, default=ROOT / "docs", help="where ACCURACY.md and accuracy.json go")
    ap.add_argument("--no-write", action="store_true", help="print the summary only")
    ap.add_argument(
        "--notes",
        type=Path,
        default=ROOT / "benchmarks" / "accuracy_notes.md",
        help="Markdown appended to ACCURACY.md as 'Notes' (if the file exists)",
    )
    a = ap.parse_args(argv)
    os.environ.setdefault("ANALYZER_MODEL_DIR", str(ROOT.parent / "shared" / "models"))
    from ..capture import models

    mpath = models.resolve("full")
    specs = select(a.quick, a.only)
    a.cache.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    results: dict[str, dict] = {}
    model_dir = os.environ.get("ANALYZER_MODEL_DIR")
    print(f"{len(specs)} scenarios, cache {a.cache}, jobs {a.jobs}", file=sys.stderr)

    def report(r):
        results[r["name"]] = r
        if "crash" in r:
            tag = "crash " + r["crash"]
        else:
            took = (
                " (cached)"
                if r.get("cached")
                else " render {} s, analyse {} s".format(r.get("render_s"), r.get("analyze_s"))
            )
            tag = (
                f"det {r.get('detection_rate') or 0:.2f} view {r.get('detected_view')} fn {r.get('fn')} "
                f"fp {r.get('fp')}{took}"
            )
        print(f"[{len(results)}/{len(specs)}] {r['name']}: {tag}", file=sys.stderr, flush=True)

    todo = specs[::-1] if a.reverse else specs
    if a.jobs <= 1:
        for s in todo:
            report(_safe_run(s, str(a.cache), model_dir, a.force))
    else:
        import multiprocessing as mp

        with ProcessPoolExecutor(max_workers=a.jobs, mp_context=mp.get_context("spawn")) as ex:
            futs = [ex.submit(_safe_run, s, str(a.cache), model_dir, a.force) for s in todo]
            for fu in as_completed(futs):
                report(fu.result())
    ordered = [results[s.name] for s in specs]
    summary = aggregate(ordered)
    wall = time.perf_counter() - t0
    cmd = (
        "python benchmarks/accuracy.py"
        + (" --quick" if a.quick else "")
        + (f" --jobs {a.jobs}" if a.jobs > 1 else "")
        + "".join(f" --only {o}" for o in (a.only or []))
    )
    meta = {
        "date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "command": cmd,
        "model": mpath.name,
        "model_bytes": mpath.stat().st_size,
        "quick": a.quick,
        "jobs": a.jobs,
        "wall_s": round(wall, 1),
        "host": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "scenario_s_median": float(np.median(per))
        if (per := [r.get("render_s", 0) + r.get("analyze_s", 0) for r in ordered if "crash" not in r])
        else None,
        "scenario_s_total": float(np.sum(per)) if per else None,
        "analyzer_hash": analyzer_hash(),
        "synth_hash": synth_hash(),
        "notes": a.notes.read_text() if a.notes and a.notes.is_file() else None,
    }
    slim = [{**r, "errors": {k: stats(v) for k, v in (r.get("errors") or {}).items()}} for r in ordered]
    doc = {"meta": meta, "summary": summary, "scenarios": slim}
    f = summary["findings"]
    print(
        json.dumps(
            {
                "precision": f["precision"],
                "recall": f["recall"],
                "conditions": {k: f["conditions"][k] for k in ("precision", "recall", "tp", "fp", "fn")},
                "unmeasurable_findings": f["unmeasurable_findings"],
                "detection": {k: v["mean"] for k, v in summary["detection"].items()},
            },
            indent=1,
        )
    )
    if not a.no_write:
        from ..atomic import write_text
        from ..types import clean_json

        a.out_dir.mkdir(parents=True, exist_ok=True)
        write_text(a.out_dir / "accuracy.json", json.dumps(clean_json(doc), indent=1))
        write_text(a.out_dir / "ACCURACY.md", render_markdown(summary, ordered, meta))
        print(f"wrote {a.out_dir / 'ACCURACY.md'} and {a.out_dir / 'accuracy.json'}", file=sys.stderr)
    return 0 if summary["n_crashed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
