"""The decoding pass: video frames → pose model → :class:`PoseTrack`, with the overlay video written alongside.

Three threads joined by bounded queues, so memory stays flat however long the clip:
decoder (lower priority) → pose model (the caller's thread) → overlay drawing + H.264 encoder (lower priority).
No frame is decoded twice.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ..capture.video import FileSource, VideoInfo
from ..capture.writer import H264Writer
from ..types import ClipWarning
from .data import PoseTrack
from .recorder import TrackRecorder
from .settings import PoseSettings

Progress = Callable[[int, int], None]

#: Frames each queue (decoder → model, model → encoder) holds: ≈ 2.8 MB apiece at 1280×720.
QUEUE_FRAMES = 4


def pose_pass(
    video,
    info: VideoInfo,
    model_path: Path,
    settings: PoseSettings,
    *,
    video_out: Path | None,
    progress: Progress | None,
    sha: str,
) -> tuple[PoseTrack, list[ClipWarning]]:
    """Run the model over the clip and write the overlay video to ``video_out`` (when given).

    Returns the track and user-facing warnings (damaged file, several people).
    """
    src = FileSource(video, max_side=settings.max_side, queue_size=QUEUE_FRAMES)
    total = max(info.n_frames, 1)
    W, H = info.width, info.height
    done = 0
    luma: list[float] = []
    writer = _OverlayWriter(video_out, info.fps, *src.out_size) if video_out is not None else None
    ok = False
    size = np.array([W, H], float)
    try:
        with TrackRecorder(model_path, settings) as rec, _observers(model_path, settings) as observers:
            for fr in src:
                pose = rec.add(fr.image, fr.t, (W, H))
                if observers:  # the subject's box from the points the model is sure of (guessed ones stray wide)
                    seen = np.where(pose.visibility[:, None] >= 0.5, pose.xy, np.nan) / size
                    for obs in observers.values():
                        obs.update(fr.image, fr.t, seen)
                if writer is not None:
                    writer.put(fr.image, fr.t, pose.xy / fr.scale, pose.visibility, rec.last_mask)
                done += 1
                if done % 10 == 1:  # brightness of a frame sample, for the 'too dark' message
                    luma.append(float(fr.image[::8, ::8].mean()))
                if progress is not None:
                    progress(done, max(total, done))
        if writer is not None:
            writer.close()
        ok = True
    finally:
        if writer is not None and not ok:
            writer.abort()
    warnings: list[ClipWarning] = []
    if src.warnings:
        warnings.append(
            ClipWarning(
                "damaged_file",
                f"The file is damaged: {'; '.join(src.warnings)}. Only the first {done} frames were analysed.",
            )
        )
    meta = {
        "video": Path(video).name,
        "sha256": sha,
        "rotation": info.rotation,
        "codec": info.codec,
        "decoded_frames": done,
        "scale": src.scale,
        "mean_brightness": float(np.mean(luma)) if luma else None,
        "several_people_from_frame": rec.estimator.escalated_at if settings.adaptive else None,
        "tracker_restarts_s": rec.estimator.check.restarts if rec.estimator.check is not None else [],
        "model_half_size_share": rec.estimator.half_frames / done if done else None,
        **{name: obs.summary() for name, obs in observers.items()},
    }
    track = rec.build(W, H, info.fps, settings.model, meta)
    people = meta.get("other_people") or {}
    if people.get("several"):
        warnings.append(
            ClipWarning(
                "several_people",
                f"Another person was in the picture in {people['samples_with_other']} of the {people['samples']} "
                f"moments checked (first at {people['first_seen_s']:.1f} s): a spotter, a bystander or a mirror "
                "reflection. The analysis follows one person; check in the video that the skeleton is on you.",
            )
        )
    elif settings.num_poses > 1 and len(track) and int(track.n_people.max()) > 1:
        share = float((track.n_people > 1).mean())
        warnings.append(
            ClipWarning(
                "several_people",
                f"Several people were visible ({share:.0%} of frames); the analysis follows one person: "
                "the largest, most central one at the start, tracked from frame to frame.",
            )
        )
    return track, warnings


@contextmanager
def _observers(model_path: Path, settings: PoseSettings) -> Iterator[dict[str, Any]]:
    """Per-frame scans run beside the pose model, by the name their ``summary()`` is kept under in the track's
    meta: ``other_people`` (:class:`~analyzer.track.people_scan.PeopleScan`) and ``camera_motion``
    (:class:`~analyzer.track.camera_motion.CameraScan`)."""
    with ExitStack() as stack:
        out: dict[str, Any] = {}
        if settings.scan_camera:
            from .camera_motion import CameraScan

            out["camera_motion"] = CameraScan()
        if settings.scan_people_s > 0:
            from .people_scan import PeopleScan

            out["other_people"] = stack.enter_context(PeopleScan(model_path, settings.scan_people_s))
        yield out


def overlay_pass(
    video, info: VideoInfo, track: PoseTrack, settings: PoseSettings, *, video_out: Path, progress: Progress | None
) -> None:
    """Write the overlay video of a clip whose track is already known (a landmark-cache hit)."""
    src = FileSource(video, max_side=settings.max_side, queue_size=QUEUE_FRAMES)
    total = max(info.n_frames, 1)
    writer = _OverlayWriter(video_out, info.fps, *src.out_size)
    ok = False
    try:
        masks = track.masks
        for done, fr in enumerate(src, 1):
            i = min(fr.index, len(track) - 1)
            mask = masks.get(i) if masks is not None and i < len(masks.valid) else None
            writer.put(fr.image, fr.t, track.xy[i] / fr.scale, track.visibility[i], mask)
            if progress is not None:
                progress(done, max(total, done))
        writer.close()
        ok = True
    finally:
        if not ok:
            writer.abort()


class _OverlayWriter:
    """Draws the overlay and encodes H.264 in a background thread fed by a bounded queue.

    ``put`` frames, then ``close`` (the file is complete), or ``abort`` on failure.
    """

    def __init__(self, path: Path, fps: float, width: int, height: int, maxsize: int = QUEUE_FRAMES):
        self._w = H264Writer(path, fps, width, height)
        self._fps = fps
        self._q: queue.Queue = queue.Queue(maxsize=maxsize)
        self._err: BaseException | None = None
        self._th = threading.Thread(target=self._run, daemon=True, name="overlay-encode")
        self._th.start()

    def _run(self) -> None:
        from ..report.overlay_view import ViewOverlay
        from ..threads import lower_priority

        lower_priority()
        paint = ViewOverlay(self._fps)
        ended = False  # the end sentinel was taken: nobody will send another one
        try:
            while True:
                item = self._q.get()
                if item is None:
                    ended = True
                    break
                img, t, xy, vis, mask = item
                paint(img, xy, vis, mask)
                self._w.write(img, t)
            self._w.close()
        except BaseException as exc:  # surfaced in put()/close()
            self._err = exc
            while not ended and self._q.get() is not None:  # drain so producers never block
                pass

    def put(self, img: np.ndarray, t: float, xy: np.ndarray, vis: np.ndarray, mask: np.ndarray | None) -> None:
        """Queue one frame with its landmarks (px of ``img``) and person mask (any size, covering the frame)."""
        if self._err is not None:
            raise _as_output_error(self._err)  # e.g. disk full: an OutputError, not a raw OSError
        self._q.put((img, t, xy, vis, mask))

    def close(self) -> None:
        """Wait until every frame put is encoded and the file is complete."""
        self._q.put(None)
        self._th.join()
        if self._err is not None:
            raise _as_output_error(self._err)

    def abort(self) -> None:
        if self._th.is_alive():
            try:
                self._q.put_nowait(None)
            except queue.Full:
                try:
                    while True:
                        self._q.get_nowait()
                except queue.Empty:
                    pass
                self._q.put(None)
            self._th.join(timeout=10)
        try:
            self._w.close()
        except Exception:
            pass


def _as_output_error(exc: BaseException) -> BaseException:
    import errno

    from ..errors import OutputError

    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return OutputError("The disk filled up while writing the annotated video; nothing was kept.")
    if isinstance(exc, OSError):
        return OutputError(f"Could not write the annotated video: {exc.strerror or exc}.")
    return exc
