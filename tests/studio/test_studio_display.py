"""How the pages write numbers and shape their tables: an undefined metric reads "undefined" in every table, a model
comparison fits a narrow column, one row per slice with every prediction set side by side, significance as a mark."""

import numpy as np
import pandas as pd

from mmtl_core.slices import PredictionSet, SplitSlices, compare_table, slice_metrics
from mmtl_core.studio.display import (SIGNIFICANT, comparison_rows, datasets_view, interval_text, metric_text,
                                      slice_rows, summary_view, weak_comparison_table, weak_comparison_view)
from mmtl_core.studio.table_view import CONTENT_PX, fit_height, page_of
from mmtl_core.tasks import GLUE_TASKS
from mmtl_core.weak import function_summary, score_weak_predictions, weak_predictions

MRPC = GLUE_TASKS["MRPC"]  # f1 and accuracy


def _mrpc_slices():
    # A 5-row slice with no positive example: F1 is undefined there for every prediction set.
    gold = np.array([0, 0, 0, 0, 0, 1, 1, 0])
    ids = np.array([f"d:{i}" for i in range(8)])
    frame = pd.DataFrame({"example_id": ids, "split": "dev", "sentence1": "a", "sentence2": "b", "label": gold})
    data = SplitSlices(MRPC, frame, (np.arange(8) < 5)[:, None], ("no_positives",))
    L = np.array([[0, -1], [0, 0], [-1, 0], [0, -1], [0, 0], [1, 1], [1, -1], [-1, -1]], dtype=np.int8)
    return gold, ids, data, L


def test_values_intervals_and_missing_ones():
    assert metric_text(0.93333) == "0.933" and metric_text(np.nan) == "undefined" and metric_text(None) == "undefined"
    assert metric_text(np.nan, n=0) == "empty" and metric_text(pd.NA, n=5) == "undefined"
    assert interval_text(0.1, 0.25) == "[0.100, 0.250]" and interval_text(np.nan, 0.2) == ""


def test_an_undefined_metric_reads_the_same_for_a_weak_set_and_a_run():
    # (Before: the label model showed f1 0.000 [0.000, 0.000] and a run "None".)
    gold, ids, data, L = _mrpc_slices()
    mv = weak_predictions(L, ids, 2)["Majority vote"]
    weak = PredictionSet("Majority vote", ids, probs=mv.proba, classes=mv.classes)
    run = PredictionSet.from_probs("run r1", ids, np.tile([0.9, 0.1], (8, 1)))
    table = slice_rows(slice_metrics(data, [weak, run]), "f1").frame
    row = table.loc["no_positives"]
    assert (row["Majority vote"], row["run r1"]) == ("undefined", "undefined")
    assert (row["Majority vote · 95% CI"], row["run r1 · 95% CI"]) == ("", "")
    compared = comparison_rows(compare_table(data, weak, run), "f1").frame.set_index("slice")
    assert tuple(compared.loc["no_positives", ["A", "B", "B - A"]]) == ("undefined",) * 3
    covered = weak_comparison_table(score_weak_predictions({"Majority vote": mv.rows(np.arange(5))}, gold[:5],
                                                           ("f1", "accuracy")))
    assert covered.loc["Majority vote", "f1"] == "undefined"
    assert covered.loc["Majority vote", "accuracy"] == metric_text((mv.classes[:5] == 0).mean())


def test_one_row_per_slice_with_each_prediction_set_side_by_side():
    gold, ids, data, L = _mrpc_slices()
    good = PredictionSet.from_probs("run good", ids, np.eye(2)[gold] * 0.8 + 0.1)
    bad = PredictionSet.from_probs("run bad", ids, np.tile([0.2, 0.8], (8, 1)))
    metrics = slice_metrics(data, [good, bad], min_n=6)
    view = slice_rows(metrics, "accuracy", highlight=["no_positives", "gone"])
    assert list(view.frame.index) == ["overall", "no_positives"]  # one row per slice, not per set and metric
    assert list(view.columns) == ["slice", "n", "small", "run good", "run good · 95% CI", "run bad",
                                  "run bad · 95% CI"]
    assert view.frame.loc["overall", "n"] == 8 and view.frame.loc["no_positives", "small"] == "few rows"
    assert view.frame.loc["overall", "run good"] == "1.000" and view.frame.loc["overall", "run bad"] == "0.250"
    assert view.frame.loc["overall", "run good · 95% CI"].startswith("[0.6")  # Wilson: never [1.000, 1.000]
    assert view.highlight == ("no_positives",)  # a slice just saved stands out; unknown names are ignored
    assert "wilson" in view.columns["run good · 95% CI"].help


