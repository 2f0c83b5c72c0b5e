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
    keys = list(zip(own["run"], own["slice"], own["metric"]))
    where = {} if diffs is None else {k: i for i, k in enumerate(zip(diffs["run"], diffs["slice"], diffs["metric"]))}
    pos = np.fromiter((where.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))
    missing = pos < 0
    columns = {c: own[c].array for c in own.columns}
    for c in (*_DIFF_NUMBERS, *_DIFF_TEXTS):
        text = c in _DIFF_TEXTS
        if not where:
            values = np.full(len(keys), np.nan, dtype=object if text else np.float64)
        else:
            values = diffs[c].to_numpy(dtype=object) if text else diffs[c].to_numpy(dtype=np.float64, na_value=np.nan)
            values = values[pos]
            values[missing] = np.nan
        columns[c] = pd.array(values, dtype="str" if text else "Float64")
    if baseline is not None:
        note = own["note"].to_numpy(dtype=object)
        note[[k[0] == baseline for k in keys] & (note == "")] = BASELINE_NOTE
        columns["note"] = pd.array(note, dtype=own["note"].dtype)
    return pd.DataFrame({c: columns[c] for c in COLUMNS})


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
    return data.with_slices(data.S[:, columns], tuple(wanted), votes=False)
