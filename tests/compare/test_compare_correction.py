"""Benjamini-Hochberg over the comparisons shown, and the flag rule (adjusted p below alpha and interval clear of 0)."""

import numpy as np
import pytest

from mmtl_core.compare.correction import benjamini_hochberg, verdicts


def test_benjamini_hochberg_on_a_hand_checked_case():
    # Sorted p: 0.01 (rank 1), 0.03 (2), 0.04 (3), 0.5 (4); p * m / rank = 0.04, 0.06, 0.0533, 0.5; then the
    # running minimum from the largest rank down: 0.04, 0.0533, 0.0533, 0.5.
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.5])
    assert q == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])


def test_untested_comparisons_are_not_counted():
    q = benjamini_hochberg([0.01, np.nan, 0.04])  # m = 2, not 3
    assert q[0] == pytest.approx(0.02) and np.isnan(q[1]) and q[2] == pytest.approx(0.04)
    assert benjamini_hochberg([]).shape == (0,)


def test_one_borderline_p_value_among_twenty_no_longer_passes():
    q = benjamini_hochberg(np.r_[0.04, np.full(19, 0.5)])
    # 0.04 x 20 / 1 = 0.8, but no q-value exceeds a larger p's: min(0.8, 0.5 x 20 / 20) = 0.5
    assert q[0] == pytest.approx(0.5) and q[1:] == pytest.approx(np.full(19, 0.5))
    # while twenty small p-values together stay small: they are unlikely to be chance all at once
    assert benjamini_hochberg(np.full(20, 0.04)) == pytest.approx(np.full(20, 0.04))


def test_a_flag_needs_both_the_corrected_test_and_an_interval_clear_of_zero():
    diff = [0.05, -0.05, 0.05, 0.05, 0.0, np.nan]
    low = [0.01, -0.09, -0.01, 0.01, -0.1, np.nan]
    high = [0.09, -0.01, 0.11, 0.09, 0.1, np.nan]
    q = [0.01, 0.01, 0.01, 0.2, 0.01, np.nan]
    assert list(verdicts(diff, low, high, q)) == ["gain", "regression", "", "", "", ""]
