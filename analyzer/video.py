"""Frame sources (video files, webcams) and the H.264 writer.

Frames are RGB ``uint8`` arrays (H×W×3), upright (phone rotation metadata
applied), with true presentation timestamps in seconds. Files are streamed one
frame at a time and never loaded whole.
"""
from __future__ import annotations

import logging
import os
import threading
import queue
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import numpy as np

from .errors import CameraError, NoFramesError, NoVideoStreamError, VideoOpenError
from .threads import lower_priority

log = logging.getLogger(__name__)

#: Largest frame side handed to the pose model and the overlay by default (px).
DEFAULT_MAX_SIDE = 1280


@dataclass(frozen=True)
class VideoInfo:
    """Container facts. ``width``/``height`` are the upright display size in px."""

    path: str
    codec: str
    width: int
    height: int
    fps: float
    duration: float
    n_frames: int
    rotation: int  # degrees the stored frames are turned clockwise for display (0/90/180/270)
    has_audio: bool = False

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Frame:
    """One decoded frame. ``image`` is RGB uint8, upright, possibly downscaled by ``scale``."""

    index: int
    t: float  # seconds from stream start
    image: np.ndarray
    scale: float = 1.0  # original px per processed px


def _rotation_of(frame_rotation: float | int | None) -> int:
    """Clockwise display rotation in degrees from PyAV's counter-clockwise display-matrix angle."""
    if not frame_rotation:
        return 0
    return int(round(-float(frame_rotation))) % 360


def _rotate(img: np.ndarray, rotation: int) -> np.ndarray:
    if rotation == 90:
        return np.ascontiguousarray(np.rot90(img, k=-1))
    if rotation == 180:
        return np.ascontiguousarray(img[::-1, ::-1])
    if rotation == 270:
        return np.ascontiguousarray(np.rot90(img, k=1))
    return img


def _open(path: str | os.PathLike):
    import av

    p = Path(path)
    if not p.exists():
        raise VideoOpenError(f"The file {p} does not exist.")
    if p.is_dir():
        raise VideoOpenError(f"{p} is a folder, not a video file.")
    if p.stat().st_size == 0:
        raise VideoOpenError(f"The file {p.name} is empty (0 bytes); it is not a video.")
    try:
        container = av.open(str(p), mode="r", options={"probesize": "20000000"})
    except av.error.EOFError as exc:
        raise NoFramesError(
            f"{p.name} ends before any video data: it is empty, unfinished or truncated."
        ) from exc
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError, OSError) as exc:
        raise VideoOpenError(
            f"{p.name} could not be opened as a video ({type(exc).__name__}); it may be corrupt or not a video file."
        ) from exc
    if not container.streams.video:
        has_audio, has_any = bool(container.streams.audio), bool(container.streams)  # read before close()
        container.close()
        if not has_any:
            raise NoFramesError(f"{p.name} holds no readable tracks or frames: it is empty, unfinished or truncated.")
        kind = "an audio-only file" if has_audio else "not a video"
        raise NoVideoStreamError(f"{p.name} has no video track: it is {kind}.")
    stream = container.streams.video[0]
    if stream.codec_context is None or stream.codec_context.name in (None, "", "none"):
        container.close()
        raise VideoOpenError(f"{p.name} uses a video codec this build cannot decode.")
    if stream.codec_context.name in ("png", "mjpeg", "bmp", "webp", "gif", "tiff") and (stream.frames or 0) <= 1 \
            and container.format.name in ("png_pipe", "jpeg_pipe", "image2", "bmp_pipe", "webp_pipe", "tiff_pipe"):
        container.close()
        raise NoVideoStreamError(f"{p.name} is a still image, not a video.")
    return container, stream


def probe(path: str | os.PathLike) -> VideoInfo:
    """Read container facts without decoding the whole file (decodes one frame for rotation)."""
    import av

    container, stream = _open(path)
    try:
        fps = float(stream.average_rate or stream.guessed_rate or 0) or 30.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        else:
            duration = 0.0
        n = int(stream.frames or 0) or int(round(duration * fps))
        rotation = 0
        w, h = stream.codec_context.width, stream.codec_context.height
        try:
            for fr in container.decode(stream):
                rotation = _rotation_of(getattr(fr, "rotation", 0))
                w, h = fr.width, fr.height
                break
        except av.error.FFmpegError:
            pass
        if rotation in (90, 270):
            w, h = h, w
        if not w or not h:
            raise NoFramesError(f"{Path(path).name} has a video track but no decodable frames.")
        return VideoInfo(str(path), stream.codec_context.name, int(w), int(h), fps, duration, n, rotation,
                         bool(container.streams.audio))
    finally:
        container.close()


def _target_size(w: int, h: int, max_side: int | None) -> tuple[int, int]:
    if not max_side or max(w, h) <= max_side:
        return w, h
    s = max_side / max(w, h)
    return max(2, int(round(w * s / 2)) * 2), max(2, int(round(h * s / 2)) * 2)


