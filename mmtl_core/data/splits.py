"""Making train/dev/test splits for a dataset without them (or whose user wants new ones).

Sizes are exact (fractions of the labeled rows are rounded once, by largest remainder, so they always add up),
dev and test are stratified by label where there is one, and the choice is seeded: a row's place depends on a
hash of the seed and its example id, so the same seed gives the same splits on every machine and in any row
order. Rows without a gold label go to train (dev and test exist to be scored).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import DataError


@dataclass(frozen=True)
class SplitPlan:
    """Dev and test sizes: fractions of the labeled rows (train gets the rest), or row counts when ``counts``."""

    dev: float = 0.1
    test: float = 0.1
    counts: bool = False
    seed: int = 0
    stratify: bool = True  # keep each class's share in every split (classification labels only)

    def __post_init__(self) -> None:
        for name in ("dev", "test"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise DataError(f"split size {name!r} must be a number >= 0, got {value!r}")
            if self.counts and value != int(value):
                raise DataError(f"split size {name!r} must be a whole number of rows, got {value!r}")
        if not self.counts and self.dev + self.test >= 1:
            raise DataError(f"dev ({self.dev:g}) and test ({self.test:g}) fractions must leave some rows for "
                            "train (together below 1)")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise DataError(f"split seed must be an integer, got {self.seed!r}")

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> "SplitPlan":
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(options) - known)
        if unknown:
            raise DataError(f"splits: no setting {unknown[0]!r}; the settings are {', '.join(sorted(known))}")
        return cls(**options)

    def to_options(self) -> dict[str, Any]:
        return asdict(self)


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` that add up to ``total`` exactly (largest remainder; ties go to the
    earlier weight)."""
    weights = np.asarray(weights, dtype=float)
    if total == 0 or weights.sum() == 0:
        return np.zeros(len(weights), np.int64)
    quota = total * weights / weights.sum()
    out = np.floor(quota).astype(np.int64)
    extra = total - int(out.sum())
    out[np.argsort(-(quota - out), kind="stable")[:extra]] += 1
    return out


def split_sizes(n: int, plan: SplitPlan) -> tuple[int, int, int]:
    """(train, dev, test) row counts for ``n`` labeled rows."""
    if plan.counts:
        dev, test = int(plan.dev), int(plan.test)
        if dev + test > n:
            raise DataError(f"dev ({dev}) and test ({test}) ask for {dev + test} rows, but only {n} rows have a gold "
                            "label (rows without one stay in train)")
        return n - dev - test, dev, test
    train, dev, test = apportion(n, np.array([1 - plan.dev - plan.test, plan.dev, plan.test]))
    return int(train), int(dev), int(test)


def _rank(ids: pd.Series, seed: int) -> np.ndarray:
    """A seeded pseudo-random key per row that depends only on its id (not on row order or the machine)."""
    salt = f"{seed}\x1f".encode()
    return np.fromiter((int.from_bytes(hashlib.blake2b(salt + str(i).encode(), digest_size=8).digest(), "big")
                        for i in ids), np.uint64, count=len(ids))


def assign_splits(frame: pd.DataFrame, plan: SplitPlan, label_field: str = "label") -> np.ndarray:
    """The split of every row of ``frame`` (which has ``example_id`` and, where the data has gold labels,
    ``label_field``: class ids with -1 unlabeled, or floats with NaN unlabeled)."""
    label = frame[label_field] if label_field in frame.columns else pd.Series(np.nan, index=frame.index)
    regression = label.dtype.kind == "f"
    labeled = (label.notna() if regression else label >= 0).to_numpy()
    if not labeled.any():
        raise DataError("cannot make dev and test splits: no row has a gold label (rows without one go to train)")
    _, dev_n, test_n = split_sizes(int(labeled.sum()), plan)
    groups = label.to_numpy() if plan.stratify and not regression else np.zeros(len(frame), np.int64)
    classes, sizes = np.unique(groups[labeled], return_counts=True)
    held = apportion(dev_n + test_n, sizes)  # dev + test rows of each class
    dev = apportion(dev_n, held)
    out = np.full(len(frame), "train", dtype=object)
    rank = _rank(frame["example_id"], plan.seed)
    for c, d, h in zip(classes, dev, held):
        rows = np.flatnonzero(labeled & (groups == c))
        rows = rows[np.argsort(rank[rows], kind="stable")]
        out[rows[:d]] = "dev"
        out[rows[d:h]] = "test"
    return out


def with_splits(dataset: Dataset, plan: SplitPlan) -> Dataset:
    """``dataset`` with its ``split`` column replaced by splits made as ``plan`` says."""
    frame = dataset.frame.assign(split=assign_splits(dataset.frame, plan))
    how = (f"{int(plan.dev)} dev and {int(plan.test)} test rows" if plan.counts else
           f"{plan.dev:.0%} dev and {plan.test:.0%} test")
    stratified = plan.stratify and "label" in frame.columns and frame["label"].dtype.kind in "iu"
    note = f"splits made: {how} of the labeled rows, seed {plan.seed}" + (", stratified by label" if stratified
                                                                          else "")
    return replace(dataset, frame=frame, fingerprint="", notes=(*dataset.notes, note))
