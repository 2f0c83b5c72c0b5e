"""One real-browser walk through the app: load YouTube spam, write a labeling function in the editor, save it,
and see the summary table change. Headless Debian chromium, driven by Playwright, against `streamlit run`."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NEW_FUNCTION = '''

@labeling_function()
def mentions_gift_card(x):
    return SPAM if "gift card" in x.text.lower() else ABSTAIN
'''


def _wait_idle(page) -> None:
    """Until Streamlit has finished the current script run."""
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=120_000)


def test_load_data_write_a_function_and_see_the_summary_change(page, app_server, shared_data):
    url, tmp = app_server
    page.goto(url)  # as a user does: the home page leads to the Data page
    page.get_by_text("No data yet").wait_for()
    page.get_by_role("link", name="Load a dataset").first.click()
    page.get_by_text("YouTube spam CSVs").first.wait_for()
    page.get_by_role("textbox", name="Path").fill(str(shared_data / "youtube_spam"))
    page.get_by_role("textbox", name="Path").press("Enter")
    page.get_by_role("textbox", name="Name").fill("youtube_spam")
    page.get_by_role("textbox", name="Name").press("Enter")
    _wait_idle(page)
    page.get_by_role("button", name="Load", exact=True).click()
    page.get_by_text("Loaded 'youtube_spam': 1,956 rows").wait_for()

    page.get_by_role("link", name="Labeling functions").click()
    page.get_by_text("No labeling functions yet").wait_for(timeout=120_000)
    # The functions folder is empty, so the page offers to create a module.
    page.get_by_role("textbox", name="File name").fill("youtube_spam_mine.py")
    page.get_by_role("textbox", name="File name").press("Enter")
    _wait_idle(page)
    page.get_by_role("button", name="Create").click()
    summary = page.get_by_text("Summary", exact=True)
    summary.wait_for(timeout=120_000)  # the template's one function is applied and summarised

    editor = page.frame_locator('iframe[title="code_editor.code_editor"]')
    editor.locator(".ace_content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text(NEW_FUNCTION.replace("SPAM", "POSITIVE"))
    editor.get_by_text("Save").click()
    page.get_by_text("mentions_gift_card").first.wait_for(timeout=120_000)
    saved = (tmp / "functions" / "youtube_spam_mine.py").read_text()
    assert "def mentions_gift_card" in saved and "def mentions_great" in saved
