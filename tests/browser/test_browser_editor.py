"""The editor in a real browser: two sessions saving one module lose neither text; a broken save keeps the last
results with the editor at the error's line; a good save keeps the cursor; unsaved text survives a page switch."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from browser_helpers import CHROMIUM_FLAGS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
EDITOR = 'iframe[title="code_editor.code_editor"]'


@pytest.fixture
def youtube_app(app_server, shared_data):
    """The app with YouTube spam loaded and its labeling module in the functions folder."""
    url, tmp = app_server
    from mmtl_core.data import DatasetSpec, save_specs

    save_specs(tmp / "workspace" / "datasets.json",
               [DatasetSpec("youtube_spam", "youtube_spam", str(shared_data / "youtube_spam"))])
    functions = tmp / "functions"
    functions.mkdir(exist_ok=True)
    shutil.copy(REPO / "labeling_functions" / "youtube_spam.py", functions)
    return url, functions


@pytest.fixture
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def open_labeling(browser, url):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(120_000)
    page.goto(url)  # as a user does (a deep link as the server's very first request meets Streamlit's v1 router)
    page.get_by_role("link", name="Labeling functions").first.click()
    page.get_by_text("Summary", exact=True).wait_for()
    page.frame_locator(EDITOR).locator(".ace_content").wait_for()
    return page


def ace(page, script: str):
    """Run ``script`` with ``ed`` bound to the page's Ace editor (reading its state, as a user sees it)."""
    return page.evaluate(f"""() => {{
        const frame = document.querySelector('{EDITOR}');
        const ed = frame.contentDocument.querySelector('.ace_editor').env.editor;
        return (ed => {{ {script} }})(ed);
    }}""")


def type_at_end(page, text: str) -> None:
    page.frame_locator(EDITOR).locator(".ace_content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text(text)
    page.wait_for_timeout(700)  # the editor reports typed text after 250 ms of quiet


def save(page) -> None:
    page.frame_locator(EDITOR).get_by_role("button", name="Save").click()


def test_two_sessions_saving_one_module_lose_neither_text(youtube_app, browser):
    url, functions = youtube_app
    first, second = open_labeling(browser, url), open_labeling(browser, url)
    type_at_end(first, "\n# written in the first session\n")
    save(first)
    first.get_by_text("Saved youtube_spam.py").wait_for()
    type_at_end(second, "\n# written in the second session\n")
    save(second)
    second.get_by_text("changed on disk since you opened it").wait_for()
    second.get_by_text("Your text (not saved)").wait_for()
    second.get_by_role("button", name="Save mine as a copy").click()
    second.get_by_text("Your text is saved as youtube").wait_for()
    assert "# written in the first session" in (functions / "youtube_spam.py").read_text()
    assert "# written in the second session" not in (functions / "youtube_spam.py").read_text()
    assert "# written in the second session" in (functions / "youtube_spam_copy.py").read_text()


def test_broken_save_good_save_and_a_page_switch(youtube_app, browser):
    url, functions = youtube_app
    page = open_labeling(browser, url)
    lines = (functions / "youtube_spam.py").read_text().count("\n")

    # A save that breaks the module: the last good results stay, marked stale, and the editor is at the error.
    type_at_end(page, "\n\ndef broken(:\n")
    save(page)
    page.get_by_text("last save whose modules all loaded").wait_for()
    page.locator('[data-testid="stDataFrame"] td').filter(has_text="keyword_subscribe").first.wait_for(
        state="attached")
    page.wait_for_function(f"""() => {{
        const ed = document.querySelector('{EDITOR}').contentDocument.querySelector('.ace_editor').env.editor;
        return ed.getCursorPosition().row + 1 === {lines + 3};
    }}""")
    assert ace(page, "return ed.session.getAnnotations()[0].type") == "error"

    # A good save (the broken line removed) keeps the editor as it was: same instance, cursor where it was.
    ace(page, f"ed.__marked = true; ed.session.getDocument().removeFullLines({lines + 2}, {lines + 2}); "
              "ed.gotoLine(5, 0, false);")
    page.wait_for_timeout(700)
    save(page)
    page.get_by_text("Saved youtube_spam.py").wait_for()
    page.wait_for_timeout(2000)
    assert page.get_by_text("last save whose modules all loaded").count() == 0
    assert ace(page, "return ed.__marked === true && ed.getCursorPosition().row === 4")

    # Unsaved text survives a switch to another page and back.
    type_at_end(page, "\n# not saved yet\n")
    page.get_by_role("link", name="Slices").click()
    page.get_by_text("Per-slice metrics", exact=False).first.wait_for()
    page.get_by_role("link", name="Labeling functions").click()
    page.get_by_text("Unsaved changes").wait_for()
    page.frame_locator(EDITOR).locator(".ace_content").wait_for()
    assert "# not saved yet" in ace(page, "return ed.getValue()")
    assert "# not saved yet" not in (functions / "youtube_spam.py").read_text()
