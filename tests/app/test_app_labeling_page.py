"""The Labeling functions page on real YouTube spam data, through AppTest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from mmtl_core.data import DatasetSpec, save_specs

REPO = Path(__file__).resolve().parents[2]


def _table(at, column):
    """The page's table that has ``column`` (AppTest does not expose a plain dataframe's key)."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, f"no table with a {column!r} column"
    return frames[0]


@pytest.fixture
def youtube_workspace(tmp_path, shared_data):
    save_specs(tmp_path / "workspace" / "datasets.json",
               [DatasetSpec("youtube_spam", "youtube_spam", str(shared_data / "youtube_spam"))])
    functions = tmp_path / "functions"
    functions.mkdir()
    shutil.copy(REPO / "labeling_functions" / "youtube_spam.py", functions)
    return functions


def test_summary_label_model_and_inspector(app, youtube_workspace):
    at = app("pages/views/labeling.py")
    summary = _table(at, "Learned Weight")
    assert "keyword_subscribe" in summary.index and len(summary) >= 8
    assert {"Coverage", "Conflicts", "Emp. Acc.", "Learned Weight"} <= set(summary.columns)
    comparison = _table(at, "covered")
    assert list(comparison.index) == ["Majority vote", "Label model"]
    assert comparison["n"].nunique() == 1  # the same denominator for both models

    at.button(key="lf_save_labels").click().run()
    saved = pd.read_parquet(youtube_workspace.parent / "workspace" / "labels" / "youtube_spam_youtube_spam.parquet")
    assert list(saved.columns) == ["example_id", "prob_ham", "prob_spam"] and len(saved) > 1000

    at.selectbox(key="lf_inspect").set_value("keyword_subscribe").run()
    at.radio(key="lf_kind").set_value("fires").run()
    examples = _table(at, "vote")
    assert len(examples) > 0 and examples["text"].str.contains("subscri", case=False).all()


def test_a_broken_module_is_reported_and_the_others_still_count(app, youtube_workspace):
    (youtube_workspace / "youtube_spam_broken.py").write_text("def oops(:\n    pass\n")
    at = app("pages/views/labeling.py")
    assert any("youtube_spam_broken.py" in e.value and "line 1" in e.value for e in at.error)
    assert "keyword_subscribe" in _table(at, "Learned Weight").index


def test_new_module_starts_from_a_template(app, youtube_workspace):
    at = app("pages/views/labeling.py")
    at.selectbox(key="lf_file").set_value("+ New module").run()
    at.text_input(key="lf_new_name").input("youtube_spam_more.py").run()
    at.button(key="lf_create").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert "@labeling_function" in (youtube_workspace / "youtube_spam_more.py").read_text()
    assert at.selectbox(key="lf_file").value == "youtube_spam_more.py"  # the page now edits the new module
