"""The Labeling functions page without a browser: the same workspace, dataset, task, module set and analysis
(:func:`mmtl_core.studio.labeling.analyse_labeling`), written as text or JSON for scripts and CI
(``python -m mmtl_core.weak report``)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from mmtl_core.data.dataset import Dataset
from mmtl_core.data.registry import load_dataset
from mmtl_core.errors import DataError, TaskError
from mmtl_core.studio.display import weak_comparison_table
from mmtl_core.studio.labeling import LabelingAnalysis, analyse_labeling
from mmtl_core.studio.modules import module_set
from mmtl_core.tasks import Task, tasks_for
from mmtl_core.weak import PREDICTION_RULE, SUMMARY_NOTE
from mmtl_core.workspace import Workspace


@dataclass(frozen=True, eq=False)
class HeadlessReport:
    dataset: Dataset
    task: Task
    analysis: LabelingAnalysis

    @property
    def failed(self) -> bool:
        """A module that did not load or a function that faulted: what a CI check should stop on."""
        return bool(self.analysis.load_errors or self.analysis.problems)


def find_dataset(ws: Workspace, name: str) -> Dataset:
    """The workspace's dataset called ``name``, loaded as the app loads it."""
    specs = {s.name: s for s in ws.dataset_specs()}
    if name not in specs:
        raise DataError(f"no dataset named {name!r} in the workspace {ws.root}; its datasets: "
                        f"{', '.join(specs) or '(none: load one on the Data page)'}")
    return load_dataset(specs[name])


def find_task(ws: Workspace, dataset: Dataset, name: str) -> Task:
    tasks = {t.name: t for t in tasks_for(dataset, ws.tasks())}
    if name not in tasks:
        raise TaskError(f"dataset {dataset.name!r} has no task named {name!r}; its tasks: "
                        f"{', '.join(tasks) or '(none: define one on the Data page)'}")
    return tasks[name]


def headless_report(ws: Workspace, dataset_name: str, task_name: str,
                    modules: Sequence[str] | None = None) -> HeadlessReport:
    """What the Labeling functions page shows for this dataset and task (its module set unless ``modules``)."""
    dataset = find_dataset(ws, dataset_name)
    task = find_task(ws, dataset, task_name)
    chosen = list(modules) if modules is not None else module_set(ws, dataset, task)
    return HeadlessReport(dataset, task, analyse_labeling(dataset, task, ws, chosen))


def _problems(report: HeadlessReport) -> list[str]:
    return [str(e) for e in report.analysis.load_errors] + [m for p in report.analysis.problems for m in p.messages]


def as_text(report: HeadlessReport) -> str:
    a = report.analysis
    lines = [f"Labeling functions for task {report.task.name!r} on dataset {report.dataset.name!r}",
             f"modules: {', '.join(a.modules) or '(none)'}"]
    lines += [f"ERROR: {p}" for p in _problems(report)]
    if a.report is None:
        return "\n".join([*lines, "No labeling functions in the modules applied."]) + "\n"
    with pd.option_context("display.width", 200, "display.max_columns", None, "display.precision", 3):
        lines += ["", "Summary", a.report.summary.to_string(), SUMMARY_NOTE,
                  "", "Majority vote and label model on dev", weak_comparison_table(a.report.comparison).to_string(),
                  f"Dev rows with a gold label. {PREDICTION_RULE}"]
    lines += [""] + [f"WARNING: {w}" for w in a.report.warnings]
    lines += [f"Training labels: {a.report.training_labels.note}"]
    return "\n".join(lines) + "\n"


def _plain(value: object) -> object:
    """JSON's values: NaN (an undefined metric) as null, numpy scalars as numbers."""
    if hasattr(value, "item"):
        value = value.item()  # type: ignore[union-attr]
    return None if isinstance(value, float) and math.isnan(value) else value


def as_json(report: HeadlessReport) -> str:
    a = report.analysis
    out: dict[str, object] = {"dataset": report.dataset.name, "task": report.task.name, "modules": list(a.modules),
                              "problems": _problems(report), "rule": PREDICTION_RULE}
    if a.report is not None:
        summary = a.report.summary
        out["summary"] = {name: {c: ([int(v) for v in row[c]] if c == "Polarity" else _plain(row[c]))
                                 for c in summary.columns} for name, row in summary.iterrows()}
        out["comparison"] = {model: {c: _plain(v) for c, v in row.items()}
                             for model, row in a.report.comparison.iterrows()}
        out["warnings"] = a.report.warnings
        out["training_labels"] = {"rows": len(a.report.training_labels.frame),
                                  "uncovered_train_rows": a.report.training_labels.dropped}
    return json.dumps(out, indent=2)
