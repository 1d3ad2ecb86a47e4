"""Agreement with the labelled real clips: ``hinge-analyzer bench realclips`` (or ``python benchmarks/realclips.py``).

Runs the real pipeline with default options (exercise and view auto-detected, as a user would) on every
clip of the real-clip folder (default ``../shared/realclips``, or ``$HINGE_REALCLIPS_DIR``; its clips are
never copied into the repository), scores each report against ``EXPECTED.tsv`` (:mod:`.labels`) and
writes ``docs/REALCLIPS.md`` and ``docs/realclips.json``.

Landmark tracks are cached by content hash (``<cache>/landmarks``) and reports by clip hash + analyzer
source hash + model (``<cache>/reports``), so a rerun after a rules change only re-runs the post-pose
stages, and a rerun with no analyzer change only re-scores.
"""

from __future__ import annotations

import argparse
import contextlib
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
from typing import Any

from .cache import ROOT, analyzer_hash
from .labels import (
    ITEM_KINDS,
    Item,
    Label,
    Said,
    load_labels,
    said_from_refusal,
    said_from_report,
    score,
    tally,
)

RESULT_VERSION = 1
DEFAULT_CLIPS = Path(os.environ.get("HINGE_REALCLIPS_DIR", ROOT.parent / "shared" / "realclips"))
DEFAULT_CACHE = Path(os.environ.get("HINGE_REALCLIPS_CACHE", Path.home() / ".cache" / "hinge-analyzer" / "realclips"))
KIND_NAMES = {
    "view": "View",
    "exercise": "Exercise",
    "reps": "Reps",
    "must_find": "Must find",
    "must_not_find": "Must not find",
}


def _sha256(path: Path) -> str:
    from ..track.cache import file_sha256

    return file_sha256(path)


def _slim(report: dict[str, Any]) -> dict[str, Any]:
    """The parts of a report the scorer and the per-clip row read (the rest stays in the pipeline's outputs)."""
    keep_f = ("rule_id", "severity", "title", "category", "reps", "times", "frames")
    return {
        "summary": report.get("summary", {}),
        "context": {
            k: report.get("context", {}).get(k)
            for k in ("view", "view_confidence", "exercise", "setup_issues", "baseline")
        },
        "findings": [{k: f.get(k) for k in keep_f} for f in report.get("findings", [])],
        "run": {k: report.get("run", {}).get(k, []) for k in ("warnings", "off_person")},
        "quality": {k: report.get("quality", {}).get(k) for k in ("detection_rate", "n_people_max")},
    }


