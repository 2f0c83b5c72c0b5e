"""THE rule for weak predictions: what class majority vote and the label model give each row.

Every place that shows or uses a weak prediction (the Labeling functions page, the Slices page, the exported training
labels, the headless report, the trainer's ``labels: label_model``) takes it from :func:`weak_predictions`, so a row
gets the same class everywhere. The rule, as the pages state it, is :data:`PREDICTION_RULE`:

* probabilities: majority vote splits the row's probability evenly over its most-voted classes (Snorkel's
  ``MajorityLabelVoter``); the label model gives P(Y | votes) (its class prior where nothing voted);
* a class for every row: the most probable one; a tie (also a row no function votes on, where every class ties)
  goes to one of the tied classes by a fixed pseudo-random draw keyed by the row's example id. The draw does not
  depend on which other rows are scored, their order, or the refit, so a row keeps its class on every page;
  abstaining scores like a coin flip (chance), never better and never as a sure miss;
* covered rows are those at least one function votes on: the rows that become training labels.

Snorkel breaks ties by a hash of the row's *position*; two pages scoring different subsets of rows (all dev rows,
or only those with a gold label) therefore broke the same row's tie differently. Keying by the example id removes
that, and keeps Snorkel's "random" tie-break in distribution (WRENCH's published majority-vote figures use it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from mmtl_core.weak.matrix import class_counts, covered

MAJORITY_VOTE = "Majority vote"
LABEL_MODEL = "Label model"

#: The rule in one short paragraph, shown beside every figure of weak predictions.
PREDICTION_RULE = (
    "Both models predict every row: the most-voted class (majority vote) or the most probable one (label model). "
    "A tie, including a row no function votes on, goes to one of the tied classes by a fixed draw keyed by the "
    "example id: the same class on every page and after every refit, and no better than chance, so abstaining "
    "earns nothing. '(covered)' figures count only rows at least one function votes on; those rows are the "
    "exported training labels."
)

#: Probabilities closer than this count as tied (Snorkel's tolerance).
TIE_TOLERANCE = 1e-5


class ProbabilisticModel(Protocol):
    """What :func:`weak_predictions` needs of a label model (``LabelModelResult`` is one)."""

    def predict_proba(self, L: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True, eq=False)
class WeakPredictions:
    """One model's predictions on some rows, aligned with ``example_ids``."""

    model: str  # MAJORITY_VOTE or LABEL_MODEL
    example_ids: np.ndarray
    proba: np.ndarray  # n x K
    classes: np.ndarray  # n, int64: every row gets a class (see PREDICTION_RULE)
    covered: np.ndarray  # n, bool: at least one function voted

    def rows(self, mask: np.ndarray) -> "WeakPredictions":
        """The same predictions on a subset of rows (a boolean mask or indices): no row's class changes."""
        return WeakPredictions(self.model, self.example_ids[mask], self.proba[mask], self.classes[mask],
                               self.covered[mask])

    def __len__(self) -> int:
        return len(self.example_ids)


def majority_vote_proba(L: np.ndarray, cardinality: int) -> np.ndarray:
    """Snorkel's MajorityLabelVoter, vectorised: probability split evenly over the most-voted classes
    (over all classes where no function voted)."""
    counts = class_counts(np.asarray(L), cardinality)
    top = counts == counts.max(axis=1, keepdims=True) if counts.size else counts.astype(bool)
    return top / np.maximum(top.sum(axis=1, keepdims=True), 1)


def tie_draws(example_ids: np.ndarray) -> np.ndarray:
    """One fixed pseudo-random integer per example id (uint64), the same in every process and on every call."""
    return pd.util.hash_array(np.asarray(example_ids, dtype=object), categorize=False)


def decide(proba: np.ndarray, example_ids: np.ndarray, tol: float = TIE_TOLERANCE) -> np.ndarray:
    """The class of each row: its most probable class, a tie settled by :func:`tie_draws` of its example id."""
    proba = np.asarray(proba, dtype=np.float64)
    if proba.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    tied = np.abs(proba - proba.max(axis=1, keepdims=True)) < tol
    classes = tied.argmax(axis=1)
    n_tied = tied.sum(axis=1)
    rows = np.flatnonzero(n_tied > 1)
    if len(rows):
        pick = (tie_draws(np.asarray(example_ids)[rows]) % n_tied[rows].astype(np.uint64)).astype(np.int64)
        # The pick-th tied class of each row: the first column where the running count of tied classes passes it.
        classes[rows] = (np.cumsum(tied[rows], axis=1) > pick[:, None]).argmax(axis=1)
    return classes.astype(np.int64)


def weak_predictions(L: np.ndarray, example_ids: Sequence[str] | np.ndarray, cardinality: int,
                     label_model: ProbabilisticModel | None = None) -> dict[str, WeakPredictions]:
    """Majority vote's (always) and the label model's (when there is one) predictions on the rows of ``L``."""
    L = np.asarray(L)
    ids = np.asarray(example_ids)
    if ids.shape[0] != L.shape[0]:
        raise ValueError(f"{ids.shape[0]} example ids for {L.shape[0]} label matrix rows")
    is_covered = covered(L)
    probas = {MAJORITY_VOTE: majority_vote_proba(L, cardinality)}
    if label_model is not None:
        probas[LABEL_MODEL] = np.asarray(label_model.predict_proba(L), dtype=np.float64)
    return {name: WeakPredictions(name, ids, proba, decide(proba, ids), is_covered) for name, proba in probas.items()}


def labeling_model(predictions: dict[str, WeakPredictions]) -> WeakPredictions:
    """The predictions that become training labels: the label model's, or majority vote's while there is none."""
    return predictions[LABEL_MODEL] if LABEL_MODEL in predictions else predictions[MAJORITY_VOTE]
