"""Fixtures for training tests: tiny BERT encoders saved with the MiniLM tokenizer."""

from __future__ import annotations

import pytest

from train_helpers import save_tiny_bert


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory) -> str:
    return str(save_tiny_bert(tmp_path_factory.mktemp("tiny_bert")))


@pytest.fixture(scope="session")
def bag_encoder(tmp_path_factory) -> str:
    """No transformer layers: mean pooling is then linear in the bag of words (what the slice test needs)."""
    return str(save_tiny_bert(tmp_path_factory.mktemp("bag_bert"), layers=0))


@pytest.fixture(autouse=True)
def own_workspace(tmp_path, monkeypatch):
    """A config that leaves 'workspace' or 'output_dir' empty uses $MMTL_WORKSPACE: never the checkout's own."""
    monkeypatch.setenv("MMTL_WORKSPACE", str(tmp_path / "workspace"))
