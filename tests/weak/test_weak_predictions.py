"""The one rule for weak predictions: every row gets a class, ties settled by the example id, the same class on any
subset of rows; both models scored on the same rows, all of them and the covered ones."""

import numpy as np
import pytest
from snorkel.labeling.model import MajorityLabelVoter

from mmtl_core.errors import TaskError
from mmtl_core.weak import (LABEL_MODEL, MAJORITY_VOTE, PREDICTION_RULE, LabelModelResult, fit_label_model,
                            majority_vote_proba, score_weak_predictions, weak_predictions)
from mmtl_core.weak.predictions import decide, tie_draws


class FixedModel:
    """Stands in for Snorkel's LabelModel with known probabilities per vote pattern, so the expected scores are
    known (a label model's output depends on a row's votes only)."""

    cardinality = 2

    def __init__(self, L, proba):
        self.proba = {tuple(row): p for row, p in zip(np.asarray(L).tolist(), proba)}

    def predict_proba(self, L):
        return np.array([self.proba[tuple(row)] for row in np.asarray(L).tolist()], dtype=float)


IDS = np.array([f"dev:{i}" for i in range(7)])
# Six dev rows with gold labels and a seventh without.
L_DEV = np.array([
    [0, 0, -1],    # gold 0: MV 0 right            LM 0 right
    [1, 1, 1],     # gold 1: MV 1 right            LM 1 right
    [-1, -1, -1],  # gold 0: nobody votes: a tie for both models
    [0, 1, -1],    # gold 1: MV tie                LM trusts the first function: 0 wrong
    [1, -1, -1],   # gold 0: MV 1 wrong            LM 1 wrong
    [-1, -1, -1],  # gold 1: nobody votes: a tie for both models
    [1, 1, 1],     # no gold label: not scored
], dtype=np.int8)
GOLD_DEV = np.array([0, 1, 0, 1, 0, 1, -1])
LM_PROBA = [[0.9, 0.1], [0.1, 0.9], [0.5, 0.5], [0.8, 0.2], [0.3, 0.7], [0.5, 0.5], [0.1, 0.9]]
LM = LabelModelResult(FixedModel(L_DEV, LM_PROBA), ("a", "b", "c"), np.ones(3), 0.0, np.full(3, 0.7))


def tie_class(example_id, tied=(0, 1)):
    """The class the rule gives a row whose tied classes are ``tied``: the draw of its id, modulo their number."""
    return tied[int(tie_draws(np.array([example_id]))[0] % len(tied))]


def test_ties_and_uncovered_rows_follow_the_example_id():
    preds = weak_predictions(L_DEV, IDS, 2, LM)
    assert list(preds) == [MAJORITY_VOTE, LABEL_MODEL]
    mv, lm = preds[MAJORITY_VOTE].classes, preds[LABEL_MODEL].classes
    assert mv[[0, 1, 4, 6]].tolist() == [0, 1, 1, 1] and lm[[0, 1, 3, 4, 6]].tolist() == [0, 1, 0, 1, 1]
    for row in (2, 3, 5):  # MV ties (row 3: one vote each way; rows 2 and 5: no vote at all)
        assert mv[row] == tie_class(IDS[row])
    for row in (2, 5):  # the label model's class prior is uniform: a tie too, settled alike
        assert lm[row] == tie_class(IDS[row])
    assert preds[MAJORITY_VOTE].covered.tolist() == [True, True, False, True, True, False, True]


def test_a_row_keeps_its_class_in_any_subset_and_order():
    rng = np.random.default_rng(0)
    L = np.where(rng.random((400, 4)) < 0.3, rng.integers(0, 3, (400, 4)), -1).astype(np.int8)
    ids = np.array([f"x:{i}" for i in range(400)])
    whole = weak_predictions(L, ids, 3)[MAJORITY_VOTE].classes
    order = rng.permutation(400)[:150]
    part = weak_predictions(L[order], ids[order], 3)[MAJORITY_VOTE].classes
    assert (part == whole[order]).all()
    assert (weak_predictions(L, ids, 3)[MAJORITY_VOTE].classes == whole).all()  # and on every call


def test_ties_are_spread_over_the_tied_classes_like_a_fair_draw():
    ids = np.array([f"row{i}" for i in range(3000)])
    classes = decide(np.full((3000, 3), 1 / 3), ids)
    assert (np.bincount(classes, minlength=3) / 3000).tolist() == pytest.approx([1 / 3] * 3, abs=0.03)
    # Only tied classes are drawn: with classes 0 and 2 tied, never 1.
    two = decide(np.tile([0.4, 0.2, 0.4], (3000, 1)), ids)
    assert set(two.tolist()) == {0, 2} and abs((two == 0).mean() - 0.5) < 0.03


