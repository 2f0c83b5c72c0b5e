"""A real Streamlit server on 127.0.0.1 and a real headless chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from browser_helpers import CHROMIUM_FLAGS, start_server, stop_server


@pytest.fixture
def app_server(tmp_path: Path):
    """``streamlit run app.py`` on a free loopback port with a fresh workspace; stopped by its process group."""
    proc, url = start_server(tmp_path)
    try:
        yield url, tmp_path
    finally:
        stop_server(proc)


@pytest.fixture
def viewport() -> dict:
    """The browser window's size (a test module may override it, as the page walk does with 1280 x 800)."""
    return {"width": 1400, "height": 1000}


@pytest.fixture
def page(app_server, viewport):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            yield page
        finally:
            shots = os.environ.get("MMTL_SCREENSHOTS")
            if shots:
                page.screenshot(path=str(Path(shots) / "last.png"), full_page=True)
            browser.close()
