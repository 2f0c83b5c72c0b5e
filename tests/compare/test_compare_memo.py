"""Paired scores remembered by content: the same table as computing them at once, in any order of candidates, and
never a stale one when a candidate's predictions change."""

from __future__ import annotations

import numpy as np
import pandas as pd

from compare_helpers import A, B, GOLD, candidate, split
from mmtl_core.compare import memo as memo_module
from mmtl_core.compare.ensemble import ensemble_candidate
from mmtl_core.compare.memo import PairedMemo
from mmtl_core.compare.paired import paired_scores
from mmtl_core.slices.slice_metrics import slice_metrics
from mmtl_core.tasks import Task


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


def test_the_baseline_reads_as_on_the_slices_page_and_is_scored_once(monkeypatch):
    """With F1 (posterior and bootstrap draws) on several slices: the baseline's rows are its own figures (what
    slice_metrics, the Slices page's function, gives it alone), the whole table is paired_scores' table, and a
    new candidate (an ensemble with new weights) scores only itself, never the baseline or the others again."""
    rng = np.random.default_rng(3)
    gold = rng.integers(0, 2, 200)
    data = split(gold, {f"s{i}": rng.random(200) < 0.1 * (i + 1) for i in range(4)},
                 task=Task("spam", "videos", ("text",), metrics=("accuracy", "f1")))
    runs = [candidate(k, np.where(rng.random(200) < p, gold, 1 - gold), 0.8)
            for k, p in (("base", 0.7), ("a", 0.75), ("b", 0.8))]
    base, a, b = (c.heads["spam"] for c in runs)
    scored = []
    for name in ("own_scores", "differences"):
        real = getattr(memo_module, name)

        def spy(data, *sets, real=real, name=name, **kwargs):
            scored.append((name, *(ps.name for s in sets if isinstance(s, list) for ps in s)))
            return real(data, *sets, **kwargs)
        monkeypatch.setattr(memo_module, name, spy)
    memo = PairedMemo()
    table = memo.scores(data, base, [a, b])
    pd.testing.assert_frame_equal(table, paired_scores(data, base, [a, b]))
    alone = slice_metrics(data, base).rename(columns={"predictions": "run"})
    rows = table[table["run"] == "run base"].reset_index(drop=True)
    pd.testing.assert_frame_equal(rows[list(alone.columns.drop("note"))], alone.drop(columns="note"))
    assert set(rows["note"]) == {"baseline"} and rows["diff"].isna().all()
    assert sorted(scored) == [("differences", "run a"), ("differences", "run b"),
                              ("own_scores", "run a"), ("own_scores", "run b"), ("own_scores", "run base")]
    for weights in ([1, 1], [1, 3]):
        scored.clear()
        ensemble = ensemble_candidate(runs[1:], weights).heads["spam"]
        table = memo.scores(data, base, [a, b, ensemble])
        pd.testing.assert_frame_equal(table, paired_scores(data, base, [a, b, ensemble]))
        assert sorted(scored) == [("differences", ensemble.name), ("own_scores", ensemble.name)]
        for one in (["overall"], ["s2"]):  # one slice (a head's): read from the rows of every slice, as computed
            pd.testing.assert_frame_equal(memo.scores(data, base, [a, ensemble], one),
                                          paired_scores(data, base, [a, ensemble], one))
        assert len(scored) == 2
