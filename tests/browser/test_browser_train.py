"""The Train page in a real browser: launch a tiny frozen-mode run and watch it finish, the page following the job
on its own (its runs section polls the registry; nobody clicks). Headless Debian chromium, driven by Playwright."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "train"))  # the tiny encoder and its data

from mmtl_core.jobs.supervisor import supervisor_pid  # noqa: E402
from mmtl_core.runs.registry import Registry, default_url  # noqa: E402
from train_helpers import reviews_workspace, save_tiny_bert  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_launch_a_tiny_run_from_the_train_page_and_watch_it_finish(page, app_server):
    url, tmp = app_server
    ws = reviews_workspace(tmp)  # the app's workspace and functions folders (see conftest)
    encoder = save_tiny_bert(tmp / "tiny_bert")
    try:
        page.goto(url)
        page.get_by_role("link", name="Train").click()
        page.get_by_text("No run yet: launch one above.").wait_for(timeout=120_000)
        page.get_by_role("textbox", name="Encoder").fill(str(encoder))
        page.get_by_role("textbox", name="Encoder").press("Enter")
        page.get_by_role("textbox", name="Name").fill("browser run")
        page.get_by_role("textbox", name="Name").press("Enter")
        page.get_by_role("button", name="Launch").click()
        page.get_by_text("Queued 1 run(s): browser run").wait_for(timeout=60_000)
        # From here on nobody touches the page: its runs section follows the job until it has finished.
        # (the table is drawn on a canvas; its cells are also in the DOM, hidden, which is what a test can read)
        cells = page.locator('[data-testid="stDataFrame"] td')
        cells.filter(has_text="running").first.wait_for(state="attached", timeout=60_000)
        cells.filter(has_text="succeeded").first.wait_for(state="attached", timeout=180_000)
        cells.filter(has_text="accuracy").first.wait_for(state="attached")
        chart = page.locator('[data-testid="stPlotlyChart"]').first  # the run's curves
        chart.wait_for(state="attached")
        chart.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp / "train_page.png"))
        shots = os.environ.get("MMTL_SCREENSHOTS")
        if shots:
            page.screenshot(path=str(Path(shots) / "train_page.png"))
        (record,) = Registry(default_url(ws.runs_dir)).list_runs()
        assert (record.name, record.state) == ("browser run", "succeeded")
    finally:
        pid = supervisor_pid(ws.runs_dir)  # started by the app, detached: stopped here by its pid
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