def test_majority_vote_probabilities_equal_snorkels():
    rng = np.random.default_rng(0)
    L = np.where(rng.random((200, 4)) < 0.4, rng.integers(0, 3, (200, 4)), -1)
    np.testing.assert_allclose(majority_vote_proba(L, 3), MajorityLabelVoter(cardinality=3).predict_proba(L))


def test_both_models_are_scored_on_the_same_rows_all_and_covered():
    preds = weak_predictions(L_DEV, IDS, 2, LM)
    table = score_weak_predictions(preds, GOLD_DEV)
    mv, lm = preds[MAJORITY_VOTE].classes, preds[LABEL_MODEL].classes
    gold = GOLD_DEV[:6]
    assert list(table.index) == [MAJORITY_VOTE, LABEL_MODEL]
    assert table["n"].tolist() == [6, 6] and table["covered"].tolist() == [4, 4]
    assert table["Coverage"].tolist() == pytest.approx([4 / 6, 4 / 6])
    assert table["accuracy"].tolist() == pytest.approx([(mv[:6] == gold).mean(), (lm[:6] == gold).mean()])
    covered = np.array([0, 1, 3, 4])
    assert table["accuracy (covered)"].tolist() == pytest.approx(
        [(mv[covered] == gold[covered]).mean(), 2 / 4])
    assert table.attrs["note"] == PREDICTION_RULE


def test_task_metrics_are_supported_and_others_refused():
    preds = weak_predictions(L_DEV, IDS, 2, LM)
    table = score_weak_predictions(preds, GOLD_DEV, metrics=("f1", "accuracy"))
    assert list(table.columns) == ["n", "covered", "Coverage", "f1", "f1 (covered)", "accuracy",
                                   "accuracy (covered)"]
    with pytest.raises(TaskError, match="pearson"):
        score_weak_predictions(preds, GOLD_DEV, metrics=("pearson",))


def test_three_class_scoring_with_macro_f1():
    rng = np.random.default_rng(1)
    gold = rng.integers(0, 3, 300)
    L = np.stack([np.where(rng.random(300) < 0.6, np.where(rng.random(300) < 0.8, gold, (gold + 1) % 3), -1)
                  for _ in range(4)], axis=1).astype(np.int8)
    ids = np.array([f"r{i}" for i in range(300)])
    table = score_weak_predictions(weak_predictions(L, ids, 3, fit_label_model(L, 3, seed=0)), gold, ("macro_f1",))
    assert (table["macro_f1"] > 0.6).all()
    assert (table["macro_f1 (covered)"] >= table["macro_f1"]).all()


def test_no_rows_gives_an_empty_comparison_not_an_error():
    table = score_weak_predictions(weak_predictions(L_DEV[:0], IDS[:0], 2, LM), GOLD_DEV[:0])
    assert table["n"].tolist() == [0, 0] and table["accuracy"].isna().all()


def test_fewer_than_three_functions_fall_back_to_majority_vote():
    from mmtl_core.weak import weak_report

    L = np.array([[1, -1], [0, 0], [-1, -1], [1, 1], [0, -1]])
    split = np.array(["train", "train", "dev", "dev", "dev"])
    gold = np.array([-1, -1, 0, 1, 1])
    report = weak_report(L, ["a", "b"], split, gold, [f"e{i}" for i in range(5)], 2)
    assert report.label_model is None
    assert list(report.comparison.index) == [MAJORITY_VOTE]
    assert report.comparison.loc[MAJORITY_VOTE, "n"] == 3
    assert any("only majority vote is shown" in w for w in report.warnings)
    assert list(report.training_labels.frame["prob_1"]) == [1.0, 0.0]


def test_the_report_scores_dev_with_the_classes_it_gives_every_page():
    rng = np.random.default_rng(3)
    n = 600
    gold = rng.integers(0, 2, n)
    L = np.stack([np.where(rng.random(n) < 0.5, np.where(rng.random(n) < a, gold, 1 - gold), -1)
                  for a in (0.9, 0.8, 0.7, 0.6)], axis=1).astype(np.int8)
    split = np.where(np.arange(n) < 400, "train", "dev")
    ids = np.array([f"s:{i}" for i in range(n)])
    from mmtl_core.weak import weak_report

    report = weak_report(L, list("abcd"), split, np.where(split == "dev", gold, -1), ids, 2)
    dev = report.on_split("dev")
    assert (dev[LABEL_MODEL].example_ids == ids[400:]).all()
    again = score_weak_predictions(dev, gold[400:])
    assert again.equals(report.comparison)
    # Scoring by hand the classes a page is given reproduces the report's figures.
    assert report.comparison.loc[LABEL_MODEL, "accuracy"] == (dev[LABEL_MODEL].classes == gold[400:]).mean()
