"""Thread helpers for the pose pass: the model thread is the critical path, helpers yield to it."""
from __future__ import annotations

import os
import threading

#: Nice increment of helper threads (decode, overlay/encode, people count). On two cores MediaPipe
#: uses ≈ 1.1 of them; a helper that runs at equal priority delays the model's own short-lived
#: threads, while a slightly lower one lets the model run first and still keeps the helpers busy.
HELPER_NICE = 5


def lower_priority(increment: int = HELPER_NICE) -> None:
    """Lower the calling thread's CPU priority by ``increment`` (Linux: per thread). No-op elsewhere."""
    if increment <= 0 or not hasattr(os, "setpriority") or not hasattr(threading, "get_native_id"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + increment))
    except OSError:
        pass
