"""Reading prediction files: uploads (CSV/Parquet), training-label exports, and (through :mod:`mmtl_core.runs`)
a training run's stored per-example predictions.

A file has an ``example_id`` column and, for K-class tasks, either probabilities ``prob_0..prob_{K-1}`` (or
``prob_<label name>``) or hard labels in a ``label`` or ``pred`` column (class ids, label names, -1 = abstained);
for regression a ``score`` column. Every problem raises PredictionsError naming the file and what is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from mmtl_core.errors import PredictionsError
from mmtl_core.runs.columns import PROB_PREFIX, SCORE_COLUMN, is_prob_column, order_prob_columns
from mmtl_core.slices.predictions import PredictionSet, check_probabilities, few
from mmtl_core.tasks import Task

LABEL_COLUMNS = ("label", "pred")

_READERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    ".csv": lambda p: pd.read_csv(p, dtype={"example_id": str}),
    ".tsv": lambda p: pd.read_csv(p, sep="\t", dtype={"example_id": str}),
    ".parquet": pd.read_parquet,
    ".pq": pd.read_parquet,
}


def read_table(path: Path) -> pd.DataFrame:
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise PredictionsError(f"{path}: unsupported file type {path.suffix!r}; use one of {', '.join(_READERS)}")
    try:
        frame = reader(path)
    except FileNotFoundError as e:
        raise PredictionsError(f"{path}: file not found") from e
    except Exception as e:  # pandas/pyarrow raise many types for a malformed file; all mean "cannot parse"
        raise PredictionsError(f"{path}: cannot read the file ({type(e).__name__}: {e})") from e
    frame.columns = [str(c) for c in frame.columns]
    return frame


def read_predictions(path: Path, cardinality: int | None, label_names: tuple[str, ...] = (),
                     task_name: str = "", name: str | None = None) -> PredictionSet:
    """Parse one prediction file. ``cardinality`` None infers K from ``prob_<i>`` columns (stored runs)."""
    frame = read_table(path)
    return frame_to_predictions(frame, str(path), cardinality, label_names, task_name, name or path.stem)


def read_task_predictions(path: Path, task: Task, expected_ids: np.ndarray, name: str | None = None) -> PredictionSet:
    """An uploaded CSV/Parquet file of ``task``'s predictions, aligned to ``expected_ids`` (a split's ids)."""
    path = Path(path)
    return read_predictions(path, task.cardinality, task.label_names, task.name, name or path.stem).align(expected_ids)


def frame_to_predictions(frame: pd.DataFrame, where: str, cardinality: int | None, label_names: tuple[str, ...],
                         task_name: str, name: str) -> PredictionSet:
    cols = list(frame.columns)
    if "example_id" not in cols:
        raise PredictionsError(f"{where}: missing column 'example_id'; found columns: {cols}")
    ids = frame["example_id"].astype(str).to_numpy()
    dup = pd.Index(ids)[pd.Index(ids).duplicated()]
    if len(dup):
        raise PredictionsError(f"{where}: {len(dup)} example id(s) appear more than once: {few(dup)}")
    if cardinality == 1 or (cardinality is None and SCORE_COLUMN in cols):
        if SCORE_COLUMN not in cols:
            raise PredictionsError(f"{where}: missing column 'score' (regression task {task_name}); "
                                   f"found columns: {cols}")
        scores = _numeric(frame[SCORE_COLUMN], where, SCORE_COLUMN)
        return PredictionSet.from_scores(name, ids, scores, source=where)
    prob_cols = [c for c in cols if is_prob_column(c)]
    if prob_cols:
        ordered = order_prob_columns(prob_cols, cardinality, label_names, where, task_name)
        probs = np.column_stack([_numeric(frame[c], where, c) for c in ordered])
        nan = np.flatnonzero(np.isnan(probs).any(1))
        if len(nan):
            raise PredictionsError(f"{where}: row {nan[0] + 1} (example_id {ids[nan[0]]!r}) has an empty "
                                   "probability; give every class's probability on every row")
        check_probabilities(probs, ids, where)
        return PredictionSet(name, ids, probs=probs, source=where)
    label_col = next((c for c in LABEL_COLUMNS if c in cols), None)
    if label_col is None or cardinality is None:
        k = cardinality or "K"
        raise PredictionsError(f"{where}: missing prediction columns; expected {PROB_PREFIX}0..{PROB_PREFIX}"
                               f"{k}-1 (or {PROB_PREFIX}<label name>), or a 'label' or 'pred' column; "
                               f"found columns: {cols}")
    labels = _labels_to_ids(frame[label_col], label_col, cardinality, label_names, where)
    return PredictionSet.from_labels(name, ids, labels, cardinality, source=where)


def _numeric(col: pd.Series, where: str, name: str) -> np.ndarray:
    values = pd.to_numeric(col, errors="coerce")
    bad = np.flatnonzero(values.isna().to_numpy() & col.notna().to_numpy())
    if len(bad):
        raise PredictionsError(f"{where}: column {name!r} row {bad[0] + 1} is not a number: {_plain(col.iloc[bad[0]])!r}")
    return values.to_numpy(dtype=np.float64)


def _labels_to_ids(col: pd.Series, name: str, cardinality: int, label_names: tuple[str, ...],
                   where: str) -> np.ndarray:
    """Class ids from ints (-1 = abstained) or label names."""
    if col.isna().any():
        i = int(np.flatnonzero(col.isna().to_numpy())[0])
        raise PredictionsError(f"{where}: column {name!r} is empty at row {i + 1}; use -1 to mark an abstention")
    by_name = {n: i for i, n in enumerate(label_names)}
    as_num = pd.to_numeric(col, errors="coerce")
    if as_num.notna().all():
        values = as_num.to_numpy(dtype=np.float64)
        bad = np.flatnonzero((values != np.round(values)) | (values < -1) | (values >= cardinality))
    else:
        mapped = col.astype(str).map(lambda v: by_name.get(v, -2 if not v.lstrip("-").isdigit() else int(v)))
        values = mapped.to_numpy(dtype=np.float64)
        bad = np.flatnonzero((values < -1) | (values >= cardinality))
    if len(bad):
        known = f" or one of {list(label_names)}" if label_names else ""
        raise PredictionsError(f"{where}: column {name!r} has {len(bad)} label(s) out of range, first "
                               f"{_plain(col.iloc[bad[0]])!r} at row {bad[0] + 1}; expected 0..{cardinality - 1}{known} "
                               "(-1 = abstained)")
    return values.astype(np.int64)


def _plain(value: object) -> object:
    """numpy scalars as plain Python values, so messages read ``2``, not ``np.int64(2)``."""
    return value.item() if isinstance(value, np.generic) else value
