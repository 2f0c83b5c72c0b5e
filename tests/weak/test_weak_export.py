"""Probabilistic training labels: covered train rows only, one probability column per class, Parquet round trip."""

import numpy as np
import pandas as pd
import pytest

from mmtl_core.errors import TaskError, WorkspaceError
from mmtl_core.weak import (LABEL_MODEL, export_training_labels, fit_label_model, training_labels,
                            weak_predictions)

L_TRAIN = np.array([[0, 0, -1], [1, 1, 1], [-1, -1, -1], [0, -1, 0], [1, 1, -1], [-1, -1, -1]], dtype=np.int8)
IDS = np.array([f"yt:{i}" for i in range(6)])


def label_model_predictions(cardinality=2):
    return weak_predictions(L_TRAIN, IDS, cardinality, fit_label_model(L_TRAIN, cardinality, seed=0))[LABEL_MODEL]


def test_uncovered_rows_are_dropped_and_counted(tmp_path):
    labels = training_labels(label_model_predictions(), label_names=("ham", "spam"))
    assert labels.dropped == 2 and "2 train row(s)" in labels.note and labels.classes == (0, 1)
    assert list(labels.frame.columns) == ["example_id", "prob_ham", "prob_spam"]
    assert labels.frame["example_id"].tolist() == ["yt:0", "yt:1", "yt:3", "yt:4"]
    np.testing.assert_allclose(labels.frame[["prob_ham", "prob_spam"]].sum(axis=1), 1.0)
    assert (labels.frame["prob_ham"].to_numpy()[[0, 2]] > 0.5).all()  # rows voted 0
    assert (labels.frame["prob_spam"].to_numpy()[[1, 3]] > 0.5).all()  # rows voted 1

    path = export_training_labels(tmp_path / "labels" / "spam.parquet", labels)
    pd.testing.assert_frame_equal(pd.read_parquet(path), labels.frame)
    assert [p.name for p in path.parent.iterdir()] == ["spam.parquet"]  # no temporary file left behind


def test_classes_without_names_are_numbered():
    labels = training_labels(label_model_predictions(3))
    assert list(labels.frame.columns) == ["example_id", "prob_0", "prob_1", "prob_2"]


def test_label_names_must_fit_the_classes():
    with pytest.raises(TaskError, match="3 label names for 2 classes"):
        training_labels(label_model_predictions(), label_names=("a", "b", "c"))


def test_unwritable_destination_is_a_workspace_error(tmp_path):
    labels = training_labels(label_model_predictions())
    (tmp_path / "file").write_text("x")
    with pytest.raises(WorkspaceError, match="cannot write training labels"):
        export_training_labels(tmp_path / "file" / "labels.parquet", labels)
