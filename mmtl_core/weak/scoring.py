"""Majority vote and the label model scored side by side on the same rows, by the task's metrics: on all rows with a
gold label, and on the covered ones (see :data:`~mmtl_core.weak.predictions.PREDICTION_RULE`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mmtl_core.errors import TaskError
from mmtl_core.metrics import CLASSIFICATION_METRICS
from mmtl_core.weak.predictions import PREDICTION_RULE, WeakPredictions

#: Columns of :func:`score_weak_predictions` before the metric columns.
COUNT_COLUMNS = ("n", "covered", "Coverage")


def covered_column(metric: str) -> str:
    """The name of a metric's column scored on covered rows only."""
    return f"{metric} (covered)"


def _check_metrics(metrics: Sequence[str]) -> None:
    bad = [m for m in metrics if m not in CLASSIFICATION_METRICS]
    if bad or not metrics:
        raise TaskError(f"cannot score label models by {bad or '(no metric)'}; choose from "
                        f"{', '.join(CLASSIFICATION_METRICS)}")


def score_weak_predictions(predictions: Mapping[str, WeakPredictions], gold: np.ndarray,
                           metrics: Sequence[str] = ("accuracy",)) -> pd.DataFrame:
    """One row per model, every model scored on the same rows: those of ``gold`` with a label (-1 = none).

    Columns: ``n`` (rows with a gold label), ``covered`` (of them, rows some function votes on), ``Coverage``
    (covered / n), then per metric ``<metric>`` on all n rows and ``<metric> (covered)`` on the covered ones.
    ``attrs["note"]`` holds the rule the figures follow.
    """
    _check_metrics(metrics)
    gold = np.asarray(gold).astype(np.int64).ravel()
    has_gold = gold >= 0
    y = gold[has_gold]
    rows = []
    for p in predictions.values():
        if len(p) != len(gold):
            raise ValueError(f"{p.model}: {len(p)} predictions for {len(gold)} gold labels")
        classes, is_covered = p.classes[has_gold], p.covered[has_gold]
        row: dict[str, float] = {"n": len(y), "covered": int(is_covered.sum()),
                                 "Coverage": float(is_covered.mean()) if len(y) else float("nan")}
        for name in metrics:
            metric = CLASSIFICATION_METRICS[name]
            row[name] = metric(y, classes)
            row[covered_column(name)] = metric(y[is_covered], classes[is_covered])
        rows.append(row)
    table = pd.DataFrame(rows, index=pd.Index(list(predictions), name="model"),
                         columns=[*COUNT_COLUMNS, *(c for m in metrics for c in (m, covered_column(m)))])
    table.attrs["note"] = PREDICTION_RULE
    return table
