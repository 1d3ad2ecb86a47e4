"""Benchmark clips: H.264 MP4s of a person, at a chosen size, frame rate and length.

The content comes from (in this order) an explicit ``--source`` clip, a bundled
``sample_videos/*.mp4`` clip, or the synthetic renderer (``analyzer.synth``).
Up to ``MAX_SOURCE_FRAMES`` source frames are letterboxed to the target size and
played forwards then backwards (ping-pong, so motion stays continuous) until the
clip is long enough. Clips are cached outside the repository and never committed.
"""

from __future__ import annotations

import os
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MAX_SOURCE_FRAMES = 150

#: (name, width, height)
SIZES = {"720p": (1280, 720), "1080p": (1920, 1080), "480p": (640, 480), "4k": (3840, 2160)}


def clip_dir() -> Path:
    """Where generated clips are kept (``$HINGE_BENCH_DIR`` or ``$TMPDIR/hinge-bench``)."""
    d = Path(os.environ.get("HINGE_BENCH_DIR", Path(tempfile.gettempdir()) / "hinge-bench"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def default_source() -> tuple[str, str]:
    """Return (kind, path-or-name) of the content to loop: a sample clip, else the synthetic renderer."""
    from analyzer.capture.video import probe

    samples = sorted((ROOT / "sample_videos").glob("*.mp4"))
    for p in sorted(samples, key=lambda p: ("side" not in p.name, "squat" not in p.name, p.name)):
        try:
            probe(p)
            return "clip", str(p)
        except Exception:  # being written, or not a video
            continue
    try:
        import analyzer.synth  # noqa: F401

        return "synth", "analyzer.synth"
    except ImportError:
        raise SystemExit(
            "no content for benchmark clips: add sample_videos/*.mp4, analyzer.synth, or pass --source CLIP"
        ) from None


def _letterbox(img: np.ndarray, w: int, h: int) -> np.ndarray:
    import cv2

    ih, iw = img.shape[:2]
    s = min(w / iw, h / ih)
    nw, nh = max(2, int(round(iw * s))), max(2, int(round(ih * s)))
    small = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    out = np.zeros((h, w, 3), np.uint8)
    y0, x0 = (h - nh) // 2, (w - nw) // 2
    out[y0 : y0 + nh, x0 : x0 + nw] = small
    return out


def _source_frames(kind: str, src: str, w: int, h: int, fps: float) -> list[np.ndarray]:
    if kind == "synth":
        frames = _synth_frames(w, h, fps)
    else:
        from analyzer.capture.video import FileSource

        frames = []
        for fr in FileSource(src, max_side=None, threaded=False):
            frames.append(_letterbox(fr.image, w, h))
            if len(frames) >= MAX_SOURCE_FRAMES:
                break
    if not frames:
        raise SystemExit(f"no frames from {src}")
    return frames


def _synth_frames(w: int, h: int, fps: float) -> list[np.ndarray]:
    """Frames from the synthetic renderer (its API is probed, since it is written alongside)."""
    import analyzer.synth as S

    for name in ("render_frames", "render", "frames"):
        fn = getattr(S, name, None)
        if callable(fn):
            try:
                out = fn(width=w, height=h, fps=fps, seconds=MAX_SOURCE_FRAMES / fps)
            except TypeError:
                continue
            frames = [np.asarray(getattr(f, "image", f)) for f in out]
            return [_letterbox(f, w, h) if f.shape[:2] != (h, w) else f for f in frames[:MAX_SOURCE_FRAMES]]
    raise SystemExit("analyzer.synth has no render function this benchmark understands; pass --source CLIP")


def clip_name(size: str, fps: int, seconds: float, tag: str) -> str:
    return f"bench_{tag}_{size}_{fps}fps_{int(seconds)}s.mp4"


def make_clip(
    size: str,
    fps: int,
    seconds: float,
    *,
    kind: str,
    src: str,
    tag: str = "v1",
    preset: str = "veryfast",
    crf: int = 23,
    start: int = 0,
    log=print,
) -> Path:
    """Make (or reuse) the clip ``size``×``fps``×``seconds``; returns its path.

    ``start`` shifts where the loop begins (distinct clips of the same content, e.g. for batch).
    """
    import av

    w, h = SIZES[size]
    path = clip_dir() / clip_name(size, fps, seconds, tag)
    if path.is_file() and path.stat().st_size > 0:
        return path
    log(f"making {path.name} ...")
    frames = _source_frames(kind, src, w, h, fps)
    order = list(range(len(frames))) + list(range(len(frames) - 2, 0, -1)) or [0]
    n = int(round(seconds * fps))
    tmp = path.with_suffix(".tmp.mp4")
    with av.open(str(tmp), mode="w", format="mp4") as out:
        st = out.add_stream("libx264", rate=Fraction(fps))
        st.width, st.height, st.pix_fmt = w, h, "yuv420p"
        st.options = {"crf": str(crf), "preset": preset}
        for i in range(n):
            vf = av.VideoFrame.from_ndarray(frames[order[(i + start) % len(order)]], format="rgb24")
            vf.pts = i
            for pkt in st.encode(vf):
                out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
    os.replace(tmp, path)
    return path
