"""Confidence intervals: Wilson for proportions, percentile bootstrap for everything else.

Slices are small, so every per-slice number is shown with an interval. Wilson's score interval stays inside
[0, 1] and behaves at 0/n and n/n, where the textbook normal interval collapses to a point.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy import stats

#: Names written in the tables' ``ci_method`` column.
WILSON = "wilson"
BOOTSTRAP = "bootstrap"

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
