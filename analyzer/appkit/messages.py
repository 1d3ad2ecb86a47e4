"""Exceptions → readable messages for the page (the traceback goes to the server log only)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..errors import AnalyzerError

log = logging.getLogger("analyzer.app")

TITLES = {
    "video_unreadable": "This file could not be read as a video",
    "no_video_stream": "This file has no video in it",
    "no_frames": "This video has no frames we could decode",
    "clip_too_long": "This clip is too long",
    "clip_too_short": "This clip is too short",
    "no_person": "No person found",
    "wrong_view": "Wrong camera view for this check",
    "model_not_found": "The pose model is not available",
    "model_invalid": "The pose model file is damaged",
    "model_download_failed": "The pose model could not be downloaded",
    "output_error": "The results could not be written",
    "upload_rejected": "This upload was not accepted",
    "camera_error": "Camera problem",
    "rules_invalid": "The rules file has an error",
}


@dataclass
class UserMessage:
    code: str
    title: str
    text: str


def user_message(exc: BaseException) -> UserMessage:
    """A title and one or two sentences for the user; unexpected errors are logged, not shown."""
    if isinstance(exc, AnalyzerError):
        return UserMessage(exc.code, TITLES.get(exc.code, "The analysis stopped"), str(exc))
    if isinstance(exc, MemoryError):
        return UserMessage(
            "out_of_memory",
            "Not enough memory",
            "The clip is too large to analyse on this machine; trim it or lower its resolution.",
        )
    log.exception("unexpected error in the app", exc_info=exc)
    return UserMessage(
        "internal_error",
        "Something went wrong",
        "The analysis stopped unexpectedly. The details are in the server log; please try another clip or report "
        "the problem.",
    )
