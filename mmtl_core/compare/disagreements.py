"""Where two candidates disagree: the labeled examples one of them gets right and the other wrong, split by which
(for regression: by which one is closer), with both predictions and confidences, the gold label, and the labeling
and slicing functions that fired on them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmtl_core.slices.buckets import ABSTAINED, bucket_labels, example_details
from mmtl_core.slices.predictions import PredictionSet
from mmtl_core.slices.slice_metrics import check_fits
from mmtl_core.slices.split_slices import OVERALL, SplitSlices

A_RIGHT, B_RIGHT = "A right, B wrong", "B right, A wrong"
A_CLOSER, B_CLOSER = "A closer", "B closer"


@dataclass(frozen=True)
class Disagreements:
    """The examples of one slice where ``a`` and ``b`` part ways (columns: example_id, text fields, gold, A
    predicted, A confidence, B predicted, B confidence, labeling_functions, slices), by side."""

    a_better: pd.DataFrame  # A right and B wrong (regression: A closer to gold)
    b_better: pd.DataFrame
    both_wrong: int  # classification: labeled examples both get wrong, with different classes
    n: int  # labeled examples of the slice


def disagreements(data: SplitSlices, a: PredictionSet, b: PredictionSet, slice_name: str = OVERALL) -> Disagreements:
    """``a`` against ``b`` on one slice's labeled examples (regression: the rows sorted by how much closer one is)."""
    a, b = check_fits(data, a), check_fits(data, b)
    rows = data.members(slice_name) & data.labeled
    if data.task.is_regression:
        err_a, err_b = np.abs(a.preds - data.gold), np.abs(b.preds - data.gold)
        a_side, b_side = rows & (err_a < err_b), rows & (err_b < err_a)
        order = np.argsort(-np.abs(err_a - err_b), kind="stable")
        both = 0
    else:
        right_a, right_b = a.preds == data.gold, b.preds == data.gold
        a_side, b_side = rows & right_a & ~right_b, rows & right_b & ~right_a
        order = np.argsort(-np.nan_to_num(np.abs(a.confidence - b.confidence)), kind="stable")
        both = int((rows & ~right_a & ~right_b & (a.preds != b.preds)).sum())
    return Disagreements(_listed(data, a, b, order[a_side[order]]), _listed(data, a, b, order[b_side[order]]), both,
                         int(rows.sum()))


def _listed(data: SplitSlices, a: PredictionSet, b: PredictionSet, idx: np.ndarray) -> pd.DataFrame:
    out = example_details(data, idx)
    at = len(out.columns) - 2  # before the functions that fired
    if data.task.is_regression:
        predicted = (a.preds[idx], b.preds[idx])
    else:
        names = np.array((*bucket_labels(data), ABSTAINED), dtype=object)
        predicted = (names[a.preds[idx]], names[b.preds[idx]])
    for i, (side, ps, values) in enumerate((("A", a, predicted[0]), ("B", b, predicted[1]))):
        out.insert(at + 2 * i, f"{side} predicted", values)
        out.insert(at + 2 * i + 1, f"{side} confidence", pd.array(ps.confidence[idx], dtype="Float64"))
    return out
