"""lf_summary gives Snorkel's LFAnalysis numbers, vectorised; function_summary splits them train / dev."""

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from snorkel.labeling import LFAnalysis

from mmtl_core.weak import function_summary, lf_summary


def snorkel_summary(L, names, gold=None, weights=None):
    lfs = [SimpleNamespace(name=n) for n in names]  # LFAnalysis only reads .name
    with warnings.catch_warnings():
        # Snorkel 0.10 calls scipy.sparse.diags in a way current scipy deprecates; the reference, not our code.
        warnings.filterwarnings("ignore", "Input has data type", FutureWarning)
        return LFAnalysis(L, lfs).lf_summary(Y=gold, est_weights=weights)


def random_matrix(n=400, m=7, k=3, seed=0):
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, k, n)
    L = np.where(rng.random((n, m)) < 0.3, rng.integers(0, k, (n, m)), -1)
    L[:, 1] = np.where(rng.random(n) < 0.5, gold, -1)  # an accurate function
    L[:, 2] = np.where(L[:, 2] >= 0, 1, -1)  # one with a single polarity
    return L.astype(np.int8), gold


def assert_same_as_snorkel(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    assert list(ours.columns) == list(theirs.columns)
    assert list(ours.index) == list(theirs.index)
    assert ours["Polarity"].tolist() == theirs["Polarity"].tolist()
    for col in ours.columns.drop("Polarity"):
        np.testing.assert_allclose(ours[col].to_numpy(float), theirs[col].to_numpy(float), err_msg=col)


def test_summary_equals_snorkel_on_a_random_matrix():
    L, gold = random_matrix()
    names = [f"lf_{j}" for j in range(L.shape[1])]
    weights = np.linspace(0.5, 0.9, L.shape[1])
    assert_same_as_snorkel(lf_summary(L, names, gold, weights), snorkel_summary(L.astype(int), names, gold, weights))


def test_summary_without_gold_has_only_the_vote_columns():
    L, _ = random_matrix(k=2, seed=3)
    names = [f"lf_{j}" for j in range(L.shape[1])]
    ours = lf_summary(L, names)
    assert list(ours.columns) == ["j", "Polarity", "Coverage", "Overlaps", "Conflicts"]
    assert_same_as_snorkel(ours, snorkel_summary(L.astype(int), names))


def test_correct_and_incorrect_ignore_rows_without_gold_and_accuracy_is_empty_without_votes():
    L = np.array([[0, -1, -1], [0, 1, -1], [1, 1, -1], [1, -1, -1]], dtype=np.int8)
    gold = np.array([0, 0, 1, -1])  # the last row has no gold label
    ours = lf_summary(L, ["a", "b", "never"], gold)
    theirs = snorkel_summary(L.astype(int), ["a", "b", "never"], gold)
    assert ours["Correct"].tolist() == theirs["Correct"].tolist() == [3, 1, 0]
    assert ours["Incorrect"].tolist() == theirs["Incorrect"].tolist() == [0, 1, 0]
    # Snorkel counts a's vote on the unlabeled row as wrong (3/4) and gives 'never' 0; we do neither.
    assert ours["Emp. Acc."].iloc[0] == 1.0 and theirs["Emp. Acc."].iloc[0] == pytest.approx(3 / 4)
    assert np.isnan(ours.loc["never", "Emp. Acc."])


def test_conflicts_count_rows_where_two_functions_disagree():
    L = np.array([[0, 0, -1], [0, 1, -1], [-1, 1, 1], [1, -1, -1]], dtype=np.int8)
    s = lf_summary(L, ["a", "b", "c"])
    assert s["Overlaps"].tolist() == [0.5, 0.75, 0.25]
    assert s["Conflicts"].tolist() == [0.25, 0.25, 0.0]
    assert s["Polarity"].tolist() == [[0, 1], [0, 1], [1]]


def test_function_summary_takes_coverage_from_train_and_accuracy_from_dev():
    L = np.array([[0, -1], [0, 1], [-1, -1], [-1, -1], [0, 1], [1, -1], [-1, -1]], dtype=np.int8)
    split = np.array(["train", "train", "train", "train", "dev", "dev", "test"])
    gold = np.array([-1, -1, -1, -1, 0, 0, 1])
    s = function_summary(L, ["a", "b"], split, gold, weights=np.array([0.9, 0.6]))
    assert list(s.columns) == ["j", "Polarity", "Coverage", "Overlaps", "Conflicts", "Correct", "Incorrect",
                               "Emp. Acc.", "Dev coverage", "Learned Weight"]
    assert s["Coverage"].tolist() == [0.5, 0.25]  # train rows only
    assert s["Correct"].tolist() == [1, 0] and s["Incorrect"].tolist() == [1, 1]  # dev rows only
    assert s["Emp. Acc."].tolist() == [0.5, 0.0]
    assert s["Dev coverage"].tolist() == [1.0, 0.5]
    assert s["Learned Weight"].tolist() == [0.9, 0.6]
