"""Prediction sets from arrays and uploaded files; every bad file gets a message naming it (stored runs: tests/runs)."""

import numpy as np
import pandas as pd
import pytest

from mmtl_core.errors import PredictionsError
from mmtl_core.slices import PredictionSet
from mmtl_core.slices.prediction_files import read_task_predictions
from mmtl_core.tasks import GLUE_TASKS, Task

RTE = GLUE_TASKS["RTE"]  # entailment, not_entailment
STSB = GLUE_TASKS["STSB"]
IDS = np.array(["d:0", "d:1", "d:2", "d:3"])


def write(tmp_path, frame, name="preds.csv"):
    path = tmp_path / name
    if name.endswith(".parquet"):
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    return path


def test_preds_confidence_and_abstentions():
    probs = np.array([[0.2, 0.8], [0.9, 0.1], [np.nan, np.nan]])
    ps = PredictionSet.from_probs("mv", IDS[:3], probs)
    assert ps.preds.tolist() == [1, 0, -1]
    assert ps.confidence[:2].tolist() == [0.8, 0.9] and np.isnan(ps.confidence[2])
    assert ps.cardinality == 2 and not ps.is_regression


def test_from_labels_is_one_hot_and_keeps_abstentions():
    ps = PredictionSet.from_labels("lf", IDS[:3], np.array([2, -1, 0]), cardinality=3)
    assert ps.preds.tolist() == [2, -1, 0]
    assert ps.probs[0].tolist() == [0, 0, 1]


def test_align_reorders_to_the_split_and_leaves_the_original_alone():
    ps = PredictionSet.from_scores("r", IDS[::-1], np.array([3.0, 2.0, 1.0, 0.0]))
    aligned = ps.align(IDS)
    assert aligned.scores.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert ps.example_ids.tolist() == IDS[::-1].tolist()


def test_file_with_numbered_probabilities_is_aligned_to_the_split(tmp_path):
    path = write(tmp_path, pd.DataFrame({"example_id": IDS[::-1], "prob_0": [0.1, 0.2, 0.7, 0.6],
                                         "prob_1": [0.9, 0.8, 0.3, 0.4]}))
    ps = read_task_predictions(path, RTE, IDS)
    assert ps.name == "preds"
    assert ps.example_ids.tolist() == IDS.tolist()
    assert ps.preds.tolist() == [0, 0, 1, 1]


def test_file_with_label_named_probabilities_in_any_column_order(tmp_path):
    path = write(tmp_path, pd.DataFrame({"example_id": IDS, "prob_not_entailment": [0.9, 0.2, 0.3, 0.4],
                                         "prob_entailment": [0.1, 0.8, 0.7, 0.6]}), "p.parquet")
    assert read_task_predictions(path, RTE, IDS).preds.tolist() == [1, 0, 0, 0]


@pytest.mark.parametrize("column", ["label", "pred"])
def test_file_with_hard_labels_as_ids_or_names(tmp_path, column):
    ids = write(tmp_path, pd.DataFrame({"example_id": IDS, column: [0, 1, -1, 1]}), "ids.csv")
    names = write(tmp_path, pd.DataFrame({"example_id": IDS, column: ["entailment", "not_entailment",
                                                                       "entailment", "entailment"]}), "names.csv")
    assert read_task_predictions(ids, RTE, IDS).preds.tolist() == [0, 1, -1, 1]
    assert read_task_predictions(names, RTE, IDS).preds.tolist() == [0, 1, 0, 0]


def test_regression_file(tmp_path):
    path = write(tmp_path, pd.DataFrame({"example_id": IDS, "score": [0.5, 4.0, 2.5, 1.0]}))
    ps = read_task_predictions(path, STSB, IDS)
    assert ps.is_regression and ps.preds.tolist() == [0.5, 4.0, 2.5, 1.0]


