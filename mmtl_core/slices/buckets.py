"""Error buckets: gold x predicted tables per slice, and the examples behind one cell.

Generalises Snorkel's ``get_label_buckets`` to slices and functions: a cell's examples come with their text,
gold label, prediction, confidence, and the labeling and slicing functions that fired on them. Regression
labels and scores are binned into equal-width bins of the split's gold range, so the table stays square.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from mmtl_core.slices.predictions import PredictionSet
from mmtl_core.slices.slice_metrics import check_fits
from mmtl_core.slices.split_slices import OVERALL, SplitSlices

ABSTAINED = "abstained"
DEFAULT_BINS = 5


def bucket_labels(data: SplitSlices, bins: int = DEFAULT_BINS) -> tuple[str, ...]:
    """The names of the table's rows and columns (class names, or regression bins like ``[1.00, 2.00)``)."""
    task = data.task
    if not task.is_regression:
        return task.label_names or tuple(str(i) for i in range(task.cardinality))
    edges = _edges(data, bins)
    return tuple(f"[{lo:.2f}, {hi:.2f}{']' if i == bins - 1 else ')'}"
                 for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])))


def _edges(data: SplitSlices, bins: int) -> np.ndarray:
    gold = data.gold[data.labeled]
    lo, hi = (float(gold.min()), float(gold.max())) if len(gold) else (0.0, 1.0)
    return np.linspace(lo, hi if hi > lo else lo + 1, bins + 1)


