"""The cleaning chain: :class:`~analyzer.track.data.PoseTrack` → :class:`CleanTrack`
(spec §F: gate → Hampel → swap fix → gap fill → Butterworth)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..track.data import PoseTrack
from ..track.masks import MaskStore
from .filters import (
    Gap,
    butter_lowpass,
    fill_short_gaps,
    fix_leg_swaps,
    hampel,
    sampling_rate,
    swap_leg_columns,
)
from .plausibility import OffSpan, off_person


# ---------------------------------------------------------------------------
# The chain
# ---------------------------------------------------------------------------
@dataclass
class CleanTrack:
    """Cleaned landmark tracks of one subject (output of :func:`clean_track`).

    ``xy`` (T, 33, 2) px after gating, Hampel, swap fix, gap fill and Butterworth; NaN where unknown.
    ``valid`` (T, 33): xy known (measured or filled); ``filled``: interpolated by gap fill (⊂ valid);
    ``measured`` = valid & ~filled. ``swapped`` (T,): leg chains were exchanged in that frame.
    ``gaps``: runs still unknown (interior gaps > max_gap_s and leading/trailing runs).
    ``visibility``/``z`` are the raw arrays with the same leg-swap correction applied.
    ``off_person`` (T,): the skeleton was on someone or something else (:mod:`~analyzer.clean.plausibility`);
    those frames are unknown in ``xy``, so nothing is measured on them. ``off_spans``: the same as time spans.
    """

    raw: PoseTrack
    t: np.ndarray
    xy: np.ndarray
    valid: np.ndarray
    filled: np.ndarray
    swapped: np.ndarray
    gaps: list[Gap]
    fs: float
    cutoff_hz: float
    rejected: np.ndarray | None = None  # (T, 33) Hampel outliers (replaced by the local median)
    fixed_visibility: np.ndarray | None = None
    fixed_z: np.ndarray | None = None
    off_person: np.ndarray | None = None
    off_spans: list[OffSpan] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.t.shape[0])

    @property
    def width(self) -> int:
        return self.raw.width

    @property
    def height(self) -> int:
        return self.raw.height

    @property
    def visibility(self) -> np.ndarray:
        return self.raw.visibility if self.fixed_visibility is None else self.fixed_visibility

    @property
    def z(self) -> np.ndarray:
        return self.raw.z if self.fixed_z is None else self.fixed_z

    @property
    def masks(self) -> MaskStore | None:
        return self.raw.masks

    @property
    def measured(self) -> np.ndarray:
        return self.valid & ~self.filled

    def point(self, index: int) -> np.ndarray:
        """(T, 2) cleaned pixel track of one landmark."""
        return self.xy[:, index, :]


def clean_track(
    track: PoseTrack,
    *,
    cutoff_hz: float = 6.0,
    vis_threshold: float = 0.5,
    max_gap_s: float = 0.2,
    hampel_window: int = 7,
) -> CleanTrack:
    """Clean a :class:`PoseTrack` (spec §F): gate → Hampel → swap fix → gap fill → Butterworth.

    0. frames where the skeleton left the person (:func:`~analyzer.clean.plausibility.off_person`) become NaN;
    1. landmarks with visibility < ``vis_threshold`` become NaN;
    2. Hampel (``hampel_window``, 3σ) per coordinate, outliers replaced by the window median
       (flagged in ``rejected``; on white noise Hampel(7, 3σ) also flags ≈5 % of samples);
    3. left/right leg swaps undone (xy, visibility and z);
    4. interior gaps ≤ ``max_gap_s`` (s) filled by cubic spline, longer ones reported as gaps;
    5. zero-lag 4th-order Butterworth at ``cutoff_hz`` with fs = 1/median(dt).
    """
    t = np.asarray(track.t, dtype=np.float64)
    xy = np.array(track.xy, dtype=np.float64, copy=True)
    vis = np.nan_to_num(np.asarray(track.visibility, dtype=np.float64), nan=0.0)
    off, spans = off_person(t, xy, np.asarray(track.world, dtype=np.float64))
    xy[off] = np.nan
    xy[vis < vis_threshold] = np.nan

    xy, out = hampel(xy, hampel_window, 3.0, return_mask=True)  # outliers → window median
    rejected = out.any(axis=-1)

    xy, swapped = fix_leg_swaps(xy, t)
    fixed_vis = swap_leg_columns(track.visibility, swapped)
    fixed_z = swap_leg_columns(track.z, swapped)

    xy, filled, gaps = fill_short_gaps(t, xy, max_gap_s)
    fs = sampling_rate(t, default=float(track.fps) if track.fps else float("nan"))
    xy = butter_lowpass(xy, fs, cutoff_hz)
    valid = np.asarray(np.isfinite(xy).all(axis=-1))
    return CleanTrack(
        raw=track,
        t=t,
        xy=xy,
        valid=valid,
        filled=filled & valid,
        swapped=swapped,
        gaps=gaps,
        fs=fs,
        cutoff_hz=float(cutoff_hz),
        rejected=rejected,
        fixed_visibility=fixed_vis,
        fixed_z=fixed_z,
        off_person=off,
        off_spans=spans,
    )


def from_filtered(
    t: np.ndarray,
    xy: np.ndarray,
    visibility: np.ndarray,
    z: np.ndarray,
    width: int,
    height: int,
    *,
    fps: float | None = None,
) -> CleanTrack:
    """A :class:`CleanTrack` of landmarks that are already smooth (live mode's One-Euro output).

    ``t`` (T,) s; ``xy`` (T, 33, 2) px, NaN = unknown; ``visibility``/``z`` (T, 33). No cleaning step runs:
    nothing is filled, swapped or rejected, and there are no masks.
    """
    t = np.asarray(t, np.float64)
    xy = np.asarray(xy, np.float64)
    fs = sampling_rate(t, default=float(fps) if fps else float("nan"))
    T = len(t)
    raw = PoseTrack(
        t=t,
        xy=xy.astype(np.float32),
        z=np.asarray(z, np.float32),
        visibility=np.asarray(visibility, np.float32),
        presence=np.ones((T, 33), np.float32),
        world=np.full((T, 33, 3), np.nan, np.float32),
        n_people=np.ones(T, np.int8),
        width=int(width),
        height=int(height),
        fps=fs,
        model="live",
    )
    valid = np.isfinite(xy).all(axis=-1)
    return CleanTrack(
        raw=raw,
        t=t,
        xy=xy,
        valid=valid,
        filled=np.zeros_like(valid),
        swapped=np.zeros(T, bool),
        gaps=[],
        fs=fs,
        cutoff_hz=float("nan"),
    )
