"""The Labeling functions page on real YouTube spam data, through AppTest."""

from __future__ import annotations

import pandas as pd

from app_helpers import messages, table_with


def test_summary_label_model_and_inspector(app, youtube_workspace):
    at = app("pages/views/labeling.py")
    summary = table_with(at, "Learned Weight")
    assert "keyword_subscribe" in summary.index and len(summary) >= 8
    assert {"Coverage", "Conflicts", "Emp. Acc.", "Learned Weight"} <= set(summary.columns)
    comparison = table_with(at, "covered")
    assert list(comparison.index) == ["Majority vote", "Label model"]
    assert comparison["n"].nunique() == 1  # the same denominator for both models

    at.button(key="lf_save_labels").click().run()
    saved = pd.read_parquet(youtube_workspace.parent / "workspace" / "labels" / "youtube_spam_youtube_spam.parquet")
    assert list(saved.columns) == ["example_id", "prob_ham", "prob_spam"] and len(saved) > 1000

    at.selectbox(key="lf_inspect").set_value("keyword_subscribe").run()
    at.radio(key="lf_kind").set_value("fires").run()
    examples = table_with(at, "vote")
    assert len(examples) > 0 and examples["text"].str.contains("subscri", case=False).all()


def test_a_broken_module_is_reported_and_the_others_still_count(app, youtube_workspace):
    (youtube_workspace / "youtube_spam_broken.py").write_text("def oops(:\n    pass\n")
    at = app("pages/views/labeling.py")
    assert any("youtube_spam_broken.py" in m and "line 1" in m for m in messages(at.error))
    assert "keyword_subscribe" in table_with(at, "Learned Weight").index


def test_new_module_starts_from_a_template(app, youtube_workspace):
    at = app("pages/views/labeling.py")
    at.selectbox(key="lf_file").set_value("+ New module").run()
    at.text_input(key="lf_new_name").input("youtube_spam_more.py").run()
    at.button(key="lf_create").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert "@labeling_function" in (youtube_workspace / "youtube_spam_more.py").read_text()
    assert at.selectbox(key="lf_file").value == "youtube_spam_more.py"  # the page now edits the new module
