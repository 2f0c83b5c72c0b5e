"""Per-slice metrics with their n and a confidence interval, for one or several prediction sets.

The result is one long table (one row per prediction set x slice x metric), ready to filter, pivot or draw with
error bars. Accuracy gets Wilson's interval, the other classification metrics a Jeffreys posterior interval and
correlations a seeded percentile bootstrap (see :mod:`mmtl_core.slices.intervals`). Only rows with a gold label are
scored. Small slices are flagged, not hidden; an empty slice has n = 0, NA values and a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmtl_core.errors import PredictionsError
from mmtl_core.metrics import get_metric
from mmtl_core.slices.count_metrics import COUNT_METRICS, posterior_tables
from mmtl_core.slices.intervals import (BOOTSTRAP, DEFAULT_LEVEL, DEFAULT_N_BOOT, JEFFREYS_POSTERIOR, WILSON,
                                        percentile_interval, seeded_rng, wilson_intervals, z_value)
from mmtl_core.slices.predictions import PredictionSet
from mmtl_core.slices.regression_bootstrap import REPLICATES, bootstrap_weights
from mmtl_core.slices.split_slices import OVERALL, SplitSlices

COLUMNS = ("predictions", "slice", "n", "metric", "value", "ci_low", "ci_high", "ci_method", "below_min_n", "note")
EMPTY_NOTE = "empty"
UNDEFINED_NOTE = "undefined on this slice"


@dataclass(frozen=True)
class IntervalSettings:
    """How intervals are computed; the defaults are what the app shows."""

    level: float = DEFAULT_LEVEL  # coverage of every interval
    n_boot: int = DEFAULT_N_BOOT  # resamples or posterior draws; 1000 keeps the 2.5% tails stable to about +-0.01
    seed: int = 0  # fixed, so the same data always shows the same interval


def slice_metrics(data: SplitSlices, predictions: PredictionSet | Sequence[PredictionSet], *, min_n: int = 30,
                  settings: IntervalSettings = IntervalSettings(),
                  metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per prediction set x slice (``overall`` first) x metric (the task's, unless ``metrics`` is given).

    Columns: predictions, slice, n (scored examples), metric, value, ci_low, ci_high (nullable floats: NA when
    empty or undefined), ci_method (``wilson``, ``jeffreys`` or ``bootstrap``), below_min_n (n < min_n), note.
    """
    sets = [predictions] if isinstance(predictions, PredictionSet) else list(predictions)
    metric_names = tuple(metrics) if metrics is not None else data.task.metrics
    _check_metrics(data, metric_names)
    labeled = data.labeled
    names = (OVERALL, *data.slice_names)
    # Row 0 is the overall row: every scored example. (slices x n), shared by every prediction set.
    members = np.ascontiguousarray(np.column_stack([np.ones(int(labeled.sum()), dtype=bool), data.S[labeled]]).T)
    gold = data.gold[labeled]
    preds = [check_fits(data, ps).preds[labeled] for ps in sets]
    if data.task.is_regression:
        blocks = [(ps.name, *_regression_block(names, members, gold, pred, metric_names, settings))
                  for ps, pred in zip(sets, preds)]
    else:
        counts = confusion_counts_by_slice(members, gold, preds, data.task.cardinality)
        z = z_value(settings.level)
        blocks = [(ps.name, *_classification_block(names, c, metric_names, settings, z))
                  for ps, c in zip(sets, counts)]
    return _to_frame(blocks, names, metric_names, min_n)


def _check_metrics(data: SplitSlices, metric_names: Sequence[str]) -> None:
    known = REPLICATES if data.task.is_regression else COUNT_METRICS
    bad = [m for m in metric_names if m not in known]
    if bad:
        raise ValueError(f"metric(s) {bad} cannot score task {data.task.name!r}; choose from {', '.join(known)}")


def check_fits(data: SplitSlices, ps: PredictionSet) -> PredictionSet:
    """``ps`` aligned to the split; PredictionsError if its kind or number of classes does not fit the task."""
    task = data.task
    if ps.is_regression != task.is_regression or (not task.is_regression and ps.cardinality != task.cardinality):
        found = "scores" if ps.is_regression else f"{ps.cardinality} classes"
        wanted = "scores (regression)" if task.is_regression else f"{task.cardinality} classes"
        raise PredictionsError(f"{ps.source or ps.name}: wrong number of classes for task {task.name!r}: "
                               f"found {found}, expected {wanted}")
    return ps.align(data.example_ids, data.ids_digest)


Block = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]  # n (s,); value, low, high (s, M); methods


