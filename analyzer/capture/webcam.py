"""Frames from a camera via OpenCV, with monotonic timestamps."""

from __future__ import annotations

import time
from collections.abc import Iterator

from ..errors import CameraError
from .video import Frame


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
                        raise CameraError(
                            f"The camera gave no frames for {self.timeout:.0f} s; it may have been disconnected."
                        )
                    time.sleep(0.01)
                    continue
                last_ok = now
                yield Frame(idx, now - t0, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
                idx += 1
        finally:
            self.cap.release()
