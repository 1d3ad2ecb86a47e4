"""What one batch worker does with one clip: the analysis, its summary row, and a row for a failure.

Shared by the process pool (:mod:`analyzer.batch`) and Ray (:mod:`analyzer.batch_ray`); the worker keeps its
options and resolved model in a module-level dict, set once per process by :func:`init_worker`.
"""

from __future__ import annotations

import os
import time
from typing import Any

from .metrics.registry import headline_ids

#: Metric ids reported as columns of summary.csv (value, or empty when not measurable): the registry's headline metrics.
HEADLINE_METRICS = headline_ids()


BASE_COLUMNS = (
    "clip",
    "sha256",
    "status",
    "error_code",
    "error",
    "exercise",
    "view",
    "near_side",
    "reps",
    "detection_rate",
    "duration_s",
    "frames",
    "n_findings",
    "red",
    "amber",
    "findings",
    "setup_issues",
    "out_dir",
    "seconds",
)


COLUMNS = BASE_COLUMNS + HEADLINE_METRICS


# ---------------------------------------------------------------------------
# Work done in a worker process (pool or Ray); everything picklable.
_WORKER: dict = {}


def init_worker(opts: dict) -> None:
    """Pool initializer: quiet native logs, import MediaPipe and the pipeline, resolve the model once."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from . import pipeline  # noqa: F401  (imports the stages once per worker)
    from .capture import models

    try:
        import mediapipe.tasks.python.vision  # noqa: F401
    except ImportError:
        pass
    try:
        _WORKER["model_path"] = str(models.resolve(opts.get("model", "full"), opts.get("model_path")))
    except Exception as exc:  # reported per clip
        _WORKER["model_error"] = exc
    _WORKER["opts"] = opts


def analyze_clip(path: str, sha: str, out_dir: str) -> dict:
    """Analyse one clip; always returns a summary row (errors become error rows)."""
    from .errors import AnalyzerError
    from .pipeline import AnalyzeOptions, analyze

    t0 = time.perf_counter()
    opts = _WORKER.get("opts") or {}
    row: dict[str, Any] = {"clip": path, "sha256": sha, "out_dir": out_dir}
    try:
        if "model_error" in _WORKER:
            raise _WORKER["model_error"]
        ao = AnalyzeOptions(
            exercise=opts.get("exercise", "auto"),
            view=opts.get("view", "auto"),
            model=opts.get("model", "full"),
            model_path=opts.get("model_path"),
            out_dir=out_dir,
            write_video=bool(opts.get("video")),
            use_cache=opts.get("use_cache", True),
        )
        res = analyze(path, ao, model_path=_WORKER.get("model_path"))
        row.update(summary_row(res))
        row["status"] = "ok"
    except AnalyzerError as exc:
        row.update(status="error", error_code=exc.code, error=str(exc), out_dir="")
    except Exception as exc:  # an unexpected failure is still one row, not a dead batch
        row.update(status="error", error_code="internal", error=f"{type(exc).__name__}: {exc}", out_dir="")
    row["seconds"] = round(time.perf_counter() - t0, 3)
    return row


def summary_row(res) -> dict:
    """Headline columns of one :class:`~analyzer.pipeline.Analysis`."""
    ctx, track = res.context, res.track
    findings = list(res.findings or [])
    row: dict[str, Any] = {
        "exercise": ctx.exercise,
        "view": ctx.view,
        "near_side": ctx.near_side or "",
        "reps": len(ctx.reps),
        "detection_rate": round(float(track.detection_rate), 3),
        "duration_s": round(float(res.video.duration), 3),
        "frames": len(track),
        "n_findings": len(findings),
        "red": sum(f.severity == "red" for f in findings),
        "amber": sum(f.severity == "amber" for f in findings),
        "findings": "; ".join(f"{f.severity}:{f.rule_id}" for f in findings),
        "setup_issues": "; ".join(s.code for s in ctx.setup_issues),
    }
    values = getattr(res.metrics, "values", {}) or {}
    for mid in HEADLINE_METRICS:
        m = values.get(mid)
        v = None if m is None or m.status != "ok" else m.value
        row[mid] = "" if v is None else (round(float(v), 4) if isinstance(v, float) else v)
    return row
