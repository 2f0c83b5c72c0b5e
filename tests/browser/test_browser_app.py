"""One real-browser walk through the app: load YouTube spam, write a labeling function in the editor, save it,
and see the summary table change. Headless Debian chromium, driven by Playwright, against `streamlit run`."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_helpers import wait_for_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]

NEW_FUNCTION = '''

@labeling_function()
def mentions_gift_card(x):
    return SPAM if "gift card" in x.text.lower() else ABSTAIN
'''


def _wait_idle(page) -> None:
    """Until Streamlit has finished the current script run (its own flag on the app element: the status widget
    may not have appeared yet when a rerun has only just been asked for)."""
    page.wait_for_timeout(300)
    wait_for_page(page, timeout_ms=120_000)


def _load_youtube_spam(page, url, shared_data) -> None:
    page.goto(url)  # as a user does: the home page leads to the Data page
    page.get_by_text("No data yet").wait_for()
    page.get_by_role("link", name="Load a dataset").first.click()
    page.get_by_text("YouTube spam CSVs").first.wait_for()
    page.get_by_role("textbox", name="Path").fill(str(shared_data / "youtube_spam"))
    page.get_by_role("textbox", name="Path").press("Enter")
    _wait_idle(page)  # the path's rerun fills the name: typing into it before then races that rerun
    page.get_by_role("textbox", name="Name").fill("youtube_spam")
    page.get_by_role("textbox", name="Name").press("Enter")
    _wait_idle(page)
    page.get_by_text("Preview: what Load saves").wait_for()
    page.get_by_text("Load is disabled").wait_for(state="detached")
    page.get_by_role("button", name="Load", exact=True).click()
    page.get_by_text("Loaded 'youtube_spam': 1,956 rows").wait_for()


def test_load_data_write_a_function_and_see_the_summary_change(page, app_server, shared_data):
    url, tmp = app_server
    _load_youtube_spam(page, url, shared_data)

    page.get_by_role("link", name="Labeling functions").click()
    # The functions folder is empty: the dataset gets its own module from the template, applied at once.
    summary = page.get_by_text("Summary", exact=True)
    summary.wait_for(timeout=120_000)
    cells = page.locator('[data-testid="stDataFrame"] td')
    cells.filter(has_text="mentions_example").first.wait_for(state="attached")
    assert cells.filter(has_text="mentions_gift_card").count() == 0

    editor = page.frame_locator('iframe[title="code_editor.code_editor"]')
    editor.locator(".ace_content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text(NEW_FUNCTION)
    editor.get_by_text("Save").click()
    # The summary table (drawn on a canvas; its cells are in the DOM, hidden) gains the new function's row.
    cells.filter(has_text="mentions_gift_card").first.wait_for(state="attached", timeout=120_000)
    saved = (tmp / "functions" / "youtube_spam.py").read_text()
    assert "def mentions_gift_card" in saved and "def mentions_example" in saved


def test_slices_page_shows_per_slice_metrics_of_the_label_model(page, app_server, shared_data):
    url, tmp = app_server
    functions = tmp / "functions"
    functions.mkdir(exist_ok=True)
    for module in ("youtube_spam.py", "youtube_spam_slices.py"):
        (functions / module).write_text((REPO / "labeling_functions" / module).read_text())
    _load_youtube_spam(page, url, shared_data)

    page.get_by_role("link", name="Slices").click()
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for(timeout=120_000)
    _wait_idle(page)
    page.get_by_text("Per-slice metrics on dev (120 rows)").wait_for()
    # The table is drawn on a canvas; its cells are also in the DOM (hidden), which is what a test can read. One row
    # per slice, each prediction set's value and interval as columns.
    for header in ("slice", "Label model", "Label model · 95% CI"):
        table.locator("th", has_text=header).first.wait_for(state="attached")
    for cell in ("overall", "short_text", "contains_link"):
        table.locator("td", has_text=cell).first.wait_for(state="attached")
