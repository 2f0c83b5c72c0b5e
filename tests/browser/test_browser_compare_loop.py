"""The whole loop in a real browser at 1280 x 800, on YouTube spam: load the data, write a labeling function and
see the label model, launch a frozen-mode run, write a slicing function, retrain with one click from the Compare
page, and compare the two runs and their ensemble. A screenshot of each page is saved in ci-artifacts/screenshots/
(beside the test's own folder) for a person to look at.

The runs use a tiny 2-layer BERT (the tokenizer of the default MiniLM, random weights: tests/train's helper)
instead of MiniLM itself, so that two runs on 1,956 comments train in seconds on two CPU cores; everything else is
the app as a user runs it: `streamlit run app.py`, the job queue and its supervisor, the run registry."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "train"))  # the tiny encoder

from mmtl_core.jobs.supervisor import supervisor_pid  # noqa: E402
from mmtl_core.runs.registry import Registry, default_url  # noqa: E402
from test_browser_app import _load_youtube_spam, _wait_idle  # noqa: E402
from train_helpers import save_tiny_bert  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = REPO / "ci-artifacts" / "screenshots"
LABELING_FUNCTION = '''

@labeling_function()
def says_subscribe(x):
    return SPAM if "subscribe" in x.text.lower() else ABSTAIN
'''
SLICING_FUNCTION = '''

from snorkel.slicing import slicing_function  # noqa: E402


@slicing_function()
def asks_to_check(x):
    return "check" in x.text.lower()
'''


def _shot(page, tmp: Path, name: str) -> None:
    page.mouse.move(0, 0)  # no tooltip of the last button clicked over the page
    SHOTS.mkdir(parents=True, exist_ok=True)
    for folder in (tmp, SHOTS):
        page.screenshot(path=str(folder / f"loop_{name}.png"))


def _write_in_editor(page, text: str) -> None:
    editor = page.frame_locator('iframe[title="code_editor.code_editor"]')
    editor.locator(".ace_content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text(text)
    editor.get_by_text("Save").click()


def test_the_whole_loop_from_data_to_a_compared_retrain_and_ensemble(page, app_server, shared_data):
    url, tmp = app_server
    page.set_default_timeout(120_000)  # two runs train while other tests load this machine
    encoder = save_tiny_bert(tmp / "tiny_bert")
    runs = tmp / "workspace" / "runs"
    try:
        _load_youtube_spam(page, url, shared_data)
        page.set_viewport_size({"width": 1280, "height": 800})  # after loading: its form is laid out for more
        _shot(page, tmp, "1_data")

        page.get_by_role("link", name="Labeling functions").click()
        cells = page.locator('[data-testid="stDataFrame"] td')
        cells.filter(has_text="mentions_example").first.wait_for(state="attached", timeout=120_000)
        _write_in_editor(page, LABELING_FUNCTION)
        cells.filter(has_text="says_subscribe").first.wait_for(state="attached", timeout=120_000)
        page.locator('[data-testid="stDataFrame"]').filter(has_text="covered rows").first.wait_for()  # label model
        _wait_idle(page)
        _shot(page, tmp, "2_labeling")

        page.get_by_role("link", name="Train").click()
        page.get_by_text("No run yet: launch one above.").wait_for(timeout=120_000)
        for label, value in (("Encoder", str(encoder)), ("Name", "first")):
            page.get_by_role("textbox", name=label).fill(value)
            page.get_by_role("textbox", name=label).press("Enter")
            _wait_idle(page)
        page.get_by_role("button", name="Launch").click()
        page.get_by_text("Queued 1 run(s): first").wait_for(timeout=60_000)
        cells.filter(has_text="succeeded").first.wait_for(state="attached", timeout=180_000)
        _shot(page, tmp, "3_train")

        page.get_by_role("link", name="Slices").click()
        page.frame_locator('iframe[title="code_editor.code_editor"]').locator(".ace_content").wait_for(
            timeout=120_000)
        _write_in_editor(page, SLICING_FUNCTION)
        cells.filter(has_text="asks_to_check").first.wait_for(state="attached", timeout=120_000)
        _wait_idle(page)
        _shot(page, tmp, "4_slices")

        # One click from the Compare page: the run is retrained with the new slice as its child, and the page opens
        # the comparison of the two when the child has finished.
        page.get_by_role("link", name="Compare").click()
        page.get_by_text("Changed since this run:").wait_for(timeout=120_000)
        assert "asks_to_check" in page.get_by_text("Changed since this run:").inner_text()
        page.get_by_role("button", name="Retrain and compare").click()
        page.get_by_text("the comparison opens when it finishes").wait_for(timeout=60_000)
        banner = page.get_by_text("Retrained:")
        banner.wait_for(timeout=180_000)
        assert "added slicing asks_to_check" in banner.inner_text()
        heads = page.locator('[data-testid="stDataFrame"]').filter(has_text="vs baseline")
        heads.locator("td", has_text="first · retrain").first.wait_for(state="attached")
        heads.locator("td", has_text="youtube_spam:asks_to_check").first.wait_for(state="attached")  # its new head
        _wait_idle(page)
        page.get_by_text("Retrained:").scroll_into_view_if_needed()  # the banner, then the heads table below it
        _shot(page, tmp, "5_compare")
        heads.scroll_into_view_if_needed()
        _shot(page, tmp, "5_compare_heads")

        page.get_by_role("tab", name="Ensemble").click()
        chooser = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Runs in the ensemble")
        for _ in range(2):
            chooser.click()
            page.locator('[role="option"]').first.click()
            _wait_idle(page)
        page.keyboard.press("Escape")
        ensemble = page.locator('[data-testid="stDataFrame"]').filter(has_text="ensemble of")
        ensemble.locator("td", has_text="unsaved").first.wait_for(state="attached", timeout=60_000)
        _wait_idle(page)
        ensemble.scroll_into_view_if_needed()
        _shot(page, tmp, "6_ensemble")

        records = {r.name: r for r in Registry(default_url(runs)).list_runs()}
        child = records["first · retrain"]
        assert child.state == "succeeded" and child.parent_id == records["first"].id
    finally:
        pid = supervisor_pid(runs)  # started by the app, detached: stopped here by its pid
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
