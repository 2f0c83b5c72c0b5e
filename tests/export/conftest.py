"""Fixtures for export tests: the tiny BERT and the negation data of the training tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "train"))  # train_helpers

from train_helpers import save_tiny_bert  # noqa: E402


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory) -> str:
    return str(save_tiny_bert(tmp_path_factory.mktemp("tiny_bert")))


@pytest.fixture(autouse=True)
def own_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("MMTL_WORKSPACE", str(tmp_path / "workspace"))
