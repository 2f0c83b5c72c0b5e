"""Intervals: Wilson for accuracy, a Jeffreys posterior for the other classification metrics, the percentile
bootstrap for correlations.

Slices are small, so every per-slice number is shown with an interval, and none may claim a certainty the data
does not hold. Wilson's score interval stays inside [0, 1] and behaves at 0/n and n/n, where the textbook normal
interval collapses to a point. The percentile bootstrap collapses there too (a slice where every prediction is right
resamples only right predictions: F1 [1.000, 1.000] at n = 54), so F1, macro F1 and Matthews correlation take the
2.5% and 97.5% points of the metric over confusion tables drawn from their Dirichlet posterior under Jeffreys'
prior (:func:`mmtl_core.slices.count_metrics.posterior_tables`), stretched to reach the estimate where it lies at
the boundary (as Brown, Cai and DasGupta's Jeffreys interval does at x = n): a slice of 54 examples all right gets
F1 1.000 [0.934, 1.000]. For accuracy that interval is close to Wilson's (10 of 10 right: lower ends 0.721 and
0.722). Correlations (regression tasks) keep the bootstrap: a perfect correlation on a slice is rare in practice,
and has no cell table to put a prior on.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy import stats

#: Names written in the tables' ``ci_method`` column.
WILSON = "wilson"
JEFFREYS_POSTERIOR = "jeffreys"
BOOTSTRAP = "bootstrap"

#: The methods in the words a page shows beside its table.
INTERVAL_NOTE = (
    f"`{WILSON}` (Wilson score interval) for accuracy; `{JEFFREYS_POSTERIOR}` for F1, macro F1 and Matthews "
    "correlation (the metric's 2.5% and 97.5% points over confusion tables drawn from their posterior with half an "
    "example of prior in each cell, so a slice where every prediction is right still shows how far off it could "
    f"be); `{BOOTSTRAP}` (seeded percentile bootstrap) for correlations."
)

DEFAULT_LEVEL = 0.95
DEFAULT_N_BOOT = 1000


def z_value(level: float = DEFAULT_LEVEL) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def wilson_interval(successes: float, n: int, level: float = DEFAULT_LEVEL) -> tuple[float, float]:
    """Wilson score interval of a proportion ``successes / n``; (nan, nan) when n is 0."""
    lo, hi = wilson_intervals(np.array([successes], dtype=float), np.array([n]), z_value(level))
    return float(lo[0]), float(hi[0])


def wilson_intervals(successes: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`wilson_interval` for arrays of counts at once, with z given; NaN where n is 0."""
    safe_n = np.where(n > 0, n, 1).astype(np.float64)
    p = successes / safe_n
    z2n = z * z / safe_n
    center = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * np.sqrt(p * (1 - p) / safe_n + z2n / (4 * safe_n))
    # Clip only float round-off: the interval is inside [0, 1] mathematically.
    empty = n <= 0
    return (np.where(empty, np.nan, np.maximum(0.0, center - half)),
            np.where(empty, np.nan, np.minimum(1.0, center + half)))


def percentile_interval(values: np.ndarray, level: float = DEFAULT_LEVEL) -> tuple[float, float]:
    """Percentile interval of bootstrap replicates; undefined replicates (NaN) are left out, as in the
    metric they stand for (e.g. F1 of a resample with no positives). All undefined -> (nan, nan)."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return float("nan"), float("nan")
    alpha = (1 - level) / 2
    lo, hi = np.quantile(finite, [alpha, 1 - alpha])
    return float(lo), float(hi)


def seeded_rng(seed: int, name: str) -> np.random.Generator:
    """A generator for one slice: keyed by the slice's name, so adding or removing another slice never changes
    this slice's interval (a user comparing two screens would otherwise see intervals move for no reason)."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])
