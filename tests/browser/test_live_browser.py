"""Live mode in a real browser: a fake camera plays a squat clip; processed frames come back with the
overlay and the rep counter goes up; at a laptop's 1366×768 the counter and the cue sit beside the video, above
the fold, in words (no raw ids)."""

from __future__ import annotations

import re
import time

import pytest

from .conftest import SCREENSHOTS, find_clip, launch, page_text, page_wording_problems
from .y4m import write_y4m

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

# Pixels of the overlay's banner (analyzer.live.coach._banner): green when counting, red during setup.
OVERLAY_PROBE = """
(video) => {
  const w = video.videoWidth, h = video.videoHeight;
  if (!w || !h) return {w, h, hits: 0};
  const c = document.createElement('canvas'); c.width = w; c.height = h;
  const g = c.getContext('2d'); g.drawImage(video, 0, 0, w, h);
  const d = g.getImageData(0, 0, Math.floor(w * 0.6), Math.floor(h * 0.2)).data;
  let hits = 0;
  const near = (r, gg, b, R, G, B) => Math.abs(r - R) < 28 && Math.abs(gg - G) < 28 && Math.abs(b - B) < 28;
  for (let i = 0; i < d.length; i += 4) {
    if (near(d[i], d[i+1], d[i+2], 30, 130, 60) || near(d[i], d[i+1], d[i+2], 180, 40, 40)) hits++;
  }
  return {w, h, hits};
}
"""

STATUS_RE = r"Live status: total reps (\d+) · frames processed (\d+)"
VIEWPORT = {"width": 1366, "height": 768}


def _status(page):
    m = re.search(STATUS_RE, page.locator("body").inner_text())
    return (int(m.group(1)), int(m.group(2))) if m else None


def test_live_mode_counts_reps_with_overlay(streamlit_url, chromium_path, tmp_path):
    from playwright.sync_api import sync_playwright

    clip = find_clip("squat_good_side")
    y4m = tmp_path / "camera.y4m"
    n = write_y4m(clip, y4m, max_side=320, seconds=12.0, fps=15)
    assert n > 30
    args = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={y4m}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    with sync_playwright() as p:
        browser = launch(p, chromium_path, args)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(60_000)
            page.goto(streamlit_url, wait_until="domcontentloaded")
            page.get_by_text("Live coaching").first.click()
            frame = page.frame_locator("iframe[title*='webrtc']").first
            start = frame.get_by_role("button", name=re.compile("start", re.I))
            start.wait_for(timeout=60_000)
            start.click()
            # processed frames arrive: the status line reports frames and the output video plays
            page.wait_for_function("() => /frames processed [1-9]/.test(document.body.innerText)", timeout=90_000)
            video = frame.locator("video").first
            video.wait_for(timeout=30_000)
            deadline, probe = time.monotonic() + 30, {"hits": 0}
            while time.monotonic() < deadline:
                probe = video.evaluate(OVERLAY_PROBE)
                if probe["hits"] > 50:
                    break
                time.sleep(0.5)
            assert probe["hits"] > 50, f"no overlay banner found in the returned video: {probe}"
            first = _status(page)
            assert first is not None, "live status line missing"
            # the rep counter increments as the squat clip plays (it loops)
            deadline, last = time.monotonic() + 150, first
            while time.monotonic() < deadline:
                last = _status(page) or last
                if last[0] > first[0]:
                    break
                time.sleep(1.0)
            print(f"live status first={first} last={last}")
            assert last[0] > first[0], f"the rep counter never moved: {last} (first {first})"
            assert last[1] > first[1], "no new frames were processed"
            body = page.locator("body").inner_text()
            assert "Traceback" not in body
            m = re.search(r"Processing\s*\n?\s*(\d+) fps", body)
            print("live fps shown:", m.group(1) if m else "?")
            # what a lifter reads mid-set is beside the video, without scrolling
            counter = page.locator('[data-testid="stMetric"]').filter(has_text=re.compile("Reps in set")).first
            cue = page.get_by_text(re.compile(r"^Now: \S")).first
            phase = page.locator('[data-testid="stMetric"]').filter(has_text="Phase").first
            for name, loc in (("rep counter", counter), ("cue", cue), ("phase", phase)):
                box = loc.bounding_box()
                print(f"{name}: {loc.inner_text()!r} at {box}")
                assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], (
                    f"the {name} is not above the fold at {VIEWPORT}: {box}"
                )
            assert "Now: Now" not in body and "setup no_person" not in body
            problems = page_wording_problems(page_text(page))
            print("live page wording problems:", problems)
            assert not problems, problems
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "live_mode.png"))  # the viewport, as the lifter sees it
            stop = frame.get_by_role("button", name=re.compile("stop", re.I))
            if stop.count():
                stop.first.click()
        finally:
            browser.close()
