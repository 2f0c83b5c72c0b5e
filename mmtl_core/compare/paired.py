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
    when ``baseline`` is None). Sets are named by their ``name``."""
    names = tuple(slices) if slices is not None else (OVERALL, *data.slice_names)
    sets = ([baseline] if baseline is not None else []) + list(others)
    if not sets:
        return pd.DataFrame(columns=list(COLUMNS))
    data = scoped(data, names)
    metrics = slice_metrics(data, sets, min_n=min_n, settings=settings)
    metrics = metrics[metrics["slice"].isin(names)].rename(columns={"predictions": "run"})
    if baseline is None or not others:
        diffs = pd.DataFrame(columns=["name_b", "slice", "metric", "diff", "ci_low", "ci_high", "ci_method",
                                      "p_value", "test"])
    else:
        diffs = compare_many(data, baseline, others, settings=settings, slices=names)
    diffs = diffs.rename(columns={"name_b": "run", "ci_low": "diff_low", "ci_high": "diff_high",
                                  "ci_method": "diff_method"})
    out = metrics.merge(diffs[["run", "slice", "metric", "diff", "diff_low", "diff_high", "diff_method", "p_value",
                               "test"]], on=["run", "slice", "metric"], how="left")
    if baseline is not None:
        out.loc[(out["run"] == baseline.name) & (out["note"] == ""), "note"] = BASELINE_NOTE
    return out[list(COLUMNS)].reset_index(drop=True)


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
