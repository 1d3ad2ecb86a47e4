"""Command-line interface: ``hinge-analyzer analyze|people|info|models|batch|bench``.

Every user-caused failure prints one clear sentence to stderr and exits non-zero;
set ``HINGE_DEBUG=1`` to see tracebacks.
"""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from . import exercises as X
from .cli_process import click_errors, interrupted, quiet_native_logs, sigterm_as_interrupt
from .errors import AnalyzerError, Interrupted


def _typer(help: str, **kw: Any) -> typer.Typer:
    """A command group with plain help (fits 80 columns, no type tags on flags)."""
    return typer.Typer(no_args_is_help=True, rich_markup_mode=None, help=help, **kw)


app = _typer(
    "Watch a squat, deadlift, hip hinge or run on video and say what to fix.",
    add_completion=False,
    pretty_exceptions_enable=False,
)
models_app = _typer("Find or download the MediaPipe pose models.")
app.add_typer(models_app, name="models")
bench_app = _typer("Measure the analyzer: synthetic accuracy and real-clip agreement.")
app.add_typer(bench_app, name="bench")


#: Choices derived from the exercise registry (analyzer/exercises.py) and its views.
ExerciseOpt = Enum("ExerciseOpt", {c: c for c in X.choices()}, type=str)  # type: ignore[misc]
ViewOpt = Enum("ViewOpt", {c: c for c in ("auto", *X.VIEWS) if c != "oblique"}, type=str)  # type: ignore[misc]
_EX, _VIEWS = (", ".join(e.value for e in o) + " (auto: detected from the clip)" for o in (ExerciseOpt, ViewOpt))


class ModelOpt(str, Enum):
    lite = "lite"
    full = "full"
    heavy = "heavy"


