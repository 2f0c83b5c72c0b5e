"""Scores of a baseline and candidates on some slices, side by side with each candidate's paired difference from
the baseline: one long table that the head-by-head and per-slice views both read.

Every number comes from :mod:`mmtl_core.slices` (``slice_metrics`` for a metric with its interval and n,
``compare_many`` for a difference with its interval and test), so a run's figure on a slice is the one the Slices
page shows for it; Benjamini-Hochberg and the gain/regression flags come from :mod:`mmtl_core.compare.correction`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mmtl_core.compare.correction import ALPHA, benjamini_hochberg, verdicts
from mmtl_core.slices.compare import compare_many
from mmtl_core.slices.predictions import PredictionSet
from mmtl_core.slices.slice_metrics import IntervalSettings, slice_metrics
from mmtl_core.slices.split_slices import OVERALL, SplitSlices

#: Columns of :func:`paired_scores`: the run's own metric, then its difference from the baseline.
COLUMNS = ("run", "slice", "metric", "n", "value", "ci_low", "ci_high", "ci_method", "below_min_n", "diff",
           "diff_low", "diff_high", "diff_method", "p_value", "test", "note")
BASELINE_NOTE = "baseline"


def paired_scores(data: SplitSlices, baseline: PredictionSet | None, others: Sequence[PredictionSet],
                  slices: Sequence[str] | None = None, *, min_n: int = 30,
                  settings: IntervalSettings = IntervalSettings()) -> pd.DataFrame:
    """One row per set (``baseline`` first, then ``others``), slice (``overall`` first, or ``slices``) and metric:
    its value, interval and n; for ``others``, the difference from ``baseline`` with its interval and test (none
    when ``baseline`` is None). Sets are named by their ``name``.

    The same table as :func:`own_scores` of every set :func:`joined` with :func:`differences` of the others: a
    set's rows depend only on that set (and the baseline), so they can also be computed one set at a time
    (:class:`~mmtl_core.compare.memo.PairedMemo`)."""
    names = slice_names(data, slices)
    sets = ([baseline] if baseline is not None else []) + list(others)
    if not sets:
        return pd.DataFrame(columns=list(COLUMNS))
    data = scoped(data, names)
    own = own_scores(data, sets, names, min_n=min_n, settings=settings)
    diffs = differences(data, baseline, others, names, settings=settings) if baseline is not None else None
    return joined(own, diffs, baseline.name if baseline is not None else None)


def slice_names(data: SplitSlices, slices: Sequence[str] | None = None) -> tuple[str, ...]:
    """The slices a table scores: ``slices``, or ``overall`` and every slice of ``data``."""
    return tuple(slices) if slices is not None else (OVERALL, *data.slice_names)


def own_scores(data: SplitSlices, sets: Sequence[PredictionSet], names: Sequence[str], *, min_n: int = 30,
               settings: IntervalSettings = IntervalSettings()) -> pd.DataFrame:
    """Each set's own metric with its interval and n on the slices ``names`` (``data`` :func:`scoped` to them):
    :func:`~mmtl_core.slices.slice_metrics.slice_metrics`' rows, its ``predictions`` column called ``run``."""
    metrics = slice_metrics(data, sets, min_n=min_n, settings=settings)
    return metrics[metrics["slice"].isin(names)].rename(columns={"predictions": "run"}).reset_index(drop=True)


def differences(data: SplitSlices, baseline: PredictionSet, others: Sequence[PredictionSet], names: Sequence[str],
                *, settings: IntervalSettings = IntervalSettings()) -> pd.DataFrame:
    """Each of ``others`` minus ``baseline`` on the slices ``names`` (``data`` :func:`scoped` to them), with its
    paired interval and test: :func:`~mmtl_core.slices.compare.compare_many`'s rows, named as in :data:`COLUMNS`."""
    return compare_many(data, baseline, others, settings=settings, slices=names).rename(columns=_DIFF_NAMES)


_DIFF_NAMES = {"name_b": "run", "ci_low": "diff_low", "ci_high": "diff_high", "ci_method": "diff_method"}
_DIFF_NUMBERS = ("diff", "diff_low", "diff_high", "p_value")
_DIFF_TEXTS = ("diff_method", "test")


def joined(own: pd.DataFrame, diffs: pd.DataFrame | None, baseline: str | None) -> pd.DataFrame:
    """:data:`COLUMNS`: the rows of :func:`own_scores`, each with its set's difference from the baseline from
    ``diffs`` (rows of :func:`differences`; NA where a row has none, as the baseline's), and the baseline's rows
    (named ``baseline``) noted as such."""
    out = own.copy()
    where = {key: i for i, key in enumerate(zip(diffs["run"], diffs["slice"], diffs["metric"]))} \
        if diffs is not None else {}
    pos = np.array([where.get(key, -1) for key in zip(own["run"], own["slice"], own["metric"])], dtype=np.int64)
    missing = pos < 0
    for column in (*_DIFF_NUMBERS, *_DIFF_TEXTS):
        if diffs is None or not len(diffs):
            values = np.full(len(own), np.nan, dtype=object if column in _DIFF_TEXTS else np.float64)
        elif column in _DIFF_TEXTS:
            values = diffs[column].to_numpy(dtype=object)[pos]
        else:
            values = diffs[column].to_numpy(dtype=np.float64, na_value=np.nan)[pos]
        values[missing] = np.nan
        out[column] = pd.array(values, dtype="str" if column in _DIFF_TEXTS else "Float64")
    if baseline is not None:
        out.loc[(out["run"] == baseline) & (out["note"] == ""), "note"] = BASELINE_NOTE
    return out[list(COLUMNS)]


def corrected(table: pd.DataFrame, alpha: float = ALPHA) -> pd.DataFrame:
    """``table`` (rows of :func:`paired_scores`, several tables concatenated) with ``q_value``, its p-values
    adjusted together by Benjamini-Hochberg, and ``verdict``: gain, regression or "" (see
    :func:`~mmtl_core.compare.correction.verdicts`)."""
    out = table.copy()
    p = out["p_value"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    q = benjamini_hochberg(p)
    out["q_value"] = pd.array(q, dtype="Float64")
    out["verdict"] = verdicts(*(out[c].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
                                for c in ("diff", "diff_low", "diff_high")), q, alpha)
    return out


def scoped(data: SplitSlices, names: Sequence[str]) -> SplitSlices:
    """``data`` with only the slices ``names`` asks for (``overall`` is always scored)."""
    wanted = [s for s in names if s != OVERALL and data.members(s) is not None]  # an unknown slice is named
    if tuple(wanted) == data.slice_names:
        return data
    columns = [data.slice_names.index(s) for s in wanted]
    return SplitSlices(data.task, data.frame, data.S[:, columns], tuple(wanted), split=data.split)
