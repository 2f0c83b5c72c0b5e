"""Turning a column of raw label values into class ids 0..K-1 (-1 = unlabeled) or regression floats.

Nothing is renumbered behind the user's back: declared classes accept their names or ids and refuse anything
else (naming the values and rows); without declared classes an integer label is its own id and other labels are
numbered in sorted order, and a ``label_map`` maps raw values to ids when the user wants other ids.
Work is done on the column's distinct values (a label column has few), then spread back to the rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mmtl_core.data.locate import Locator
from mmtl_core.errors import DataError

#: Raw values read as "no label" (test rows, an unlabeled pool).
MISSING = ("", "-1", "nan", "NaN", "None", "null")


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """Row codes into the distinct values, the distinct values as stripped strings, and which of them are missing."""
    codes, uniques = pd.factorize(values.reset_index(drop=True), use_na_sentinel=False)
    raw = pd.Series(uniques, dtype=object)
    text = _as_text(raw)
    return codes, text, (raw.isna() | text.isin(MISSING)).to_numpy(copy=True)


def _as_text(raw: pd.Series) -> pd.Series:
    """Stripped strings; a float that holds an integer (``7.0``, as JSON and Parquet store it) reads as ``'7'``."""
    return raw.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)).str.strip()


def _integers(raw: pd.Series) -> pd.Series:
    """The values that are integers, as floats (NaN for the others)."""
    num = pd.to_numeric(raw, errors="coerce")
    return num.where(num == num.round())


def _refuse(codes: np.ndarray, raw: pd.Series, bad: np.ndarray, where: Locator, column: str, problem: str,
            advice: str) -> None:
    """Raise a DataError naming every bad value with the rows that hold it (the first few of each)."""
    rows = np.flatnonzero(bad[codes])
    by_value: dict[int, list[int]] = {}
    for i in rows:
        by_value.setdefault(int(codes[i]), []).append(int(i))
    listed = "; ".join(f"{raw.iloc[c]!r} ({where.few(r, 3)})" for c, r in list(by_value.items())[:8])
    more = f"; and {len(by_value) - 8} more values" if len(by_value) > 8 else ""
    raise DataError(f"{where.source}, column {column!r}: {len(rows)} row(s) {problem}: {listed}{more}. {advice}")


def number_values(values: pd.Series) -> dict[str, int]:
    """A label map numbering the distinct present values 0..K-1 in sorted order (numeric order for numbers): what
    a user picks when integer labels are not class ids (``0, 1, 7`` or ``-3``)."""
    _, raw, missing = _distinct(values)
    present = pd.Series(raw[~missing].unique())
    num = pd.to_numeric(present, errors="coerce")
    ordered = present.iloc[np.argsort(num.to_numpy(), kind="stable")] if num.notna().all() else present.sort_values()
    return {str(v): i for i, v in enumerate(ordered)}


def encode_labels(values: pd.Series, where: Locator, column: str, label_names: Sequence[str] | None = None,
                  label_map: Mapping[str, int] | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
    """Class ids for ``values`` and the class names they index; missing values become -1.

    ``label_map`` maps each raw value to its id (names: ``label_names``, else the values mapped to each id).
    Else with ``label_names`` a value is one of the names or an id 0..K-1. Else an integer is its own id (names
    ``"0"`` .. the largest) and other labels are numbered in sorted order. A value that fits none of these, a
    negative integer id included, raises DataError naming the values and their rows (``where`` locates them).
    """
    codes, raw, missing = _distinct(values)
    ints = _integers(raw)
    if label_map is not None:
        ids = raw.map({str(k).strip(): int(v) for k, v in label_map.items()}).astype(float)
        k = max(label_map.values(), default=-1) + 1
        names = tuple(label_names) if label_names is not None else tuple(
            next((str(v) for v, i in label_map.items() if i == j), str(j)) for j in range(k))
        _check_present(codes, raw, missing, ids, where, column, f"are not in the label map ({len(label_map)} values)",
                       "Add them to the map, or mark them unlabeled (-1 or empty).")
        return _spread(codes, missing, ids), names
    present = ~missing
    if label_names is None:
        if present.any() and ints[present].notna().all():
            negative = present & (ints < 0).to_numpy()
            if negative.any():
                _refuse(codes, raw, negative, where, column, "have negative integer labels",
                        "An integer label is its class id (0..K-1; -1 = unlabeled): map the values to classes, or "
                        "declare the class names.")
            label_names = tuple(str(i) for i in range(int(ints[present].max()) + 1))
        else:
            label_names = tuple(sorted(raw[present].unique()))
    names = tuple(str(n) for n in label_names)
    by_name = raw.map({n: i for i, n in enumerate(names)})
    by_id = ints.where((ints >= 0) & (ints < len(names)))
    ids = by_name.fillna(by_id).astype(float)
    _check_present(codes, raw, missing, ids, where, column, f"have labels outside the classes {list(names)}",
                   f"A label is a class name, a class id 0..{len(names) - 1}, or -1 / empty for unlabeled.")
    return _spread(codes, missing, ids), names


def _check_present(codes, raw, missing, ids, where, column, problem, advice) -> None:
    bad = ~missing & np.isnan(ids.to_numpy(dtype=float))
    if bad.any():
        _refuse(codes, raw, bad, where, column, problem, advice)


def _spread(codes: np.ndarray, missing: np.ndarray, ids: pd.Series) -> np.ndarray:
    return np.where(missing, -1, np.nan_to_num(ids.to_numpy(dtype=float), nan=-1)).astype(np.int64)[codes]


def encode_scores(values: pd.Series, where: Locator, column: str) -> np.ndarray:
    """Regression targets as floats; missing values (but not a real -1 score) become NaN."""
    codes, raw, missing = _distinct(values)
    missing = missing & ~raw.eq("-1").to_numpy()
    num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad = ~missing & np.isnan(num)
    if bad.any():
        _refuse(codes, raw, bad, where, column, "have scores that are not numbers",
                "A regression label is a number, or empty for unlabeled.")
    return np.where(missing, np.nan, num)[codes]


def looks_like_scores(values: pd.Series) -> bool:
    """True when the present values are numbers and some are not integers (a regression target)."""
    _, raw, missing = _distinct(values)
    f = pd.to_numeric(raw[~missing], errors="coerce")
    return bool(len(f)) and bool(f.notna().all()) and not (f == f.round()).all()
