"""A real Streamlit server on 127.0.0.1 and a real headless chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


REPO = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_server(tmp_path: Path):
    """Start ``streamlit run app.py`` on a free loopback port with a fresh workspace; stop it by PID."""
    port = _free_port()
    env = {**os.environ, "MMTL_WORKSPACE": str(tmp_path / "workspace"),
           "MMTL_FUNCTIONS_DIR": str(tmp_path / "functions")}
    log = open(tmp_path / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start:\n{(tmp_path / 'streamlit.log').read_text()[-3000:]}")
            time.sleep(0.3)
        yield url, tmp_path
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # its own process group: the server and any workers it forked
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


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
