"""The statistics under every per-slice number: Wilson intervals, count-based metrics, bootstrap replicates."""

import numpy as np
import pytest
from scipy import stats

from mmtl_core import metrics
from mmtl_core.slices.count_metrics import COUNT_METRICS, bootstrap_counts, confusion_counts, posterior_tables
from mmtl_core.slices.intervals import percentile_interval, wilson_interval
from mmtl_core.slices.regression_bootstrap import REPLICATES


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    # Hand-checked (Wilson 1927; e.g. Newcombe 1998 Table I, and the R package binom's "wilson" method).
    (8, 10, 0.4902, 0.9433),
    (0, 5, 0.0, 0.4345),
    (10, 10, 0.7225, 1.0),
    (81, 263, 0.2553, 0.3662),  # Newcombe 1998, example (81/263)
])
def test_wilson_interval_matches_published_values(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_wilson_interval_of_nothing_is_undefined_not_an_error():
    assert all(np.isnan(wilson_interval(0, 0)))


def test_percentile_interval_leaves_out_undefined_replicates():
    values = np.r_[np.arange(1, 101, dtype=float), [np.nan] * 50]
    lo, hi = percentile_interval(values, level=0.9)
    assert (lo, hi) == pytest.approx((5.95, 95.05))
    assert all(np.isnan(percentile_interval(np.full(10, np.nan))))


@pytest.mark.parametrize("k", [2, 3])
def test_count_metrics_equal_the_task_metrics_with_abstentions(k):
    rng = np.random.default_rng(k)
    for trial in range(300):
        n = int(rng.integers(1, 25))
        gold = rng.integers(0, k, n)
        pred = rng.integers(-1 if trial % 2 else 0, k, n)  # every other trial has abstentions (-1)
        counts = confusion_counts(gold, pred, k)
        for name, from_counts in COUNT_METRICS.items():
            assert from_counts(counts) == pytest.approx(metrics.get_metric(name)(gold, pred), nan_ok=True), name


def test_count_metrics_are_vectorised_over_resamples():
    counts = np.array([[[5, 1, 0], [2, 4, 0]], [[0, 0, 0], [0, 0, 0]]])
    assert COUNT_METRICS["accuracy"](counts)[0] == pytest.approx(9 / 12)
    assert np.isnan(COUNT_METRICS["accuracy"](counts)[1])  # an empty table is undefined, never an exception


def test_bootstrap_counts_keep_n_and_are_seeded():
    counts = np.array([[30, 5, 1], [4, 60, 0]])
    a = bootstrap_counts(counts, 500, np.random.default_rng(1))
    b = bootstrap_counts(counts, 500, np.random.default_rng(1))
    assert a.shape == (500, 2, 3) and (a.sum(axis=(1, 2)) == 100).all()
    assert (a == b).all()
    assert (a[:, 1, 2] == 0).all()  # a cell never seen is never drawn
    # Resampling rows: each cell's mean is its count.
    assert a.mean(0) == pytest.approx(counts, abs=1.5)


def test_posterior_tables_are_seeded_and_center_on_the_counts():
    counts = np.array([[30, 5, 0], [4, 60, 0]])
    possible = np.array([[True, True, False], [True, True, False]])  # a set that never abstains
    a = posterior_tables(counts, 4000, np.random.default_rng(1), possible)
    assert (a == posterior_tables(counts, 4000, np.random.default_rng(1), possible)).all()
    assert a.shape == (4000, 2, 3) and np.allclose(a.sum(axis=(1, 2)), 1.0)
    assert (a[:, :, 2] == 0).all()  # an impossible cell is never drawn
    # Each cell's posterior mean is (count + 1/2) / (n + 2): Jeffreys' half example per possible cell.
    assert a.mean(0)[:, :2] == pytest.approx((counts[:, :2] + 0.5) / 101, abs=0.005)
    # A cell never seen still gets some probability: that is what keeps intervals off the boundary.
    assert (a[:, 0, 1] > 0).all() and posterior_tables(np.array([[9, 0, 0], [0, 0, 0]]), 10,
                                                      np.random.default_rng(0), possible)[:, 1, 1].min() > 0


@pytest.mark.parametrize("name", ["pearson", "spearman"])
def test_weighted_replicates_equal_scipy_on_the_same_resamples(name):
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 6, 40).astype(float)  # many ties, as in STS-B's scores
    pred = gold + rng.normal(size=40)
    idx = rng.integers(0, 40, size=(4, 40))
    weights = np.stack([np.bincount(i, minlength=40) for i in idx]).astype(float)
    scipy_fn = stats.pearsonr if name == "pearson" else stats.spearmanr
    expected = [scipy_fn(gold[i], pred[i])[0] for i in idx]
    assert REPLICATES[name](gold, pred, weights) == pytest.approx(expected)
