"""Prediction sets: one shape for anything that assigns classes or scores to a split's examples.

Majority vote, the label model, a stored training run's head and an uploaded file all become a
:class:`PredictionSet`, so per-slice metrics, error buckets and comparisons never care where predictions came from.
A set is immutable; :meth:`PredictionSet.align` returns a new one in a split's order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from mmtl_core.errors import PredictionsError

#: Tolerance on a row's probabilities summing to one (files rounded to 4 decimals still pass).
SUM_TOLERANCE = 1e-3
_FEW = 5


def few(values: object, k: int = _FEW) -> str:
    """The first few of ``values`` for a message: ``'a', 'b', 'c' ...``."""
    items = list(values)  # type: ignore[call-overload]
    shown = ", ".join(repr(str(v)) for v in items[:k])
    return shown + (" ..." if len(items) > k else "")


@dataclass(frozen=True, eq=False)
class PredictionSet:
    """Per-example predictions of one source for one split (derived arrays are computed once, then kept).

    Classification: ``probs`` is (n x K); a row of NaN means the source abstained on that example (an uploaded
    ``-1``); abstentions count as wrong in every metric. ``classes`` (n,), when given, is the class of each row as
    the source decided it (majority vote and the label model settle ties by the one rule of
    :mod:`mmtl_core.weak.predictions`); otherwise a row's class is its most probable one. Regression: ``scores`` is
    (n,). ``source`` says where the set came from (a file, a run) for messages.
    """

    name: str
    example_ids: np.ndarray
    probs: np.ndarray | None = None
    scores: np.ndarray | None = None
    source: str = field(default="")
    classes: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        where = self.source or self.name
        ids = np.asarray(self.example_ids).astype(str)
        object.__setattr__(self, "example_ids", ids)
        if (self.probs is None) == (self.scores is None):
            raise PredictionsError(f"{where}: give either probabilities or scores, not both or neither")
        values = self.probs if self.probs is not None else self.scores
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != (2 if self.probs is not None else 1) or len(values) != len(ids):
            raise PredictionsError(f"{where}: {len(ids)} example ids but predictions of shape {values.shape}")
        object.__setattr__(self, "probs" if self.probs is not None else "scores", values)
        if self.classes is not None:
            classes = np.asarray(self.classes, dtype=np.int64)
            k = values.shape[1] if self.probs is not None else 0
            if classes.shape != (len(ids),) or ((classes < -1) | (classes >= k)).any():
                raise PredictionsError(f"{where}: classes must be one class id 0..{k - 1} (or -1) per example")
            object.__setattr__(self, "classes", classes)

    # -- constructors -------------------------------------------------------------------------------------------
    @classmethod
    def from_probs(cls, name: str, example_ids: np.ndarray, probs: np.ndarray, source: str = "") -> "PredictionSet":
        """From class probabilities; checks they are probabilities (rows of NaN = abstained)."""
        ps = cls(name, example_ids, probs=probs, source=source)
        check_probabilities(ps.probs, ps.example_ids, source or name)  # type: ignore[arg-type]
        return ps

    @classmethod
    def from_scores(cls, name: str, example_ids: np.ndarray, scores: np.ndarray, source: str = "") -> "PredictionSet":
        ps = cls(name, example_ids, scores=scores, source=source)
        bad = np.flatnonzero(~np.isfinite(ps.scores))  # type: ignore[arg-type]
        if len(bad):
            raise PredictionsError(f"{source or name}: {len(bad)} score(s) are missing or not finite, first at row "
                                   f"{bad[0] + 1} (example_id {ps.example_ids[bad[0]]!r})")
        return ps

    @classmethod
    def from_labels(cls, name: str, example_ids: np.ndarray, labels: np.ndarray, cardinality: int,
                    source: str = "") -> "PredictionSet":
        """From hard class ids 0..K-1 (-1 = abstained), as one-hot probabilities."""
        labels = np.asarray(labels)
        bad = np.flatnonzero((labels < -1) | (labels >= cardinality))
        if len(bad):
            raise PredictionsError(f"{source or name}: {len(bad)} label(s) outside 0..{cardinality - 1} (or -1 for "
                                   f"abstain), first {labels[bad[0]].item()!r} at row {bad[0] + 1}")
        probs = np.full((len(labels), cardinality), np.nan)
        hit = labels >= 0
        probs[hit] = np.eye(cardinality)[labels[hit]]
        return cls(name, example_ids, probs=probs, source=source)

    # -- derived views ------------------------------------------------------------------------------------------
    @property
    def is_regression(self) -> bool:
        return self.scores is not None

    @property
    def cardinality(self) -> int:
        return 1 if self.probs is None else self.probs.shape[1]

    @cached_property
    def abstained(self) -> np.ndarray:
        if self.probs is None:
            return np.zeros(len(self.example_ids), dtype=bool)
        if self.classes is not None:
            return self.classes < 0
        return np.isnan(self.probs).all(axis=1)

    @cached_property
    def preds(self) -> np.ndarray:
        """Predicted class ids (``classes``, else the argmax; -1 where abstained), or the scores for regression."""
        if self.probs is None:
            return self.scores  # type: ignore[return-value]
        if self.classes is not None:
            return self.classes
        out = np.argmax(np.nan_to_num(self.probs, nan=-1.0), axis=1)
        return np.where(self.abstained, -1, out)

    @cached_property
    def confidence(self) -> np.ndarray:
        """Probability of the predicted class (NaN where abstained, and for regression)."""
        out = np.full(len(self.example_ids), np.nan)
        if self.probs is None:
            return out
        ok = np.flatnonzero(~self.abstained)
        out[ok] = self.probs[ok, self.preds[ok]]
        return out

    def __len__(self) -> int:
        return len(self.example_ids)

    @cached_property
    def ids_digest(self) -> str:
        """A hash of the ids in order: aligning to a split with the same digest is free."""
        return ids_digest(self.example_ids)

    # -- alignment ------------------------------------------------------------------------------------------------
    def align(self, expected_ids: np.ndarray, expected_digest: str | None = None) -> "PredictionSet":
        """The same predictions in the order of ``expected_ids`` (a split's ids in dataset order).

        ``expected_digest`` (:func:`ids_digest` of ``expected_ids``) skips the work when already aligned.
        Raises PredictionsError when the set has ids the split does not, or lacks some of the split's.
        """
        expected_ids = np.asarray(expected_ids).astype(str)
        if (expected_digest or ids_digest(expected_ids)) == self.ids_digest:
            return self
        expected = pd.Index(expected_ids)
        where = self.source or self.name
        if not expected.is_unique:
            raise PredictionsError(f"{where}: the expected example ids are not unique")
        pos = expected.get_indexer(self.example_ids)
        unknown = self.example_ids[pos < 0]
        if len(unknown):
            raise PredictionsError(f"{where}: {len(unknown)} example id(s) are not in this split: {few(unknown)}. "
                                   "The file must hold exactly the rows of the split it is scored on.")
        order = pd.Index(self.example_ids).get_indexer(expected)
        missing = expected[order < 0]
        if len(missing):
            raise PredictionsError(f"{where}: {len(missing)} example(s) of this split have no prediction (missing "
                                   f"rows): {few(missing)}")
        values = {"probs": self.probs[order]} if self.probs is not None else {"scores": self.scores[order]}  # type: ignore[index]
        classes = None if self.classes is None else self.classes[order]
        return PredictionSet(self.name, expected.to_numpy(), source=self.source, classes=classes, **values)


def ids_digest(example_ids: np.ndarray) -> str:
    """Order-sensitive hash of example ids (str arrays)."""
    ids = np.ascontiguousarray(np.asarray(example_ids).astype(str))
    return hashlib.blake2b(ids.tobytes() + str(ids.dtype).encode(), digest_size=16).hexdigest()


def check_probabilities(probs: np.ndarray, example_ids: np.ndarray, where: str) -> None:
    """Raise PredictionsError naming the first row that is not a probability vector (NaN rows = abstained)."""
    nan = np.isnan(probs)
    partial = np.flatnonzero(nan.any(1) & ~nan.all(1))
    if len(partial):
        i = partial[0]
        raise PredictionsError(f"{where}: row {i + 1} (example_id {example_ids[i]!r}) has missing probabilities; "
                               "give all of them, or none to mark an abstention")
    ok = ~nan.all(1)
    out_of_range = np.flatnonzero(ok & ((probs < 0) | (probs > 1)).any(1))
    if len(out_of_range):
        i = out_of_range[0]
        raise PredictionsError(f"{where}: row {i + 1} (example_id {example_ids[i]!r}) has probabilities outside "
                               f"[0, 1]: {probs[i].round(4).tolist()}")
    sums = np.where(ok, np.nansum(probs, axis=1), 1.0)
    bad = np.flatnonzero(np.abs(sums - 1) > SUM_TOLERANCE)
    if len(bad):
        i = bad[0]
        raise PredictionsError(f"{where}: probabilities do not sum to one in {len(bad)} row(s); first row {i + 1} "
                               f"(example_id {example_ids[i]!r}) sums to {sums[i]:.4f}")
