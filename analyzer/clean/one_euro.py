"""The causal One-Euro filter (Casiez et al., CHI 2012) for live smoothing."""

from __future__ import annotations

import math

import numpy as np


class OneEuroFilter:
    """One-Euro filter (Casiez et al., CHI 2012) for live smoothing; per element, any array shape.

    Cutoff adapts to speed: fc = mincutoff + beta·|dx̂/dt| (Hz), with dx/dt low-passed at ``dcutoff``.
    Units: ``beta`` is Hz per (unit/s) — defaults suit pixel coordinates. Tuning: lower
    ``mincutoff`` if it jitters at rest, raise ``beta`` if it lags during fast moves.
    Call ``f(x, t)`` with ``t`` in seconds (increasing). NaN elements give NaN and keep their state;
    an element reappearing after a gap resumes with the longer dt (so it catches up quickly).
    """

    def __init__(self, mincutoff: float = 1.0, beta: float = 0.02, dcutoff: float = 1.0):
        self.mincutoff, self.beta, self.dcutoff = float(mincutoff), float(beta), float(dcutoff)
        self.reset()

    def reset(self) -> None:
        self._x = np.zeros(0)  # last filtered value (shape set by the first call)
        self._dx = np.zeros(0)  # last filtered derivative
        self._t = np.zeros(0)  # per-element time of last update

    @staticmethod
    def _alpha(cutoff, dt):
        return 1.0 / (1.0 + 1.0 / (2.0 * math.pi * cutoff * dt))

    def __call__(self, x, t: float) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self._x.shape != x.shape:
            self._x = np.full(x.shape, np.nan)
            self._dx = np.zeros(x.shape)
            self._t = np.full(x.shape, np.nan)
        seen = np.isfinite(x)
        new = seen & ~np.isfinite(self._x)
        upd = seen & ~new
        with np.errstate(invalid="ignore", divide="ignore"):
            dt = np.maximum(t - self._t, 1e-6)
            dx = (x - self._x) / dt
            a_d = self._alpha(self.dcutoff, dt)
            edx = a_d * dx + (1.0 - a_d) * self._dx
            a = self._alpha(self.mincutoff + self.beta * np.abs(edx), dt)
            xf = a * x + (1.0 - a) * self._x
        self._x = np.where(upd, xf, np.where(new, x, self._x))
        self._dx = np.where(upd, edx, np.where(new, 0.0, self._dx))
        self._t = np.where(seen, float(t), self._t)
        return np.where(seen, self._x, np.nan)