def confusion_counts_by_slice(members: np.ndarray, gold: np.ndarray, preds: list[np.ndarray], k: int) -> np.ndarray:
    """(sets, slices, K, K+1) confusion counts of every prediction set on every slice: one bincount per slice
    over all sets' cell codes (a BLAS product would be slower on these skinny shapes, and inexact for huge n)."""
    cells = k * (k + 1)
    codes = np.empty((len(gold), len(preds)), dtype=np.int64)
    for i, pred in enumerate(preds):
        codes[:, i] = i * cells + gold * (k + 1) + np.where(pred < 0, k, pred)
    counts = np.stack([np.bincount(codes[mask].ravel(), minlength=len(preds) * cells) for mask in members])
    return counts.reshape(len(members), len(preds), k, k + 1).transpose(1, 0, 2, 3)


def _classification_block(names: tuple[str, ...], counts: np.ndarray, metric_names: Sequence[str],
                          settings: IntervalSettings, z: float) -> Block:
    """Every slice at once from its (slices, K, K+1) confusion counts (row 0: the whole split); only posterior
    draws loop over slices. An undefined metric (NaN) gets no interval."""
    k = counts.shape[1]
    n = counts.sum(axis=(1, 2))
    value = np.column_stack([COUNT_METRICS[m](counts) for m in metric_names])
    low, high = np.full_like(value, np.nan), np.full_like(value, np.nan)
    methods = [WILSON if m == "accuracy" else JEFFREYS_POSTERIOR for m in metric_names]
    for i, m in enumerate(metric_names):
        if m == "accuracy":
            correct = np.trace(counts[:, :, :k], axis1=1, axis2=2)
            low[:, i], high[:, i] = wilson_intervals(correct, n, z)
    others = [i for i, m in enumerate(metric_names) if m != "accuracy"]
    possible = np.ones(counts.shape[1:], dtype=bool)
    possible[:, k] = counts[0, :, k].any()  # "abstained" only for a set that abstains somewhere in the split
    for j in np.flatnonzero(n) if others else ():
        defined = [i for i in others if np.isfinite(value[j, i])]
        if not defined:
            continue
        draws = posterior_tables(counts[j], settings.n_boot, seeded_rng(settings.seed, names[j]), possible)
        for i in defined:
            lo, hi = percentile_interval(COUNT_METRICS[metric_names[i]](draws), settings.level)
            # At the boundary (every prediction right) the estimate lies beyond the draws' upper end: reach it.
            low[j, i], high[j, i] = min(lo, value[j, i]), max(hi, value[j, i])
    return n, value, low, high, methods


def _regression_block(names: tuple[str, ...], members: np.ndarray, gold: np.ndarray, pred: np.ndarray,
                      metric_names: Sequence[str], settings: IntervalSettings) -> Block:
    n = members.sum(axis=1)
    value = np.full((len(names), len(metric_names)), np.nan)
    low, high = np.full_like(value, np.nan), np.full_like(value, np.nan)
    for j, slice_name in enumerate(names):
        g, p = gold[members[j]], pred[members[j]]
        w = bootstrap_weights(int(n[j]), settings.n_boot, seeded_rng(settings.seed, slice_name)) if n[j] >= 2 else None
        for i, m in enumerate(metric_names):
            value[j, i] = get_metric(m)(g, p)
            if w is not None and np.isfinite(value[j, i]):
                low[j, i], high[j, i] = percentile_interval(REPLICATES[m](g, p, w), settings.level)
    return n, value, low, high, [BOOTSTRAP] * len(metric_names)


def _to_frame(blocks: list, names: tuple[str, ...], metric_names: Sequence[str], min_n: int) -> pd.DataFrame:
    """Rows ordered prediction set, slice, metric; NaN becomes NA (shown as empty, never an error)."""
    s, m = len(names), len(metric_names)
    n = np.concatenate([np.repeat(b[1], m) for b in blocks]) if blocks else np.zeros(0, np.int64)
    value, low, high = (np.concatenate([b[i].ravel() for b in blocks]) if blocks else np.zeros(0)
                        for i in (2, 3, 4))
    notes = np.where(n == 0, EMPTY_NOTE, np.where(np.isfinite(value), "", UNDEFINED_NOTE))
    return pd.DataFrame({
        "predictions": np.repeat([b[0] for b in blocks], s * m).astype(object),
        "slice": np.tile(np.repeat(np.array(names, dtype=object), m), len(blocks)),
        "n": n.astype(np.int64),
        "metric": np.tile(np.array(metric_names, dtype=object), s * len(blocks)),
        "value": pd.array(value, dtype="Float64"),
        "ci_low": pd.array(low, dtype="Float64"),
        "ci_high": pd.array(high, dtype="Float64"),
        "ci_method": np.tile(np.array(blocks[0][5] if blocks else [], dtype=object), s * len(blocks)),
        "below_min_n": n < min_n,
        "note": notes.astype(object),
    }, columns=list(COLUMNS))