class FileSource:
    """Stream upright RGB frames with true timestamps from a video file.

    ``max_side`` downscales in the decoder (swscale) so large inputs (1080p, 4K, 8K)
    never exist at full size as RGB arrays; ``Frame.scale`` maps back to original px.
    Decoding runs in a background thread with a bounded queue when ``threaded``.
    Decode errors after the first frame (a truncated file) end the stream and are
    recorded in ``warnings``.
    """

    def __init__(self, path: str | os.PathLike, max_side: int | None = DEFAULT_MAX_SIDE, *, threaded: bool = True,
                 queue_size: int = 8):
        self.path = str(path)
        self.info = probe(path)
        self.max_side = max_side
        self.threaded = threaded
        self.queue_size = queue_size
        self.warnings: list[str] = []
        w, h = self.info.width, self.info.height
        self.out_size = _target_size(w, h, max_side)
        self.scale = w / self.out_size[0]
        self.frames_read = 0

    @property
    def fps(self) -> float:
        return self.info.fps

    def _decode(self) -> Iterator[Frame]:
        import av

        container, stream = _open(self.path)
        # One decoder thread up to 1080p (≈ 2–5 ms/frame, far below the model's time): FFmpeg's default
        # frame threading would oversubscribe the two cores the model and the encoder also need.
        if max(self.info.width, self.info.height) > 1920:
            stream.thread_type = "AUTO"
        else:
            stream.codec_context.thread_count = 1
        rot = self.info.rotation
        ow, oh = self.out_size
        # swscale works on the stored (pre-rotation) orientation.
        sw, sh = (oh, ow) if rot in (90, 270) else (ow, oh)
        last_t = -np.inf
        idx = 0
        fps = self.info.fps
        try:
            it = container.decode(stream)
            while True:
                try:
                    fr = next(it)
                except StopIteration:
                    break
                except av.error.FFmpegError as exc:
                    msg = (f"decoding stopped at frame {idx} ({type(exc).__name__}): the file looks truncated or "
                           "damaged and the rest is unreadable")
                    if idx == 0:
                        raise VideoOpenError(f"{Path(self.path).name} could not be decoded: it is corrupt or truncated.") from exc
                    self.warnings.append(msg)
                    break
                t = fr.time if fr.time is not None else (idx / fps)
                if t <= last_t:  # repeated/missing pts: keep order, nudge by 1 ms
                    t = last_t + 1e-3
                last_t = t
                if (fr.width, fr.height) != (sw, sh):
                    fr = fr.reformat(width=sw, height=sh, format="rgb24", interpolation="AREA")
                img = fr.to_ndarray(format="rgb24")
                yield Frame(idx, float(t), _rotate(img, rot), self.scale)
                idx += 1
            n = self.info.n_frames
            if not self.warnings and idx and n and idx < 0.9 * n:
                self.warnings.append(f"only {idx} of the {n} frames the container announces could be decoded "
                                     "(the file looks truncated)")
        finally:
            self.frames_read = idx
            container.close()

    def __iter__(self) -> Iterator[Frame]:
        gen = self._decode()
        if not self.threaded:
            yield from gen
            return
        yield from _threaded(gen, self.queue_size)
        if self.frames_read == 0:
            raise NoFramesError(f"{Path(self.path).name} holds no decodable video frames.")


_END = object()


def _threaded(gen: Iterator, maxsize: int) -> Iterator:
    """Run ``gen`` in a daemon thread, handing items through a bounded queue."""
    q: queue.Queue = queue.Queue(maxsize=maxsize)
    stop = threading.Event()

    def work():
        lower_priority()
        try:
            for item in gen:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
            q.put(_END)
        except BaseException as exc:  # hand the error to the consumer
            q.put(exc)
        finally:
            gen.close()

    th = threading.Thread(target=work, daemon=True, name="decode")
    th.start()
    try:
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while th.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                th.join(timeout=0.05)


class WebcamSource:
    """Frames from a camera via OpenCV, with monotonic timestamps (s since start).

    Raises :class:`CameraError` if the camera cannot be opened or stops giving
    frames for ``timeout`` seconds.
    """

    def __init__(self, device: int | str = 0, width: int = 640, height: int = 480, timeout: float = 3.0):
        import cv2

        self.cap = cv2.VideoCapture(device)
        if not self.cap.isOpened():
            raise CameraError(f"Camera {device} could not be opened; check that it is connected and not in use.")
        self.cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self.cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self.timeout = timeout
        self.fps = float(self.cap.get(cv2.CAP_PROP_FPS) or 30.0)

    def __iter__(self) -> Iterator[Frame]:
        import cv2

        t0 = time.monotonic()
        last_ok = t0
        idx = 0
        try:
            while True:
                ok, bgr = self.cap.read()
                now = time.monotonic()
                if not ok:
                    if now - last_ok > self.timeout:
                        raise CameraError(f"The camera gave no frames for {self.timeout:.0f} s; it may have been disconnected.")
                    time.sleep(0.01)
                    continue
                last_ok = now
                yield Frame(idx, now - t0, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
                idx += 1
        finally:
            self.cap.release()


class H264Writer:
    """Write RGB frames as browser-playable MP4 (libx264, yuv420p, +faststart).

    Each frame keeps its own timestamp, so variable-frame-rate input keeps its
    timing and frame count. Use as a context manager; the file is only complete
    after ``close()``.
    """

    TIME_BASE = Fraction(1, 90000)

    def __init__(self, path: str | os.PathLike, fps: float, width: int, height: int, crf: int = 23,
                 preset: str = "superfast", threads: int = 1):
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
        # ≈ 9 % less encoder-thread CPU at 720p, same file size (benchmarks/ab_pass.py, experiment bframes).
        self.stream.options = {"crf": str(crf), "preset": preset, "threads": str(threads), "x264-params": "bframes=0"}
        self._last_pts = -1
        self.frames_written = 0
        self._av = av

    def _to_frame(self, image: np.ndarray):
        """RGB uint8 (h, w, 3), even sizes → yuv420p ``av.VideoFrame``.

        OpenCV's RGB → I420 (BT.601, limited range, like swscale's default) costs ≈ 1 CPU ms less per
        720p frame than PyAV's rgb24 conversion (``benchmarks/ab_pass.py``, experiment ``yuv``).
        """
        import cv2

        return self._av.VideoFrame.from_ndarray(cv2.cvtColor(image, cv2.COLOR_RGB2YUV_I420), format="yuv420p")

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
            self.container = None

    def __enter__(self) -> "H264Writer":
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
