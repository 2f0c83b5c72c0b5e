"""Task metrics by name. Every metric takes gold and predictions for the same rows and returns a float.

Classification metrics take predicted class ids (``probs.argmax(1)``); regression metrics take scores. An empty
input gives NaN, never an exception: callers show it as empty (with its n of 0).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import stats


def accuracy(gold: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean(gold == pred)) if len(gold) else float("nan")


def f1(gold: np.ndarray, pred: np.ndarray) -> float:
    """Binary F1 of class 1 (GLUE's MRPC convention)."""
    tp = np.sum((pred == 1) & (gold == 1))
    fp = np.sum((pred == 1) & (gold != 1))
    fn = np.sum((pred != 1) & (gold == 1))
    denom = 2 * tp + fp + fn
    return float(2 * tp / denom) if denom else float("nan")


def macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    classes = np.union1d(gold, pred)
    if not len(classes):
        return float("nan")
    scores = []
    for c in classes:
        tp = np.sum((pred == c) & (gold == c))
        denom = 2 * tp + np.sum((pred == c) & (gold != c)) + np.sum((pred != c) & (gold == c))
        scores.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(scores))


def matthews_corrcoef(gold: np.ndarray, pred: np.ndarray) -> float:
    """Multi-class Matthews correlation (Gorodkin's R_K); 0 when either side is constant, as sklearn does."""
    if not len(gold):
        return float("nan")
    classes, inv = np.unique(np.concatenate([gold, pred]), return_inverse=True)
    k = len(classes)
    g, p = inv[: len(gold)], inv[len(gold):]
    cm = np.bincount(g * k + p, minlength=k * k).reshape(k, k).astype(np.float64)
    t, pk, c, s = cm.sum(1), cm.sum(0), np.trace(cm), cm.sum()
    denom = np.sqrt((s**2 - pk @ pk) * (s**2 - t @ t))
    return float((c * s - t @ pk) / denom) if denom else 0.0


def pearson(gold: np.ndarray, pred: np.ndarray) -> float:
    if len(gold) < 2 or np.ptp(gold) == 0 or np.ptp(pred) == 0:
        return float("nan")
    return float(stats.pearsonr(gold, pred)[0])


def spearman(gold: np.ndarray, pred: np.ndarray) -> float:
    if len(gold) < 2 or np.ptp(gold) == 0 or np.ptp(pred) == 0:
        return float("nan")
    return float(stats.spearmanr(gold, pred)[0])


CLASSIFICATION_METRICS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "accuracy": accuracy,
    "f1": f1,
    "macro_f1": macro_f1,
    "matthews_corrcoef": matthews_corrcoef,
}
REGRESSION_METRICS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "pearson": pearson,
    "spearman": spearman,
}
METRICS = {**CLASSIFICATION_METRICS, **REGRESSION_METRICS}


def get_metric(name: str) -> Callable[[np.ndarray, np.ndarray], float]:
    try:
        return METRICS[name]
    except KeyError:
        raise ValueError(f"unknown metric {name!r}; known metrics: {', '.join(sorted(METRICS))}") from None