@app.command()
def analyze(
    video: Path = typer.Argument(..., metavar="VIDEO", help="Video file (mp4, mov, avi, webm, ...)."),
    exercise: ExerciseOpt = typer.Option(ExerciseOpt("auto"), metavar="NAME", help=f"What is being done: {_EX}."),
    view: ViewOpt = typer.Option(ViewOpt("auto"), metavar="VIEW", help=f"Camera view: {_VIEWS}."),
    model: ModelOpt = typer.Option(ModelOpt.full, metavar="SIZE", help="Pose model size: lite, full or heavy."),
    model_path: Path | None = typer.Option(None, metavar="PATH", help="A .task file or a folder holding it."),
    out: Path | None = typer.Option(
        None, "--out", "-o", metavar="FOLDER", help="Output folder (default: ./runs/<video name>)."
    ),
    no_video: bool = typer.Option(False, "--no-video", metavar="", help="Skip the annotated video."),
    no_cache: bool = typer.Option(False, "--no-cache", metavar="", help="Ignore the landmark cache."),
    full_size_model_input: bool = typer.Option(
        False,
        "--full-size-model-input",
        metavar="",
        help="Always give the pose model the whole decoded frame (≤ 1280 px). By default a large person is "
        "analysed on a half-size copy, which is faster and moves landmarks about as far as a 1 % resize does.",
    ),
    person: str | None = typer.Option(
        None,
        "--person",
        metavar="WHO",
        help="Who to analyse when several people are in the clip: a number from `hinge-analyzer people VIDEO`, "
        "or a point x,y in the frame (pixels).",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", metavar="", help="No progress bar."),
    as_json: bool = typer.Option(False, "--json", metavar="", help="Print the report JSON to stdout."),
) -> None:
    """Analyse VIDEO and write tracks.npz, kinematics.csv, report.json/.md/.html, annotated.mp4 and subject.jpg."""
    from .pipeline import AnalyzeOptions
    from .pipeline import analyze as run
    from .report.model import unchecked_message
    from .report.render import subject_caption
    from .report.text import top_findings
    from .track.people import parse_person

    try:
        who = parse_person(person)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--person") from None

    out_dir = out or Path("runs") / _safe_stem(video)
    opts = AnalyzeOptions(
        exercise=exercise.value,
        view=view.value,
        model=model.value,
        model_path=str(model_path) if model_path else None,
        out_dir=out_dir,
        write_video=not no_video,
        use_cache=not no_cache,
        person=who,
    )
    if full_size_model_input:
        opts.half_size_reach_px = 0
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and not quiet and not as_json:  # created on the first frame: failures before it stay one line
            from tqdm import tqdm

            bar = tqdm(total=total, unit="frame", desc="analysing", dynamic_ncols=True, file=sys.stderr)
        if bar is not None:
            if bar.total != total:
                bar.total = total
            bar.n = done
            bar.refresh() if done % 10 == 0 or done == total else None

    try:
        result = run(video, opts, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    if as_json:
        typer.echo(result.report.to_json())
        return
    ctx = result.context
    count = (
        f"{sum(e.kind == 'ic' for e in ctx.gait_events)} foot contacts"
        if ctx.exercise == "running"
        else f"{len(ctx.reps)} rep{'' if len(ctx.reps) == 1 else 's'}"
    )
    typer.echo(
        f"{video.name}: {ctx.exercise} · {ctx.view} view · {count} · "
        f"person found in {result.track.detection_rate:.0%} of frames"
    )
    if (subject := result.report.run.get("subject")) and subject.get("how") != "start":
        typer.echo(subject_caption(subject))
    for w in result.warnings:
        typer.echo(f"warning: {w.message}")
    for issue in ctx.setup_issues:
        typer.echo(f"setup: {issue.message}")
    for line in top_findings(result.report.findings, 3):
        typer.echo(f"  • {line}")
    unchecked = unchecked_message(ctx, result.metrics, result.findings)
    if unchecked:
        typer.echo(f"note: {unchecked}")
    typer.echo(f"outputs in {out_dir}/: " + ", ".join(sorted(p.name for p in result.outputs.values())))


@app.command()
def info(video: Path = typer.Argument(..., metavar="VIDEO", help="Video file.")) -> None:
    """Print duration, fps, size, rotation and codec of VIDEO."""
    from .capture.video import probe

    i = probe(video)
    typer.echo(
        json.dumps(
            {
                "file": video.name,
                "duration_s": round(i.duration, 3),
                "fps": round(i.fps, 3),
                "width": i.width,
                "height": i.height,
                "rotation": i.rotation,
                "codec": i.codec,
                "frames": i.n_frames,
                "audio": i.has_audio,
            },
            indent=2,
        )
    )


@app.command()
def people(
    video: Path = typer.Argument(..., metavar="VIDEO", help="Video file."),
    model_path: Path | None = typer.Option(None, metavar="PATH", help="A .task file or a folder holding it."),
    image: Path | None = typer.Option(
        None, "--image", metavar="FILE", help="Also save the frame with numbered boxes (JPEG)."
    ),
) -> None:
    """List the people in VIDEO, numbered for --person, and say who would be analysed."""
    import cv2

    from .capture import models
    from .capture.video import probe
    from .track.people import draw_people, preview

    probe(video)
    found = preview(video, models.resolve("full", str(model_path) if model_path else None))
    if not found.people:
        typer.echo(f"{video.name}: nobody was found.")
        raise typer.Exit(5)
    for line in found.describe(video.name):
        typer.echo(line)
    typer.echo("Pick someone else with: hinge-analyzer analyze VIDEO --person N")
    if image is not None and found.frame is not None:
        from .atomic import write_bytes

        ok, buf = cv2.imencode(".jpg", draw_people(found.frame, found), [cv2.IMWRITE_JPEG_QUALITY, 85])
        write_bytes(image, buf.tobytes())
        typer.echo(f"boxes drawn at {found.frame_t:.1f} s in {image}")


@models_app.command("list")
def models_list() -> None:
    """Show which pose models are found, and where."""
    from .capture import models

    for v in models.VARIANTS:
        try:
            p = models.resolve(v, download=False)
            typer.echo(f"{v:6s} {p}")
        except AnalyzerError:
            typer.echo(f"{v:6s} not found (hinge-analyzer models fetch {v})")


@models_app.command("fetch")
def models_fetch(variant: ModelOpt = typer.Argument(ModelOpt.full)) -> None:
    """Download a pose model into models/ (with a progress bar) and verify it."""
    from .capture import models

    typer.echo(str(models.fetch(variant.value)))


@app.command()
def batch(
    clips: list[str] = typer.Argument(
        ...,
        metavar="CLIPS",
        help="Folder(s), glob(s) or files of videos. With --ray, an address "
        "(auto, ray://HOST:PORT, HOST:PORT) may follow --ray.",
    ),
    jobs: int | None = typer.Option(
        None, "--jobs", "-j", metavar="N", help="Parallel workers (default: all cores / Ray CPUs)."
    ),
    out: Path = typer.Option(
        Path("batch_out"), "--out", "-o", metavar="FOLDER", help="Output folder (summary.csv, manifest.json, clips/)."
    ),
    ray: bool = typer.Option(
        False, "--ray", metavar="", help="Run on Ray: a local instance, or the cluster at the ADDRESS after --ray."
    ),
    exercise: ExerciseOpt = typer.Option(ExerciseOpt("auto"), metavar="NAME", help=f"In every clip: {_EX}."),
    view: ViewOpt = typer.Option(ViewOpt("auto"), help="Camera view of every clip."),
    model: ModelOpt = typer.Option(ModelOpt.full, help="Pose model size."),
    model_path: Path | None = typer.Option(None, metavar="PATH", help="A .task file or a folder holding it."),
    video: bool = typer.Option(False, "--video", metavar="", help="Also write annotated.mp4 for each clip."),
    no_cache: bool = typer.Option(False, "--no-cache", metavar="", help="Ignore the landmark cache."),
    quiet: bool = typer.Option(False, "--quiet", "-q", metavar="", help="No progress bar."),
) -> None:
    """Analyse many clips in parallel; write summary.csv (resumable: finished clips are skipped by content hash)."""
    from .batch import BatchOptions, run_batch, split_ray_address

    specs, address = split_ray_address(clips) if ray else (clips, None)
    opts = BatchOptions(
        out_dir=out,
        jobs=jobs,
        ray=ray,
        ray_address=address,
        exercise=exercise.value,
        view=view.value,
        model=model.value,
        model_path=str(model_path) if model_path else None,
        video=video,
        use_cache=not no_cache,
    )
    bar = None
    if not quiet:
        from tqdm import tqdm

        bar = tqdm(total=0, unit="clip", desc="batch", dynamic_ncols=True, file=sys.stderr)

    def progress(done: int, total: int, row: dict) -> None:
        if bar is not None:
            bar.total = total
            bar.n = done
            bar.refresh()

    try:
        res = run_batch(specs, opts, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    typer.echo(
        f"{len(res.rows)} clips: {res.analysed} analysed, {res.skipped} already done, {res.failed} failed "
        f"({res.seconds:.1f} s). Summary: {res.summary_path}"
    )
    for e in res.errors:
        typer.echo(f"failed: {e}", err=True)


@bench_app.command(
    "accuracy", context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}
)
def bench_accuracy(ctx: typer.Context) -> None:
    """Accuracy against synthetic ground truth: writes docs/ACCURACY.md (options: --help, e.g. --quick --jobs 2)."""
    from .bench.accuracy import main as accuracy_main

    raise typer.Exit(accuracy_main(list(ctx.args)))


@bench_app.command(
    "realclips", context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}
)
def bench_realclips(ctx: typer.Context) -> None:
    """Agreement with the labelled real clips (../shared/realclips): writes docs/REALCLIPS.md (options: --help)."""
    from .bench.realclips import main as realclips_main

    raise typer.Exit(realclips_main(list(ctx.args)))


def _safe_stem(p: Path) -> str:
    import re

    return re.sub(r"[^\w.-]+", "_", p.stem, flags=re.UNICODE)[:80] or "clip"


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the Typer app, turning user errors into messages and exit codes."""
    debug = os.environ.get("HINGE_DEBUG") == "1"
    quiet_native_logs()
    sigterm_as_interrupt()
    try:
        rc = app(args=argv, standalone_mode=False)
    except typer.Exit as e:
        return e.exit_code
    except AnalyzerError as exc:
        if debug:
            raise
        typer.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        return interrupted(debug)
    except Exception as exc:  # click usage errors and the unexpected
        usage, abort = click_errors()
        if isinstance(exc, usage):
            exc.show()  # type: ignore[attr-defined]
            return int(exc.exit_code)  # type: ignore[attr-defined]
        if isinstance(exc, abort):
            return interrupted(debug)
        if debug:
            raise
        typer.echo(
            f"internal error: {type(exc).__name__}: {exc}. Please report it (HINGE_DEBUG=1 shows details).", err=True
        )
        return 70
    if rc == Interrupted.exit_code:  # typer turns KeyboardInterrupt into Exit(130) and *returns* it
        return interrupted(debug)
    return rc if isinstance(rc, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
