"""One split as the slice analysis sees it: its rows, gold labels, slice memberships and labeling-function votes.

Built once per (task, dataset, split, applied functions) and passed to every analysis call, so shapes and names
are checked in one place and each call is a pure function of it and a prediction set.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import DataError, FunctionError
from mmtl_core.slices.predictions import ids_digest
from mmtl_core.tasks import Task

#: The name of the row scored on every example of the split.
OVERALL = "overall"


@dataclass(frozen=True, eq=False)
class SplitSlices:
    """``frame`` holds the split's rows in dataset order; ``S`` (n x s bool) and ``L`` (n x m int, -1 = abstain)
    are aligned with them. Build it with :meth:`of` from a dataset, or directly from arrays."""

    task: Task
    frame: pd.DataFrame
    S: np.ndarray
    slice_names: tuple[str, ...]
    L: np.ndarray | None = None
    lf_names: tuple[str, ...] = ()
    split: str = ""

    def __post_init__(self) -> None:
        n = len(self.frame)
        object.__setattr__(self, "frame", self.frame.reset_index(drop=True))
        object.__setattr__(self, "slice_names", tuple(self.slice_names))
        object.__setattr__(self, "lf_names", tuple(self.lf_names))
        S = np.asarray(self.S, dtype=bool).reshape(n, -1) if n else np.zeros((0, len(self.slice_names)), bool)
        if S.shape != (n, len(self.slice_names)):
            raise DataError(f"slice matrix of shape {np.shape(self.S)} does not fit {n} rows and "
                            f"{len(self.slice_names)} slice names")
        object.__setattr__(self, "S", S)
        _check_names(self.slice_names, "slicing")
        if OVERALL in self.slice_names:
            raise FunctionError(f"a slicing function may not be named {OVERALL!r}: that row is all examples",
                                function=OVERALL)
        if self.L is not None:
            if np.shape(self.L) != (n, len(self.lf_names)):
                raise DataError(f"label matrix of shape {np.shape(self.L)} does not fit {n} rows and "
                                f"{len(self.lf_names)} labeling function names")
            _check_names(self.lf_names, "labeling")
        missing = [f for f in (*self.task.text_fields, self.task.label_field) if f not in self.frame.columns]
        if missing:
            raise DataError(f"task {self.task.name!r}: split has no column(s) {missing}; "
                            f"columns: {list(self.frame.columns)}")

    @classmethod
    def of(cls, task: Task, dataset: Dataset, split: str, S: np.ndarray, slice_names: tuple[str, ...] | list[str],
           L: np.ndarray | None = None, lf_names: tuple[str, ...] | list[str] = ()) -> "SplitSlices":
        """``S`` and ``L`` may cover the whole dataset (as ``apply_functions`` returns them) or just the split."""
        mask = (dataset.frame["split"] == split).to_numpy()
        if not mask.any():
            raise DataError(f"dataset {dataset.name!r} has no {split!r} split; splits: {', '.join(dataset.splits)}")
        return cls(task, dataset.frame[mask], _rows(S, mask, "slice"), tuple(slice_names),
                   None if L is None else _rows(L, mask, "label"), tuple(lf_names), split)

    def with_slices(self, S: np.ndarray, slice_names: tuple[str, ...], *, votes: bool = True) -> "SplitSlices":
        """The same rows with other slices (``S`` aligned with them) and, unless ``votes`` is False, the same
        labeling-function votes; the derived arrays already computed (ids, their digest, gold labels) are shared,
        not computed again."""
        out = SplitSlices(self.task, self.frame, S, slice_names, self.L if votes else None,
                          self.lf_names if votes else (), self.split)
        for name in _DERIVED:
            if name in self.__dict__:  # where functools.cached_property keeps a computed value
                out.__dict__[name] = self.__dict__[name]
        return out

    # Derived arrays are computed once: every analysis call of a screen reads them.
    @cached_property
    def example_ids(self) -> np.ndarray:
        return self.frame["example_id"].astype(str).to_numpy().astype(str)

    @cached_property
    def ids_digest(self) -> str:
        return ids_digest(self.example_ids)

    @cached_property
    def gold(self) -> np.ndarray:
        """Gold labels (int class ids with -1 = unlabeled, or floats with NaN = unlabeled)."""
        y = self.frame[self.task.label_field]
        if self.task.is_regression:
            return pd.to_numeric(y, errors="coerce").to_numpy(dtype=np.float64)
        return y.fillna(-1).to_numpy().astype(np.int64)

    @cached_property
    def labeled(self) -> np.ndarray:
        """Rows with a gold label: only these are scored."""
        return np.isfinite(self.gold) if self.task.is_regression else self.gold >= 0

    def members(self, slice_name: str) -> np.ndarray:
        """Bool mask of a slice's rows (``overall``: every row)."""
        if slice_name == OVERALL:
            return np.ones(len(self.frame), dtype=bool)
        try:
            return self.S[:, self.slice_names.index(slice_name)]
        except ValueError:
            raise FunctionError(f"no slice named {slice_name!r}; slices: "
                                f"{', '.join((OVERALL, *self.slice_names))}", function=slice_name) from None


#: The cached properties of a SplitSlices that depend only on its rows and task, not on its slices or votes.
_DERIVED = ("example_ids", "ids_digest", "gold", "labeled")


def _rows(matrix: np.ndarray, mask: np.ndarray, what: str) -> np.ndarray:
    matrix = np.asarray(matrix)
    if len(matrix) == len(mask):
        return matrix[mask]
    if len(matrix) == int(mask.sum()):
        return matrix
    raise DataError(f"{what} matrix has {len(matrix)} rows; expected the dataset's {len(mask)} or the split's "
                    f"{int(mask.sum())} (was it computed on another version of the data? apply the functions again)")


def _check_names(names: tuple[str, ...], kind: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise FunctionError(f"two {kind} functions are named {name!r}; names must be unique", function=name)
        seen.add(name)
