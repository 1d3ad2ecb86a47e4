"""Progress text for long analyses: frames done, rate and ETA."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


def format_eta(seconds: float) -> str:
    if seconds != seconds or seconds < 0:  # NaN
        return "estimating…"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60:02d} s"


@dataclass
class ProgressTracker:
    """Turn ``(done, total)`` frame counts into a fraction and a one-line status.

    ETA = (total − done) / rate, with rate measured since the first update (frames/s).
    ``min_interval`` throttles how often :meth:`update` says the UI should refresh.
    """

    min_interval: float = 0.25
    clock: Callable[[], float] = time.monotonic
    t0: float | None = None
    _last_emit: float = field(default=-1e9, repr=False)

    def update(self, done: int, total: int) -> tuple[float, str, bool]:
        """Returns ``(fraction 0..1, text, refresh)``."""
        now = self.clock()
        if self.t0 is None:
            self.t0 = now
        total = max(int(total), int(done), 1)
        frac = min(1.0, max(0.0, done / total))
        elapsed = now - self.t0
        rate = done / elapsed if elapsed > 0 and done > 0 else float("nan")
        eta = (total - done) / rate if rate == rate and rate > 0 else float("nan")
        text = f"Analysing: frame {done} of {total}"
        if rate == rate:
            text += f" · {rate:.1f} frames/s · about {format_eta(eta)} left"
        refresh = done >= total or (now - self._last_emit) >= self.min_interval
        if refresh:
            self._last_emit = now
        return frac, text, refresh
