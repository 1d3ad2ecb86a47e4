"""Upload a clip in a real browser, wait for the results, check findings and that the video plays; the results of
a side and a front clip read in words (the report wording checks of tests/test_wording.py, on the page text)."""

from __future__ import annotations

import re
import time

import pytest

from .conftest import SCREENSHOTS, find_clip, full_screenshot, launch, page_text, page_wording_problems

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]


def _open_app(browser, url: str, viewport: dict | None = None):
    """A page (1400×1000 unless ``viewport``) on the app's upload page, loaded."""
    page = browser.new_page(viewport=viewport or {"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_text("Analyse a clip", exact=False).first.wait_for()
    return page


def _upload_and_analyse(page, clip) -> None:
    """Upload ``clip``, press Analyse and wait for the whole results page (the download buttons come last)."""
    page.locator('input[type="file"]').first.set_input_files(str(clip))
    # the file chip appears, and its spinner goes once the upload has finished
    page.locator('[data-testid="stFileChip"]').first.wait_for(timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stFileChipIconSpinner\"]')", timeout=60_000)
    assert clip.name[:7] in page.locator('[data-testid="stFileChip"]').first.inner_text()
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
            f"no results after 240 s ({type(exc).__name__}); page text:\n{page.locator('body').inner_text()[-2000:]}"
        )
    errs = page.locator('[data-testid="stAlertContentError"]')
    assert errs.count() == 0, f"the app showed an error: {errs.first.inner_text()}"
    # the page streams in; the download buttons come last
    page.get_by_role("button", name="report.json").wait_for(timeout=60_000)


def test_upload_sample_clip_shows_findings_and_playable_video(streamlit_url, chromium_path):
    from playwright.sync_api import sync_playwright

    clip = find_clip("squat_heel_lift")
    with sync_playwright() as p:
        browser = launch(p, chromium_path)
        try:
            page = _open_app(browser, streamlit_url)
            t0 = time.monotonic()
            _upload_and_analyse(page, clip)
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


def _repeated_lines(text: str, min_len: int = 30) -> list[str]:
    """Sentences shown more than once on the page (a line of at least ``min_len`` characters)."""
    seen: dict[str, int] = {}
    for ln in (x.strip() for x in text.splitlines()):
        if len(ln) >= min_len:
            seen[ln] = seen.get(ln, 0) + 1
    return [ln for ln, n in seen.items() if n > 1]


@pytest.mark.parametrize("view, kind", [("side", "hinge_lumbar_first_side"), ("front", "squat_valgus_front")])
def test_results_page_reads_in_words(streamlit_url, chromium_path, view, kind):
    """The results of a side and a front clip: no raw ids, no long decimals, no doubled qualifiers, no sentence twice
    (the checks tests/test_wording.py makes on report.md/html); a 1366×768 screenshot of the top of the results."""
    from playwright.sync_api import sync_playwright

    clip = find_clip(kind)
    with sync_playwright() as p:
        browser = launch(p, chromium_path)
        try:
            page = _open_app(browser, streamlit_url, viewport={"width": 1366, "height": 768})
            _upload_and_analyse(page, clip)
            page.wait_for_timeout(1000)
            # the video and the headline metrics fill the viewport (the title and the filming notes are above)
            heading = page.get_by_role("heading", name="Headline metrics").first
            heading.evaluate("h => { h.scrollIntoView({block: 'start'}); }")
            page.mouse.wheel(0, -80)
            page.wait_for_timeout(800)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"upload_{view}.png"))  # the viewport, at the results
            # every expander open, so their text is read too
            for summary in page.locator('[data-testid="stExpander"] summary').all():
                summary.click()
            page.wait_for_timeout(1000)
            body = page_text(page)
            assert "Traceback" not in body and "Results —" in body
            problems = page_wording_problems(body)
            repeated = _repeated_lines(body)
            print(f"{clip.name}: wording problems {problems}; repeated lines {repeated}")
            assert not problems, f"{clip.name}: {problems}"
            assert not repeated, f"{clip.name}: shown more than once: {repeated}"
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
