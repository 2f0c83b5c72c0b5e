"""Head by head against a pinned baseline: every task head and slice head of the selected runs, with its metric,
95% interval and n, and its paired difference from the baseline's same head (exact McNemar for accuracy, the paired
bootstrap otherwise), corrected together by Benjamini-Hochberg.

A task head is scored on every labeled example of the split; a slice head ``task:s`` on the examples of slice
``s``: the same rows for every run, so differences are paired. A head the baseline lacks (a slice head added by a
retrain) is scored but not compared, and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from mmtl_core.compare.candidates import Candidate
from mmtl_core.compare.paired import COLUMNS, corrected, paired_scores
from mmtl_core.compare.stored import stored_split
from mmtl_core.errors import PredictionsError
from mmtl_core.keys import head_name, split_head
from mmtl_core.runs.listing import read_run_info
from mmtl_core.runs.predictions import read_head_predictions, stored_heads
from mmtl_core.slices.slice_metrics import IntervalSettings, check_fits
from mmtl_core.slices.split_slices import OVERALL, SplitSlices

NO_BASELINE_HEAD = "the baseline has no such head"
NO_SLICE = "no slice of this name on this split"


def head_table(data: SplitSlices, baseline: Candidate, candidates: Sequence[Candidate], *, min_n: int = 30,
               settings: IntervalSettings = IntervalSettings(), scores=paired_scores) -> pd.DataFrame:
    """One row per run (the baseline first) x head x metric, with ``head`` and the columns of
    :func:`~mmtl_core.compare.paired.paired_scores` plus ``q_value`` and ``verdict`` (BH over every difference in
    the table). ``scores``: paired_scores or a function that gives the same (``memo.PairedMemo.scores``)."""
    runs = [baseline, *[c for c in candidates if c is not baseline]]
    heads = list(dict.fromkeys(h for c in runs for h in c.heads))
    heads.sort(key=lambda h: (split_head(h)[1] is not None, h))  # the task head first
    parts = []
    for head in heads:
        slice_name = split_head(head)[1] or OVERALL
        having = [c for c in runs if head in c.heads]
        if slice_name != OVERALL and slice_name not in data.slice_names:
            parts.append(pd.DataFrame({"run": [c.heads[head].name for c in having], "head": head,
                                       "slice": slice_name, "metric": data.task.primary_metric, "n": 0,
                                       "note": NO_SLICE}))
            continue
        base = baseline.heads.get(head)
        others = [c.heads[head] for c in having if c is not baseline]
        part = scores(data, base, others, [slice_name], min_n=min_n, settings=settings)
        if base is None:
            part["note"] = part["note"].where(part["note"] != "", NO_BASELINE_HEAD)
        part.insert(1, "head", head)
        parts.append(part)
    columns = ["run", "head", *COLUMNS[1:]]
    table = pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
    return corrected(table)


def compare_runs(baseline: Path, candidates: Sequence[Path], task: str, split: str = "dev", *,
                 settings: IntervalSettings = IntervalSettings()) -> pd.DataFrame:
    """For scripts (e.g. a ladder's step against the step before): :func:`head_table` of run folders, read as
    they stored them and scored on the baseline's stored gold labels and slice memberships, so no dataset or
    function is needed. Every candidate must have predicted the baseline's examples."""
    data = stored_split(Path(baseline), task, split)
    runs = [folder_candidate(Path(r), data) for r in (baseline, *candidates)]
    return head_table(data, runs[0], runs[1:], settings=settings)


def folder_candidate(run: Path, data: SplitSlices) -> Candidate:
    """A run folder's heads of ``data``'s task on its split, named by the run's title."""
    info = read_run_info(run)
    heads = {h: check_fits(data, read_head_predictions(run, h, data.split, name=info.title))
             for h, splits in stored_heads(run).items() if split_head(h)[0] == data.task.name and data.split in splits}
    if head_name(data.task.name) not in heads:
        raise PredictionsError(f"{run}: no predictions of head {data.task.name!r} on split {data.split!r}")
    return Candidate(info.run_id, info.title, heads)
