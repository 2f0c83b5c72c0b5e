"""Streamlit AppTest fixtures: the real app script, on a fresh workspace and functions folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("MMTL_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("MMTL_FUNCTIONS_DIR", str(tmp_path / "functions"))

    def open_page(page: str | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=120)
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return open_page
