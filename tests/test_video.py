"""Frame sources and the H.264 writer on clips made here."""

from __future__ import annotations

import av
import numpy as np
import pytest

from analyzer.capture.video import FileSource, probe
from analyzer.capture.writer import H264Writer, write_rotated_copy
from analyzer.errors import NoVideoStreamError, VideoOpenError


def _pattern(h=320, w=180):
    img = np.zeros((h, w, 3), np.uint8)
    img[: h // 4, :, 0] = 255  # red band at the top
    img[:, : w // 4, 1] = 255  # green band on the left
    return img


@pytest.fixture
def upright(tmp_path):
    p = tmp_path / "up.mp4"
    with H264Writer(p, 30, 180, 320) as w:
        for i in range(12):
            w.write(_pattern(), i / 30)
    return p


def test_writer_makes_browser_h264(upright):
    with av.open(str(upright)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264"
        assert s.codec_context.pix_fmt == "yuv420p"
        assert sum(1 for _ in c.decode(s)) == 12


def test_writer_keeps_colours(upright):
    """The writer's own RGB → YUV conversion: a decoded frame has the colours that were written."""
    img = next(iter(FileSource(upright, max_side=None, threaded=False))).image.astype(int)
    want = _pattern().astype(int)
    inner = np.ones(want.shape[:2], bool)  # away from the band edges, where chroma subsampling blurs
    inner[[0, -1], :] = inner[:, [0, -1]] = False
    for edge in (80, 45):
        inner[edge - 3 : edge + 3, :] = False
        inner[:, edge - 3 : edge + 3] = False
    err = np.abs(img - want)[inner]
    assert err.mean() < 3 and np.percentile(err, 99) < 12
    assert img[10, 120, 0] >= 230 and img[10, 120, 1:].max() < 25  # the red band is red
    assert img[200, 10, 1] > 230 and img[200, 10, [0, 2]].max() < 25  # the green band is green


def test_writer_encodes_without_b_frames(tmp_path):
    """No B-frames (decode order = display order): cheaper to encode, same file size."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (96, 128, 3), np.uint8)
    p = tmp_path / "moving.mp4"
    with H264Writer(p, 30, 128, 96) as w:
        for i in range(30):  # moving content, where x264 would otherwise choose B-frames
            w.write(np.roll(base, 3 * i, axis=1), i / 30)
    with av.open(str(p)) as c:
        s = c.streams.video[0]
        pts = [pkt.pts for pkt in c.demux(s) if pkt.pts is not None]
        assert len(pts) == 30
        assert pts == sorted(pts)  # packets arrive in display order
        assert [f.pict_type.name for f in c.decode(s)].count("B") == 0


def test_variable_frame_rate_timestamps_survive(tmp_path):
    ts = np.cumsum([0, 0.033, 0.050, 0.017, 0.033, 0.100, 0.033, 0.040])
    p = tmp_path / "vfr.mp4"
    with H264Writer(p, 30, 64, 64) as w:
        for t in ts:
            w.write(np.full((64, 64, 3), 128, np.uint8), float(t))
    got = np.array([f.t for f in FileSource(p)])
    assert len(got) == len(ts)
    np.testing.assert_allclose(got - got[0], ts - ts[0], atol=2e-3)
    assert np.all(np.diff(got) > 0)


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotation_metadata_is_applied(upright, tmp_path, rotation):
    rot = tmp_path / f"rot{rotation}.mp4"
    write_rotated_copy(upright, rot, rotation)
    info = probe(rot)
    assert info.rotation == rotation
    assert (info.width, info.height) == (180, 320)
    img = next(iter(FileSource(rot))).image
    assert img.shape == (320, 180, 3)
    assert img[10, 90, 0] > 200 and img[300, 90, 0] < 60  # red stays on top
    assert img[160, 10, 1] > 200 and img[160, 170, 1] < 60  # green stays left


def test_decoder_downscales_large_frames(tmp_path):
    p = tmp_path / "big.mp4"
    with H264Writer(p, 30, 1920, 1080) as w:
        for i in range(3):
            w.write(np.zeros((1080, 1920, 3), np.uint8), i / 30)
    src = FileSource(p, max_side=640)
    frames = list(src)
    assert frames[0].image.shape == (360, 640, 3)
    assert frames[0].scale == pytest.approx(3.0)


def test_truncated_file_keeps_decodable_part(tmp_path):
    p = tmp_path / "moving.mp4"
    rng = np.random.default_rng(0)
    with H264Writer(p, 30, 160, 120) as w:
        for i in range(60):
            w.write(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8), i / 30)
    data = p.read_bytes()
    # moov is at the front (+faststart); cutting the tail loses late frames only
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.5)])
    src = FileSource(cut)
    n = sum(1 for _ in src)
    assert 0 < n < 60
    assert src.warnings and "truncated" in src.warnings[0]


@pytest.mark.parametrize(
    "content,exc",
    [(b"", VideoOpenError), (b"hello, I am text\n" * 50, VideoOpenError), (bytes(range(256)) * 40, VideoOpenError)],
)
def test_non_videos_are_rejected_clearly(tmp_path, content, exc):
    p = tmp_path / "clip.mp4"
    p.write_bytes(content)
    with pytest.raises(exc) as ei:
        probe(p)
    assert "clip.mp4" in str(ei.value)


def test_still_image_is_not_a_video(tmp_path):
    import cv2

    p = tmp_path / "photo.png"
    cv2.imwrite(str(p), np.zeros((40, 40, 3), np.uint8))
    with pytest.raises(NoVideoStreamError, match="still image"):
        probe(p)
