"""The app's people picker without Streamlit: everyone in a clip, numbered on a picture, for ``--person``."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def people_preview(video: str | Path, model_path: str | Path) -> dict[str, Any]:
    """``{"image": JPEG bytes | None, "rows": [...], "lines": [...]}`` from :func:`analyzer.track.people.preview`:
    the numbered boxes drawn on the moment with the most people, one row and one plain line per person."""
    import cv2

    from ..track.people import draw_people, preview

    found = preview(video, model_path)
    image = None
    if found.frame is not None:
        ok, buf = cv2.imencode(".jpg", draw_people(found.frame, found), [cv2.IMWRITE_JPEG_QUALITY, 85])
        image = buf.tobytes() if ok else None
    return {"image": image, "rows": found.rows(), "lines": found.describe(Path(video).name)[1:]}


def person_label(k: int, rows: list[dict[str, Any]]) -> str:
    """The picker's words for choice ``k`` (0 = automatic)."""
    if k == 0:
        return "Automatic: the person who moves through the clip"
    r = next(r for r in rows if r["person"] == k)
    return f"Person {k}: {r['height_pct']} % of the frame tall, seen in {r['seen_pct']} % of the clip"
