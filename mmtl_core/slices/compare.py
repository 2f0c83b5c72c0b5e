"""Is B better than A on this slice? A paired comparison of two prediction sets, with an interval and a p-value.

Both sets score the same examples, so the test is paired: exact McNemar (a two-sided binomial test on the
examples exactly one of them gets right) for accuracy, a paired bootstrap otherwise. The interval of a difference
of accuracies is Newcombe's square-and-add interval for paired proportions (Wilson's interval of each accuracy,
combined with their correlation; Newcombe 1998, as recommended by Fagerland, Lydersen and Laake 2013): unlike the
bootstrap it does not collapse to [0, 0] when the two sets agree on every example of a small slice (10 examples
both right: [-0.278, 0.278]), and it needs no resampling. Other metrics take the paired percentile bootstrap,
resampling examples, each carrying both predictions.

One baseline against many sets, on every slice, is computed at once (:func:`compare_many`, what the Compare page
shows); :func:`compare_table` and :func:`compare_on_slice` are its one-set and one-slice cases, so a pair of sets
reads the same on every page. Each slice's resamples are seeded by the slice's name alone, so adding a slice or
another set to the comparison never moves an interval already shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from mmtl_core.metrics import get_metric
from mmtl_core.slices.count_metrics import COUNT_METRICS, bootstrap_counts
from mmtl_core.slices.intervals import (DEFAULT_LEVEL, percentile_interval, seeded_rng, wilson_intervals,
                                        z_value)
from mmtl_core.slices.predictions import PredictionSet
from mmtl_core.slices.regression_bootstrap import REPLICATES, bootstrap_weights
from mmtl_core.slices.slice_metrics import EMPTY_NOTE, UNDEFINED_NOTE, IntervalSettings, check_fits
from mmtl_core.slices.split_slices import OVERALL, SplitSlices

MCNEMAR = "exact McNemar"
PAIRED_BOOTSTRAP = "paired bootstrap"
NEWCOMBE = "newcombe"
FLOAT_COLUMNS = ("metric_a", "metric_b", "diff", "ci_low", "ci_high", "p_value")
COUNT_COLUMNS = ("n_discordant", "a_only_correct", "b_only_correct")


@dataclass(frozen=True)
class Comparison:
    """B against A on one slice and metric. ``diff`` is ``metric_b - metric_a`` (positive: B is better).

    ``n_discordant`` counts examples exactly one set gets right (classification; None for regression), split
    into ``a_only_correct`` and ``b_only_correct``. Values are None where the slice is empty or the metric
    undefined, with ``note`` saying which.
    """

    slice: str
    metric: str
    name_a: str
    name_b: str
    n: int
    metric_a: float | None
    metric_b: float | None
    diff: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    test: str
    ci_method: str
    n_discordant: int | None
    a_only_correct: int | None
    b_only_correct: int | None
    note: str = ""


def compare_on_slice(data: SplitSlices, a: PredictionSet, b: PredictionSet, slice_name: str = OVERALL,
                     metric: str | None = None, settings: IntervalSettings = IntervalSettings()) -> Comparison:
    """Compare ``b`` with ``a`` on one slice's labeled rows, on ``metric`` (default: the task's first)."""
    metric = metric or data.task.primary_metric
    if data.task.is_regression != (metric in REPLICATES):
        raise ValueError(f"metric {metric!r} does not fit task {data.task.name!r}")
    data.members(slice_name)  # an unknown slice is named before any work
    row = compare_many(data, a, [b], [metric], settings, slices=[slice_name]).iloc[0]
    values = {c: None if pd.isna(row[c]) else (int(row[c]) if c in ("n", *COUNT_COLUMNS) else
                                                 row[c] if isinstance(row[c], str) else float(row[c]))
              for c in row.index}
    return Comparison(**values)


def compare_table(data: SplitSlices, a: PredictionSet, b: PredictionSet, metrics: Sequence[str] | None = None,
                  settings: IntervalSettings = IntervalSettings()) -> pd.DataFrame:
    """:func:`compare_on_slice` for every slice (``overall`` first) and metric, one row each."""
    return compare_many(data, a, [b], metrics, settings)


def compare_many(data: SplitSlices, a: PredictionSet, others: Sequence[PredictionSet],
                 metrics: Sequence[str] | None = None, settings: IntervalSettings = IntervalSettings(),
                 slices: Sequence[str] | None = None) -> pd.DataFrame:
    """``a`` (the baseline) against each of ``others`` on every slice (``overall`` first, or ``slices``) and
    metric: one row per set, slice and metric, in that order, with :class:`Comparison`'s columns (nullable
    floats; discordant counts as nullable ints)."""
    metrics = tuple(metrics or data.task.metrics)
    names = tuple(slices) if slices is not None else (OVERALL, *data.slice_names)
    a = check_fits(data, a)
    others = [check_fits(data, b) for b in others]  # align once, not per slice
    labeled = data.labeled
    members = np.column_stack([data.members(s)[labeled] for s in names]) if names else \
        np.zeros((int(labeled.sum()), 0), bool)
    gold = data.gold[labeled]
    pa, pbs = a.preds[labeled], [b.preds[labeled] for b in others]
    if data.task.is_regression:
        blocks = [_regression_pairs(names, members, gold, pa, pb, metrics, settings) for pb in pbs]
    else:
        blocks = _classification_pairs(names, members, gold, pa, pbs, data.task.cardinality, metrics, settings)
    return _to_frame(blocks, names, metrics, members.sum(axis=0), a.name, [b.name for b in others])


# --- classification: counts for every set and slice at once, then one seeded resampling per slice ------------------
Block = dict[str, np.ndarray]  # per column, an array of shape (slices, metrics)


def _classification_pairs(names: tuple[str, ...], members: np.ndarray, gold: np.ndarray, pa: np.ndarray,
                          pbs: list[np.ndarray], k: int, metrics: tuple[str, ...],
                          settings: IntervalSettings) -> list[Block]:
    weights = members.astype(np.float64)  # (n, S): sums of 0/1 columns are exact counts in float64
    n = members.sum(axis=0)
    right_a = pa == gold
    joint = _joint_counts(members, gold, pa, pbs, k) if any(m != "accuracy" for m in metrics) else None
    blocks = []
    for i, pb in enumerate(pbs):
        right_b = pb == gold
        a_only = (right_a & ~right_b) @ weights
        b_only = (right_b & ~right_a) @ weights
        block = _empty_block(len(names), len(metrics))
        block["n_discordant"][:] = (a_only + b_only)[:, None]
        block["a_only_correct"][:] = a_only[:, None]
        block["b_only_correct"][:] = b_only[:, None]
        for j, m in enumerate(metrics):
            if m == "accuracy":
                correct_a, correct_b = right_a @ weights, right_b @ weights
                with np.errstate(invalid="ignore", divide="ignore"):
                    value_a, value_b = correct_a / n, correct_b / n
                low, high = newcombe_paired(n, correct_a, correct_b, a_only, b_only, settings.level)
                block["ci_low"][:, j], block["ci_high"][:, j] = low, high
                diffs, p = None, _mcnemar_exact(a_only, b_only)
            else:
                fn = COUNT_METRICS[m]
                value_a, value_b = fn(joint[i].sum(axis=3)), fn(joint[i].sum(axis=2))  # axes: gold, pred_a, pred_b
                diffs = [_count_diffs(joint[i, s], fn, settings, names[s]) for s in range(len(names))]
                p = np.array([_bootstrap_p(d, vb - va) for d, va, vb in zip(diffs, value_a, value_b)])
            _fill(block, j, n, value_a, value_b, diffs, p, m == "accuracy", settings)
        blocks.append(block)
    return blocks


def _joint_counts(members: np.ndarray, gold: np.ndarray, pa: np.ndarray, pbs: list[np.ndarray],
                  k: int) -> np.ndarray:
    """(sets, slices, K, K+1, K+1) counts of gold x pred_a x pred_b (last class: abstained), one bincount per
    slice over every set's cell codes."""
    cells = k * (k + 1) ** 2
    col_a = np.where(pa < 0, k, pa)
    codes = np.empty((len(gold), len(pbs)), dtype=np.int64)
    for i, pb in enumerate(pbs):
        codes[:, i] = i * cells + (gold * (k + 1) + col_a) * (k + 1) + np.where(pb < 0, k, pb)
    size = len(pbs) * cells
    counts = np.stack([np.bincount(codes[members[:, s]].ravel(), minlength=size)
                       for s in range(members.shape[1])]) if members.shape[1] else np.zeros((0, size), np.int64)
    return counts.reshape(members.shape[1], len(pbs), k, k + 1, k + 1).transpose(1, 0, 2, 3, 4)


