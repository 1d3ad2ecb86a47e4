"""The CLI's process plumbing: click's error classes, interrupts and SIGTERM, quiet native logs."""

from __future__ import annotations

import os
import sys

import typer

from .errors import Interrupted


def click_errors() -> tuple[tuple[type, ...], tuple[type, ...]]:
    """Click's usage-error and abort classes: those of click itself and of the copy newer Typer releases carry."""
    import click

    usage: list[type] = [click.exceptions.ClickException]
    abort: list[type] = [click.exceptions.Abort]
    try:
        from typer._click import exceptions as tc  # newer Typer releases carry their own copy of click

        usage.append(tc.ClickException)
        if hasattr(tc, "Abort"):
            abort.append(tc.Abort)
    except ImportError:
        pass
    return tuple(usage), tuple(abort)


def interrupted(debug: bool) -> int:
    """Say the run was stopped. An interrupt can land inside a native object's constructor (e.g. a
    MediaPipe image), whose ``__del__`` then fails while the traceback is freed; Python would print that
    as "Exception ignored … Traceback" after our message, so such reports are dropped from here on."""
    if not debug:
        sys.unraisablehook = lambda unraisable: None
    typer.echo("interrupted: the analysis was stopped; no outputs were written.", err=True)
    return Interrupted.exit_code


def sigterm_as_interrupt() -> None:
    """Let SIGTERM (kill, a batch runner, a closed app) unwind like Ctrl-C, so temp outputs are removed.

    Both signals also silence "Exception ignored" reports from then on (see :func:`interrupted`): the
    half-built native object is freed while the exception unwinds, before ``main`` sees it.
    """
    import signal
    import threading

    def _raise(signum, frame):
        if os.environ.get("HINGE_DEBUG") != "1":
            sys.unraisablehook = lambda unraisable: None
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _raise)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _raise)


def quiet_native_logs() -> None:
    """Silence TensorFlow Lite / glog chatter on stderr unless debugging."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
