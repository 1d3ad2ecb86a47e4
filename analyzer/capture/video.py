"""Video files: probing and streaming frames.

Frames are RGB ``uint8`` arrays (H×W×3), upright (phone rotation metadata
applied), with true presentation timestamps in seconds. Files are streamed one
frame at a time and never loaded whole.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import NoFramesError, NoVideoStreamError, VideoOpenError
from ..threads import lower_priority

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
        raise NoFramesError(f"{p.name} ends before any video data: it is empty, unfinished or truncated.") from exc
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError, OSError) as exc:
        raise VideoOpenError(
            f"{p.name} could not be opened as a video; it may be corrupt or not a video file."
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
    if (
        stream.codec_context.name in ("png", "mjpeg", "bmp", "webp", "gif", "tiff")
        and (stream.frames or 0) <= 1
        and container.format.name in ("png_pipe", "jpeg_pipe", "image2", "bmp_pipe", "webp_pipe", "tiff_pipe")
    ):
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
        return VideoInfo(
            str(path),
            stream.codec_context.name,
            int(w),
            int(h),
            fps,
            duration,
            n,
            rotation,
            bool(container.streams.audio),
        )
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

    def __init__(
        self,
        path: str | os.PathLike,
        max_side: int | None = DEFAULT_MAX_SIDE,
        *,
        threaded: bool = True,
        queue_size: int = 8,
    ):
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
        # One decoder thread up to 1080p (far below the model's time per frame): FFmpeg's default
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
                    msg = (
                        f"decoding stopped at frame {idx}: the file looks truncated or damaged and the rest is "
                        "unreadable"
                    )
                    if idx == 0:
                        raise VideoOpenError(
                            f"{Path(self.path).name} could not be decoded: it is corrupt or truncated."
                        ) from exc
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
                self.warnings.append(
                    f"only {idx} of the {n} frames the container announces could be decoded (the file looks truncated)"
                )
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
