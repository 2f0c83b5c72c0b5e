"""The Slices page on real YouTube spam data, through AppTest."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from app_helpers import messages, table_with, weak_table

from mmtl_core.data import DatasetSpec, save_specs
from mmtl_core.runs.jsonfiles import write_config
from mmtl_core.runs.layout import create_run_dir
from mmtl_core.runs.predictions import write_predictions
from mmtl_core.runs.status import write_status

REPO = Path(__file__).resolve().parents[2]
PAGE = "pages/views/slices.py"


def _cell_list(at):
    """The error cell chooser (keyed per table, so found by its label)."""
    (found,) = [s for s in at.selectbox if s.label == "Examples of"]
    return found


@pytest.mark.slow
def test_one_row_per_slice_error_cells_and_comparison(app, youtube_workspace):
    at = app(PAGE)
    assert at.selectbox(key="sl_file_youtube_spam_youtube_spam").value == "youtube_spam_slices.py"  # its editor's
    table = table_with(at, "small").set_index("slice")  # one row per slice, each prediction set side by side
    assert list(table.columns) == ["n", "small", "Label model", "Label model · 95% CI", "Majority vote",
                                   "Majority vote · 95% CI"]
    assert table.loc["overall", "n"] == 120  # YouTube's dev split
    assert {"short_text", "contains_link", "shouting", "emoji_or_other_script"} <= set(table.index)
    small = table["n"] < 30
    assert (table.loc[small, "small"] == "few rows").all() and (table.loc[~small, "small"] == "").all()
    assert not table.astype(str).apply(lambda c: c.str.contains("nan", case=False)).any().any()
    at.radio(key="sl_metric").set_value("f1").run()
    assert table_with(at, "small").set_index("slice").loc["overall", "Label model"] != table.loc["overall",
                                                                                                 "Label model"]

    # Error cells open on the largest error cell, not the largest correct one; a pick shows that cell's examples,
    # with the functions that fired; a revisit of the page keeps it.
    assert _cell_list(at).value == ("ham", "spam")
    at.selectbox(key="sl_cm_slice").set_value("contains_link").run()
    _cell_list(at).set_value(("spam", "spam")).run()
    examples = table_with(at, "labeling_functions")
    assert len(examples) > 0 and (examples["gold"] == "spam").all() and (examples["predicted"] == "spam").all()
    assert examples["slices"].str.contains("contains_link").all()
    assert list(examples.columns)[:2] == ["example_id", "text"] and "confidence" in examples.columns
    at.switch_page("pages/views/labeling.py").run()
    at.switch_page(PAGE).run()
    assert at.selectbox(key="sl_cm_slice").value == "contains_link"
    assert _cell_list(at).value == ("spam", "spam")

    # Majority vote against the label model: the difference is the one of the weak comparison table (on the same
    # classes), and on 120 rows it is not significant: no mark.
    at.radio(key="sl_metric").set_value("accuracy").run()
    weak = weak_table(at)
    comparison = table_with(at, "B - A").set_index("slice")
    assert comparison.loc["overall", "A"] == weak.loc["accuracy", "Majority vote"]
    assert comparison.loc["overall", "B"] == weak.loc["accuracy", "Label model"]
    assert comparison.loc["overall", "significant"] == ""

    # Fewer prediction sets (AppTest cannot upload files: see tests/studio/test_studio_slicing.py).
    at.multiselect(key="sl_sets_youtube_spam_youtube_spam_dev").set_value(["Label model"]).run()
    assert "Majority vote" not in table_with(at, "small").columns
    assert not at.exception, [e.message for e in at.exception]


def test_a_broken_slicing_function_is_reported_and_the_others_still_count(app, youtube_workspace):
    (youtube_workspace / "youtube_spam_slices.py").write_text(
        (youtube_workspace / "youtube_spam_slices.py").read_text()
        + "\n\n@slicing_function()\ndef crashes(x):\n    return x.nope > 1\n")
    (youtube_workspace / "youtube_spam_broken.py").write_text("def oops(:\n    pass\n")
    at = app(PAGE)
    assert any("youtube_spam_broken.py" in m and "line 1" in m for m in messages(at.error))
    assert any("crashes" in m for m in messages(at.warning))
    assert any("Traceback of crashes" == e.label for e in at.expander)
    assert "short_text" in set(table_with(at, "small")["slice"])


def test_an_empty_slice_shows_empty(app, youtube_workspace):
    (youtube_workspace / "youtube_spam_slices.py").write_text(
        "from snorkel.slicing import slicing_function\n\n\n@slicing_function()\ndef never(x):\n    return False\n")
    at = app(PAGE)
    never = table_with(at, "small").set_index("slice").loc["never"]
    assert never["n"] == 0 and never["Label model"] == "empty" and never["Label model · 95% CI"] == ""
    at.selectbox(key="sl_cm_slice").set_value("never").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("empty" in i.value for i in at.info)


def test_stored_run_predictions_are_offered(app, youtube_workspace, tmp_path, shared_data):
    from mmtl_core.data import load_youtube_spam

    frame = load_youtube_spam(shared_data / "youtube_spam").frame
    dev = frame[frame["split"] == "dev"]
    run = create_run_dir(tmp_path / "workspace" / "runs")
    write_status(run, "completed")
    write_config(run, {"name": "perfect", "tasks": [{"task": {"name": "youtube_spam"}, "dataset": "youtube_spam"}]})
    spam = (dev["label"] == 1).to_numpy(dtype=float)  # a perfect model
    write_predictions(run, "youtube_spam", "dev", dev["example_id"].to_numpy(), np.column_stack([1 - spam, spam]))
    at = app(PAGE)
    at.multiselect(key="sl_sets_youtube_spam_youtube_spam_dev").set_value([f"run perfect ({run.name})"]).run()
    table = table_with(at, "small")
    assert table[f"run perfect ({run.name})"].isin(["1.000", "empty"]).all()


def test_rte_without_predictions_shows_slice_sizes(app, tmp_path, shared_data):
    save_specs(tmp_path / "workspace" / "datasets.json",
               [DatasetSpec("RTE", "glue", str(shared_data / "glue_data"), {"task": "RTE"})])
    functions = tmp_path / "functions"
    functions.mkdir()
    shutil.copy(REPO / "labeling_functions" / "rte_slices.py", functions)
    at = app(PAGE)
    sizes = table_with(at, "labeled").set_index("slice")
    assert sizes.loc["overall", "rows"] == 277 and len(sizes) >= 5  # RTE dev, and its slices
    assert any("No predictions to score yet" in i.value for i in at.info)
