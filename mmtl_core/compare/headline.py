"""A run's headline in the runs table: each task head's first metric on dev, with its 95% interval and n, scored
on the gold labels the run stored (so it reads what training reported, with the interval the Slices page gives)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mmtl_core.compare.paired import scoped
from mmtl_core.slices.predictions import PredictionSet
from mmtl_core.slices.slice_metrics import IntervalSettings, slice_metrics
from mmtl_core.slices.split_slices import OVERALL, SplitSlices

HEADLINE_SPLIT = "dev"


@dataclass(frozen=True)
class Headline:
    task: str
    metric: str
    value: float | None  # None: undefined, or no labeled example
    low: float | None
    high: float | None
    n: int


def headline(data: SplitSlices, predictions: PredictionSet,
             settings: IntervalSettings = IntervalSettings()) -> Headline:
    """``predictions`` of a task head scored on all of ``data`` (a run's stored gold split), on the task's first
    metric."""
    row = slice_metrics(scoped(data, (OVERALL,)), predictions, metrics=[data.task.primary_metric],
                        settings=settings).iloc[0]
    value, low, high = (None if pd.isna(row[c]) else float(row[c]) for c in ("value", "ci_low", "ci_high"))
    return Headline(data.task.name, data.task.primary_metric, value, low, high, int(row["n"]))
