"""Write a YUV4MPEG2 (.y4m) file from a video, for Chromium's fake camera (--use-file-for-fake-video-capture)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def rgb_to_i420(img: np.ndarray) -> bytes:
    """RGB uint8 (H, W, 3), even H and W → planar I420 bytes (BT.601 limited range, as Chromium expects)."""
    import cv2

    return cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_RGB2YUV_I420).tobytes()


def write_y4m(src: str | Path, dst: str | Path, *, max_side: int = 320, seconds: float = 10.0, fps: int = 15) -> int:
    """Decode ``src`` (first ``seconds``), downscale to ``max_side``, resample to ``fps``; returns frames written."""
    from analyzer.capture.video import FileSource

    frames = []
    next_t = 0.0
    for fr in FileSource(src, max_side=max_side, threaded=False):
        if fr.t > seconds:
            break
        if fr.t + 1e-6 < next_t:
            continue
        img = fr.image
        h, w = img.shape[:2]
        frames.append(img[: h // 2 * 2, : w // 2 * 2])
        next_t += 1.0 / fps
    if not frames:
        raise ValueError(f"{src} gave no frames")
    h, w = frames[0].shape[:2]
    with open(dst, "wb") as fh:
        fh.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for img in frames:
            fh.write(b"FRAME\n")
            fh.write(rgb_to_i420(img))
    return len(frames)
