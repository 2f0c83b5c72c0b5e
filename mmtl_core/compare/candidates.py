"""What a comparison compares: each selected run's (or ensemble's) heads for one task on one split, as prediction
sets aligned to the split's examples; and the selected runs that cannot take part, each with the reason.

A run can be refused because it trained another task or dataset, has not finished, has no predictions on the
split, or has files that are missing, half-written or hold other examples than the split: the message names the
run and what is missing, and the other runs are compared as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mmtl_core.compare.catalog import RunEntry
from mmtl_core.errors import PredictionsError
from mmtl_core.keys import head_name, split_head
from mmtl_core.runs.predictions import stored_heads
from mmtl_core.slices.predictions import PredictionSet
from mmtl_core.slices.slice_metrics import check_fits
from mmtl_core.slices.split_slices import SplitSlices

#: Reads one head's stored predictions on one split (unaligned): the Compare page passes its file cache.
Reader = Callable[[Path, str, str, str], PredictionSet]


@dataclass(frozen=True, eq=False)
class Candidate:
    """One column of a comparison: a run, a saved ensemble or an unsaved one."""

    key: str  # the run id (an unsaved ensemble: its own key)
    title: str  # as tables show it: name (id)
    heads: dict[str, PredictionSet]  # head name (task, task:slice) -> predictions aligned to the split
    entry: RunEntry | None = None  # None for an unsaved ensemble
    members: tuple[tuple[str, float], ...] = field(default=())  # an ensemble's (member key, weight)

    @property
    def slice_heads(self) -> tuple[str, ...]:
        return tuple(split_head(h)[1] for h in self.heads if split_head(h)[1])


@dataclass(frozen=True)
class Refusal:
    """A selected run left out of the comparison, and why (a sentence naming what is missing)."""

    key: str
    title: str
    reason: str

    @property
    def message(self) -> str:
        return f"{self.title} is not compared: {self.reason}"


def load_candidates(entries: Sequence[RunEntry], data: SplitSlices, read: Reader) -> tuple[list[Candidate],
                                                                                        list[Refusal]]:
    """The heads of ``data``'s task on its split of each entry, aligned to the split's examples; the others
    refused, saying why."""
    candidates, refused = [], []
    for entry in entries:
        try:
            candidates.append(_candidate(entry, data, read))
        except PredictionsError as e:
            refused.append(Refusal(entry.id, entry.title, str(e)))
    return candidates, refused


def _candidate(entry: RunEntry, data: SplitSlices, read: Reader) -> Candidate:
    task, split = data.task, data.split
    if not entry.trained(task.dataset, task.name):
        trained = ", ".join(f"{t.task} on {t.dataset or 'a file'}" for t in entry.tasks) or "no task it records"
        raise PredictionsError(f"it trained {trained}, not {task.name} on {task.dataset}; choose that dataset "
                               "and task to compare it")
    if not entry.comparable:
        raise PredictionsError(f"it is {entry.state}" + (f" ({entry.error})" if entry.error else "")
                               + "; only runs that finished can be compared")
    path = entry.path
    assert path is not None  # comparable
    stored = stored_heads(path)
    heads = [h for h in stored if split_head(h)[0] == task.name]
    if head_name(task.name) not in heads:
        raise PredictionsError(f"its folder {path} has no predictions of head {task.name!r} (heads with "
                               f"predictions: {', '.join(stored) or 'none'}): its files are missing or half-written")
    on_split = [h for h in heads if split in stored[h]]
    if head_name(task.name) not in on_split:
        raise PredictionsError(f"it has no predictions on split {split!r} (splits stored: "
                               f"{', '.join(stored[head_name(task.name)]) or 'none'})")
    sets = {}
    for head in [head_name(task.name), *sorted(h for h in on_split if h != head_name(task.name))]:
        sets[head] = check_fits(data, read(path, head, split, entry.title))  # the right classes, aligned
    return Candidate(entry.id, entry.title, sets, entry)
