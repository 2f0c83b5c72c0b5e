"""Per slice: every slice of the split (the current slicing functions, so also slices written after training, and
those the runs stored) scored on every selected run's task head, with the paired difference from the baseline;
and the slices ranked by how much a candidate loses or gains there ("where does the new run lose?")."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from mmtl_core.compare.candidates import Candidate
from mmtl_core.compare.paired import corrected, paired_scores
from mmtl_core.keys import head_name
from mmtl_core.slices.slice_metrics import IntervalSettings
from mmtl_core.slices.split_slices import SplitSlices


def slice_table(data: SplitSlices, baseline: Candidate, candidates: Sequence[Candidate], *, min_n: int = 30,
                settings: IntervalSettings = IntervalSettings(), scores=paired_scores) -> pd.DataFrame:
    """One row per run (the baseline first) x slice (``overall`` first) x metric of the task head, with the
    columns of :func:`~mmtl_core.compare.paired.paired_scores` plus ``q_value`` and ``verdict`` (BH over every
    difference in the table). ``scores``: paired_scores or a function that gives the same
    (``memo.PairedMemo.scores``)."""
    head = head_name(data.task.name)
    others = [c.heads[head] for c in candidates if c is not baseline]
    return corrected(scores(data, baseline.heads[head], others, min_n=min_n, settings=settings))


def ranked(table: pd.DataFrame, run: str, metric: str) -> pd.DataFrame:
    """``run``'s rows of :func:`slice_table` on ``metric``, the largest loss first and the largest gain last;
    slices without a difference (empty, undefined) at the end."""
    rows = table[(table["run"] == run) & (table["metric"] == metric)]
    diff = rows["diff"].astype("Float64")
    order = diff.to_numpy(dtype=float, na_value=float("inf")).argsort(kind="stable")
    return rows.iloc[order].reset_index(drop=True)
