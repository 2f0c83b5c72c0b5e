"""Majority vote and the label model are scored on the same dev rows, abstains and ties counted, not skipped."""

import numpy as np
import pytest
from snorkel.labeling.model import MajorityLabelVoter
from snorkel.utils import probs_to_preds

from mmtl_core.errors import TaskError
from mmtl_core.weak import (SCORING_NOTE, LabelModelResult, break_ties, compare_label_models, fit_label_model,
                            majority_vote_proba)


class FixedModel:
    """Stands in for Snorkel's LabelModel with known probabilities, so the expected scores are known."""

    cardinality = 2

    def __init__(self, proba):
        self.proba = np.asarray(proba, dtype=float)

    def predict_proba(self, L):
        return self.proba[: len(L)]


# Six dev rows with gold labels and a seventh without. Ties are broken by Snorkel's hash of the row position:
# with two tied classes, row 2 gets class 0, row 3 class 1, row 5 class 0.
L_DEV = np.array([
    [0, 0, -1],    # gold 0: MV 0 right            LM 0 right
    [1, 1, 1],     # gold 1: MV 1 right            LM 1 right
    [-1, -1, -1],  # gold 0: nobody votes -> tie -> 0, right for both
    [0, 1, -1],    # gold 1: MV tie -> 1 right     LM trusts the first function: 0 wrong
    [1, -1, -1],   # gold 0: MV 1 wrong            LM 1 wrong
    [-1, -1, -1],  # gold 1: nobody votes -> tie -> 0, wrong for both
    [1, 1, 1],     # no gold label: not scored
], dtype=np.int8)
GOLD_DEV = np.array([0, 1, 0, 1, 0, 1, -1])
LM_PROBA = [[0.9, 0.1], [0.1, 0.9], [0.5, 0.5], [0.8, 0.2], [0.3, 0.7], [0.5, 0.5]]


def test_both_models_are_scored_on_every_dev_row_with_abstains_and_ties_counted():
    lm = LabelModelResult(FixedModel(LM_PROBA), ("a", "b", "c"), np.ones(3), 0.0)
    table = compare_label_models(L_DEV, GOLD_DEV, lm)
    assert list(table.index) == ["Majority vote", "Label model"]
    assert table["n"].tolist() == [6, 6] and table["covered"].tolist() == [4, 4]
    assert table["Coverage"].tolist() == pytest.approx([4 / 6, 4 / 6])
    assert table["accuracy"].tolist() == pytest.approx([4 / 6, 3 / 6])
    assert table["accuracy (covered)"].tolist() == pytest.approx([3 / 4, 2 / 4])
    assert table.attrs["note"] == SCORING_NOTE and "same rows" in SCORING_NOTE


def test_task_metrics_are_supported_and_others_refused():
    lm = LabelModelResult(FixedModel(LM_PROBA), ("a", "b", "c"), np.ones(3), 0.0)
    table = compare_label_models(L_DEV, GOLD_DEV, lm, metrics=("f1", "accuracy"))
    # MV predicts 0,1,0,1,1,0 for gold 0,1,0,1,0,1: tp 2, fp 1, fn 1 -> F1 = 4/6.
    assert table.loc["Majority vote", "f1"] == pytest.approx(4 / 6)
    assert "f1 (covered)" in table.columns and "accuracy" in table.columns
    with pytest.raises(TaskError, match="pearson"):
        compare_label_models(L_DEV, GOLD_DEV, lm, metrics=("pearson",))


def test_three_class_scoring_with_macro_f1():
    rng = np.random.default_rng(1)
    gold = rng.integers(0, 3, 300)
    L = np.stack([np.where(rng.random(300) < 0.6, np.where(rng.random(300) < 0.8, gold, (gold + 1) % 3), -1)
                  for _ in range(4)], axis=1).astype(np.int8)
    table = compare_label_models(L, gold, fit_label_model(L, 3, seed=0), metrics=("macro_f1",))
    assert (table["macro_f1"] > 0.6).all()
    assert (table["macro_f1 (covered)"] >= table["macro_f1"]).all()


def test_tie_break_and_majority_vote_equal_snorkels():
    rng = np.random.default_rng(0)
    L = np.where(rng.random((200, 4)) < 0.4, rng.integers(0, 3, (200, 4)), -1)
    ours = majority_vote_proba(L, 3)
    np.testing.assert_allclose(ours, MajorityLabelVoter(cardinality=3).predict_proba(L))
    np.testing.assert_array_equal(break_ties(ours), probs_to_preds(ours, tie_break_policy="random"))


def test_no_dev_rows_gives_an_empty_comparison_not_an_error():
    lm = fit_label_model(L_DEV[:6], 2, seed=0)
    table = compare_label_models(L_DEV[:0], GOLD_DEV[:0], lm)
    assert table["n"].tolist() == [0, 0] and table["accuracy"].isna().all()


def test_fewer_than_three_functions_fall_back_to_majority_vote():
    from mmtl_core.weak import weak_report

    L = np.array([[1, -1], [0, 0], [-1, -1], [1, 1], [0, -1]])
    split = np.array(["train", "train", "dev", "dev", "dev"])
    gold = np.array([-1, -1, 0, 1, 1])
    report = weak_report(L, ["a", "b"], split, gold, [f"e{i}" for i in range(5)], 2)
    assert report.label_model is None
    assert list(report.comparison.index) == ["Majority vote"]
    assert report.comparison.loc["Majority vote", "n"] == 3
    assert any("only majority vote is shown" in w for w in report.warnings)
    assert list(report.training_labels.frame["prob_1"]) == [1.0, 0.0]
