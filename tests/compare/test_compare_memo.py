"""Paired scores remembered by content: the same table as computing them at once, in any order of candidates, and
never a stale one when a candidate's predictions change."""

from __future__ import annotations

import numpy as np
import pandas as pd

from compare_helpers import A, B, GOLD, candidate, split
from mmtl_core.compare.memo import PairedMemo
from mmtl_core.compare.paired import paired_scores


def test_remembered_rows_are_the_rows_computed_at_once():
    data = split()
    base, a, b = (candidate(k, p).heads["spam"] for k, p in (("base", GOLD), ("a", A), ("b", B)))
    memo = PairedMemo()
    at_once = paired_scores(data, base, [a, b])
    pd.testing.assert_frame_equal(memo.scores(data, base, [a, b]), at_once)
    key = ["run", "slice", "metric"]
    again = memo.scores(data, base, [b, a]).sort_values(key, ignore_index=True)  # from memory, other order
    pd.testing.assert_frame_equal(again, at_once.sort_values(key, ignore_index=True))


def test_new_predictions_of_the_same_run_are_scored_again():
    data = split()
    base = candidate("base", GOLD).heads["spam"]
    memo = PairedMemo()
    before = memo.scores(data, base, [candidate("a", A).heads["spam"]])
    changed = np.where(np.arange(10) < 5, 0, A)  # the same run name, now right on rows 0-4
    after = memo.scores(data, base, [candidate("a", changed).heads["spam"]])
    overall = (after["run"] == "run a") & (after["slice"] == "overall") & (after["metric"] == "accuracy")
    assert after.loc[overall, "value"].item() == 0.5
    assert not before.loc[overall.to_numpy(), "value"].equals(after.loc[overall, "value"])
