"""Per-function statistics, Snorkel's ``LFAnalysis.lf_summary`` columns computed with whole-matrix numpy operations.

Snorkel builds a scipy sparse matrix and a sklearn confusion matrix per function; on 100k rows x 20 functions that
takes seconds, too slow to rerun on every save. The numbers here are the same (tests compare them with Snorkel's),
with two deliberate differences where Snorkel's would mislead a user:

* rows whose gold label is missing (-1) are left out of Emp. Acc. (Snorkel counts a vote there as wrong);
* Emp. Acc. is NaN, not 0, for a function with no vote on a gold-labeled row: no evidence is not "always wrong".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mmtl_core.weak.matrix import ABSTAIN

#: Shown beside :func:`function_summary`'s table in the UI, verbatim.
SUMMARY_NOTE = (
    "Polarity (the classes a function returns) and Coverage, Overlaps and Conflicts (fractions of rows) are measured "
    "on the train rows, the rows the label model learns from. "
    "Overlaps = rows this function votes on where another function votes too; Conflicts = rows this function votes "
    "on where two functions disagree. Correct, Incorrect and Emp. Acc. count this function's votes on dev rows "
    "with a gold label (Emp. Acc. = Correct / (Correct + Incorrect), empty when it never votes there); Dev coverage "
    "is the fraction of dev rows it votes on. Learned Weight is the label model's estimate of the function's "
    "accuracy, learned from the train rows without gold labels."
)


def _fraction(count: np.ndarray, total: int) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(count, dtype=np.float64) / total


def _row_agreement(L: np.ndarray, voted: np.ndarray, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: does more than one function vote (overlap), and do two votes differ (conflict)?"""
    overlap = np.count_nonzero(voted, axis=1) > 1
    distinct = np.zeros(L.shape[0], dtype=np.int32)
    for c in classes:
        distinct += (L == c).any(axis=1)
    return overlap, distinct > 1


def _polarities(L: np.ndarray, classes: np.ndarray) -> list[list[int]]:
    present = np.stack([(L == c).any(axis=0) for c in classes]) if len(classes) else np.zeros((0, L.shape[1]), bool)
    return [[int(c) for c in classes[present[:, j]]] for j in range(L.shape[1])]


def vote_counts_against_gold(L: np.ndarray, gold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(correct, incorrect) votes per function on rows with a gold label; abstains count in neither."""
    gold = np.asarray(gold).astype(np.int64).ravel()
    if gold.shape[0] != L.shape[0]:
        raise ValueError(f"gold has {gold.shape[0]} labels for {L.shape[0]} rows")
    scored = (L != ABSTAIN) & (gold >= 0)[:, None]
    correct = np.count_nonzero(scored & (L == gold[:, None]), axis=0)
    return correct, np.count_nonzero(scored, axis=0) - correct


def lf_summary(L: np.ndarray, names: Sequence[str], gold: np.ndarray | None = None,
               weights: np.ndarray | None = None) -> pd.DataFrame:
    """Snorkel's LF summary of ``L`` (all its rows), indexed by function name.

    Columns: j, Polarity (sorted classes the function outputs), Coverage, Overlaps, Conflicts (fractions of rows);
    with ``gold``: Correct, Incorrect, Emp. Acc.; with ``weights``: Learned Weight.
    """
    L = np.asarray(L)
    n, m = L.shape
    if len(names) != m:
        raise ValueError(f"{len(names)} names for {m} label matrix columns")
    voted = L != ABSTAIN
    classes = np.unique(L[voted])
    overlap_rows, conflict_rows = _row_agreement(L, voted, classes)
    data: dict[str, object] = {
        "j": np.arange(m),
        "Polarity": _polarities(L, classes),
        "Coverage": _fraction(np.count_nonzero(voted, axis=0), n),
        "Overlaps": _fraction(np.count_nonzero(voted & overlap_rows[:, None], axis=0), n),
        "Conflicts": _fraction(np.count_nonzero(voted & conflict_rows[:, None], axis=0), n),
    }
    if gold is not None:
        correct, incorrect = vote_counts_against_gold(L, gold)
        data["Correct"] = correct
        data["Incorrect"] = incorrect
        data["Emp. Acc."] = _fraction(correct, correct + incorrect)
    if weights is not None:
        data["Learned Weight"] = np.asarray(weights, dtype=np.float64).ravel()
    return pd.DataFrame(data, index=pd.Index(list(names), name="function"))


def function_summary(L: np.ndarray, names: Sequence[str], split: np.ndarray, gold: np.ndarray,
                     weights: np.ndarray | None = None) -> pd.DataFrame:
    """The summary the UI shows (see :data:`SUMMARY_NOTE`): Snorkel's columns with coverage-type numbers on the
    train rows, correctness on the dev rows' gold labels, plus ``Dev coverage`` and the label model's weights."""
    L = np.asarray(L)
    split = np.asarray(split)
    train, dev = split == "train", split == "dev"
    summary = lf_summary(L[train], names, weights=weights)
    L_dev = L[dev]
    correct, incorrect = vote_counts_against_gold(L_dev, np.asarray(gold)[dev])
    summary.insert(5, "Correct", correct)
    summary.insert(6, "Incorrect", incorrect)
    summary.insert(7, "Emp. Acc.", _fraction(correct, correct + incorrect))
    summary.insert(8, "Dev coverage", _fraction(np.count_nonzero(L_dev != ABSTAIN, axis=0), L_dev.shape[0]))
    return summary