def newcombe_paired(n, correct_a, correct_b, a_only, b_only, level: float = DEFAULT_LEVEL):
    """Newcombe's square-and-add interval of ``accuracy_b - accuracy_a`` on paired examples (arrays of counts):
    Wilson's interval of each accuracy, combined with the correlation of the two (continuity-corrected, as
    Newcombe recommends; 0 when a margin is empty). NaN where n is 0."""
    n, ca, cb = (np.asarray(x, np.float64) for x in (n, correct_a, correct_b))
    a_only, b_only = np.asarray(a_only, np.float64), np.asarray(b_only, np.float64)
    z = z_value(level)
    la, ua = wilson_intervals(ca, n, z)
    lb, ub = wilson_intervals(cb, n, z)
    with np.errstate(invalid="ignore", divide="ignore"):
        pa, pb = ca / n, cb / n
        both = ca - a_only
        neither = n - both - a_only - b_only
        cross = both * neither - a_only * b_only
        margins = cb * (n - cb) * ca * (n - ca)
        psi = np.where(cross > n / 2, cross - n / 2, np.where(cross < 0, cross, 0.0)) / np.sqrt(margins)
    psi = np.where(margins > 0, psi, 0.0)
    low = pb - pa - np.sqrt(np.maximum(0.0, (pb - lb) ** 2 + (ua - pa) ** 2 - 2 * psi * (pb - lb) * (ua - pa)))
    high = pb - pa + np.sqrt(np.maximum(0.0, (pa - la) ** 2 + (ub - pb) ** 2 - 2 * psi * (pa - la) * (ub - pb)))
    return low, high


