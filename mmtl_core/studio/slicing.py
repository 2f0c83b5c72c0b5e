"""The Slices page's service: apply a dataset/task's slicing (and labeling) functions, and gather every prediction
set a split can be scored with: majority vote and the label model (by the one rule of
:mod:`mmtl_core.weak.predictions`), stored runs and uploaded files.

The labeling analysis (:func:`mmtl_core.studio.labeling.analyse_labeling`) is reused, not redone: its L says which
labeling functions fired on an example, and its report gives the "Majority vote" and "Label model" sets, the very
predictions the Labeling functions page scores.
"""

from __future__ import annotations

import os
import tempfile
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import FunctionError, PredictionsError
from mmtl_core.functions import AppliedFunctions, ApplyReport, FunctionInfo
from mmtl_core.keys import head_name
from mmtl_core.slices import OVERALL, PredictionSet, SplitSlices
from mmtl_core.runs.layout import predictions_path
from mmtl_core.runs.listing import list_runs
from mmtl_core.runs.predictions import has_predictions, read_head_predictions
from mmtl_core.slices.prediction_files import read_task_predictions
from mmtl_core.studio.applying import Progress, apply_modules_of
from mmtl_core.studio.labeling import LabelingAnalysis, analyse_labeling
from mmtl_core.tasks import Task
from mmtl_core.weak import score_weak_predictions
from mmtl_core.workspace import Workspace

#: Significance level of the comparison table's highlight (uncorrected for the number of slices).
ALPHA = 0.05


@dataclass(frozen=True, eq=False)
class SliceAnalysis:
    """The slicing functions of some modules on one dataset (all rows), with the labeling analysis of the same
    modules."""

    dataset: Dataset
    task: Task
    S: np.ndarray  # n x s bool, dataset row order
    slice_names: tuple[str, ...]
    functions: tuple[FunctionInfo, ...]
    load_errors: tuple[FunctionError, ...]
    applied: AppliedFunctions | None  # the slicing functions' run; None with no slicing function
    labeling: LabelingAnalysis | None  # None for a regression task (labeling functions vote classes)
    not_cached: tuple[str, ...] = ()  # why some functions run again on every save (see ModuleRun.not_cached)

    @property
    def problems(self) -> list[ApplyReport]:
        """Reports of slicing and labeling functions that raised, timed out or returned bad values."""
        out = [] if self.applied is None else [r for r in self.applied.reports.values() if not r.ok]
        return out + ([] if self.labeling is None else self.labeling.problems)

    def split_slices(self, split: str) -> SplitSlices:
        """One split's rows with their slice memberships and labeling-function votes (DataError if no such split)."""
        L, names = (None, ()) if self.labeling is None else (self.labeling.L, self.labeling.names)
        return SplitSlices.of(self.task, self.dataset, split, self.S, self.slice_names, L, names)


def analyse_slices(dataset: Dataset, task: Task, ws: Workspace, modules: Sequence[str], *,
                   timeout_s: float | None = None, seed: int = 0, progress: Progress | None = None,
                   rerun: Sequence[str] = ()) -> SliceAnalysis:
    """Apply the slicing (and labeling) functions of ``modules`` to every row of ``dataset``, in one round trip to
    the sandboxed function host (each column cached). A broken file or function is reported in the result and never
    stops the others; ``rerun`` names functions or modules to run again although their failure is remembered."""
    kinds = ("slicing",) if task.is_regression else ("labeling", "slicing")
    run = apply_modules_of(ws, dataset, modules, kinds=kinds,
                           cardinality=None if task.is_regression else task.cardinality, timeout_s=timeout_s,
                           progress=progress, rerun=rerun)
    labeling = None if task.is_regression else analyse_labeling(dataset, task, ws, modules, seed=seed, run=run)
    applied = run.applied.get("slicing")
    S = applied.matrix.astype(bool) if applied is not None else np.zeros((len(dataset), 0), dtype=bool)
    return SliceAnalysis(dataset, task, S, tuple(applied.names) if applied else (), run.functions, run.errors,
                         applied, labeling, tuple(run.not_cached))


def weak_prediction_sets(labeling: LabelingAnalysis | None, split: str) -> dict[str, PredictionSet]:
    """"Majority vote" and "Label model" on ``split``: the labeling report's predictions, classes included, so every
    row has the class the Labeling functions page scores (none without labeling functions; no label model while
    the report has none)."""
    if labeling is None or labeling.report is None:
        return {}
    return {name: PredictionSet(name, p.example_ids, probs=p.proba, classes=p.classes, source=name.lower())
            for name, p in labeling.report.on_split(split).items()}


