"""Real-browser fixtures: Debian's chromium driven by Playwright against `streamlit run app.py`.

The server is started by the fixture on 127.0.0.1 and a free port, and stopped (by its pid) at the
end. Everything skips cleanly when chromium, Playwright or the pose model is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

try:  # the report wording checks (tests/test_wording.py), applied to the page text
    from tests.test_wording import ALLOWED_IDS, DOUBLED, LONG_DECIMALS, SNAKE, _prose
except ImportError:  # run from another directory: tests/ itself is on sys.path
    from test_wording import ALLOWED_IDS, DOUBLED, LONG_DECIMALS, SNAKE, _prose

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("HINGE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    return CHROMIUM


@pytest.fixture(scope="session")
def streamlit_url(chromium_path, model_path, tmp_path_factory):
    """Start `streamlit run app.py` headless on a free port; yield its URL; stop it afterwards."""
    pytest.importorskip("streamlit")
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = dict(os.environ)
    env.update(
        ANALYZER_MODEL_DIR=str(Path(model_path).parent),
        ANALYZER_NO_DOWNLOAD="1",
        ANALYZER_CACHE_DIR=str(tmp_path_factory.mktemp("app-cache")),
        GLOG_minloglevel="2",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    fh = open(log, "wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with code {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not become healthy in 60 s:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        fh.close()
        if os.environ.get("HINGE_SHOW_SERVER_LOG"):
            print(log.read_text(errors="replace")[-5000:])


def launch(playwright, chromium_path: str, extra_args: list[str] | None = None):
    return playwright.chromium.launch(
        executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS + list(extra_args or [])
    )


def find_clip(kind: str) -> Path:
    """A bundled sample clip matching the glob ``*{kind}*.mp4`` (e.g. "squat*side"); skip when there is none.

    ``$HINGE_BROWSER_CLIP`` overrides it (for local runs before the samples exist).
    """
    env = os.environ.get("HINGE_BROWSER_CLIP")
    if env and Path(env).is_file():
        return Path(env)
    d = ROOT / "sample_videos"
    cands = sorted(d.glob(f"*{kind}*.mp4")) if d.is_dir() else []
    if not cands:
        pytest.skip(f"no sample clip matching '{kind}' in sample_videos/")
    return cands[0]


def full_screenshot(page, path, width: int = 1400, max_height: int = 5000) -> None:
    """Screenshot of the whole app: Streamlit scrolls inside its own container, so grow the viewport."""
    h = page.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]')
                                 || document.querySelector('[data-testid="stAppViewContainer"]');
                                 return m ? m.scrollHeight : document.body.scrollHeight; }""")
    page.set_viewport_size({"width": width, "height": int(min(max(h, 800), max_height))})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path), full_page=True)


#: A line that is only a file name, as the uploader's file chip shows it (possibly shortened: "hinge_l...side.mp4").
FILE_LINE = re.compile(r"^\S+\.(?:mp4|mov|avi|webm|mkv|md|json|csv|html|png|jpg)$", re.I)


def page_text(page) -> str:
    """The page's text as a person reads it: ``body.innerText`` without the names of Material icons (Streamlit
    draws its icons from ligatures such as ``keyboard_arrow_down``, which show as a glyph, not as words)."""
    icons = set(page.locator('[data-testid="stIconMaterial"]').all_inner_texts())
    lines = page.locator("body").inner_text().splitlines()
    return "\n".join(ln for ln in lines if ln.strip() not in icons)


def page_wording_problems(text: str) -> dict[str, list[str]]:
    """What the report wording test would flag in a page's text: raw snake_case ids, numbers with more than three
    decimals, doubled qualifiers. Lines that cite sources or are a file name are skipped (as in
    tests/test_wording.py)."""
    prose = "\n".join(ln for ln in _prose(text).splitlines() if not FILE_LINE.match(ln.strip()))
    out = {
        "raw ids": sorted({m for m in SNAKE.findall(prose) if m not in ALLOWED_IDS}),
        "long decimals": sorted(set(LONG_DECIMALS.findall(prose))),
        "doubled qualifiers": [m.group(0) for m in DOUBLED.finditer(prose)],
    }
    return {k: v for k, v in out.items() if v}
