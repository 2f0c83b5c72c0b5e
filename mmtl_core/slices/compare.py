"""Is B better than A on this slice? A paired comparison of two prediction sets, with an interval and a p-value.

Both sets score the same examples, so the test is paired: exact McNemar (a two-sided binomial test on the
examples exactly one of them gets right) for accuracy, a paired bootstrap otherwise. The interval of the
difference is always the paired percentile bootstrap: resampling examples, each carrying both predictions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from mmtl_core.metrics import get_metric
from mmtl_core.slices.count_metrics import COUNT_METRICS, bootstrap_counts
from mmtl_core.slices.intervals import percentile_interval, seeded_rng
from mmtl_core.slices.predictions import PredictionSet
from mmtl_core.slices.regression_bootstrap import REPLICATES, bootstrap_weights
from mmtl_core.slices.slice_metrics import EMPTY_NOTE, UNDEFINED_NOTE, IntervalSettings, check_fits
from mmtl_core.slices.split_slices import OVERALL, SplitSlices

MCNEMAR = "exact McNemar"
PAIRED_BOOTSTRAP = "paired bootstrap"


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
    a, b = check_fits(data, a), check_fits(data, b)
    if data.task.is_regression != (metric in REPLICATES):
        raise ValueError(f"metric {metric!r} does not fit task {data.task.name!r}")
    mask = data.members(slice_name) & data.labeled
    gold, pa, pb = data.gold[mask], a.preds[mask], b.preds[mask]
    n = int(mask.sum())
    base = dict(slice=slice_name, metric=metric, name_a=a.name, name_b=b.name, n=n)
    test = MCNEMAR if metric == "accuracy" else PAIRED_BOOTSTRAP
    if data.task.is_regression:
        right_a = right_b = None
    else:
        right_a, right_b = pa == gold, pb == gold
    a_only = None if right_a is None else int((right_a & ~right_b).sum())
    b_only = None if right_b is None else int((right_b & ~right_a).sum())
    disc = dict(n_discordant=None if a_only is None else a_only + b_only, a_only_correct=a_only,
                b_only_correct=b_only)
    if n == 0:
        return Comparison(**base, metric_a=None, metric_b=None, diff=None, ci_low=None, ci_high=None,
                          p_value=None, test=test, ci_method=PAIRED_BOOTSTRAP, **disc, note=EMPTY_NOTE)
    fn = get_metric(metric)
    value_a, value_b = fn(gold, pa), fn(gold, pb)
    diff = value_b - value_a
    rng = seeded_rng(settings.seed, slice_name)
    if data.task.is_regression:
        w = bootstrap_weights(n, settings.n_boot, rng)
        diffs = REPLICATES[metric](gold, pb, w) - REPLICATES[metric](gold, pa, w)
    else:
        diffs = _paired_count_diffs(gold, pa, pb, data.task.cardinality, metric, settings.n_boot, rng)
    lo, hi = percentile_interval(diffs, settings.level)
    if not np.isfinite(diff):
        p = None
    elif metric == "accuracy":
        p = _mcnemar_exact(a_only, b_only)  # type: ignore[arg-type]
    else:
        p = _bootstrap_p(diffs, diff)
    return Comparison(**base, metric_a=_opt(value_a), metric_b=_opt(value_b), diff=_opt(diff), ci_low=_opt(lo),
                      ci_high=_opt(hi), p_value=p, test=test, ci_method=PAIRED_BOOTSTRAP, **disc,
                      note="" if np.isfinite(diff) else UNDEFINED_NOTE)


def compare_table(data: SplitSlices, a: PredictionSet, b: PredictionSet, metrics: Sequence[str] | None = None,
                  settings: IntervalSettings = IntervalSettings()) -> pd.DataFrame:
    """:func:`compare_on_slice` for every slice (``overall`` first) and metric, one row each."""
    a, b = check_fits(data, a), check_fits(data, b)  # align once, not per slice
    rows = [asdict(compare_on_slice(data, a, b, s, m, settings))
            for s in (OVERALL, *data.slice_names) for m in (metrics or data.task.metrics)]
    frame = pd.DataFrame(rows)
    for c in ("metric_a", "metric_b", "diff", "ci_low", "ci_high", "p_value"):
        frame[c] = pd.array([np.nan if v is None else v for v in frame[c]], dtype="Float64")
    for c in ("n_discordant", "a_only_correct", "b_only_correct"):
        frame[c] = pd.array(frame[c].tolist(), dtype="Int64")
    return frame


def _mcnemar_exact(a_only: int, b_only: int) -> float:
    """Two-sided exact McNemar: under "no difference", each discordant example is a fair coin. The fair coin's
    distribution is symmetric, so the two-sided p is twice the smaller tail (what ``binomtest`` computes, without
    its per-call cost: it ran once per slice)."""
    n_disc = a_only + b_only
    return 1.0 if n_disc == 0 else min(1.0, float(2 * stats.binom.cdf(min(a_only, b_only), n_disc, 0.5)))


def _bootstrap_p(diffs: np.ndarray, diff: float) -> float:
    """Two-sided p of "no difference": how often the resampled difference, centred on the observed one, lands
    at least as far from zero as the observed difference (add-one, so never exactly 0)."""
    d = diffs[np.isfinite(diffs)]
    if diff == 0 or not len(d):
        return 1.0
    return float((1 + np.sum(np.abs(d - diff) >= abs(diff))) / (1 + len(d)))


def _paired_count_diffs(gold: np.ndarray, pa: np.ndarray, pb: np.ndarray, k: int, metric: str, n_boot: int,
                        rng: np.random.Generator) -> np.ndarray:
    """Resampled metric_b - metric_a from joint gold x pred_a x pred_b counts (one multinomial per resample)."""
    col_a, col_b = np.where(pa < 0, k, pa), np.where(pb < 0, k, pb)
    joint = np.bincount((gold * (k + 1) + col_a) * (k + 1) + col_b,
                        minlength=k * (k + 1) ** 2).reshape(k, k + 1, k + 1)
    draws = bootstrap_counts(joint, n_boot, rng)
    fn = COUNT_METRICS[metric]
    return fn(draws.sum(axis=2)) - fn(draws.sum(axis=3))  # axes: gold, pred_a, pred_b


def _opt(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None

