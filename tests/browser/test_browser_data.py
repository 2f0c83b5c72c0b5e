"""Uploading data in the real browser (AppTest cannot upload): a raw, headerless, extensionless TSV is sniffed,
previewed and loaded exactly as it is, and an upload with a reused name never replaces the first one's file."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from mmtl_core.data import load_dataset, load_specs

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _wait_idle(page) -> None:
    page.wait_for_timeout(300)  # the rerun a change starts may not have shown its status yet
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=120_000)


def _fill(page, label: str, value: str) -> None:
    page.get_by_role("textbox", name=label, exact=True).fill(value)
    page.get_by_role("textbox", name=label, exact=True).press("Enter")
    _wait_idle(page)


def _upload_and_load(page, file: Path, name: str) -> None:
    page.get_by_text("A table file").first.click()
    _wait_idle(page)
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="or upload the file")
    stored = page.get_by_text("Stored as")
    before = stored.inner_text() if stored.count() else None  # the previous upload's form is still shown
    uploader.locator('input[type="file"]').set_input_files(str(file))
    expect(stored).to_be_visible()
    if before is not None:
        expect(stored).not_to_have_text(before)
    page.get_by_text("As read: 10 rows, 2 columns").wait_for()
    _fill(page, "Column names, comma-separated (optional)", "label, text")
    page.locator('[data-testid="stMultiSelect"] [data-tag] [title="text"]').first.wait_for()  # renamed
    page.get_by_text("Load is disabled: confirm the classes found").wait_for()
    page.get_by_text("These 2 classes are right").click()
    page.get_by_text("Load is disabled: confirm the classes found").wait_for(state="detached")
    _fill(page, "Name", name)
    page.get_by_text("Load is disabled").wait_for(state="detached")
    page.get_by_role("button", name="Load", exact=True).click()
    page.get_by_text(f"Loaded '{name}': 10 rows").wait_for()


def test_upload_a_raw_file_then_another_with_the_same_name(page, app_server, tmp_path):
    url, tmp = app_server
    page.goto(url)
    page.get_by_text("No data yet").wait_for()
    page.get_by_role("link", name="Load a dataset").first.click()
    page.get_by_text("A table file").first.wait_for()

    first = tmp_path / "upload1" / "SMSSpamCollection"
    first.parent.mkdir()
    first.write_bytes((FIXTURES / "sms_raw").read_bytes())
    _upload_and_load(page, first, "sms")
    second = tmp_path / "upload2" / "SMSSpamCollection"  # the same file name, other texts
    second.parent.mkdir()
    second.write_text((FIXTURES / "sms_raw").read_text().replace("Ok lar", "Fine then"))
    _upload_and_load(page, second, "sms_v2")

    specs = {s.name: s for s in load_specs(tmp / "workspace" / "datasets.json")}
    assert Path(specs["sms"].path).name == Path(specs["sms_v2"].path).name == "SMSSpamCollection"
    assert specs["sms"].path != specs["sms_v2"].path  # stored apart, under their content's digests
    texts = load_dataset(specs["sms"]).frame["text"]
    assert texts.tolist() == [line.split("\t")[1] for line in first.read_text().splitlines()]
    assert "Ok lar... Joking wif u oni..." in texts.tolist()
