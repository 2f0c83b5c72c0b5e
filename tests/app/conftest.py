"""Streamlit AppTest fixtures: the real app script, on a fresh workspace and functions folder."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "studio.py")  # the app script; app.py serves it behind the door
sys.path.insert(0, str(REPO / "tests" / "train"))  # train_helpers: the tiny encoder

from train_helpers import save_tiny_bert  # noqa: E402


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory) -> str:
    """A 2-layer BERT with the default encoder's tokenizer, saved once for the page tests that train."""
    return str(save_tiny_bert(tmp_path_factory.mktemp("tiny_bert")))


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


@pytest.fixture
def youtube_workspace(tmp_path, shared_data):
    """YouTube spam registered in the workspace, and the shipped spam modules (labeling and slicing) in the
    functions folder, which is returned."""
    from mmtl_core.data import DatasetSpec, save_specs

    save_specs(tmp_path / "workspace" / "datasets.json",
               [DatasetSpec("youtube_spam", "youtube_spam", str(shared_data / "youtube_spam"))])
    functions = tmp_path / "functions"
    functions.mkdir()
    for name in ("youtube_spam.py", "youtube_spam_slices.py"):
        shutil.copy(REPO / "labeling_functions" / name, functions)
    return functions

