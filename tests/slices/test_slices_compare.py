"""Paired comparisons of two prediction sets: exact McNemar for accuracy, paired bootstrap otherwise."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mmtl_core.slices import (Comparison, IntervalSettings, PredictionSet, SplitSlices, compare_many,
                              compare_on_slice, compare_table)
from mmtl_core.tasks import GLUE_TASKS

GOLD = np.zeros(10, dtype=int)
A = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 1])  # right on rows 0-2
B = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 1])  # right on rows 1-8: 6 rows only B gets, 1 row only A gets


def split(task, gold, S, names):
    n = len(gold)
    frame = pd.DataFrame({"example_id": [f"e{i}" for i in range(n)], "split": "dev", "sentence1": "p",
                          "sentence2": "h", "label": gold})
    return SplitSlices(task, frame, S, names)


@pytest.fixture
def data():
    S = np.zeros((10, 3), dtype=bool)
    S[:5, 0] = True
    S[1:3, 2] = True  # rows both sets call negative, as gold does: F1 has no positives to score
    return split(GLUE_TASKS["MRPC"], GOLD, S, ("first_five", "nothing", "true_negatives"))


def labels(name, preds):
    return PredictionSet.from_labels(name, [f"e{i}" for i in range(len(preds))], preds, 2)


def test_exact_mcnemar_on_a_hand_checked_case(data):
    result = compare_on_slice(data, labels("a", A), labels("b", B), metric="accuracy")
    assert isinstance(result, Comparison)
    assert (result.n, result.a_only_correct, result.b_only_correct, result.n_discordant) == (10, 1, 6, 7)
    assert (result.metric_a, result.metric_b, result.diff) == pytest.approx((0.3, 0.8, 0.5))
    # Two-sided binomial test of 6 of 7 discordant pairs: 2 * (C(7,6) + C(7,7)) / 2**7 = 0.125.
    assert result.p_value == pytest.approx(0.125)
    assert result.p_value == pytest.approx(stats.binomtest(6, 7, 0.5).pvalue)
    assert result.test == "exact McNemar" and result.ci_method == "newcombe"
    assert result.ci_low <= 0.5 <= result.ci_high


def test_swapping_sets_flips_the_difference_not_the_p_value(data):
    ab = compare_on_slice(data, labels("a", A), labels("b", B), metric="accuracy")
    ba = compare_on_slice(data, labels("b", B), labels("a", A), metric="accuracy")
    assert ba.diff == pytest.approx(-ab.diff) and ba.p_value == pytest.approx(ab.p_value)
    assert (ba.ci_low, ba.ci_high) == pytest.approx((-ab.ci_high, -ab.ci_low))


def test_identical_sets_do_not_differ(data):
    result = compare_on_slice(data, labels("a", A), labels("a2", A), metric="f1")
    assert result.diff == 0 and result.p_value == 1.0 and result.n_discordant == 0
    assert result.test == "paired bootstrap" and (result.ci_low, result.ci_high) == (0.0, 0.0)


def test_paired_bootstrap_detects_a_clear_f1_gain_and_is_seeded():
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 2, 300)
    weak = np.where(rng.random(300) < 0.6, gold, 1 - gold)
    strong = np.where(rng.random(300) < 0.9, gold, 1 - gold)
    data = split(GLUE_TASKS["MRPC"], gold, np.ones((300, 1), bool), ("everything",))
    settings = IntervalSettings(n_boot=500, seed=1)
    r1 = compare_on_slice(data, labels("weak", weak), labels("strong", strong), metric="f1", settings=settings)
    r2 = compare_on_slice(data, labels("weak", weak), labels("strong", strong), metric="f1", settings=settings)
    assert r1 == r2
    assert 0 < r1.ci_low <= r1.diff <= r1.ci_high and r1.p_value < 0.01


def test_table_over_all_slices_with_an_empty_one(data):
    table = compare_table(data, labels("a", A), labels("b", B), settings=IntervalSettings(n_boot=200))
    assert list(zip(table["slice"], table["metric"])) == [
        ("overall", "f1"), ("overall", "accuracy"), ("first_five", "f1"), ("first_five", "accuracy"),
        ("nothing", "f1"), ("nothing", "accuracy"), ("true_negatives", "f1"), ("true_negatives", "accuracy")]
    empty = table[table["slice"] == "nothing"]
    assert (empty["n"] == 0).all() and (empty["note"] == "empty").all() and empty["p_value"].isna().all()
    undefined = table[(table["slice"] == "true_negatives") & (table["metric"] == "f1")].iloc[0]
    assert undefined["note"] == "undefined on this slice" and pd.isna(undefined["diff"])
    assert table.loc[table["slice"] != "true_negatives", "note"].isin(["", "empty"]).all()
    five = table[(table["slice"] == "first_five") & (table["metric"] == "accuracy")].iloc[0]
    assert (five["a_only_correct"], five["b_only_correct"]) == (1, 2)


def test_regression_comparison_uses_the_paired_bootstrap():
    rng = np.random.default_rng(2)
    gold = rng.random(200) * 5
    data = split(GLUE_TASKS["STSB"], gold, np.ones((200, 1), bool), ("all_rows",))
    ids = data.example_ids
    close = PredictionSet.from_scores("close", ids, gold + rng.normal(0, 0.5, 200))
    noisy = PredictionSet.from_scores("noisy", ids, gold + rng.normal(0, 3, 200))
    result = compare_on_slice(data, noisy, close, metric="spearman", settings=IntervalSettings(n_boot=300))
    assert result.test == "paired bootstrap" and result.n_discordant is None
    assert result.diff > 0 and result.ci_low > 0 and result.p_value < 0.01


def test_exact_mcnemar_equals_scipys_binomial_test():
    from scipy import stats

    from mmtl_core.slices.compare import _mcnemar_exact

    for a_only in range(0, 40, 3):
        for b_only in range(0, 40, 4):
            expected = 1.0 if a_only + b_only == 0 else stats.binomtest(b_only, a_only + b_only, 0.5).pvalue
            assert _mcnemar_exact(a_only, b_only) == pytest.approx(expected, rel=1e-9)


def test_newcombe_interval_on_published_paired_tables():
    """Fagerland, Lydersen and Laake's worked examples of Newcombe's square-and-add interval for paired
    proportions (rows: the first measurement right/wrong, columns: the second): Bentur et al. 2009, [[1, 1], [7, 12]]
    gives -0.286 (-0.507 to -0.026); Cavo et al. 2012, [[59, 6], [16, 80]] gives -0.062 (-0.119 to -0.005)."""
    from mmtl_core.slices.compare import newcombe_paired

    for (both, first_only), (second_only, neither), (low, high) in (
            ((1, 1), (7, 12), (-0.5069, -0.0256)), ((59, 6), (16, 80), (-0.1186, -0.0046))):
        n = both + first_only + second_only + neither
        # B is the first measurement, A the second: the difference is accuracy_b - accuracy_a
        got = newcombe_paired(n, both + second_only, both + first_only, second_only, first_only)
        assert got == pytest.approx((low, high), abs=1e-4)


def test_newcombe_does_not_collapse_when_the_sets_agree_everywhere():
    """Two sets right on all 10 examples of a slice: the bootstrap would say [0, 0]; Newcombe says how far apart
    they could still be (Wilson's lower end for 10 of 10 is 0.7225)."""
    same = compare_on_slice(split(GLUE_TASKS["RTE"], GOLD, np.ones((10, 1), bool), ("all",)),
                            labels("a", GOLD), labels("b", GOLD), metric="accuracy")
    assert same.diff == 0 and same.p_value == 1.0
    assert (same.ci_low, same.ci_high) == pytest.approx((-0.2775, 0.2775), abs=1e-4)


def test_many_sets_at_once_read_as_each_pair_alone(data):
    others = [labels("b", B), labels("a2", A), labels("c", np.zeros(10, int))]
    many = compare_many(data, labels("a", A), others, settings=IntervalSettings(n_boot=200))
    assert list(many["name_b"].unique()) == ["b", "a2", "c"]
    for other in others:
        alone = compare_table(data, labels("a", A), other, settings=IntervalSettings(n_boot=200))
        pd.testing.assert_frame_equal(many[many["name_b"] == other.name].reset_index(drop=True), alone)
