"""Upload a clip in a real browser, wait for the results, check findings and that the video plays."""

from __future__ import annotations

import re
import time

import pytest

from .conftest import SCREENSHOTS, find_clip, full_screenshot, launch

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]


def _open_app(browser, url: str):
    """A 1400×1000 page on the app's upload page, loaded."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_text("Analyse a clip", exact=False).first.wait_for()
    return page


def test_upload_sample_clip_shows_findings_and_playable_video(streamlit_url, chromium_path):
    from playwright.sync_api import sync_playwright

    clip = find_clip("squat_heel_lift")
    with sync_playwright() as p:
        browser = launch(p, chromium_path)
        try:
            page = _open_app(browser, streamlit_url)
            page.locator('input[type="file"]').first.set_input_files(str(clip))
            # the file chip appears, and its spinner goes once the upload has finished
            page.locator('[data-testid="stFileChip"]').first.wait_for(timeout=60_000)
            page.wait_for_function(
                "() => !document.querySelector('[data-testid=\"stFileChipIconSpinner\"]')", timeout=60_000
            )
            assert clip.name[:7] in page.locator('[data-testid="stFileChip"]').first.inner_text()
            t0 = time.monotonic()
            page.get_by_role("button", name="Analyse").click()
            for _ in range(3):  # a click that raced the upload says "choose a file": click again
                page.wait_for_timeout(1500)
                if "Choose a file to upload" not in page.locator("body").inner_text():
                    break
                page.get_by_role("button", name="Analyse").click()
            # results, or an error box (then fail at once with its text)
            try:
                page.wait_for_function(
                    """() => /Results —/.test(document.body.innerText)
                             || document.querySelector('[data-testid="stAlertContentError"]') !== null""",
                    timeout=240_000,
                )
            except Exception as exc:
                pytest.fail(
                    f"no results after 240 s ({type(exc).__name__}); page text:\n"
                    f"{page.locator('body').inner_text()[-2000:]}"
                )
            errs = page.locator('[data-testid="stAlertContentError"]')
            assert errs.count() == 0, f"the app showed an error: {errs.first.inner_text()}"
            # the page streams in; the download buttons come last
            page.get_by_role("button", name="report.json").wait_for(timeout=60_000)
            elapsed = time.monotonic() - t0
            print(f"upload-to-results: {elapsed:.1f} s for {clip.name}")
            body = page.locator("body").inner_text()
            assert "Traceback" not in body, "a Python traceback reached the page"
            assert "What to work on" in body
            assert re.search(r"(Fix first|Worth fixing|Note|Good)\s*—|No findings|No technique findings", body), (
                "no finding cards were rendered"
            )
            assert "Key angles over time" in body and "Downloads" in body

            video = page.locator("video").first
            video.wait_for(state="attached", timeout=30_000)
            page.wait_for_function(
                "() => { const v = document.querySelector('video'); return v && v.readyState >= 2; }", timeout=60_000
            )
            t_start = video.evaluate("v => { v.muted = true; return v.currentTime; }")
            video.evaluate("v => v.play()")
            page.wait_for_function(
                f"() => document.querySelector('video').currentTime > {t_start} + 0.3", timeout=30_000
            )
            state = video.evaluate(
                "v => ({rs: v.readyState, t: v.currentTime, w: v.videoWidth, err: v.error && v.error.code})"
            )
            assert state["rs"] >= 2 and state["t"] > t_start and state["w"] > 0 and not state["err"], state
            video.evaluate("v => { v.pause(); v.currentTime = Math.min(v.duration * 0.5, 4); }")
            time.sleep(0.5)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            full_screenshot(page, SCREENSHOTS / "upload_results.png")
        finally:
            browser.close()


def test_people_picker_finds_the_lifter_and_the_result_says_who_was_analysed(streamlit_url, chromium_path):
    from playwright.sync_api import sync_playwright

    clip = find_clip("squat_good_side")
    with sync_playwright() as p:
        browser = launch(p, chromium_path)
        try:
            page = _open_app(browser, streamlit_url)
            page.locator('[data-testid="stSelectbox"]').first.click()
            page.get_by_role("option", name=clip.name).click()
            page.get_by_text("Several people in the clip?", exact=False).first.click()
            page.get_by_role("button", name="Find the people in this clip").click()
            page.get_by_text("Person to analyse").first.wait_for(timeout=120_000)
            body = page.locator("body").inner_text()
            assert "Everyone found in the clip" in body and "seen in" in body and "Traceback" not in body
            page.get_by_role("button", name="Analyse").click()
            page.wait_for_function("() => /Results —/.test(document.body.innerText)", timeout=240_000)
            page.get_by_text("green box", exact=False).first.wait_for(timeout=60_000)
            assert page.locator('[data-testid="stImage"] img').count() >= 1
        finally:
            browser.close()
