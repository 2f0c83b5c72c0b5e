"""The slicing workbench in one call: load the user's slicing functions, apply them (cached, sandboxed), and gather
every prediction set a split can be scored with. The Slices page calls :func:`analyse_slices` on every save.

The labeling analysis (:func:`mmtl_core.workbench.analyse_labeling`) is reused, not redone: its L says which
labeling functions fired on an example, and its votes give the "Majority vote" and "Label model" prediction sets.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import FunctionError, PredictionsError
from mmtl_core.functions import AppliedFunctions, ApplyReport, FunctionInfo, LabelCache, apply_modules
from mmtl_core.functions.apply import Progress
from mmtl_core.keys import head_name
from mmtl_core.runs.listing import list_runs
from mmtl_core.runs.predictions import has_predictions, read_head_predictions
from mmtl_core.slices import OVERALL, PredictionSet, SplitSlices
from mmtl_core.slices.slice_metrics import EMPTY_NOTE
from mmtl_core.tasks import Task
from mmtl_core.weak import majority_vote_proba
from mmtl_core.workbench import LabelingAnalysis, analyse_labeling
from mmtl_core.workspace import Workspace

MAJORITY_VOTE = "Majority vote"
LABEL_MODEL = "Label model"
#: Significance level of the comparison table's highlight (uncorrected for the number of slices).
ALPHA = 0.05


@dataclass(frozen=True, eq=False)
class SliceAnalysis:
    """The user's slicing functions on one dataset (all rows), with the labeling analysis of the same modules."""

    dataset: Dataset
    task: Task
    S: np.ndarray  # n x s bool, dataset row order
    slice_names: tuple[str, ...]
    functions: tuple[FunctionInfo, ...]
    load_errors: tuple[FunctionError, ...]
    applied: AppliedFunctions | None  # the slicing functions' run; None with no slicing function
    labeling: LabelingAnalysis | None  # None for a regression task (labeling functions vote classes)

    @property
    def problems(self) -> list[ApplyReport]:
        """Reports of slicing and labeling functions that raised, timed out or returned bad values."""
        out = [] if self.applied is None else [r for r in self.applied.reports.values() if not r.ok]
        return out + ([] if self.labeling is None else self.labeling.problems)

    def split_slices(self, split: str) -> SplitSlices:
        """One split's rows with their slice memberships and labeling-function votes (DataError if no such split)."""
        L, names = (None, ()) if self.labeling is None else (self.labeling.L, self.labeling.names)
        return SplitSlices.of(self.task, self.dataset, split, self.S, self.slice_names, L, names)


def analyse_slices(dataset: Dataset, task: Task, workspace: Workspace, *, files: Sequence[str] | None = None,
                   timeout_s: float | None = None, seed: int = 0, progress: Progress | None = None,
                   rerun: Sequence[str] = ()) -> SliceAnalysis:
    """Apply the slicing (and labeling) functions in ``files`` of the workspace's functions folder to every row of
    ``dataset``, in one round trip to the sandboxed function host (each column cached by key and data).

    A broken file or function is reported in the result and never stops the others.
    """
    kinds = ("slicing",) if task.is_regression else ("labeling", "slicing")
    run = apply_modules(dataset, workspace.functions_dir, files, kinds=kinds,
                        cardinality=None if task.is_regression else task.cardinality,
                        cache=LabelCache(workspace.label_cache_dir), timeout_s=timeout_s, rerun=rerun,
                        progress=progress)
    labeling = None if task.is_regression else analyse_labeling(dataset, task, workspace, seed=seed, run=run)
    applied = run.applied.get("slicing")
    S = applied.matrix.astype(bool) if applied is not None else np.zeros((len(dataset), 0), dtype=bool)
    return SliceAnalysis(dataset, task, S, tuple(applied.names) if applied else (), run.functions, run.errors,
                         applied, labeling)


def prediction_sets_for(dataset: Dataset, task: Task, labeling: LabelingAnalysis | None,
                        split: str) -> dict[str, PredictionSet]:
    """"Majority vote" and "Label model" on ``split`` from the labeling analysis (none without labeling functions;
    no label model while the weak report has none).

    Majority vote abstains (a row of NaN, scored as wrong) where no function voted; the label model always
    predicts (the class prior where nothing voted), as it would when it labels training data.
    """
    if labeling is None or labeling.report is None:
        return {}
    rows = (dataset.frame["split"] == split).to_numpy()
    L = labeling.L[rows]
    ids = dataset.frame["example_id"].to_numpy()[rows]
    mv = majority_vote_proba(L, task.cardinality).astype(np.float64)
    mv[(L == -1).all(axis=1)] = np.nan
    sets = {MAJORITY_VOTE: PredictionSet.from_probs(MAJORITY_VOTE, ids, mv, source="majority vote")}
    model = labeling.report.label_model  # None while too few functions vote for the model to be fitted
    if model is not None:
        sets[LABEL_MODEL] = PredictionSet.from_probs(LABEL_MODEL, ids, model.predict_proba(L), source="label model")
    return sets


@dataclass(frozen=True)
class RunPredictions:
    """Stored runs' predictions for one task head and split; a run whose file cannot be used is in ``errors``."""

    sets: dict[str, PredictionSet]
    errors: tuple[PredictionsError, ...] = ()


def run_prediction_sets(workspace: Workspace, task: Task, split: str, expected_ids: np.ndarray) -> RunPredictions:
    """Every completed run of the workspace that trained ``task`` on its dataset and has predictions of its head on
    ``split``, named ``run <name> (<id>)`` (runs still running or failed are left out)."""
    head = head_name(task.name)
    sets: dict[str, PredictionSet] = {}
    errors: list[PredictionsError] = []
    for run in list_runs(workspace.runs_dir, completed_only=True):
        if not run.trained_on(task.name, task.dataset) or not has_predictions(run.path, head, split):
            continue
        name = f"run {run.title}"
        try:
            sets[name] = read_head_predictions(run.path, head, split, expected_ids, name=name)
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
            ps = PredictionSet.from_file(path, task, expected_ids)
        except PredictionsError as e:
            raise PredictionsError(str(e).replace(str(path), name)) from e
    return PredictionSet(f"file {path.stem}", ps.example_ids, ps.probs, ps.scores, source=name)


def slice_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """:func:`mmtl_core.slices.slice_metrics`'s table as the page shows it: value and interval as text ("empty"
    for an empty slice, never NaN), the interval method, and a plain flag for slices below the minimum n."""
    def number(v: object) -> str:
        return "" if pd.isna(v) else f"{float(v):.3f}"  # type: ignore[arg-type]

    out = pd.DataFrame({
        "predictions": metrics["predictions"], "slice": metrics["slice"], "n": metrics["n"],
        "metric": metrics["metric"],
        "value": [number(v) or (note or EMPTY_NOTE) for v, note in zip(metrics["value"], metrics["note"])],
        "interval": [f"[{number(lo)}, {number(hi)}]" if not (pd.isna(lo) or pd.isna(hi)) else ""
                     for lo, hi in zip(metrics["ci_low"], metrics["ci_high"])],
        "method": metrics["ci_method"],
        "small slice": np.where(metrics["below_min_n"], "below min n", ""),
        "note": metrics["note"],
    })
    return out.reset_index(drop=True)


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
