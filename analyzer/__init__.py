"""hinge-analyzer: squat, deadlift, hip-hinge and running analysis from video with MediaPipe Pose.

Python API::

    from analyzer import analyze, AnalyzeOptions
    result = analyze("clip.mp4", AnalyzeOptions(out_dir="out"))
    for f in result.findings:
        print(f.severity, f.cue, f.evidence())
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["analyze", "analyze_track", "AnalyzeOptions", "Analysis", "__version__"]


def __getattr__(name):  # lazy: importing the package must not load mediapipe
    if name in ("analyze", "analyze_track", "AnalyzeOptions", "Analysis"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