@contextlib.contextmanager
def _env(**values: str | None):
    """Set environment variables for the duration of the block (None = leave as is)."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update({k: v for k, v in values.items() if v is not None})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_clip(path: str, cache: str, model_dir: str | None = None, force: bool = False) -> dict[str, Any]:
    """Analyse one clip (cached) → {file, sha, report | refusal | crash, pose_s, analysis_s, cached}."""
    with _env(
        ANALYZER_CACHE_DIR=str(Path(cache) / "landmarks"),
        ANALYZER_MODEL_DIR=model_dir,
        GLOG_minloglevel=os.environ.get("GLOG_minloglevel", "2"),
    ):
        return _run_clip(Path(path), Path(cache), force)


def _run_clip(path_: Path, cache_: Path, force: bool) -> dict[str, Any]:
    from ..capture import models
    from ..errors import AnalyzerError
    from ..pipeline import AnalyzeOptions, analyze

    sha = _sha256(path_)
    mpath = models.resolve("full")
    key = hashlib.sha256(
        f"{sha}|{analyzer_hash()}|{mpath.name}|{mpath.stat().st_size}|v{RESULT_VERSION}".encode()
    ).hexdigest()[:16]
    res_path = cache_ / "reports" / f"{path_.stem}-{key}.json"
    if res_path.is_file() and not force:
        cached: dict[str, Any] = json.loads(res_path.read_text())
        cached["cached"] = True
        return cached
    out: dict[str, Any] = {"file": path_.name, "sha256": sha}
    t0 = time.perf_counter()
    try:
        a = analyze(path_, AnalyzeOptions(out_dir=None, write_video=False))
        out["report"] = _slim(a.report.to_dict())
        out["analysis_s"] = round(a.timings.get("analysis_s", 0.0), 2)
        pose_s = a.timings.get("pose_pass_s", a.track.meta.get("pose_pass_s"))
        out["pose_s"] = None if pose_s is None else round(float(pose_s), 2)
    except AnalyzerError as exc:  # a clean refusal is an answer too
        out["refusal"] = {"kind": type(exc).__name__, "message": str(exc)}
    except Exception as exc:  # a crash: scored wrong everywhere, reported with its traceback
        out["crash"] = f"{type(exc).__name__}: {exc}"
        out["traceback"] = traceback.format_exc()
    out["wall_s"] = round(time.perf_counter() - t0, 2)
    if "crash" not in out:
        from ..atomic import write_text

        res_path.parent.mkdir(parents=True, exist_ok=True)
        write_text(res_path, json.dumps(out))
    out["cached"] = False
    return out


def said_of(result: dict[str, Any]) -> Said:
    """What a :func:`run_clip` result said."""
    if "report" in result:
        return said_from_report(result["report"])
    if "refusal" in result:
        return said_from_refusal(result["refusal"]["kind"], result["refusal"]["message"])
    return Said(crash=result.get("crash", "no result"))


def clip_row(label: Label, result: dict[str, Any]) -> dict[str, Any]:
    """One clip's row: label, what was said, each item, run time."""
    said = said_of(result)
    items = score(label, said)
    rep = result.get("report", {})
    findings = [f"{f['rule_id']} ({f['severity']})" for f in rep.get("findings", [])]
    warns = [w.get("code") for w in rep.get("run", {}).get("warnings", []) if isinstance(w, dict)]
    pose_s, an_s = result.get("pose_s"), result.get("analysis_s")
    run_s = (pose_s or 0.0) + (an_s or 0.0) if an_s is not None else result.get("wall_s")
    return {
        "file": label.file,
        "label": {
            "view": label.view_ok,
            "exercise": label.exercise_ok,
            "reps": label.reps,
            "reps_tol": label.reps_tol,
            "must_find": list(label.must_find),
            "must_not_find": list(label.must_not_find),
        },
        "said": said.to_dict(),
        "findings": findings,
        "warnings": warns,
        "setup": [s.get("code") for s in rep.get("context", {}).get("setup_issues", []) or []],
        "items": [vars(i) for i in items],
        "right": sum(i.right for i in items),
        "total": len(items),
        "run_s": None if run_s is None else round(float(run_s), 1),
        "off_person_s": round(sum(o["t1_s"] - o["t0_s"] for o in rep.get("run", {}).get("off_person", [])), 2),
        "findings_on_off_person": on_off_person(rep),
    }


def on_off_person(report: dict[str, Any]) -> int:
    """Findings whose evidence frames include a frame the tracker spent off the person (must be 0)."""
    spans = [o["frames"] for o in report.get("run", {}).get("off_person", [])]
    return sum(any(a <= fr <= b for fr in f.get("frames") or [] for a, b in spans) for f in report.get("findings", []))


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    items = [Item(**i) for r in rows for i in r["items"]]
    return {
        **tally(items),
        "clips": len(rows),
        "crashed": sum(bool(r["said"]["crash"]) for r in rows),
        "refused": sum(bool(r["said"]["refusal"]) for r in rows),
        "off_person_s": round(sum(r.get("off_person_s", 0.0) for r in rows), 2),
        "findings_on_off_person": sum(r.get("findings_on_off_person", 0) for r in rows),
    }


# ------------------------------------------------------------------------------------------------ report
def _pct(d: dict[str, Any]) -> str:
    return "—" if d["agreement"] is None else f"{100 * d['agreement']:.1f} % ({d['right']}/{d['total']})"


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def _cell(items: dict, kind: str, expected: str, said: Any) -> str:
    """ "expected → said ✓/✗" for a view/exercise/reps item, "—" when the label does not score it."""
    i = items.get((kind, kind))
    return "—" if i is None else f"{expected} → {said} {_mark(i['right'])}"


