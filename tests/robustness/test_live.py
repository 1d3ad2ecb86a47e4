"""Live mode: a camera that cannot be opened, gives no frames, or disconnects gets a message, not a hang."""

from __future__ import annotations

import time

import numpy as np
import pytest

from analyzer.capture.webcam import WebcamSource
from analyzer.errors import CameraError

pytestmark = pytest.mark.timeout(60)


class FakeCapture:
    """Stands in for cv2.VideoCapture: opens or not, then yields ``frames`` good reads and fails after."""

    instances: list[FakeCapture] = []

    def __init__(self, device, *, opened=True, frames=0):
        self.device, self.opened, self.left = device, opened, frames
        self.released = False
        self.reads = 0
        FakeCapture.instances.append(self)

    def isOpened(self):
        return self.opened

    def set(self, *a):
        return True

    def get(self, prop):
        return 30.0

    def read(self):
        self.reads += 1
        if self.left > 0:
            self.left -= 1
            return True, np.zeros((48, 64, 3), np.uint8)
        return False, None

    def release(self):
        self.released = True


@pytest.fixture
def fake_cv2(monkeypatch):
    import cv2

    FakeCapture.instances.clear()

    def install(**kw):
        monkeypatch.setattr(cv2, "VideoCapture", lambda device, *a: FakeCapture(device, **kw))

    return install


def test_camera_that_cannot_be_opened(fake_cv2):
    fake_cv2(opened=False)
    with pytest.raises(CameraError, match=r"Camera 0 could not be opened; check that it is connected"):
        WebcamSource(0)


def test_camera_that_gives_no_frames_times_out(fake_cv2):
    fake_cv2(frames=0)
    src = WebcamSource(0, timeout=0.4)
    t0 = time.monotonic()
    with pytest.raises(CameraError, match=r"gave no frames .* may have been disconnected"):
        next(iter(src))
    assert 0.35 < time.monotonic() - t0 < 5.0
    assert FakeCapture.instances[-1].released


def test_camera_that_disconnects_mid_stream(fake_cv2):
    fake_cv2(frames=7)
    src = WebcamSource(0, timeout=0.3)
    got = []
    with pytest.raises(CameraError, match="disconnected"):
        for fr in src:
            got.append(fr)
    assert len(got) == 7
    assert all(fr.image.shape == (48, 64, 3) for fr in got)
    assert all(b.t > a.t for a, b in zip(got, got[1:]))
    assert FakeCapture.instances[-1].released


def test_device_path_that_does_not_exist():
    with pytest.raises(CameraError, match="could not be opened"):
        WebcamSource("/dev/video-hinge-does-not-exist", timeout=0.5)
