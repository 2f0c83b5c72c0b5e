"""One way to write a number: an undefined metric reads "undefined" in every table, whatever set it belongs to."""

import numpy as np
import pandas as pd

from mmtl_core.slices import PredictionSet, SplitSlices, compare_table, slice_metrics
from mmtl_core.studio.display import (comparison_table, interval_text, metric_text, slice_table,
                                      weak_comparison_table)
from mmtl_core.tasks import GLUE_TASKS
from mmtl_core.weak import score_weak_predictions, weak_predictions

MRPC = GLUE_TASKS["MRPC"]  # f1 and accuracy


def test_values_intervals_and_missing_ones():
    assert metric_text(0.93333) == "0.933" and metric_text(np.nan) == "undefined" and metric_text(None) == "undefined"
    assert metric_text(np.nan, n=0) == "empty" and metric_text(pd.NA, n=5) == "undefined"
    assert interval_text(0.1, 0.25) == "[0.100, 0.250]" and interval_text(np.nan, 0.2) == ""


def test_an_undefined_metric_reads_the_same_for_a_weak_set_and_a_run():
    # A 5-row slice with no positive example: F1 is undefined for every prediction set (today: the label model
    # showed f1 0.000 [0.000, 0.000] and a run "None").
    gold = np.array([0, 0, 0, 0, 0, 1, 1, 0])
    ids = np.array([f"d:{i}" for i in range(8)])
    frame = pd.DataFrame({"example_id": ids, "split": "dev", "sentence1": "a", "sentence2": "b", "label": gold})
    data = SplitSlices(MRPC, frame, (np.arange(8) < 5)[:, None], ("no_positives",))
    L = np.array([[0, -1], [0, 0], [-1, 0], [0, -1], [0, 0], [1, 1], [1, -1], [-1, -1]], dtype=np.int8)
    mv = weak_predictions(L, ids, 2)["Majority vote"]
    weak = PredictionSet("Majority vote", ids, probs=mv.proba, classes=mv.classes)
    run = PredictionSet.from_probs("run r1", ids, np.tile([0.9, 0.1], (8, 1)))
    table = slice_table(slice_metrics(data, [weak, run]))
    f1 = table[(table["slice"] == "no_positives") & (table["metric"] == "f1")]
    assert f1["value"].tolist() == ["undefined", "undefined"] and f1["interval"].tolist() == ["", ""]
    compared = comparison_table(compare_table(data, weak, run))
    row = compared[(compared["slice"] == "no_positives") & (compared["metric"] == "f1")].iloc[0]
    assert (row["metric_a"], row["metric_b"], row["diff"]) == ("undefined",) * 3
    covered = weak_comparison_table(score_weak_predictions({"Majority vote": mv.rows(np.arange(5))}, gold[:5],
                                                           ("f1", "accuracy")))
    assert covered.loc["Majority vote", "f1"] == "undefined"
    assert covered.loc["Majority vote", "accuracy"] == metric_text((mv.classes[:5] == 0).mean())
