"""Checks and small vectorised views of a label matrix L (n rows x m functions, -1 = abstain)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mmtl_core.errors import FunctionError, TaskError

ABSTAIN = -1


def check_label_matrix(L: np.ndarray, names: Sequence[str], cardinality: int) -> np.ndarray:
    """Return ``L`` as a 2-D integer array, or raise naming the function whose votes do not fit the task.

    A function returning ``2`` for a two-class task is the user's bug, not ours, so it is a FunctionError.
    """
    L = np.asarray(L)
    if L.ndim != 2:
        raise TaskError(f"a label matrix must be 2-D (rows x functions), got shape {L.shape}")
    if L.shape[1] != len(names):
        raise TaskError(f"the label matrix has {L.shape[1]} column(s) but {len(names)} function name(s) were given")
    if cardinality < 2:
        raise TaskError(f"weak supervision needs a classification task with K >= 2 classes, not K = {cardinality}")
    if not np.issubdtype(L.dtype, np.integer):
        raise TaskError(f"a label matrix must hold integer class ids, not {L.dtype}")
    bad = (L < ABSTAIN) | (L >= cardinality)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise FunctionError(
            f"labeling function {names[col]!r} returned {int(L[row, col])} at row {int(row)}; it must return a "
            f"class id 0..{cardinality - 1} or -1 (ABSTAIN)", function=names[col])
    return L


def class_counts(L: np.ndarray, cardinality: int) -> np.ndarray:
    """``counts[i, k]`` = how many functions voted class k on row i (n x K)."""
    counts = np.empty((L.shape[0], cardinality), dtype=np.int32)
    for k in range(cardinality):
        counts[:, k] = np.count_nonzero(L == k, axis=1)
    return counts


def covered(L: np.ndarray) -> np.ndarray:
    """Rows at least one function voted on."""
    return (L != ABSTAIN).any(axis=1)


def distinct_rows(L: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct vote patterns of ``L`` (its distinct rows), each row's pattern, and how many rows show each:
    ``patterns[inverse] == L``. 100k rows of 20 functions hold a few thousand patterns, so whatever depends on a
    row only through its votes is computed once per pattern.
    """
    L = np.asarray(L)
    n, m = L.shape
    if m == 0 or n == 0:  # no votes to tell rows apart: one pattern (or none)
        return L[:1], np.zeros(n, dtype=np.int64), np.array([n] if n else [], dtype=np.int64)
    base = int(L.max(initial=ABSTAIN)) + 2  # votes -1..K-1 shifted to 0..K
    if m * np.log2(base) < 62:
        # One int64 per row (its votes as digits in base K+1): sorting integers beats sorting rows.
        keys = np.zeros(n, dtype=np.int64)
        for j in range(m):
            keys = keys * base + (L[:, j].astype(np.int64) + 1)
        _, first, inverse, counts = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
        return L[first], inverse, counts
    patterns, inverse, counts = np.unique(L, axis=0, return_inverse=True, return_counts=True)
    return patterns, inverse.ravel(), counts
