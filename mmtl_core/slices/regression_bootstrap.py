"""Bootstrap replicates of Pearson and Spearman correlations, all resamples at once.

A resample is represented by its weights: how often each row was drawn (an (n_boot x n) matrix that sums to n
per row). Weighted moments then give every replicate's Pearson r with matrix products, and Spearman's rho is the
weighted Pearson r of mid-ranks, which weighted cumulative sums give without sorting each resample.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def bootstrap_weights(n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """(n_boot, n) float weights: the number of times each row is drawn in each resample."""
    idx = rng.integers(0, n, size=(n_boot, n))
    flat = (idx + (np.arange(n_boot) * n)[:, None]).ravel()
    return np.bincount(flat, minlength=n_boot * n).reshape(n_boot, n).astype(np.float64)


def weighted_pearson(w: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson r per row of weights; ``x``/``y`` are (n,) or (n_boot, n). NaN where either side is constant.

    A few weighted sums with only two (n_boot x n) temporaries: this is the hot loop of regression intervals.
    """
    # Centre on the unweighted mean first: it keeps the raw sums small, so the subtractions stay accurate.
    x = np.broadcast_to(x - x.mean(axis=-1, keepdims=True), w.shape)
    y = np.broadcast_to(y - y.mean(axis=-1, keepdims=True), w.shape)
    total = w.sum(-1)
    wx, wy = w * x, w * y
    sx, sy = wx.sum(-1), wy.sum(-1)
    sxx_raw, syy_raw = np.einsum("ij,ij->i", wx, x), np.einsum("ij,ij->i", wy, y)
    sxx, syy = sxx_raw - sx * sx / total, syy_raw - sy * sy / total
    sxy = np.einsum("ij,ij->i", wx, y) - sx * sy / total
    # A resample whose values are all equal leaves only round-off in sxx or syy: r is undefined there.
    constant = (sxx <= 1e-10 * sxx_raw) | (syy <= 1e-10 * syy_raw)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(constant, np.nan, sxy / np.sqrt(np.where(constant, 1, sxx * syy)))


def weighted_midranks(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Mid-rank of each row's value within each weighted resample (ties share their average rank)."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    group_of_sorted = np.cumsum(np.r_[True, xs[1:] != xs[:-1]]) - 1
    group = np.empty_like(group_of_sorted)
    group[order] = group_of_sorted
    wg = np.add.reduceat(w[:, order], starts, axis=1)  # weight of each distinct value
    below = np.cumsum(wg, axis=1) - wg
    mid = below + (wg + 1) / 2
    return mid[:, group]


def pearson_replicates(gold: np.ndarray, pred: np.ndarray, w: np.ndarray) -> np.ndarray:
    return weighted_pearson(w, gold, pred)


def spearman_replicates(gold: np.ndarray, pred: np.ndarray, w: np.ndarray) -> np.ndarray:
    return weighted_pearson(w, weighted_midranks(w, gold), weighted_midranks(w, pred))


REPLICATES: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]] = {
    "pearson": pearson_replicates,
    "spearman": spearman_replicates,
}
