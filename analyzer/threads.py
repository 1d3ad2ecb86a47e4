"""Thread helpers for the pose pass: the model thread is the critical path, helpers yield to it."""

from __future__ import annotations

import os
import threading

#: Nice increment of helper threads (decode, overlay/encode, people count). On two cores MediaPipe
#: uses ≈ 1.1 of them; a helper that runs at equal priority delays the model's own short-lived
#: threads, while a slightly lower one lets the model run first and still keeps the helpers busy.
HELPER_NICE = 5


def lower_priority(increment: int = HELPER_NICE) -> None:
    """Make the calling thread a helper that yields to the model (Linux: per thread; no-op elsewhere).

    Lowers its CPU priority by ``increment`` nice steps and puts it in ``SCHED_BATCH``: the same
    CPU share as a normal thread at that nice value, so it cannot starve on a busy machine, but on
    waking up (a frame to encode, room in the decode queue) it does not preempt a running thread of
    the model's chain; it waits for the scheduler's next tick or a free vCPU (measured gain:
    docs/PERFORMANCE.md, changelog).
    """
    if increment <= 0 or not hasattr(os, "setpriority") or not hasattr(threading, "get_native_id"):
        return
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + increment))
    except OSError:
        pass
    if hasattr(os, "SCHED_BATCH"):
        try:  # keeps the nice value just set
            os.sched_setscheduler(tid, os.SCHED_BATCH, os.sched_param(0))
        except OSError:
            pass
