"""How the pages write numbers: every metric, interval and share goes through the functions here, so one value
reads the same on every page (an undefined metric is "undefined" everywhere, never 0.000, NaN or None).

Analysis results stay numeric in the core (:mod:`mmtl_core.weak`, :mod:`mmtl_core.slices`); these turn them into
the text tables a page draws, and nothing else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmtl_core.slices.slice_metrics import EMPTY_NOTE
from mmtl_core.weak.scoring import COUNT_COLUMNS

UNDEFINED = "undefined"
EMPTY = EMPTY_NOTE


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))  # type: ignore[arg-type]


def metric_text(value: object, n: int | None = None) -> str:
    """``0.933``; ``empty`` with no scored example (n = 0); ``undefined`` where the metric has no value (F1 of a
    slice with no positive example)."""
    if n == 0:
        return EMPTY
    return UNDEFINED if _missing(value) else f"{float(value):.3f}"  # type: ignore[arg-type]


def interval_text(low: object, high: object) -> str:
    """``[0.870, 0.971]``, or nothing where there is no interval (an empty slice, an undefined metric)."""
    return "" if _missing(low) or _missing(high) else f"[{float(low):.3f}, {float(high):.3f}]"  # type: ignore[arg-type]


def share_text(value: object) -> str:
    """A fraction of rows as a percentage (``94.2%``)."""
    return "" if _missing(value) else f"{float(value):.1%}"  # type: ignore[arg-type]


def weak_comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """:func:`~mmtl_core.weak.score_weak_predictions`'s table as both function pages show it."""
    out = pd.DataFrame(index=comparison.index)
    out["n"] = comparison["n"].astype(int)
    out["covered"] = comparison["covered"].astype(int)
    out["Coverage"] = [share_text(v) for v in comparison["Coverage"]]
    for column in comparison.columns:
        if column not in COUNT_COLUMNS:
            n = comparison["covered"] if column.endswith("(covered)") else comparison["n"]
            out[column] = [metric_text(v, int(k)) for v, k in zip(comparison[column], n)]
    return out


def slice_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """:func:`mmtl_core.slices.slice_metrics`'s table as the page shows it: value and interval as text, the
    interval method, and a plain flag for slices below the minimum n."""
    return pd.DataFrame({
        "predictions": metrics["predictions"], "slice": metrics["slice"], "n": metrics["n"],
        "metric": metrics["metric"],
        "value": [metric_text(v, int(n)) for v, n in zip(metrics["value"], metrics["n"])],
        "interval": [interval_text(lo, hi) for lo, hi in zip(metrics["ci_low"], metrics["ci_high"])],
        "method": metrics["ci_method"],
        "small slice": np.where(metrics["below_min_n"], "below min n", ""),
    }).reset_index(drop=True)


def comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """:func:`mmtl_core.slices.compare_table`'s numbers as text, undefined ones written as such."""
    out = comparison.copy()
    for column in ("metric_a", "metric_b", "diff"):
        out[column] = [metric_text(v, int(n)) for v, n in zip(comparison[column], comparison["n"])]
    out["interval"] = [interval_text(lo, hi) for lo, hi in zip(comparison["ci_low"], comparison["ci_high"])]
    out["p_value"] = ["" if _missing(p) else f"{float(p):.3f}" for p in comparison["p_value"]]
    return out.drop(columns=["ci_low", "ci_high"])
