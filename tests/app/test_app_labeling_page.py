"""The Labeling functions page on real YouTube spam data, through AppTest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from app_helpers import help_of, messages, table_with, weak_table

from mmtl_core.data import DatasetSpec, save_specs

REPO = Path(__file__).resolve().parents[2]
PAGE = "pages/views/labeling.py"
SLICES = "pages/views/slices.py"
SCOPE = "youtube_spam_youtube_spam"


def test_summary_label_model_and_inspector(app, youtube_workspace):
    at = app(PAGE)
    summary = table_with(at, "Learned Weight")
    assert "keyword_subscribe" in summary.index and len(summary) >= 8
    assert {"Coverage", "Conflicts", "Emp. Acc.", "Learned Weight"} <= set(summary.columns)
    assert summary.loc["keyword_subscribe", "Polarity"] == "spam"  # classes by name, never 1
    assert summary.loc["talks_about_the_song", "Polarity"] == "ham"
    comparison = weak_table(at)
    assert list(comparison.columns) == ["Majority vote", "Label model"]  # one column per model: fits its column
    assert comparison.loc["rows with gold"].tolist() == ["120", "120"]  # every dev row, for both models
    assert {"accuracy", "accuracy (covered)", "f1", "f1 (covered)"} <= set(comparison.index)
    assert "keyed by the example id" in help_of(at, "Label model")  # the rule, stated behind the help icon
    assert "Emp. Acc." in help_of(at, "Summary") and not any("Emp. Acc." in c.value for c in at.caption)

    at.button(key="lf_save_labels").click().run()
    saved = pd.read_parquet(youtube_workspace.parent / "workspace" / "labels" / "youtube_spam_youtube_spam.parquet")
    assert list(saved.columns) == ["example_id", "prob_ham", "prob_spam"] and len(saved) > 1000

    at.selectbox(key="lf_inspect").set_value("keyword_subscribe").run()
    at.radio(key="lf_kind").set_value("fires").run()
    examples = table_with(at, "vote")
    assert len(examples) > 0 and examples["text"].str.contains("subscri", case=False).all()
    assert (examples["vote"] == "spam").all() and set(examples["gold"]) <= {"ham", "spam"}
    assert not examples["text"].str.contains("&#39;|&quot;|<br", regex=True).any()  # texts as their authors wrote


def test_the_two_pages_show_the_same_weak_figures(app, youtube_workspace):
    at = app(PAGE)
    labeling = weak_table(at)
    at.switch_page(SLICES).run()
    assert not at.exception, [e.message for e in at.exception]
    slicing = weak_table(at)
    pd.testing.assert_frame_equal(labeling, slicing)
    # The per-slice table's overall row scores the same classes on the same rows.
    at.multiselect(key=f"sl_sets_{SCOPE}_dev").set_value(["Majority vote", "Label model"]).run()
    for metric in ("accuracy", "f1"):
        at.radio(key="sl_metric").set_value(metric).run()
        overall = table_with(at, "small").set_index("slice").loc["overall"]
        for model in ("Majority vote", "Label model"):
            assert overall[model] == labeling.loc[metric, model]


def test_a_broken_module_is_reported_and_the_others_still_count(app, youtube_workspace):
    (youtube_workspace / "youtube_spam_broken.py").write_text("def oops(:\n    pass\n")
    at = app(PAGE)
    assert any("youtube_spam_broken.py" in m and "line 1" in m for m in messages(at.error))
    assert "keyword_subscribe" in table_with(at, "Learned Weight").index


def test_a_syntax_error_keeps_the_last_results_marked_stale(app, youtube_workspace):
    at = app(PAGE)
    before = weak_table(at)
    module = youtube_workspace / "youtube_spam.py"
    module.write_text(module.read_text() + "\n\ndef oops(:\n    pass\n")  # what a broken save leaves on disk
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("youtube_spam.py" in m and "line" in m for m in messages(at.error))
    assert any("last save whose modules all loaded" in w.value for w in at.warning)
    assert "keyword_subscribe" in table_with(at, "Learned Weight").index
    pd.testing.assert_frame_equal(weak_table(at), before)
    assert not any("No labeling functions yet" in i.value for i in at.info)


def test_new_module_starts_from_a_template_and_joins_the_set(app, youtube_workspace, tmp_path):
    at = app(PAGE)
    key = f"lf_file_{SCOPE}"
    at.selectbox(key=key).set_value("+ New module").run()
    at.text_input(key=f"{key}_new_name").input("youtube_spam_more.py").run()
    at.button(key=f"{key}_create").click().run()
    assert not at.exception, [e.message for e in at.exception]
    text = (youtube_workspace / "youtube_spam_more.py").read_text()
    assert "@labeling_function" in text and "HAM, SPAM = 0, 1" in text
    assert at.selectbox(key=key).value == "youtube_spam_more.py"  # the page now edits the new module
    sets = json.loads((tmp_path / "workspace" / "module_sets.json").read_text())
    assert sets == [{"dataset": "youtube_spam", "task": "youtube_spam",
                     "modules": ["youtube_spam.py", "youtube_spam_slices.py", "youtube_spam_more.py"]}]
    at.selectbox(key=key).set_value("+ New module").run()
    at.text_input(key=f"{key}_new_name").input("youtube_spam.py").run()
    at.button(key=f"{key}_create").click().run()
    assert any("exists already" in e.value for e in at.error)
    assert "keyword_subscribe" in (youtube_workspace / "youtube_spam.py").read_text()  # not replaced


def test_switching_dataset_applies_only_that_datasets_modules(app, youtube_workspace, tmp_path, shared_data):
    shutil.copy(REPO / "labeling_functions" / "rte_slices.py", youtube_workspace)
    reviews = tmp_path / "reviews.csv"
    reviews.write_text("body,stars,part\ngreat phone,pos,train\nawful battery,neg,train\ngreat screen,pos,valid\n"
                       "a sample review,neg,valid\n")
    save_specs(tmp_path / "workspace" / "datasets.json", [
        DatasetSpec("youtube_spam", "youtube_spam", str(shared_data / "youtube_spam")),
        DatasetSpec("RTE", "glue", str(shared_data / "glue_data"), {"task": "RTE"}),
        DatasetSpec("reviews", "table", str(reviews), {"text_fields": ["body"], "label_field": "stars",
                                                       "split_field": "part"}),
    ])
    at = app(PAGE)
    assert "keyword_subscribe" in table_with(at, "Learned Weight").index

    at.selectbox(key="lf_dataset").set_value("RTE").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.multiselect(key="lf_modules_RTE_RTE").value == ["rte_slices.py"]  # named after the task
    assert not at.warning  # no YouTube function raising on RTE's rows
    assert any("No labeling functions yet" in i.value for i in at.info)
    at.switch_page(SLICES).run()
    assert not at.exception, [e.message for e in at.exception]
    sizes = set(table_with(at, "labeled")["slice"])
    assert "dash_semicolon" in sizes and not {"short_text", "contains_link"} & sizes  # RTE's slices only

    # A dataset with no module named after it starts from its own new module, never from every module.
    at.switch_page(PAGE).run()
    at.selectbox(key="lf_dataset").set_value("reviews").run()
    assert not at.exception, [e.message for e in at.exception]
    (task,) = [s.value for s in at.selectbox if s.key == "lf_task"]
    own = f"reviews_{task.lower()}.py" if task.lower() != "reviews" else "reviews.py"
    assert at.multiselect(key=f"lf_modules_reviews_{task}").value == [own]
    assert (youtube_workspace / own).exists()
    assert set(table_with(at, "Polarity").index) == {"mentions_example", "says_sample"}

    at.selectbox(key="lf_dataset").set_value("youtube_spam").run()
    assert "keyword_subscribe" in table_with(at, "Learned Weight").index
    assert "mentions_example" not in table_with(at, "Learned Weight").index


def test_a_function_just_saved_is_the_one_inspected(app, youtube_workspace):
    at = app(PAGE)
    at.selectbox(key="lf_inspect").set_value("keyword_money").run()
    module = youtube_workspace / "youtube_spam.py"
    module.write_text(module.read_text() + '\n\n@labeling_function()\ndef says_free(x):\n'
                      '    return SPAM if "free" in x.text.lower() else ABSTAIN\n')  # what a save writes
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="lf_inspect").value == "says_free"
    assert "says_free" in table_with(at, "Learned Weight").index
    at.selectbox(key="lf_inspect").set_value("keyword_money").run()  # and then the user's choice holds
    assert at.selectbox(key="lf_inspect").value == "keyword_money"
