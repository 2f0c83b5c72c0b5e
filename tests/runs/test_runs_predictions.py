"""A run's prediction and gold files: what training writes is what the Slices page, ensembles and compare read."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mmtl_core.errors import PredictionsError, TaskError
from mmtl_core.runs.columns import order_prob_columns, prob_columns
from mmtl_core.runs.predictions import read_gold, read_head_predictions, stored_heads, write_gold, write_predictions

IDS = np.array(["d:0", "d:1", "d:2", "d:3"])


def test_read_head_predictions_reads_the_training_layout(tmp_path):
    run = tmp_path / "20260101-000000-abc"
    (run / "predictions" / "RTE:dash_semicolon").mkdir(parents=True)
    pd.DataFrame({"example_id": IDS[::-1], "prob_0": [0.1, 0.6, 0.3, 0.8], "prob_1": [0.9, 0.4, 0.7, 0.2]}) \
        .to_parquet(run / "predictions" / "RTE:dash_semicolon" / "dev.parquet")
    ps = read_head_predictions(run, "RTE:dash_semicolon", "dev", expected_ids=IDS)
    assert ps.name == "20260101-000000-abc/RTE:dash_semicolon"
    assert ps.preds.tolist() == [0, 1, 0, 1]  # in the split's order, not the file's
    with pytest.raises(PredictionsError, match=r"no predictions for head 'MRPC'; heads with predictions: "
                                               r"RTE:dash_semicolon"):
        read_head_predictions(run, "MRPC", "dev")
    with pytest.raises(PredictionsError, match=r"no predictions on split 'test'; splits stored: dev"):
        read_head_predictions(run, "RTE:dash_semicolon", "test")


def test_regression_head_reads_scores(tmp_path):
    write_predictions(tmp_path, "STSB", "dev", IDS, np.array([1.0, 2.0, 3.0, 4.0]))
    ps = read_head_predictions(tmp_path, "STSB", "dev")
    assert ps.is_regression and ps.scores.tolist() == [1.0, 2.0, 3.0, 4.0]


def test_what_training_writes_reads_back_with_three_classes(tmp_path):
    probs = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]], dtype=np.float32)
    write_predictions(tmp_path, "nli3", "dev", IDS, probs)
    write_predictions(tmp_path, "nli3:short", "test", IDS, probs)
    ps = read_head_predictions(tmp_path, "nli3", "dev", expected_ids=IDS, name="run A")
    assert ps.name == "run A" and ps.cardinality == 3 and ps.preds.tolist() == [1, 0, 2, 2]
    assert stored_heads(tmp_path) == {"nli3": ("dev",), "nli3:short": ("test",)}


def test_gold_files_hold_labels_and_slice_membership_by_slice_column(tmp_path):
    write_gold(tmp_path, "RTE", "dev", IDS, np.array([0, 1, -1, 1]),
               {"pred_len": np.array([True, False, True, False])})
    gold = read_gold(tmp_path, "RTE", "dev")
    assert list(gold.columns) == ["label", "slice:pred_len"] and gold.index.tolist() == IDS.tolist()
    assert read_gold(tmp_path, "RTE", "test") is None


def test_probability_columns_are_named_by_class_and_read_in_class_order():
    assert prob_columns(2) == ["prob_0", "prob_1"]
    assert prob_columns(2, ("ham", "spam")) == ["prob_ham", "prob_spam"]
    assert order_prob_columns(["prob_spam", "prob_ham"], 2, ("ham", "spam"), "f.parquet") == ["prob_ham", "prob_spam"]
    assert order_prob_columns(["prob_1", "prob_0"], None, (), "f.parquet") == ["prob_0", "prob_1"]
    with pytest.raises(PredictionsError, match=r"f.parquet: missing probability column\(s\) \['prob_spam'\]"):
        order_prob_columns(["prob_ham", "prob_eggs"], 2, ("ham", "spam"), "f.parquet")
    with pytest.raises(TaskError, match="repeat"):
        prob_columns(2, ("a", "a"))
