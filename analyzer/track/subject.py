"""Which person the analysis follows: ``--person`` turned into a starting point, the whole-clip check that
the person followed is the one the clip is about, and the picture that shows who it was.

The choice itself (who is present, moving and large) is :mod:`analyzer.track.people`; this module links it to
a run. Points are (t s, x, y in 0..1 of the upright frame), as :attr:`PoseSettings.person` takes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import landmarks as L
from ..errors import PersonChoiceError
from .data import PoseTrack
from .people import SWITCH_RATIO, PeopleFound, Person, person_at, preview, scores

Target = tuple[float, float, float]


@dataclass
class SubjectChoice:
    """How the subject was chosen: ``how`` is "start" (the largest, most central person at the start),
    "whole clip" (switched after looking at everyone) or "--person"; ``number``/``of`` refer to the people
    preview when one was made."""

    how: str = "start"
    target: Target | None = None
    number: int | None = None
    of: int | None = None

    def to_json(self) -> dict:
        return {"how": self.how, "target": self.target, "person": self.number, "people": self.of}


def target_for(video: str | Path, info, person, model_path: Path) -> SubjectChoice:
    """The starting point for ``person``: a number of the people preview, or a point (x, y) in px of the frame
    (or 0..1 fractions). Raises :class:`PersonChoiceError` when nobody matches."""
    if isinstance(person, tuple):
        x, y = person
        if x > 1 or y > 1:
            x, y = x / max(info.width, 1), y / max(info.height, 1)
        if not (0 <= x <= 1 and 0 <= y <= 1):
            raise PersonChoiceError(
                f"--person {person[0]:g},{person[1]:g} is outside the {info.width}×{info.height} frame."
            )
        return SubjectChoice("--person", (0.0, float(x), float(y)))
    found = preview(video, model_path)
    if not found.people:
        raise PersonChoiceError("Nobody was found in the clip's people preview, so --person cannot pick anyone.")
    if not 1 <= int(person) <= len(found.people):
        raise PersonChoiceError(
            f"--person {person}: the clip's people preview has {len(found.people)} "
            f"{'person' if len(found.people) == 1 else 'people'}; see `hinge-analyzer people VIDEO`."
        )
    p = found.people[int(person) - 1]
    return SubjectChoice("--person", _target_of(p), p.index, len(found.people))


def better_subject(video: str | Path, track: PoseTrack, model_path: Path) -> SubjectChoice | None:
    """After a pass that saw several people: the whole-clip choice, when it is someone other than the person
    followed and scores at least :data:`SWITCH_RATIO` times as high; else None (keep the track)."""
    found = preview(video, model_path)
    followed = _followed(found, track)
    s = scores(found.people, found.n_samples)
    best = int(np.argmax(s)) if s else None
    if best is None or followed is None or found.people[best] is followed:
        return None
    if s[best] < SWITCH_RATIO * s[found.people.index(followed)]:
        return None
    p = found.people[best]
    return SubjectChoice("whole clip", _target_of(p), p.index, len(found.people))


def _target_of(p: Person) -> Target:
    x, y = p.centre(p.first_t)
    return (float(p.first_t), float(x), float(y))


def _followed(found: PeopleFound, track: PoseTrack) -> Person | None:
    """The preview person the track followed: the one whose boxes hold the track's hip centre most often."""
    if not found.people or not len(track):
        return None
    hip = (track.xy[:, L.L_HIP] + track.xy[:, L.R_HIP]) / 2 / np.array([track.width, track.height])  # NaN when unknown
    votes = np.zeros(len(found.people))
    for t in {t for p in found.people for t in p.boxes}:
        i = int(np.argmin(np.abs(track.t - t)))
        if np.isfinite(hip[i]).all():
            p = person_at([q for q in found.people if t in q.boxes], *hip[i])
            if p is not None:
                votes[found.people.index(p)] += 1
    return found.people[int(np.argmax(votes))] if votes.any() else None


def thumbnail(video: str | Path, track: PoseTrack, max_side: int = 480) -> bytes | None:
    """JPEG of the first frame where the subject was found, with a green box around them; None if never found."""
    import cv2

    from ..capture.video import FileSource
    from .people_scan import subject_box

    det = np.flatnonzero(track.detected)
    if not len(det):
        return None
    i0 = int(det[0])
    size = np.array([track.width, track.height], float)
    seen = np.where(track.visibility[i0, :, None] >= 0.5, track.xy[i0], np.nan) / size
    box = subject_box(seen) or subject_box(track.xy[i0] / size)
    frames = iter(FileSource(video, max_side=max_side))
    for k, fr in enumerate(frames):
        if k < i0 and fr.t + 1e-6 < track.t[i0]:
            continue
        img = cv2.cvtColor(fr.image, cv2.COLOR_RGB2BGR)
        if box is not None:
            h, w = img.shape[:2]
            p0, p1 = (int(box[0] * w), int(box[1] * h)), (int(box[2] * w), int(box[3] * h))
            cv2.rectangle(img, p0, p1, (60, 200, 60), max(2, round(h / 240)))
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])
        frames.close()  # type: ignore[attr-defined]
        return buf.tobytes() if ok else None
    return None
