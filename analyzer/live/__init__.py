"""Live mode: causal coaching on a camera stream, on the same metrics and rules as a clip (:mod:`.coach`)."""

from .coach import LiveCoach
from .reps import RepCounter
from .setup import setup_check
from .state import (
    SETUP_MESSAGES,
    LiveRep,
    LiveSet,
    LiveSettings,
    LiveState,
    SetupStatus,
)

__all__ = [
    "SETUP_MESSAGES",
    "LiveCoach",
    "LiveRep",
    "LiveSet",
    "LiveSettings",
    "LiveState",
    "RepCounter",
    "SetupStatus",
    "setup_check",
]
