"""Bad and odd inputs, made on the fly in a temp folder (nothing large is committed).

Every function takes the destination path (or folder) and returns the path it wrote.
Clips are tiny (tens of frames, ≤ 320 px) unless the class is about size.
"""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

import numpy as np


# ---------------------------------------------------------------------------
# Not-a-video inputs
# ---------------------------------------------------------------------------
def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def random_bytes(path: Path, n: int = 64 * 1024, seed: int = 0) -> Path:
    path.write_bytes(np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes())
    return path


def text_file(path: Path) -> Path:
    path.write_text("These are my squat notes, not a video.\n" * 50, encoding="utf-8")
    return path


def still_image(path: Path, w: int = 320, h: int = 240) -> Path:
    """A PNG or JPEG (by ``path``'s suffix), written with OpenCV."""
    import cv2

    img = np.zeros((h, w, 3), np.uint8)
    img[:, : w // 2] = (40, 160, 220)
    ok, buf = cv2.imencode(path.suffix, img)
    assert ok
    path.write_bytes(buf.tobytes())
    return path


def audio_only(path: Path, seconds: float = 1.0) -> Path:
    """An .mp4 holding one AAC audio track and no video."""
    import av

    rate = 44100
    with av.open(str(path), "w", format="mp4") as c:
        s = c.add_stream("aac", rate=rate)
        s.layout = "mono"
        n = int(seconds * rate)
        tone = (0.2 * np.sin(2 * np.pi * 440 * np.arange(n) / rate)).astype(np.float32)
        for i0 in range(0, n, 1024):
            chunk = tone[i0 : i0 + 1024][None, :]
            fr = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
            fr.sample_rate, fr.pts = rate, i0
            for p in s.encode(fr):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


# ---------------------------------------------------------------------------
# Video containers
# ---------------------------------------------------------------------------
def frames_noise(n: int, w: int, h: int, seed: int = 0) -> list[np.ndarray]:
    """``n`` frames of smooth moving blobs (compress a little, never look like a person)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = rng.integers(0, 255, 3)
    out = []
    for i in range(n):
        cx, cy = w * (0.3 + 0.4 * np.sin(i / 7)), h * (0.5 + 0.3 * np.cos(i / 5))
        blob = np.exp(-(((xx - cx) / (0.15 * w)) ** 2 + ((yy - cy) / (0.15 * h)) ** 2))
        img = (base[None, None, :] * 0.3 + 180 * blob[..., None]).clip(0, 255).astype(np.uint8)
        out.append(img)
    return out


#: Frames of :func:`long_blobs`: long enough that a signal or a second run lands mid-analysis even when the
#: pose pass runs at ~150 fps (no person: the detector alone), ≈ 20 s here.
LONG_FRAMES = 3000


def long_blobs(path: Path) -> Path:
    """A ``LONG_FRAMES``-frame 320×240 clip of moving blobs (600 frames played 5 times), made once."""
    if not path.exists():
        encode(path, frames_noise(600, 320, 240) * (LONG_FRAMES // 600), fmt="mp4")
    return path


def encode(
    path: Path,
    frames,
    *,
    fps: float = 30,
    fmt: str | None = None,
    codec: str = "libx264",
    times: list[float] | None = None,
    options: dict | None = None,
    container_options: dict | None = None,
    pix_fmt: str = "yuv420p",
) -> Path:
    """Encode RGB ``frames`` with PyAV. ``times`` (s) gives per-frame timestamps (variable rate)."""
    import av

    frames = list(frames)
    h, w = frames[0].shape[:2]
    tb = Fraction(1, 90000) if times is not None else None
    with av.open(str(path), "w", format=fmt, options=container_options or {}) as c:
        s = c.add_stream(codec, rate=Fraction(fps).limit_denominator(1001))
        s.width, s.height, s.pix_fmt = w, h, pix_fmt
        if codec == "libx264":
            s.options = {"preset": "ultrafast", **(options or {})}
        elif options:
            s.options = options
        if tb is not None:
            s.time_base = tb
            s.codec_context.time_base = tb
        for i, img in enumerate(frames):
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
            if times is not None:
                vf.pts, vf.time_base = int(round(times[i] / tb)), tb
            else:
                vf.pts = i
            for p in s.encode(vf):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def small_clip(path: Path, n: int = 45, w: int = 160, h: int = 120, seed: int = 0, **kw) -> Path:
    """A valid short clip (no person) in the container picked by ``path``'s suffix."""
    suffix = path.suffix.lower()
    codec = {".webm": "libvpx", ".avi": "mpeg4", ".mkv": "libx264", ".mov": "libx264"}.get(suffix, "libx264")
    fmt = {".mp4": "mp4", ".webm": "webm", ".avi": "avi", ".mkv": "matroska", ".mov": "mov"}.get(suffix)
    return encode(path, frames_noise(n, w, h, seed), fmt=fmt, codec=codec, **kw)


def faststart_mp4(path: Path, n: int = 60, w: int = 160, h: int = 120) -> Path:
    """An mp4 with its index (moov) at the front, as phones and H264Writer write them."""
    return encode(path, frames_noise(n, w, h), fmt="mp4", container_options={"movflags": "+faststart"})


def truncated(src: Path, dst: Path, fraction: float) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * fraction)])
    return dst