def _bucket_ids(data: SplitSlices, ps: PredictionSet, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """(gold bucket, predicted bucket) per row; predicted -1 = abstained. Unlabeled rows get gold -1."""
    if not data.task.is_regression:
        return data.gold, ps.preds
    inner = _edges(data, bins)[1:-1]
    # Scores outside the gold range fall into the end bins; the last bin is closed on the right.
    gold = np.where(data.labeled, np.searchsorted(inner, np.nan_to_num(data.gold), side="right"), -1)
    return gold, np.searchsorted(inner, ps.preds, side="right")


def confusion_table(data: SplitSlices, predictions: PredictionSet, slice_name: str = OVERALL,
                    bins: int = DEFAULT_BINS) -> pd.DataFrame:
    """Counts of gold (rows, index ``gold``) x predicted (columns, ``predicted``) on one slice's labeled rows.

    An ``abstained`` column appears when the prediction set abstains somewhere in the split.
    """
    ps = check_fits(data, predictions)
    gold, pred = _bucket_ids(data, ps, bins)
    labels = bucket_labels(data, bins)
    k = len(labels)
    mask = data.members(slice_name) & data.labeled
    cols = k + 1
    counts = np.bincount(gold[mask] * cols + np.where(pred[mask] < 0, k, pred[mask]),
                         minlength=k * cols).reshape(k, cols)
    columns = list(labels)
    if (pred < 0).any():
        columns.append(ABSTAINED)
    else:
        counts = counts[:, :k]
    table = pd.DataFrame(counts, index=pd.Index(labels, name="gold"), columns=pd.Index(columns, name="predicted"))
    return table


def error_buckets(data: SplitSlices, predictions: PredictionSet, bins: int = DEFAULT_BINS) -> pd.DataFrame:
    """Every slice's table (``overall`` first) in long form: slice, gold, predicted, count, correct; every cell
    is listed, zeros included, so an empty slice still shows."""
    rows = []
    for slice_name in (OVERALL, *data.slice_names):
        table = confusion_table(data, predictions, slice_name, bins)
        long = table.stack().rename("count").reset_index()
        long.insert(0, "slice", slice_name)
        rows.append(long)
    out = pd.concat(rows, ignore_index=True)
    out["correct"] = out["gold"] == out["predicted"]
    return out


def bucket_examples(data: SplitSlices, predictions: PredictionSet, gold: str | int, predicted: str | int,
                    slice_name: str = OVERALL, bins: int = DEFAULT_BINS) -> pd.DataFrame:
    """The examples in one cell of :func:`confusion_table`, given by its row and column names (or indices).

    Columns: example_id, the task's text field(s), gold, predicted, confidence (probability of the predicted
    class; NA for regression and abstentions), labeling_functions (``name=label`` of every LF that voted),
    slices (names of the slicing functions that fired).
    """
    ps = check_fits(data, predictions)
    labels = bucket_labels(data, bins)
    g_id = _cell_index(gold, labels, "gold", allow_abstain=False)
    p_id = _cell_index(predicted, labels, "predicted", allow_abstain=True)
    g_bucket, p_bucket = _bucket_ids(data, ps, bins)
    mask = data.members(slice_name) & data.labeled & (g_bucket == g_id) & (p_bucket == p_id)
    idx = np.flatnonzero(mask)
    out = example_details(data, idx, bins)
    if data.task.is_regression:
        out.insert(len(out.columns) - 2, "predicted", ps.scores[idx])  # type: ignore[index]
    else:
        names = np.array((*labels, ABSTAINED), dtype=object)
        out.insert(len(out.columns) - 2, "predicted", names[ps.preds[idx]])  # -1 indexes the last name: abstained
    out.insert(len(out.columns) - 2, "confidence", pd.array(ps.confidence[idx], dtype="Float64"))
    return out


def example_details(data: SplitSlices, idx: np.ndarray, bins: int = DEFAULT_BINS) -> pd.DataFrame:
    """What any list of examples shows of rows ``idx`` of the split: example_id, the task's text field(s), gold
    (class names; the score for regression), labeling_functions (``name=class`` of every function that voted)
    and slices (the slicing functions that fired)."""
    labels = bucket_labels(data, bins)
    gold = data.gold[idx]
    slice_names = np.asarray(data.slice_names, dtype=object)
    return pd.DataFrame({  # built at once: a Compare disagreement list has thousands of rows, made on every rerun
        "example_id": data.example_ids[idx].astype(object),
        **{field: data.frame[field].to_numpy()[idx] for field in data.task.text_fields},
        "gold": gold if data.task.is_regression else np.where(gold >= 0, np.array((*labels, ""), dtype=object)[gold],
                                                              ""),
        "labeling_functions": _fired_lfs(data, idx, labels),
        "slices": _per_row(data.S[idx], lambda row: ", ".join(slice_names[row])),
    })


def _per_row(matrix: np.ndarray, text: Callable[[np.ndarray], str]) -> list[str]:
    """``text(row)`` of every row of ``matrix``, made once per distinct row (a list of thousands of examples
    repeats a few patterns of functions that fired)."""
    if not matrix.shape[1]:
        return [text(matrix[0])] * len(matrix) if len(matrix) else []
    distinct, inverse = np.unique(matrix, axis=0, return_inverse=True)
    texts = [text(row) for row in distinct]
    return [texts[i] for i in inverse.reshape(-1)]


def _fired_lfs(data: SplitSlices, idx: np.ndarray, labels: tuple[str, ...]) -> list[str]:
    if data.L is None or not data.lf_names:
        return [""] * len(idx)
    names = data.lf_names
    class_names = labels if not data.task.is_regression else tuple(map(str, range(int(data.L.max()) + 1)))
    return _per_row(data.L[idx], lambda row: ", ".join(
        f"{names[j]}={class_names[v] if 0 <= v < len(class_names) else v}" for j, v in enumerate(row) if v >= 0))


def _cell_index(value: str | int, labels: tuple[str, ...], axis: str, allow_abstain: bool) -> int:
    if allow_abstain and (value == ABSTAINED or value == -1):
        return -1
    if isinstance(value, (int, np.integer)) and 0 <= value < len(labels):
        return int(value)
    if isinstance(value, str) and value in labels:
        return labels.index(value)
    choices = list(labels) + ([ABSTAINED] if allow_abstain else [])
    raise ValueError(f"no {axis} bucket {value!r}; buckets: {choices} (or their indices 0..{len(labels) - 1})")
