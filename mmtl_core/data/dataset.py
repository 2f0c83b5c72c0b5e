"""The in-memory dataset: one DataFrame with a stable ``example_id`` and a ``split`` per row, and a fingerprint."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mmtl_core.errors import DataError

#: Split names every loader maps onto (WRENCH's ``valid`` becomes ``dev``).
SPLITS = ("train", "dev", "test")


@dataclass(frozen=True, eq=False)
class Dataset:
    """A loaded dataset.

    ``frame`` has the columns ``example_id`` (str, unique, stable across loads of the same source) and ``split``
    (one of :data:`SPLITS`), then the source's own fields. ``label`` holds gold labels where the source has them:
    class ids 0..K-1 (``-1`` where unlabeled) or floats for regression (NaN where unlabeled).
    ``weak_labels`` is a precomputed label matrix aligned with ``frame``'s rows (WRENCH), else None.
    ``notes`` say what a user should know about how the source was read (blank lines skipped, splits made...).
    """

    name: str
    frame: pd.DataFrame
    label_names: tuple[str, ...] = ()
    weak_labels: np.ndarray | None = None
    weak_label_names: tuple[str, ...] = ()
    source: str = ""
    fingerprint: str = field(default="")
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        missing = [c for c in ("example_id", "split") if c not in self.frame.columns]
        if missing:
            raise DataError(f"dataset {self.name!r} has no column(s) {missing}; every loader must add them")
        if not self.fingerprint:
            object.__setattr__(self, "fingerprint", fingerprint(self.frame, self.weak_labels))

    def split(self, name: str) -> pd.DataFrame:
        """Rows of one split, in dataset order."""
        return self.frame[self.frame["split"] == name]

    @property
    def splits(self) -> tuple[str, ...]:
        present = set(self.frame["split"].unique())
        return tuple(s for s in SPLITS if s in present)

    def __len__(self) -> int:
        return len(self.frame)


def fingerprint(frame: pd.DataFrame, weak_labels: np.ndarray | None = None) -> str:
    """A short hash of the frame's content (values, column names and order): it changes whenever the data does."""
    h = hashlib.sha256()
    h.update("\x1f".join(map(str, frame.columns)).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    if weak_labels is not None:
        h.update(np.ascontiguousarray(weak_labels).tobytes())
    return h.hexdigest()[:16]


def make_example_ids(prefix: str, natural: pd.Series | None, n: int) -> pd.Series:
    """Stable ids ``prefix:key``: the source's own id where it has one, else the row's position in its file.

    Duplicated natural ids get ``#2``, ``#3``... in file order, so ids stay unique and stable.
    """
    keys = pd.Series(np.arange(n).astype(str)) if natural is None else natural.astype(str).reset_index(drop=True)
    dup = keys.groupby(keys).cumcount()
    keys = keys.where(dup == 0, keys + "#" + (dup + 1).astype(str))
    return prefix + ":" + keys