def render_markdown(summary: dict[str, Any], rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    L = [
        "# Agreement with the labelled real clips\n",
        f"Generated {meta['date']} by\n\n```bash\n{meta['command']}\n```\n",
        f"{summary['clips']} real clips from `{meta['clips_dir']}` (not in this repository), each run through the real "
        "pipeline with default options (exercise and view auto-detected, full model) and scored against "
        "`EXPECTED.tsv`, labels judged by eye from the footage. One item per labelled fact: the view and exercise "
        "(any accepted answer), the completed reps (within the tolerance), each item the report must contain "
        "(a fault finding, or a warning or setup note saying the clip condition) and each fault it must not "
        "report. A clean refusal is right only for `too_short`. The mapping from the analyzer's ids to this "
        "vocabulary is `analyzer/bench/vocabulary.py`.\n",
        f"Host: {meta['host']}. Run time = pose pass + analysis of a cold run (no video written); this run took "
        f"{meta['wall_s'] / 60:.1f} min with --jobs {meta['jobs']} (landmarks and reports cached by content hash).\n",
        "## Agreement\n",
        f"**Overall: {_pct(summary['overall'])}** · clips refused {summary['refused']}, crashed "
        f"{summary['crashed']}.\n",
        "| Item class | Agreement |",
        "|---|---|",
    ]
    L += [f"| {KIND_NAMES[k]} | {_pct(summary[k])} |" for k in ITEM_KINDS]
    L += [
        f"\nTracking off the person (`analyzer/clean/plausibility.py`): {summary.get('off_person_s', 0):.1f} s left "
        f"out over all clips; findings resting on such frames: {summary.get('findings_on_off_person', 0)}."
    ]
    L += [
        "\n## Per clip\n",
        "Label → said. ✓ right, ✗ wrong. Must find / must not find list each item with its mark.\n",
        "| Clip | View | Exercise | Reps | Must find | Must not find | Right | Run time |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        it = {(i["kind"], i["name"]): i for i in r["items"]}
        s, lab = r["said"], r["label"]

        view = _cell(it, "view", "/".join(lab["view"]), s["view"])
        ex = _cell(it, "exercise", "/".join(lab["exercise"]), s["exercise"])
        reps = _cell(it, "reps", f"{lab['reps']}" + (f"±{lab['reps_tol']}" if lab["reps_tol"] else ""), s["reps"])
        mf = ", ".join(f"{n} {_mark(it[('must_find', n)]['right'])}" for n in lab["must_find"]) or "—"
        mnf = ", ".join(f"{n} {_mark(it[('must_not_find', n)]['right'])}" for n in lab["must_not_find"]) or "—"
        if s["refusal"]:
            view = f"refused: {s['refusal'][:90]}"
        if s["crash"]:
            view = f"crashed: {s['crash'][:90]}"
        run = "—" if r["run_s"] is None else f"{r['run_s']:.1f} s"
        L.append(f"| {r['file']} | {view} | {ex} | {reps} | {mf} | {mnf} | {r['right']}/{r['total']} | {run} |")
    L += ["\n## What was reported\n", "| Clip | Findings | Warnings | Setup notes |", "|---|---|---|---|"]
    for r in rows:
        L.append(
            f"| {r['file']} | {', '.join(r['findings']) or '—'} | {', '.join(map(str, r['warnings'])) or '—'} | "
            f"{', '.join(map(str, r['setup'])) or '—'} |"
        )
    if meta.get("notes"):
        L += ["\n## Notes\n", meta["notes"]]
    return "\n".join(L) + "\n"


# ------------------------------------------------------------------------------------------------ main
def _safe(path: str, cache: str, model_dir: str | None, force: bool) -> dict[str, Any]:
    try:
        return run_clip(path, cache, model_dir, force)
    except Exception as exc:  # keep the batch going; the failure is scored and reported
        return {"file": Path(path).name, "crash": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}


def run(
    clips_dir: Path, cache: Path, *, jobs: int = 1, only: list[str] | None = None, force: bool = False, log=None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run and score every labelled clip of ``clips_dir``; returns (summary, rows in label order)."""
    labels = load_labels(clips_dir / "EXPECTED.tsv")
    if only:
        labels = [lb for lb in labels if any(o in lb.file for o in only)]
    missing = [lb.file for lb in labels if not (clips_dir / lb.file).is_file()]
    if missing:
        raise FileNotFoundError(f"labelled clips missing from {clips_dir}: {', '.join(missing)}")
    cache.mkdir(parents=True, exist_ok=True)
    model_dir = os.environ.get("ANALYZER_MODEL_DIR")
    results: dict[str, dict[str, Any]] = {}
    todo = [str(clips_dir / lb.file) for lb in labels]

    def done(r: dict[str, Any]) -> None:
        results[r["file"]] = r
        if log is not None:
            tag = ("crash " + r["crash"]) if "crash" in r else ("refused" if "refusal" in r else "ok")
            log(
                f"[{len(results)}/{len(todo)}] {r['file']}: {tag}{' (cached)' if r.get('cached') else ''} "
                f"{r.get('wall_s', 0):.1f} s"
            )

    if jobs <= 1:
        for p in todo:
            done(_safe(p, str(cache), model_dir, force))
    else:
        import multiprocessing as mp

        with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn")) as ex:
            for fu in as_completed([ex.submit(_safe, p, str(cache), model_dir, force) for p in todo]):
                done(fu.result())
    rows = [clip_row(lb, results[lb.file]) for lb in labels]
    return summarise(rows), rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="hinge-analyzer bench realclips",
        description="Score the analyzer against the labelled real clips and write docs/REALCLIPS.md.",
    )
    ap.add_argument(
        "--clips",
        type=Path,
        default=DEFAULT_CLIPS,
        help=f"folder with the clips and EXPECTED.tsv (default {DEFAULT_CLIPS})",
    )
    ap.add_argument("--jobs", "-j", type=int, default=1, help="parallel worker processes")
    ap.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help=f"landmark/report cache (default {DEFAULT_CACHE})"
    )
    ap.add_argument("--only", action="append", help="only clips whose name contains this (repeatable)")
    ap.add_argument("--force", action="store_true", help="re-analyse even when a cached report exists")
    ap.add_argument("--out-dir", type=Path, default=ROOT / "docs", help="where REALCLIPS.md and realclips.json go")
    ap.add_argument("--no-write", action="store_true", help="print the summary only")
    ap.add_argument(
        "--notes",
        type=Path,
        default=ROOT / "benchmarks" / "realclips_notes.md",
        help="Markdown appended to REALCLIPS.md as 'Notes' (if the file exists)",
    )
    a = ap.parse_args(argv)
    if not (a.clips / "EXPECTED.tsv").is_file():
        print(
            f"error: no EXPECTED.tsv in {a.clips}; point --clips (or HINGE_REALCLIPS_DIR) at the real-clip folder.",
            file=sys.stderr,
        )
        return 2
    os.environ.setdefault("ANALYZER_MODEL_DIR", str(ROOT.parent / "shared" / "models"))
    from ..capture import models

    mpath = models.resolve("full")
    t0 = time.perf_counter()
    summary, rows = run(
        a.clips, a.cache, jobs=a.jobs, only=a.only, force=a.force, log=lambda m: print(m, file=sys.stderr, flush=True)
    )
    cmd = (
        "hinge-analyzer bench realclips"
        + (f" --jobs {a.jobs}" if a.jobs > 1 else "")
        + "".join(f" --only {o}" for o in (a.only or []))
    )
    meta = {
        "date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "command": cmd,
        "model": mpath.name,
        "clips_dir": "../shared/realclips" if a.clips.resolve() == DEFAULT_CLIPS.resolve() else str(a.clips),
        "jobs": a.jobs,
        "wall_s": round(time.perf_counter() - t0, 1),
        "analyzer_hash": analyzer_hash(),
        "host": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "notes": a.notes.read_text() if a.notes and a.notes.is_file() else None,
    }
    print(json.dumps({k: summary[k] for k in ("overall", *ITEM_KINDS)}, indent=1))
    if not a.no_write and not a.only:
        from ..atomic import write_text

        a.out_dir.mkdir(parents=True, exist_ok=True)
        write_text(
            a.out_dir / "realclips.json",
            json.dumps({"meta": meta, "summary": summary, "clips": rows}, indent=1, ensure_ascii=False),
        )
        write_text(a.out_dir / "REALCLIPS.md", render_markdown(summary, rows, meta))
        print(f"wrote {a.out_dir / 'REALCLIPS.md'} and {a.out_dir / 'realclips.json'}", file=sys.stderr)
    return 0 if summary["crashed"] == 0 else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
