"""User-facing errors. Every failure the user can cause maps to one of these.

Each class carries a stable ``code`` (for JSON, the app and batch rows) and a
process ``exit_code`` for the CLI. Messages are one or two plain sentences that
say what is wrong and what to do; no traceback reaches the user.
"""

from __future__ import annotations


class AnalyzerError(Exception):
    """Base class: a problem with the input or environment, explained to the user."""

    code = "error"
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message if not self.hint else f"{self.message} {self.hint}"


class ModelNotFoundError(AnalyzerError):
    code = "model_not_found"
    exit_code = 3


class ModelInvalidError(AnalyzerError):
    code = "model_invalid"
    exit_code = 3


class ModelDownloadError(AnalyzerError):
    code = "model_download_failed"
    exit_code = 3


class VideoOpenError(AnalyzerError):
    """The file is missing, empty, not a video, or its codec cannot be decoded."""

    code = "video_unreadable"
    exit_code = 4


class NoVideoStreamError(VideoOpenError):
    code = "no_video_stream"


class NoFramesError(VideoOpenError):
    code = "no_frames"


class ClipTooLongError(AnalyzerError):
    code = "clip_too_long"
    exit_code = 4


class ClipTooShortError(AnalyzerError):
    code = "clip_too_short"
    exit_code = 4


class NoPersonError(AnalyzerError):
    code = "no_person"
    exit_code = 5


class WrongViewError(AnalyzerError):
    code = "wrong_view"
    exit_code = 6


class PersonChoiceError(AnalyzerError):
    """``--person`` names nobody in the clip (a usage mistake, so exit 2 as for other usage errors)."""

    code = "person_not_found"
    exit_code = 2


class OutputError(AnalyzerError):
    """The output directory cannot be written, the disk is full, or it is locked."""

    code = "output_error"
    exit_code = 7


class CameraError(AnalyzerError):
    code = "camera_error"
    exit_code = 8


class RulesFileError(AnalyzerError):
    code = "rules_invalid"
    exit_code = 9


class Interrupted(AnalyzerError):
    code = "interrupted"
    exit_code = 130
