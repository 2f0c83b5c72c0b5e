"""The Compare page's service: every run and ensemble of the workspace (with headline figures), and a comparison of
the selected ones on one task and split: head by head and per slice against a pinned baseline, an unsaved
ensemble beside them, what changed between them, their disagreements, and what to export.

Predictions and runs' stored gold splits are read through :class:`CompareFiles`, which keeps what it read in memory
keyed by each file's size and modification time (as the Slices page does), so a rerun reads nothing.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mmtl_core.compare.candidates import Candidate, Refusal, load_candidates
from mmtl_core.compare.catalog import RunEntry, catalog
from mmtl_core.compare.differences import Change, function_changes, setting_differences
from mmtl_core.compare.disagreements import Disagreements, disagreements
from mmtl_core.compare.memo import PairedMemo
from mmtl_core.compare.ensemble import ensemble_candidate
from mmtl_core.compare.headline import HEADLINE_SPLIT, Headline, headline
from mmtl_core.compare.heads import head_table
from mmtl_core.compare.per_slice import slice_table
from mmtl_core.compare.stored import stored_split, with_stored_slices
from mmtl_core.errors import MMTLError, PredictionsError
from mmtl_core.keys import head_name
from mmtl_core.runs.layout import CONFIG, gold_path
from mmtl_core.runs.registry import RunRecord
from mmtl_core.slices.predictions import PredictionSet
from mmtl_core.slices.slice_metrics import IntervalSettings
from mmtl_core.slices.split_slices import SplitSlices
from mmtl_core.studio.slicing import PredictionFileCache


class CompareFiles:
    """Stored predictions and stored gold splits, each read once per content (a file's size and modification
    time); holds the most recent ``max_files`` of each. ``scores`` remembers each candidate's paired scores by
    content, so a rerun scores only what changed (an ensemble's new weights, a new run)."""

    def __init__(self, max_files: int = 512) -> None:
        self.predictions = PredictionFileCache(max_files)
        self.scores = PairedMemo()
        self.max_files = max_files
        self._splits: OrderedDict[tuple, SplitSlices] = OrderedDict()
        self._headlines: OrderedDict[tuple[int, int], tuple[SplitSlices, PredictionSet, Headline]] = OrderedDict()

    def read(self, run: Path, head: str, split: str, name: str) -> PredictionSet:
        return self.predictions.run_predictions(run, head, split, name)

    def headline(self, data: SplitSlices, predictions: PredictionSet) -> Headline:
        """:func:`~mmtl_core.compare.headline.headline`, once per pair of read files (both are kept by this
        object while unchanged, so the same objects mean the same content)."""
        key = (id(data), id(predictions))
        found = self._headlines.get(key)
        if found is None or found[0] is not data or found[1] is not predictions:
            found = self._headlines[key] = (data, predictions, headline(data, predictions))
            while len(self._headlines) > self.max_files:
                self._headlines.popitem(last=False)
        self._headlines.move_to_end(key)
        return found[2]

    def stored_split(self, run: Path, task: str, split: str) -> SplitSlices:
        """:func:`~mmtl_core.compare.stored.stored_split`, from memory while the run's gold file and config are
        unchanged."""
        key = (str(run), task, split, *_stamp(gold_path(run, task, split)), *_stamp(run / CONFIG))
        found = self._splits.get(key)
        if found is None:
            found = self._splits[key] = stored_split(run, task, split)
            while len(self._splits) > self.max_files:
                self._splits.popitem(last=False)
        self._splits.move_to_end(key)
        return found


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return (-1, -1)
    return stat.st_size, stat.st_mtime_ns


# --- the runs table -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunsOverview:
    """Every run of the workspace, newest first, with each comparable run's headline per task (dev, first metric,
    with its interval and n)."""

    entries: list[RunEntry]
    headlines: dict[str, list[Headline]]
    problems: dict[str, str] = field(default_factory=dict)  # run id -> why its headline cannot be computed

    def by_id(self) -> dict[str, RunEntry]:
        return {e.id: e for e in self.entries}


def runs_overview(runs_dir: Path, records: Sequence[RunRecord], files: CompareFiles) -> RunsOverview:
    """The runs table's content: ``records`` are the registry's runs listed with their configs."""
    entries = catalog(runs_dir, records)
    headlines: dict[str, list[Headline]] = {}
    problems: dict[str, str] = {}
    for entry in entries:
        if not entry.comparable:
            continue
        try:
            headlines[entry.id] = [_headline(entry, t.task, files) for t in entry.tasks]
        except MMTLError as e:
            problems[entry.id] = str(e)
    return RunsOverview(entries, headlines, problems)


def _headline(entry: RunEntry, task: str, files: CompareFiles) -> Headline:
    path = entry.path
    assert path is not None  # comparable
    data = files.stored_split(path, task, HEADLINE_SPLIT)
    predictions = files.read(path, head_name(task), HEADLINE_SPLIT, entry.title)
    return files.headline(data, predictions)


def filter_runs(entries: Iterable[RunEntry], text: str = "", states: Sequence[str] = ()) -> list[RunEntry]:
    """Runs whose name, id, tasks, datasets, encoder, mode or labels contain every word of ``text`` (any case), in
    one of ``states`` (all when empty)."""
    words = text.lower().split()
    out = []
    for e in entries:
        haystack = " ".join([e.name, e.id, e.state, str(e.settings.get("encoder", "")),
                             str(e.settings.get("mode", "")), "ensemble" if e.is_ensemble else "",
                             *(f"{t.task} {t.dataset} {t.labels}" for t in e.tasks)]).lower()
        if all(w in haystack for w in words) and (not states or e.state in states):
            out.append(e)
    return out


# --- the comparison -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Selection:
    """What the user compares: runs (ids) with one pinned as the baseline, and an unsaved ensemble of some of them
    (ids and weights; none when fewer than two)."""

    runs: tuple[str, ...]
    baseline: str = ""
    ensemble: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()


@dataclass(frozen=True, eq=False)
class CompareView:
    """Everything the page shows of a comparison."""

    data: SplitSlices  # the split with the current slices and those only runs stored
    stored_slices: dict[str, str]  # slice -> the run whose stored membership defines it here
    candidates: list[Candidate]  # the baseline first; the unsaved ensemble last
    refused: list[Refusal]
    heads: pd.DataFrame  # compare.heads.head_table
    slices: pd.DataFrame  # compare.per_slice.slice_table
    changes: dict[str, list[Change] | None]  # candidate key -> functions changed since the baseline's run
    settings: pd.DataFrame  # the settings that differ among the runs
    ensemble_error: str = ""
    notes: tuple[str, ...] = ()

    @property
    def baseline(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def candidate(self, key: str) -> Candidate:
        return next(c for c in self.candidates if c.key == key)


def compare(entries: Sequence[RunEntry], data: SplitSlices, selection: Selection, files: CompareFiles, *,
            function_files: Iterable[str] | None = None, min_n: int = 30,
            settings: IntervalSettings = IntervalSettings()) -> CompareView:
    """Compare the selected runs on ``data``'s task and split. Runs that cannot take part are in ``refused`` (the
    rest is compared); an ensemble that cannot be made is in ``ensemble_error``. ``function_files`` restricts the
    function changes to those modules (the dataset/task's module set)."""
    by_id = {e.id: e for e in entries}
    chosen = [by_id[i] for i in dict.fromkeys(selection.runs) if i in by_id]  # a run chosen twice is one run
    refused = [Refusal(i, i, "it is no longer listed (deleted?)") for i in selection.runs if i not in by_id]
    data, origin = with_stored_slices(data, _stored_splits(chosen, data, files))
    candidates, more = load_candidates(chosen, data, files.read)
    refused += more
    notes = []
    baseline = next((c for c in candidates if c.key == selection.baseline), candidates[0] if candidates else None)
    if baseline is not None and selection.baseline and baseline.key != selection.baseline:
        notes.append(f"The pinned baseline cannot be compared; {baseline.title} is the baseline instead.")
    if baseline is None:
        empty = pd.DataFrame()
        return CompareView(data, origin, [], refused, empty, empty, {}, setting_differences(chosen), "", tuple(notes))
    ordered = [baseline, *[c for c in candidates if c is not baseline]]
    ensemble_error = ""
    members = [c for c in candidates if c.key in selection.ensemble]
    if len(members) >= 2:
        weights = [dict(zip(selection.ensemble, selection.weights)).get(c.key, 1.0) for c in members]
        try:
            ordered.append(ensemble_candidate(members, weights))
        except PredictionsError as e:
            ensemble_error = str(e)
    # The slice table first: the head table's task-head rows (overall) are then read from it.
    slices = slice_table(data, baseline, ordered[1:], min_n=min_n, settings=settings, scores=files.scores.scores)
    heads = head_table(data, baseline, ordered[1:], min_n=min_n, settings=settings, scores=files.scores.scores)
    files_kept = list(function_files) if function_files is not None else None
    changes = {c.key: function_changes(baseline.entry, c.entry, files_kept) for c in ordered[1:]
               if c.entry is not None and baseline.entry is not None}
    runs = [c.entry for c in ordered if c.entry is not None]
    return CompareView(data, origin, ordered, refused, heads, slices, changes, setting_differences(runs),
                       ensemble_error, tuple(notes))


def _stored_splits(entries: Sequence[RunEntry], data: SplitSlices, files: CompareFiles) -> list[tuple[str,
                                                                                                       SplitSlices]]:
    """The stored gold splits of the entries that trained the task (those without one are refused later)."""
    out = []
    for e in entries:
        if e.comparable and e.trained(data.task.dataset, data.task.name):
            try:
                out.append((e.title, files.stored_split(e.path, data.task.name, data.split)))  # type: ignore[arg-type]
            except MMTLError:
                continue  # its predictions are refused with the reason, when they are read
    return out


def disagreements_between(view: CompareView, a: str, b: str, slice_name: str) -> Disagreements:
    """Where candidates ``a`` and ``b`` (keys) disagree on the task head, on one slice."""
    head = head_name(view.data.task.name)
    return disagreements(view.data, view.candidate(a).heads[head], view.candidate(b).heads[head], slice_name)
