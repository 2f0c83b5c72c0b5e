"""Turning a column of raw label values into class ids 0..K-1 (-1 = unlabeled) or regression floats.

Work is done on the column's distinct values (a label column has few), then spread back to the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from mmtl_core.errors import DataError

#: Raw values read as "no label" (test rows, an unlabeled pool).
MISSING = ("", "-1", "nan", "NaN", "None", "null")


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """Row codes into the distinct values, the distinct values as stripped strings, and which of them are missing."""
    codes, uniques = pd.factorize(values.reset_index(drop=True), use_na_sentinel=False)
    raw = pd.Series(uniques, dtype=object)
    missing = (raw.isna() | raw.astype(str).str.strip().isin(MISSING)).to_numpy(copy=True)
    return codes, raw.astype(str).str.strip(), missing


def _first_bad(codes: np.ndarray, bad: np.ndarray) -> tuple[int, int]:
    rows = np.flatnonzero(bad[codes])
    return int(rows[0]), len(rows)


def encode_labels(values: pd.Series, label_names: Sequence[str] | None, where: Callable[[int], str]
                  ) -> tuple[np.ndarray, tuple[str, ...]]:
    """Class ids for ``values`` and the label names they index.

    With ``label_names`` a value is one of the names or an id 0..K-1. Without them, integer values are ids
    (names ``"0".."K-1"``) and strings are numbered in sorted order. ``where(i)`` locates row ``i`` in messages
    (file and line). Missing values become -1.
    """
    codes, raw, missing = _distinct(values)
    num = pd.to_numeric(raw, errors="coerce")
    if label_names is None:
        present, ints = raw[~missing], num[~missing]
        if len(present) and ints.notna().all() and (ints == ints.round()).all() and ints.min() >= 0:
            label_names = tuple(str(i) for i in range(int(ints.max()) + 1))
        else:
            label_names = tuple(sorted(present.unique()))
    names = tuple(str(n) for n in label_names)
    by_name = raw.map({n: i for i, n in enumerate(names)})
    by_id = num.where((num == num.round()) & (num >= 0) & (num < len(names)))
    ids = by_name.fillna(by_id).to_numpy(dtype=float)
    bad = ~missing & np.isnan(ids)
    if bad.any():
        i, n = _first_bad(codes, bad)
        raise DataError(f"{where(i)}: label {str(values.iloc[i])!r} is not one of {list(names)} "
                        f"(or a class id 0..{len(names) - 1}, or -1 / empty for unlabeled)"
                        + (f"; {n} rows have such labels" if n > 1 else ""))
    return np.where(missing, -1, np.nan_to_num(ids, nan=-1)).astype(np.int64)[codes], names


def encode_scores(values: pd.Series, where: Callable[[int], str]) -> np.ndarray:
    """Regression targets as floats; missing values (but not a real -1 score) become NaN."""
    codes, raw, missing = _distinct(values)
    missing = missing & ~raw.eq("-1").to_numpy()
    num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad = ~missing & np.isnan(num)
    if bad.any():
        i, _ = _first_bad(codes, bad)
        raise DataError(f"{where(i)}: score {str(values.iloc[i])!r} is not a number")
    return np.where(missing, np.nan, num)[codes]


def looks_like_scores(values: pd.Series) -> bool:
    """True when the present values are numbers and some are not integers (a regression target)."""
    _, raw, missing = _distinct(values)
    f = pd.to_numeric(raw[~missing], errors="coerce")
    return bool(len(f)) and bool(f.notna().all()) and not (f == f.round()).all()
