"""Tables and per-example predictions as CSV or Parquet bytes, ready to download."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mmtl_core.compare.candidates import Candidate
from mmtl_core.errors import WorkspaceError
from mmtl_core.keys import head_name
from mmtl_core.runs.columns import EXAMPLE_ID, SCORE_COLUMN, prob_columns
from mmtl_core.slices.buckets import bucket_labels
from mmtl_core.slices.split_slices import SplitSlices

FORMATS = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}


def table_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """``frame`` written as ``fmt`` (csv or parquet); nullable numbers stay numbers, NA is empty (CSV) or null."""
    if fmt not in FORMATS:
        raise WorkspaceError(f"cannot export as {fmt!r}; choose one of {', '.join(FORMATS)}")
    buffer = io.BytesIO()
    plain = frame.reset_index(drop=frame.index.name is None and not isinstance(frame.index, pd.MultiIndex))
    plain.columns = [str(c) for c in plain.columns]
    if fmt == "csv":
        buffer.write(plain.to_csv(index=False).encode("utf-8"))
    else:
        plain.to_parquet(buffer, index=False)
    return buffer.getvalue()


def predictions_frame(data: SplitSlices, candidates: Sequence[Candidate]) -> pd.DataFrame:
    """One row per example of the split: example_id, gold (class name), the slices it is in, then per candidate
    ``<title>: predicted`` and its ``<title>: prob_<class>`` columns (``<title>: score`` for regression), task
    head only."""
    head = head_name(data.task.name)
    out = pd.DataFrame({EXAMPLE_ID: data.example_ids})
    labels = np.array((*bucket_labels(data), ""), dtype=object)
    out["gold"] = data.gold if data.task.is_regression else labels[data.gold]  # -1 (unlabeled) reads ""
    out["slices"] = [", ".join(np.asarray(data.slice_names, dtype=object)[row]) for row in data.S]
    for c in candidates:
        ps = c.heads[head]
        if ps.is_regression:
            out[f"{c.title}: {SCORE_COLUMN}"] = ps.scores
            continue
        out[f"{c.title}: predicted"] = labels[ps.preds]
        for k, column in enumerate(prob_columns(ps.cardinality, data.task.label_names)):
            out[f"{c.title}: {column}"] = ps.probs[:, k]  # type: ignore[index]
    return out