def _count_diffs(joint: np.ndarray, fn, settings: IntervalSettings, slice_name: str) -> np.ndarray:
    """Resampled metric_b - metric_a from one slice's joint gold x pred_a x pred_b counts (one multinomial per
    resample)."""
    if not joint.sum():
        return np.zeros(0)
    draws = bootstrap_counts(joint, settings.n_boot, seeded_rng(settings.seed, slice_name))
    return fn(draws.sum(axis=2)) - fn(draws.sum(axis=3))


# --- regression: the paired bootstrap of the rows, slice by slice --------------------------------------------------
def _regression_pairs(names: tuple[str, ...], members: np.ndarray, gold: np.ndarray, pa: np.ndarray, pb: np.ndarray,
                      metrics: tuple[str, ...], settings: IntervalSettings) -> Block:
    n = members.sum(axis=0)
    block = _empty_block(len(names), len(metrics))
    for j, m in enumerate(metrics):
        fn = get_metric(m)
        value_a = np.array([fn(gold[members[:, s]], pa[members[:, s]]) for s in range(len(names))])
        value_b = np.array([fn(gold[members[:, s]], pb[members[:, s]]) for s in range(len(names))])
        diffs = []
        for s, name in enumerate(names):
            rows = members[:, s]
            w = bootstrap_weights(int(n[s]), settings.n_boot, seeded_rng(settings.seed, name))
            diffs.append(REPLICATES[m](gold[rows], pb[rows], w) - REPLICATES[m](gold[rows], pa[rows], w)
                         if n[s] else np.zeros(0))
        p = np.array([_bootstrap_p(d, vb - va) for d, va, vb in zip(diffs, value_a, value_b)])
        _fill(block, j, n, value_a, value_b, diffs, p, False, settings)
    return block


# --- shared -----------------------------------------------------------------------------------------------------------
def _empty_block(n_slices: int, n_metrics: int) -> Block:
    block = {c: np.full((n_slices, n_metrics), np.nan) for c in (*FLOAT_COLUMNS, *COUNT_COLUMNS)}
    block["test"] = np.full((n_slices, n_metrics), "", dtype=object)
    block["ci_method"] = np.full((n_slices, n_metrics), "", dtype=object)
    return block