def test_significance_is_a_mark_in_a_row_per_slice():
    rng = np.random.default_rng(0)
    n = 400
    gold = rng.integers(0, 2, n)
    ids = np.array([f"d:{i}" for i in range(n)])
    frame = pd.DataFrame({"example_id": ids, "split": "dev", "sentence1": "a", "sentence2": "b", "label": gold})
    data = SplitSlices(MRPC, frame, (np.arange(n) < 40)[:, None], ("few",))
    right = PredictionSet.from_probs("right", ids, np.eye(2)[gold] * 0.8 + 0.1)
    coin = PredictionSet.from_probs("coin", ids, np.eye(2)[rng.integers(0, 2, n)] * 0.8 + 0.1)
    view = comparison_rows(compare_table(data, coin, right, metrics=["accuracy"]), "accuracy")
    table = view.frame.set_index("slice")
    assert table.loc["overall", "significant"] == SIGNIFICANT and float(table.loc["overall", "p"]) < 0.05
    assert set(view.frame["significant"]) <= {SIGNIFICANT, ""}  # text, never a checkbox
    assert view.columns["A"].help == "accuracy of coin" and "McNemar" in view.columns["p"].help


def test_the_label_model_table_is_one_column_per_model():
    gold, ids, data, L = _mrpc_slices()
    comparison = score_weak_predictions(weak_predictions(L, ids, 2), gold, ("accuracy", "f1"))
    view = weak_comparison_view(comparison, ("accuracy", "f1"))
    wide = weak_comparison_table(comparison)
    assert list(view.frame.columns) == list(wide.index) and view.index
    assert list(view.frame.index) == ["accuracy", "accuracy (covered)", "f1", "f1 (covered)", "rows with gold",
                                      "covered rows", "coverage"]
    for model in wide.index:
        assert view.frame.loc["f1 (covered)", model] == wide.loc[model, "f1 (covered)"]
        assert view.frame.loc["rows with gold", model] == str(wide.loc[model, "n"])
    assert view.index_width + sum(c.width for c in view.columns.values()) <= 0.4 * CONTENT_PX  # the page's column


def test_summary_names_classes_and_puts_the_column_index_last():
    L = np.array([[1, 1], [1, 0], [-1, 0], [1, 1]], dtype=np.int8)
    summary = function_summary(L, ["says_buy", "polite"], np.array(["train", "train", "dev", "dev"]),
                               np.array([1, 0, 0, 1]), weights=np.array([0.9, 0.7]))
    view = summary_view(summary, ("ham", "spam"), highlight=["polite", "gone"])
    assert view.frame.loc["says_buy", "Polarity"] == "spam" and view.frame.loc["polite", "Polarity"] == "ham, spam"
    assert list(view.columns)[-1] == "j" and view.columns["j"].width <= 40
    assert view.highlight == ("polite",)
    widths = [view.index_width, *(c.width for c in view.columns.values())]
    assert sum(widths) <= CONTENT_PX  # every column in view at 1280 x 800
    assert view.height == fit_height(2)


def test_datasets_overview_keeps_the_fingerprint_last():
    overview = pd.DataFrame([{"dataset": "yt", "rows": 4, "train": 2, "dev": 1, "test": 1, "columns": "text",
                              "precomputed LFs": 0, "fingerprint": "abc", "source": "/data/yt"}])
    assert list(datasets_view(overview).columns)[-1] == "fingerprint"


def test_pages_of_a_long_table():
    frame = pd.DataFrame({"x": range(45)})
    first, last = page_of(frame, 1), page_of(frame, 99)
    assert (first.count, len(first.rows), first.label) == (3, 20, "rows 1-20 of 45")
    assert (last.number, last.rows["x"].tolist(), last.label) == (3, list(range(40, 45)), "rows 41-45 of 45")
    assert page_of(frame.iloc[:0], 2).label == "no rows"
