"""The causal rep detector of live mode: hysteresis on hip drop and hip–trunk flexion against standing."""

from __future__ import annotations

import numpy as np

from .state import LiveSettings


class RepCounter:
    """Causal rep detector with hysteresis on hip drop ``s`` and hip–trunk flexion ``a``.

    Feed :meth:`update` once per frame; it returns ``(start, bottom, end)`` indices of the
    buffered frames when a rep completes, else None. NaN inputs count as "no information".
    """

    def __init__(self, settings: LiveSettings | None = None):
        self.s = settings or LiveSettings()
        self.reset()

    def reset(self) -> None:
        self.down = False
        self.t_start = 0.0
        self.t_low = getattr(self, "t_low", 0.0)
        self.s_max = -np.inf
        self.a_max = -np.inf
        self.t_peak_s = 0.0
        self.t_peak_a = 0.0

    def update(self, t: float, s: float, a: float) -> tuple[float, float, float, str, float, float] | None:
        """Returns ``(t_start, t_bottom, t_end, kind, s_max, a_max)`` when a rep completes.

        Start: s > s_on or a > a_on (the rep starts at the last frame below both). A start that
        falls back below both without reaching s_min / a_min is dropped (sway, unracking).
        End: s < max(s_off, 0.2·s_max) and a < max(a_off, 0.3·a_max) (cf. spec §F.8: boundaries
        where the signal returns near its baseline, relative to that rep's peak).
        """
        st = self.s
        has = bool(np.isfinite(s) or np.isfinite(a))
        s_ = float(s) if np.isfinite(s) else -np.inf
        a_ = float(a) if np.isfinite(a) else -np.inf
        low = s_ <= st.s_on and a_ <= st.a_on
        if not self.down:
            if low or not has:
                self.t_low = t
                return None
            self.down, self.t_start = True, self.t_low
            self.s_max, self.a_max, self.t_peak_s, self.t_peak_a = s_, a_, t, t
            return None
        if s_ > self.s_max:
            self.s_max, self.t_peak_s = s_, t
        if a_ > self.a_max:
            self.a_max, self.t_peak_a = a_, t
        if t - self.t_start > st.max_rep_s:
            self.reset()
            self.t_low = t
            return None
        deep = self.s_max >= st.s_min or self.a_max >= st.a_min
        if not deep:
            if low:
                self.reset()
                self.t_low = t
            return None
        s_end = max(st.s_off, 0.2 * self.s_max)
        a_end = max(st.a_off, 0.3 * self.a_max)
        if not (has and s_ < s_end and a_ < a_end):
            return None
        kind = "squat" if self.s_max >= st.s_min else "hinge"
        tb = self.t_peak_s if kind == "squat" else self.t_peak_a
        result = None
        if t - self.t_start >= st.min_rep_s:
            result = (self.t_start, tb, t, kind, float(self.s_max), float(self.a_max))
        self.reset()
        self.t_low = t
        return result