def _fill(block: Block, j: int, n: np.ndarray, value_a: np.ndarray, value_b: np.ndarray,
          diffs: list[np.ndarray] | None, p: np.ndarray, accuracy: bool, settings: IntervalSettings) -> None:
    """Metric ``j``'s column of a block: values, difference, p-value, and the interval where the difference is
    defined (from the resampled ``diffs``; accuracy's Newcombe interval is already in the block)."""
    value_a, value_b = np.asarray(value_a, np.float64), np.asarray(value_b, np.float64)
    diff = value_b - value_a
    defined = (n > 0) & np.isfinite(diff)
    block["metric_a"][:, j] = np.where(n > 0, value_a, np.nan)
    block["metric_b"][:, j] = np.where(n > 0, value_b, np.nan)
    block["diff"][:, j] = np.where(defined, diff, np.nan)
    block["p_value"][:, j] = np.where(defined, p, np.nan)
    block["test"][:, j] = MCNEMAR if accuracy else PAIRED_BOOTSTRAP
    block["ci_method"][:, j] = NEWCOMBE if accuracy else PAIRED_BOOTSTRAP
    for s in np.flatnonzero(defined) if diffs is not None else ():
        block["ci_low"][s, j], block["ci_high"][s, j] = percentile_interval(diffs[s], settings.level)
    block["ci_low"][~defined, j] = block["ci_high"][~defined, j] = np.nan


def _to_frame(blocks: list[Block], names: tuple[str, ...], metrics: tuple[str, ...], n_per_slice: np.ndarray,
              name_a: str, names_b: list[str]) -> pd.DataFrame:
    s, m = len(names), len(metrics)
    n_rows = len(blocks) * s * m

    def column(c: str) -> np.ndarray:
        return np.concatenate([b[c].ravel() for b in blocks]) if blocks else np.zeros(0)

    n = np.tile(np.repeat(n_per_slice, m), len(blocks)).astype(np.int64)
    notes = np.where(n == 0, EMPTY_NOTE, np.where(np.isfinite(column("diff")), "", UNDEFINED_NOTE))
    return pd.DataFrame({
        "slice": np.tile(np.repeat(np.array(names, dtype=object), m), len(blocks)),
        "metric": np.tile(np.array(metrics, dtype=object), s * len(blocks)),
        "name_a": np.full(n_rows, name_a, dtype=object),
        "name_b": np.repeat(np.array(names_b, dtype=object), s * m),
        "n": n,
        **{c: pd.array(column(c), dtype="Float64") for c in FLOAT_COLUMNS},
        "test": column("test").astype(object) if blocks else np.zeros(0, object),
        "ci_method": column("ci_method").astype(object) if blocks else np.zeros(0, object),
        **{c: pd.array(column(c), dtype="Float64").astype("Int64") for c in COUNT_COLUMNS},
        "note": notes.astype(object),
    })


def _mcnemar_exact(a_only, b_only):
    """Two-sided exact McNemar: under "no difference", each discordant example is a fair coin. The fair coin's
    distribution is symmetric, so the two-sided p is twice the smaller tail (what ``binomtest`` computes, without
    its per-call cost). Takes counts or arrays of counts."""
    a_only, b_only = np.asarray(a_only, np.float64), np.asarray(b_only, np.float64)
    n_disc = a_only + b_only
    tail = stats.binom.cdf(np.minimum(a_only, b_only), np.maximum(n_disc, 1), 0.5)
    p = np.where(n_disc == 0, 1.0, np.minimum(1.0, 2 * tail))
    return float(p) if p.ndim == 0 else p


def _bootstrap_p(diffs: np.ndarray, diff: float) -> float:
    """Two-sided p of "no difference": how often the resampled difference, centred on the observed one, lands
    at least as far from zero as the observed difference (add-one, so never exactly 0)."""
    d = diffs[np.isfinite(diffs)]
    if not np.isfinite(diff):
        return float("nan")
    if diff == 0 or not len(d):
        return 1.0
    return float((1 + np.sum(np.abs(d - diff) >= abs(diff))) / (1 + len(d)))