def weak_comparison(analysis: SliceAnalysis, split: str) -> pd.DataFrame | None:
    """Majority vote against the label model on ``split``, all rows and covered rows, by the function the Labeling
    functions page uses (on dev, the same table); None without labeling functions."""
    labeling = analysis.labeling
    if labeling is None or labeling.report is None:
        return None
    rows = (analysis.dataset.frame["split"] == split).to_numpy()
    gold = analysis.dataset.frame[analysis.task.label_field].to_numpy()[rows]
    return score_weak_predictions(labeling.report.on_split(split), gold, analysis.task.metrics)


class PredictionFileCache:
    """Stored runs' prediction files read once per content: a file is re-read only when its size or modification time
    changes (its fingerprint), so rerunning a page reads nothing. Holds the most recent ``max_files`` sets."""

    def __init__(self, max_files: int = 256) -> None:
        self.max_files = max_files
        self._sets: OrderedDict[tuple[str, str, str, int, int], PredictionSet] = OrderedDict()

    def run_predictions(self, run_dir: Path, head: str, split: str, name: str | None = None) -> PredictionSet:
        """:func:`~mmtl_core.runs.predictions.read_head_predictions` (unaligned), from memory while the file is
        unchanged."""
        stat = os.stat(predictions_path(run_dir, head, split))
        key = (str(run_dir), head, split, name or "", stat.st_size, stat.st_mtime_ns)
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = read_head_predictions(run_dir, head, split, name=name)
            while len(self._sets) > self.max_files:
                self._sets.popitem(last=False)
        self._sets.move_to_end(key)
        return found


@dataclass(frozen=True)
class RunPredictions:
    """Stored runs' predictions for one task head and split; a run whose file cannot be used is in ``errors``."""

    sets: dict[str, PredictionSet]
    errors: tuple[PredictionsError, ...] = ()


def run_prediction_sets(ws: Workspace, task: Task, split: str, expected_ids: np.ndarray,
                        files: PredictionFileCache | None = None) -> RunPredictions:
    """Every completed run of the workspace that trained ``task`` on its dataset and has predictions of its head on
    ``split``, named ``run <name> (<id>)`` and aligned to ``expected_ids`` (runs still running or failed are left
    out). ``files`` keeps what was read between calls (a page's reruns)."""
    files = files or PredictionFileCache()
    head = head_name(task.name)
    sets: dict[str, PredictionSet] = {}
    errors: list[PredictionsError] = []
    for run in list_runs(ws.runs_dir, completed_only=True):
        if not run.trained_on(task.name, task.dataset) or not has_predictions(run.path, head, split):
            continue
        name = f"run {run.title}"
        try:
            sets[name] = files.run_predictions(run.path, head, split, name=name).align(expected_ids)
        except PredictionsError as e:
            errors.append(e)
    return RunPredictions(sets, tuple(errors))


def uploaded_prediction_set(filename: str, content: bytes, task: Task, expected_ids: np.ndarray) -> PredictionSet:
    """An uploaded predictions file (CSV or Parquet, by its name's suffix), aligned to ``expected_ids`` and named
    ``file <stem>``. Errors name ``filename`` (the user's file), never the temporary copy it is read from.
    """
    name = Path(filename).name
    with tempfile.TemporaryDirectory(prefix="mmtl_upload_") as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        try:
            ps = read_task_predictions(path, task, expected_ids)
        except PredictionsError as e:
            raise PredictionsError(str(e).replace(str(path), name)) from e
    return PredictionSet(f"file {path.stem}", ps.example_ids, ps.probs, ps.scores, source=name)


def slice_sizes(data: SplitSlices) -> pd.DataFrame:
    """Rows and labeled rows per slice (``overall`` first): what can be shown before any prediction exists."""
    members = np.column_stack([np.ones(len(data.frame), dtype=bool), data.S])
    return pd.DataFrame({"slice": [OVERALL, *data.slice_names], "rows": members.sum(axis=0),
                         "labeled": (members & data.labeled[:, None]).sum(axis=0)})


def largest_error_cell(table: pd.DataFrame) -> tuple[str, str]:
    """The off-diagonal cell of a confusion table with the most examples (the diagonal's largest if none)."""
    counts = table.to_numpy().copy()
    k = min(counts.shape)
    off = counts.astype(np.int64)
    off[np.arange(k), np.arange(k)] = -1
    i, j = np.unravel_index(np.argmax(off), off.shape)
    if off[i, j] <= 0:
        i, j = np.unravel_index(np.argmax(counts), counts.shape)
    return str(table.index[i]), str(table.columns[j])


def significant(p_values: pd.Series, alpha: float = ALPHA) -> np.ndarray:
    """Bool per row: a p-value below ``alpha`` (NA never is)."""
    return p_values.fillna(1.0).to_numpy(dtype=np.float64) < alpha
