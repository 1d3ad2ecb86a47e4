"""Who is in the clip, and which of them is the subject: people boxes sampled over the whole clip, linked
into people, and the person who performs the movement chosen from them.

Boxes are normalised (x0, y0, x1, y1) in 0..1 of the upright frame. A *person* is a chain of boxes from
sampled moments, linked by overlap. The subject is the person with the best :func:`subject_score`:
present most of the time, moving (a lifter's or runner's box changes height and place; a poster's, a
seated bystander's or a spotter's much less), and large. A mirror reflection moves like the subject but
is smaller and partly hidden, so it scores lower.

``hinge-analyzer people VIDEO`` prints :func:`preview` as a numbered list and draws the boxes on a frame;
``--person N`` picks number N of that list, ``--person x,y`` the person at that point.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .people_scan import Box, overlap

#: Box overlap (IoU) that links a box to a person seen at the previous sampled moment.
LINK_IOU = 0.3
#: Mean landmark visibility a detection needs in the preview (lower than the bystander scan's: a side view
#: hides half the body, and the subject must be found too).
PREVIEW_MIN_VIS = 0.6
#: A new box is compared with this many of a person's latest boxes.
RECENT = 4
#: Another person must score this many times the followed one before the analysis switches to them.
SWITCH_RATIO = 1.5


@dataclass
class Person:
    """One person over the sampled moments: ``boxes`` maps sample time (s) → box."""

    boxes: dict[float, Box] = field(default_factory=dict)
    index: int = 0  # 1-based number shown to the user

    @property
    def first_t(self) -> float:
        return min(self.boxes)

    def box_at(self, t: float) -> Box:
        """The box of the sampled moment nearest ``t`` s."""
        return self.boxes[min(self.boxes, key=lambda s: abs(s - t))]

    def heights(self) -> np.ndarray:
        return np.array([b[3] - b[1] for b in self.boxes.values()])

    def motion(self) -> float:
        """How much the box moves and changes height over the clip, in units of its median height."""
        b = np.array(list(self.boxes.values()))
        if len(b) < 2:
            return 0.0
        h = np.median(b[:, 3] - b[:, 1])
        cy, cx = (b[:, 1] + b[:, 3]) / 2, (b[:, 0] + b[:, 2]) / 2
        top = b[:, 1]
        spread = max(np.ptp(top), np.ptp(cy), np.ptp(cx), np.ptp(b[:, 3] - b[:, 1]))
        return float(spread / max(h, 1e-6))

    def centre(self, t: float) -> tuple[float, float]:
        b = self.box_at(t)
        return ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)


def link(samples: list[tuple[float, list[Box]]]) -> list[Person]:
    """Chain per-moment boxes into people: each box joins the person whose latest box is most like it
    (:func:`_likeness` ≥ :data:`LINK_IOU`), else starts a new person. Numbered by first appearance, then left to
    right."""
    people: list[Person] = []
    for t, boxes in samples:
        taken: set[int] = set()
        for b in sorted(boxes, key=lambda b: -(b[2] - b[0]) * (b[3] - b[1])):
            best, best_iou = None, LINK_IOU
            for k, p in enumerate(people):
                if k in taken:
                    continue
                tall = float(p.heights().max())
                iou = max(_likeness(p.boxes[s], b, tall) for s in sorted(p.boxes)[-RECENT:])
                if iou >= best_iou:
                    best, best_iou = k, iou
            if best is None:
                people.append(Person({t: b}))
                taken.add(len(people) - 1)
            else:
                people[best].boxes[t] = b
                taken.add(best)
    people.sort(key=lambda p: (p.first_t, p.box_at(p.first_t)[0]))
    for i, p in enumerate(people):
        p.index = i + 1
    return people


def subject_score(share: float, motion: float, height: float) -> float:
    """Higher = more likely the person the clip is about: ``share`` of sampled moments present (0..1),
    ``motion`` (:meth:`Person.motion`, box heights), ``height`` (median box height, 0..1 of the frame)."""
    return share * (0.25 + min(motion, 1.0)) * np.sqrt(max(height, 0.0))


def scores(people: list[Person], n_samples: int) -> list[float]:
    return [subject_score(len(p.boxes) / max(n_samples, 1), p.motion(), float(np.median(p.heights()))) for p in people]


def choose(people: list[Person], n_samples: int) -> Person | None:
    """The person with the highest :func:`subject_score`, or None when nobody was seen."""
    if not people:
        return None
    s = scores(people, n_samples)
    return people[int(np.argmax(s))]


def person_at(people: list[Person], x: float, y: float) -> Person | None:
    """The person whose box (at any moment) contains the point (x, y in 0..1), the smallest such box first;
    else the person whose box centre is nearest."""
    inside = [(p, b) for p in people for b in p.boxes.values() if b[0] <= x <= b[2] and b[1] <= y <= b[3]]
    if inside:
        return min(inside, key=lambda pb: (pb[1][2] - pb[1][0]) * (pb[1][3] - pb[1][1]))[0]
    if not people:
        return None
    return min(
        people, key=lambda p: min(np.hypot((b[0] + b[2]) / 2 - x, (b[1] + b[3]) / 2 - y) for b in p.boxes.values())
    )


def parse_person(text: str | None) -> int | tuple[float, float] | None:
    """``--person``: "2" → number 2 of the people preview; "x,y" → a point (px of the frame, or 0..1 fractions).

    Raises ValueError with a plain sentence on anything else.
    """
    if text is None or str(text).strip() == "":
        return None
    s = str(text).strip()
    if "," in s:
        try:
            x, y = (float(v) for v in s.split(","))
        except ValueError:
            raise ValueError(f"--person {s!r}: give a number from the people list, or a point as x,y.") from None
        return (x, y)
    if s.isdigit() and int(s) >= 1:
        return int(s)
    raise ValueError(f"--person {s!r}: give a number from the people list (1, 2, …), or a point as x,y.")


@dataclass
class PeopleFound:
    """The people of a clip (:func:`preview`): numbered, with the automatic choice and a frame to show them on."""

    people: list[Person]
    n_samples: int
    chosen: Person | None
    frame: np.ndarray | None  # RGB frame (decoded size) of the moment with the most people
    frame_t: float

    def rows(self) -> list[dict]:
        """One plain row per person, for the CLI table and the app."""
        out = []
        s = scores(self.people, self.n_samples)
        for p, sc in zip(self.people, s, strict=True):
            b = p.box_at(self.frame_t)
            out.append(
                {
                    "person": p.index,
                    "seen_pct": round(100 * len(p.boxes) / max(self.n_samples, 1)),
                    "first_seen_s": round(p.first_t, 1),
                    "height_pct": round(100 * float(np.median(p.heights()))),
                    "moving": p.motion() >= 0.15,
                    "centre": [round((b[0] + b[2]) / 2, 3), round((b[1] + b[3]) / 2, 3)],
                    "score": round(float(sc), 3),
                    "chosen": p is self.chosen,
                }
            )
        return out

    def describe(self, name: str) -> list[str]:
        """The people as numbered plain lines, for ``hinge-analyzer people``."""
        n = len(self.people)
        out = [f"{name}: {n} {'person' if n == 1 else 'people'} seen"]
        for r in self.rows():
            x, y = r["centre"]
            out.append(
                f"  {r['person']}. seen in {r['seen_pct']} % of the clip from {r['first_seen_s']:.1f} s, "
                f"{r['height_pct']} % of the frame tall, {'moving' if r['moving'] else 'mostly still'}, "
                f"around x {x:.0%} y {y:.0%} of the frame" + ("  ← analysed by default" if r["chosen"] else "")
            )
        return out


def preview(video: str | Path, model_path: str | Path, every_s: float = 0.5, max_samples: int = 40) -> PeopleFound:
    """Sample the whole clip (every ``every_s`` s, at most ``max_samples`` moments), find everyone in each
    sampled frame (:class:`~analyzer.track.people_scan.PeopleScan` detection without a subject), link them
    into people and choose the subject."""
    from ..capture.video import FileSource, probe
    from .estimator import quiet_native_stderr
    from .people_scan import PeopleScan

    info = probe(video)
    dur = info.duration or (info.n_frames / info.fps if info.fps else 0.0)
    step = max(every_s, dur / max(max_samples, 1)) if dur else every_s
    samples: list[tuple[float, list[Box]]] = []
    best: tuple[int, float, np.ndarray | None] = (-1, 0.0, None)
    with quiet_native_stderr(), PeopleScan(model_path, every_s=step) as scan:
        for t, img in _sampled(FileSource(video, max_side=1280), step):
            boxes = scan.other_people(img, None, min_vis=PREVIEW_MIN_VIS)
            samples.append((t, boxes))
            if len(boxes) > best[0]:
                best = (len(boxes), t, img)
    people = link(samples)
    return PeopleFound(people, len(samples), choose(people, len(samples)), best[2], best[1])


def _sampled(src, step: float) -> Iterator[tuple[float, np.ndarray]]:
    next_t = 0.0
    for fr in src:
        if fr.t + 1e-6 >= next_t:
            next_t = fr.t + step
            yield fr.t, fr.image


def draw_people(frame_rgb: np.ndarray, found: PeopleFound, only: Person | None = None) -> np.ndarray:
    """BGR image with each person's numbered box at ``found.frame_t`` (the chosen one in green), or only
    ``only``'s box."""
    import cv2

    img = cv2.cvtColor(frame_rgb, cv2.COLOR_RGB2BGR)
    H, W = img.shape[:2]
    for p in [only] if only is not None else found.people:
        b = p.box_at(found.frame_t)
        colour = (60, 200, 60) if p is found.chosen or only is not None else (40, 160, 255)
        p0, p1 = (int(b[0] * W), int(b[1] * H)), (int(b[2] * W), int(b[3] * H))
        th = max(2, round(H / 300))
        cv2.rectangle(img, p0, p1, colour, th)
        if only is None:
            cv2.putText(img, str(p.index), (p0[0] + 4, p0[1] + int(30 * H / 720)), 0, H / 720, colour, th)
    return img


def _likeness(a: Box, b: Box, tall: float = 0.0) -> float:
    """How surely two boxes a moment apart are one person (0..1): their IoU, or 1 for a body that folds or
    squats in place (a hinge turns a tall box into a wide one, a squat halves its height): centres within a
    fifth of the person's tallest box (``tall``, or the taller of the two) sideways and within it up or down."""
    h = max(a[3] - a[1], b[3] - b[1], tall)
    dx, dy = abs(a[0] + a[2] - b[0] - b[2]) / 2, abs(a[1] + a[3] - b[1] - b[3]) / 2
    return 1.0 if dx < h / 5 and dy < h else overlap(a, b)[0]
