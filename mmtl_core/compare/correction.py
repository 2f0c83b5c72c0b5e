"""Many comparisons at once: Benjamini-Hochberg's correction, and when a difference counts as a gain or a regression.

A table of 20 runs x 30 slices holds hundreds of paired tests; at p < 0.05 some would pass by chance alone. The
p-values a table shows are adjusted together (Benjamini-Hochberg: the expected share of false discoveries among
the flagged differences stays below alpha), and a difference is flagged only when its adjusted p-value is below
alpha *and* its 95% interval excludes zero, so a flag never contradicts the interval printed beside it.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import false_discovery_control

#: The false discovery rate a table's flags keep to.
ALPHA = 0.05
GAIN, REGRESSION = "gain", "regression"


def benjamini_hochberg(p_values) -> np.ndarray:
    """Adjusted p-values (q-values) of ``p_values`` taken together; NaN (no test: an empty slice, an undefined
    metric) stays NaN and does not count as a comparison."""
    p = np.asarray(p_values, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    tested = np.isfinite(p)
    if tested.any():
        out[tested] = false_discovery_control(p[tested], method="bh")
    return out


def verdicts(diff, ci_low, ci_high, q_values, alpha: float = ALPHA) -> np.ndarray:
    """Per comparison: ``gain`` (B better), ``regression`` (B worse) or "" (not shown to differ): the adjusted
    p-value is below ``alpha`` and the interval lies wholly on one side of zero."""
    diff, low, high, q = (np.asarray(x, dtype=np.float64) for x in (diff, ci_low, ci_high, q_values))
    significant = np.nan_to_num(q, nan=1.0) < alpha
    gain = significant & (np.nan_to_num(low, nan=-np.inf) > 0) & (diff > 0)
    loss = significant & (np.nan_to_num(high, nan=np.inf) < 0) & (diff < 0)
    return np.where(gain, GAIN, np.where(loss, REGRESSION, "")).astype(object)
