"""Classification metrics computed from confusion counts, vectorised over any leading axes.

Why counts: accuracy, F1 and Matthews correlation depend on the examples only through the gold x predicted
counts. Resampling n rows with replacement gives counts distributed as Multinomial(n, counts / n), so one
multinomial draw per resample replaces gathering an (n_boot x n) index matrix: the same bootstrap distribution,
at a cost independent of the slice size.

Counts have shape ``(..., K, K + 1)``: rows are gold classes 0..K-1, columns predicted classes 0..K-1 and, last,
"abstained" (prediction -1). An abstention counts as wrong, as in :mod:`mmtl_core.metrics`, so every prediction
set is scored on the same denominator. Every function here returns what :mod:`mmtl_core.metrics` returns for the
same rows (tests check this), NaN where the metric is undefined.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def confusion_counts(gold: np.ndarray, pred: np.ndarray, cardinality: int) -> np.ndarray:
    """(K, K+1) counts of gold class x predicted class (last column: abstained)."""
    k = cardinality
    col = np.where(pred < 0, k, pred)
    return np.bincount(gold * (k + 1) + col, minlength=k * (k + 1)).reshape(k, k + 1)


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def accuracy_from_counts(c: np.ndarray) -> np.ndarray:
    k = c.shape[-2]
    correct = np.trace(c[..., :, :k], axis1=-2, axis2=-1)
    return _safe_div(correct, c.sum(axis=(-2, -1)))


def f1_from_counts(c: np.ndarray) -> np.ndarray:
    """F1 of class 1 (GLUE's MRPC convention)."""
    tp = c[..., 1, 1]
    denom = c[..., :, 1].sum(-1) + c[..., 1, :].sum(-1)  # = 2tp + fp + fn
    return _safe_div(2 * tp, denom)


def macro_f1_from_counts(c: np.ndarray) -> np.ndarray:
    """Mean F1 over the classes present in gold or predictions; abstaining counts as a class scoring 0, as
    :func:`mmtl_core.metrics.macro_f1` does with the label -1."""
    k = c.shape[-2]
    tp = np.diagonal(c[..., :, :k], axis1=-2, axis2=-1)
    denom = c[..., :, :k].sum(-2) + c.sum(-1)
    per_class = np.where(denom > 0, 2 * tp / np.where(denom > 0, denom, 1), 0.0)
    present = (denom > 0).sum(-1) + (c[..., :, k].sum(-1) > 0)
    return _safe_div(per_class.sum(-1), present)


def mcc_from_counts(c: np.ndarray) -> np.ndarray:
    """Multi-class Matthews correlation; 0 when either side is constant, NaN when empty."""
    k = c.shape[-2]
    c = c.astype(np.float64)
    t = np.concatenate([c.sum(-1), np.zeros(c.shape[:-2] + (1,))], axis=-1)  # gold counts (none abstain)
    p = c.sum(-2)  # predicted counts, abstained last
    s = c.sum(axis=(-2, -1))
    correct = np.trace(c[..., :, :k], axis1=-2, axis2=-1)
    denom = np.sqrt((s**2 - (p * p).sum(-1)) * (s**2 - (t * t).sum(-1)))
    num = correct * s - (t * p).sum(-1)
    out = np.where(denom > 0, num / np.where(denom > 0, denom, 1), 0.0)
    return np.where(s > 0, out, np.nan)


COUNT_METRICS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "accuracy": accuracy_from_counts,
    "f1": f1_from_counts,
    "macro_f1": macro_f1_from_counts,
    "matthews_corrcoef": mcc_from_counts,
}


def bootstrap_counts(counts: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``n_boot`` resampled count tables of the same shape as ``counts`` (which must hold at least one row)."""
    flat = counts.reshape(-1)
    n = int(flat.sum())
    keep = np.flatnonzero(flat)  # cells never seen stay at zero; drawing only the others is cheaper
    draws = np.zeros((n_boot, flat.size), dtype=np.int64)
    draws[:, keep] = rng.multinomial(n, flat[keep] / n, size=n_boot)
    return draws.reshape((n_boot,) + counts.shape)


#: Jeffreys' prior: half an example in every cell of a confusion table that can be filled.
JEFFREYS = 0.5


def posterior_tables(counts: np.ndarray, n_draws: int, rng: np.random.Generator, possible: np.ndarray,
                     prior: float = JEFFREYS) -> np.ndarray:
    """``n_draws`` confusion tables of cell probabilities drawn from their posterior given ``counts`` (one slice's
    table), a Dirichlet(counts + prior) over the ``possible`` cells (False: a cell that cannot be filled, such as
    "abstained" for a set that never abstains, stays 0).

    The metrics here are ratios of cells, so a table of probabilities scores like one of counts. Unlike resampling
    the rows, a slice where every prediction is right still draws some wrong ones: its interval says how wrong the
    model could be at that n, instead of collapsing to a point.
    """
    alpha = np.where(possible, counts + prior, 0.0).reshape(-1)
    keep = np.flatnonzero(alpha)
    draws = np.zeros((n_draws, alpha.size))
    gammas = rng.standard_gamma(alpha[keep], size=(n_draws, len(keep)))
    draws[:, keep] = gammas / gammas.sum(axis=1, keepdims=True)
    return draws.reshape((n_draws,) + counts.shape)
