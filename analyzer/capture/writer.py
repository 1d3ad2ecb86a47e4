"""The H.264 writer (browser-playable MP4) and a helper that writes a rotated copy of a clip."""

from __future__ import annotations

import os
from fractions import Fraction

import numpy as np

from .video import FileSource, _rotate, probe


class H264Writer:
    """Write RGB frames as browser-playable MP4 (libx264, yuv420p, +faststart).

    Each frame keeps its own timestamp, so variable-frame-rate input keeps its
    timing and frame count. Use as a context manager; the file is only complete
    after ``close()``.
    """

    TIME_BASE = Fraction(1, 90000)

    def __init__(
        self,
        path: str | os.PathLike,
        fps: float,
        width: int,
        height: int,
        crf: int = 23,
        preset: str = "superfast",
        threads: int = 1,
    ):
        import av

        self.path = str(path)
        self.width, self.height = int(width) // 2 * 2, int(height) // 2 * 2
        self.container = av.open(self.path, mode="w", format="mp4", options={"movflags": "+faststart"})
        rate = Fraction(fps).limit_denominator(1001) if fps and fps > 0 else Fraction(30)
        self.stream = self.container.add_stream("libx264", rate=rate)
        self.stream.width, self.stream.height = self.width, self.height
        self.stream.pix_fmt = "yuv420p"
        self.stream.time_base = self.TIME_BASE
        self.stream.codec_context.time_base = self.TIME_BASE
        # One encoder thread: it runs beside the pose model, which needs a core of its own. No B-frames:
        # less encoder CPU for the same file size (docs/PERFORMANCE.md, changelog).
        self.stream.options = {"crf": str(crf), "preset": preset, "threads": str(threads), "x264-params": "bframes=0"}
        self._last_pts = -1
        self.frames_written = 0
        self._av = av

    def _to_frame(self, image: np.ndarray):
        """RGB uint8 (h, w, 3), even sizes → yuv420p ``av.VideoFrame``.

        OpenCV's RGB → I420 (BT.601, limited range, like swscale's default) is cheaper than PyAV's rgb24
        conversion.
        """
        import cv2

        yuv = np.asarray(cv2.cvtColor(image, cv2.COLOR_RGB2YUV_I420), np.uint8)
        return self._av.VideoFrame.from_ndarray(yuv, format="yuv420p")

    def write(self, image: np.ndarray, t: float | None = None) -> None:
        """Append an RGB uint8 frame shown at ``t`` seconds (defaults to constant rate)."""
        if image.shape[1] != self.width or image.shape[0] != self.height:
            image = np.ascontiguousarray(image[: self.height, : self.width])
        fr = self._to_frame(image)
        if t is None:
            pts = self._last_pts + int(self.TIME_BASE.denominator / float(self.stream.average_rate or 30))
        else:
            pts = int(round(t / self.TIME_BASE))
        pts = max(pts, self._last_pts + 1)
        fr.pts, fr.time_base = pts, self.TIME_BASE
        self._last_pts = pts
        for pkt in self.stream.encode(fr):
            self.container.mux(pkt)
        self.frames_written += 1

    def close(self) -> None:
        if self.container is None:
            return
        try:
            for pkt in self.stream.encode():
                self.container.mux(pkt)
        finally:
            self.container.close()
            self.container = None  # type: ignore[assignment]  # closed: no container any more

    def __enter__(self) -> H264Writer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_rotated_copy(src: str | os.PathLike, dst: str | os.PathLike, rotation: int) -> None:
    """Write ``src`` with its pixels turned and display-rotation metadata set so it plays upright.

    ``rotation`` is the clockwise turn a player must apply (90, 180 or 270), as a phone records it.
    Used by tests and the synthetic sample generator to make phone-style clips.
    """
    import av

    src_info = probe(src)
    with av.open(str(dst), mode="w", format="mp4") as out:
        w, h = src_info.width, src_info.height
        sw, sh = (h, w) if rotation in (90, 270) else (w, h)
        st = out.add_stream("libx264", rate=Fraction(src_info.fps).limit_denominator(1001))
        st.width, st.height, st.pix_fmt = sw // 2 * 2, sh // 2 * 2, "yuv420p"
        st.options = {"crf": "23", "preset": "veryfast"}
        # PyAV takes the counter-clockwise display-matrix angle.
        st.set_display_rotation(-rotation if rotation != 180 else 180)
        for i, fr in enumerate(FileSource(src, max_side=None, threaded=False)):
            stored = _rotate(fr.image, (360 - rotation) % 360)
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(stored[: st.height, : st.width]), format="rgb24")
            vf.pts = i
            for pkt in st.encode(vf):
                out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