def zero_frame(path: Path) -> Path:
    """A container with a declared video stream and no frames at all."""
    import av

    suffix = path.suffix.lower()
    fmt = {".mp4": "mp4", ".mkv": "matroska", ".webm": "webm"}.get(suffix, "matroska")
    with av.open(str(path), "w", format=fmt) as c:
        s = c.add_stream("libvpx" if fmt == "webm" else "libx264", rate=30)
        s.width, s.height, s.pix_fmt = 160, 120, "yuv420p"
        c.start_encoding()  # write the header although no packet follows
    return path


def unsupported_codec(path: Path) -> Path:
    """An AVI whose FourCC names a codec FFmpeg has no decoder for ("HNGZ").

    Written as MPEG-4 Part 2, then both codec tags are patched, so the container
    parses cleanly and only the codec is unknown.
    """
    tmp = path.with_name(path.stem + ".src.avi")
    small_clip(tmp, n=10)
    data = tmp.read_bytes()
    tmp.unlink()
    assert data.count(b"FMP4") >= 2
    path.write_bytes(data.replace(b"FMP4", b"HNGZ"))
    return path


def huge_frame(path: Path, w: int = 7680, h: int = 4320, n: int = 4, fps: float = 30) -> Path:
    """An 8K H.264 clip (flat frames with a moving bar: tiny file, full-size decode)."""
    frames = []
    for i in range(n):
        img = np.full((h, w, 3), 60, np.uint8)
        img[:, i * w // (2 * n) : i * w // (2 * n) + w // 16] = 200
        frames.append(img)
    return encode(path, frames, fps=fps, fmt="mp4", options={"preset": "ultrafast", "crf": "35"})


def variable_frame_rate(path: Path, n: int = 60, seed: int = 1) -> tuple[Path, np.ndarray]:
    """A clip whose frame intervals jitter between 10 and 80 ms. Returns (path, timestamps)."""
    rng = np.random.default_rng(seed)
    t = np.concatenate([[0.0], np.cumsum(rng.uniform(0.010, 0.080, n - 1))])
    t = np.round(t, 4)
    encode(path, frames_noise(n, 160, 120), fmt="mp4", times=list(t))
    return path, t


def short_clip(path: Path, seconds: float = 0.3, fps: float = 30) -> Path:
    return encode(path, frames_noise(max(1, int(round(seconds * fps))), 160, 120), fps=fps, fmt="mp4")


def dark(frames: list[np.ndarray], gain: float = 0.04) -> list[np.ndarray]:
    """Very dark footage: the same frames at ``gain`` brightness, plus sensor-like noise."""
    rng = np.random.default_rng(3)
    return [(f.astype(np.float32) * gain + rng.normal(0, 1.5, f.shape)).clip(0, 255).astype(np.uint8) for f in frames]


def mp4_with_moov_last(path: Path, n: int = 60) -> Path:
    """An mp4 with its index at the end (cutting the tail loses the index)."""
    return encode(path, frames_noise(n, 160, 120), fmt="mp4")


def read_rgb(path: Path, max_frames: int | None = None) -> tuple[list[np.ndarray], float, list[float]]:
    """All upright frames of a clip as RGB arrays, its fps and timestamps (for composing test clips)."""
    from analyzer.capture.video import FileSource

    src = FileSource(path, max_side=None, threaded=False)
    frames, ts = [], []
    for fr in src:
        frames.append(fr.image)
        ts.append(fr.t)
        if max_frames and len(frames) >= max_frames:
            break
    return frames, src.fps, ts


def box_header(size: int, kind: bytes) -> bytes:
    return struct.pack(">I4s", size, kind)
