"""The Labeling functions page's service: apply a dataset/task's modules' labeling functions (cached, in the
sandboxed function host) and analyse them, in one call per save. The headless report (``python -m mmtl_core.weak
report``) and the trainer's ``labels: label_model`` (``mmtl_core.train.weak_labels``) take the same path, so they
see exactly what the page shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import FunctionError, TaskError
from mmtl_core.functions import AppliedFunctions, ApplyReport, FunctionInfo, ModuleRun
from mmtl_core.studio.applying import Progress, apply_modules_of
from mmtl_core.tasks import Task
from mmtl_core.weak import WeakReport, labeling_model, weak_report_for_task
from mmtl_core.workspace import Workspace

#: What the function inspector can show for one function.
EXAMPLE_KINDS = {
    "fires": "where it votes",
    "wrong": "where it votes against the gold label",
    "conflicts": "where another function votes a different class",
}


@dataclass(frozen=True, eq=False)
class LabelingAnalysis:
    """The labeling functions of some modules on one dataset, for one task."""

    modules: tuple[str, ...]
    names: tuple[str, ...]
    L: np.ndarray  # n x m int8, dataset row order; precomputed (WRENCH) columns first
    functions: tuple[FunctionInfo, ...]
    load_errors: tuple[FunctionError, ...]
    applied: AppliedFunctions | None
    report: WeakReport | None  # None with no function at all
    not_cached: tuple[str, ...] = ()  # why some functions run again on every save (see ModuleRun.not_cached)

    @property
    def problems(self) -> list[ApplyReport]:
        """Reports of the functions that raised, timed out or returned bad values (their ``messages`` say how)."""
        return [] if self.applied is None else [r for r in self.applied.reports.values() if not r.ok]


def analyse_labeling(dataset: Dataset, task: Task, ws: Workspace, modules: Sequence[str], *,
                     timeout_s: float | None = None, seed: int = 0, progress: Progress | None = None,
                     rerun: Sequence[str] = (), run: ModuleRun | None = None) -> LabelingAnalysis:
    """Apply the labeling functions of ``modules`` (file names in the workspace's functions folder) to ``dataset``
    in the sandboxed function host (each column cached by its key), add any precomputed weak labels, and analyse
    them for ``task``.

    A broken file or function is reported in the result and never stops the others. ``run`` (those modules,
    already applied by the caller) saves a second round trip; ``rerun`` names functions or modules to run again
    although their failure is remembered.
    """
    if task.is_regression:
        raise TaskError(f"task {task.name!r} is a regression task; labeling functions vote classes")
    if run is None:
        run = apply_modules_of(ws, dataset, modules, kinds=("labeling",), cardinality=task.cardinality,
                               timeout_s=timeout_s, progress=progress, rerun=rerun)
    applied = run.applied.get("labeling")
    columns, names = [], []
    if dataset.weak_labels is not None:
        columns.append(dataset.weak_labels.astype(np.int8))
        names += list(dataset.weak_label_names or (f"weak_{j}" for j in range(dataset.weak_labels.shape[1])))
    if applied is not None:
        columns.append(applied.matrix)
        names += list(applied.names)
    L = np.hstack(columns) if columns else np.full((len(dataset), 0), -1, np.int8)
    report = weak_report_for_task(dataset, task, L, names, seed=seed) if names else None
    return LabelingAnalysis(tuple(modules), tuple(names), L, run.functions, run.errors, applied, report,
                            tuple(run.not_cached))


def function_examples(dataset: Dataset, task: Task, analysis: LabelingAnalysis, name: str, kind: str, *,
                      split: str = "dev", limit: int = 100) -> tuple[pd.DataFrame, int]:
    """Examples of ``split`` where function ``name`` fires, is wrong, or conflicts (see :data:`EXAMPLE_KINDS`),
    with the gold label, its vote, the training labels' model's prediction (by the one rule) and the other
    functions that fired.

    Returns at most ``limit`` rows and the number that matched.
    """
    if kind not in EXAMPLE_KINDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(EXAMPLE_KINDS)}")
    if name not in analysis.names:
        raise FunctionError(f"no labeling function named {name!r} in this analysis", function=name)
    j = analysis.names.index(name)
    frame = dataset.frame
    rows = (frame["split"] == split).to_numpy()
    vote = analysis.L[:, j]
    gold = frame[task.label_field].to_numpy()
    others = np.delete(analysis.L, j, axis=1)
    mask = rows & (vote != -1)
    if kind == "wrong":
        mask &= (gold != -1) & (gold != vote)
    elif kind == "conflicts":
        mask &= ((others != -1) & (others != vote[:, None])).any(axis=1)
    idx = np.flatnonzero(mask)
    shown = idx[:limit]
    other_names = [n for n in analysis.names if n != name]
    label = (lambda c: task.label_names[c] if 0 <= c < len(task.label_names) else str(c)) if task.label_names \
        else str
    out = frame.iloc[shown][["example_id", *task.text_fields]].copy()
    out["gold"] = [label(int(g)) if g != -1 else "" for g in gold[shown]]
    out["vote"] = [label(int(v)) for v in vote[shown]]
    if analysis.report is not None:
        model = labeling_model(analysis.report.predictions)
        out[model.model.lower()] = [f"{label(int(c))} ({p[c]:.2f})"
                                    for c, p in zip(model.classes[shown], model.proba[shown])]
    out["others that fired"] = [", ".join(f"{other_names[k]}={label(int(v))}" for k, v in enumerate(row) if v != -1)
                                for row in others[shown]]
    return out, len(idx)