@pytest.mark.parametrize(("frame", "expected"), [
    (pd.DataFrame({"example_id": ["d:0", "d:1", "d:2", "d:3", "x:9", "x:8"], "label": [0] * 6}),
     r"2 example id\(s\) are not in this split: 'x:9', 'x:8'"),
    (pd.DataFrame({"example_id": ["d:0", "d:1"], "label": [0, 1]}),
     r"2 example\(s\) of this split have no prediction \(missing rows\): 'd:2', 'd:3'"),
    (pd.DataFrame({"example_id": IDS, "prob_0": [0.5, 0.5, 0.5, 0.5], "prob_1": [0.5, 0.5, 0.7, 0.5]}),
     r"do not sum to one in 1 row\(s\); first row 3 \(example_id 'd:2'\) sums to 1.2000"),
    (pd.DataFrame({"example_id": IDS, "prob_0": [0.2] * 4, "prob_1": [0.3] * 4, "prob_2": [0.5] * 4}),
     r"wrong number of classes: found 3 probability column\(s\) \(prob_0, prob_1, prob_2\), expected 2 for "
     r"task RTE"),
    (pd.DataFrame({"example_id": IDS, "label": [0, 1, 2, 1]}),
     r"1 label\(s\) out of range, first 2 at row 3; expected 0..1 or one of \['entailment', 'not_entailment'\]"),
    (pd.DataFrame({"example_id": IDS, "label": ["entailment", "maybe", "entailment", "entailment"]}),
     r"out of range, first 'maybe' at row 2"),
    (pd.DataFrame({"example_id": IDS, "guess": [0, 1, 0, 1]}),
     r"missing prediction columns; .* found columns: \['example_id', 'guess'\]"),
    (pd.DataFrame({"id": IDS, "label": [0, 1, 0, 1]}), r"missing column 'example_id'; found columns: \['id', "),
    (pd.DataFrame({"example_id": ["d:0", "d:0", "d:1"], "label": [0, 1, 0]}), r"appear more than once: 'd:0'"),
    (pd.DataFrame({"example_id": IDS, "prob_0": [0.1, "high", 0.2, 0.3], "prob_1": [0.9, 0.1, 0.8, 0.7]}),
     r"column 'prob_0' row 2 is not a number: 'high'"),
    (pd.DataFrame({"example_id": IDS, "prob_0": [1.5, 0.5, 0.5, 0.5], "prob_1": [-0.5, 0.5, 0.5, 0.5]}),
     r"row 1 \(example_id 'd:0'\) has probabilities outside \[0, 1\]"),
    (pd.DataFrame({"example_id": IDS, "prob_yes": [0.5] * 4, "prob_no": [0.5] * 4}),
     r"missing probability column\(s\) \['prob_entailment', 'prob_not_entailment'\]"),
])
def test_bad_classification_files_name_the_file_and_the_problem(tmp_path, frame, expected):
    path = write(tmp_path, frame, "upload.csv")
    with pytest.raises(PredictionsError, match=expected) as info:
        read_task_predictions(path, RTE, IDS)
    assert str(path) in str(info.value)


def test_regression_file_without_scores_lists_the_columns(tmp_path):
    path = write(tmp_path, pd.DataFrame({"example_id": IDS, "prob_0": [1.0] * 4}))
    with pytest.raises(PredictionsError, match=r"missing column 'score' .*found columns: \['example_id', 'prob_0'\]"):
        read_task_predictions(path, STSB, IDS)


def test_unreadable_or_unsupported_files(tmp_path):
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(PredictionsError, match=r"broken.parquet: cannot read the file"):
        read_task_predictions(bad, RTE, IDS)
    with pytest.raises(PredictionsError, match=r"preds.xlsx: unsupported file type '.xlsx'; use one of .csv"):
        read_task_predictions(tmp_path / "preds.xlsx", RTE, IDS)
    with pytest.raises(PredictionsError, match=r"missing.csv: file not found"):
        read_task_predictions(tmp_path / "missing.csv", RTE, IDS)


def test_three_class_file(tmp_path):
    task = Task("nli3", "d", ("sentence1", "sentence2"), cardinality=3, label_names=("e", "n", "c"))
    path = write(tmp_path, pd.DataFrame({"example_id": IDS, "prob_e": [0.2, 0.3, 0.5, 1.0],
                                         "prob_n": [0.7, 0.3, 0.25, 0.0], "prob_c": [0.1, 0.4, 0.25, 0.0]}))
    assert read_task_predictions(path, task, IDS).preds.tolist() == [1, 2, 0, 0]
