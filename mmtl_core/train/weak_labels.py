"""The current label model's training labels for a dataset and task, computed at launch through the code path of
the Labeling functions page (its modules, its analysis, its export), so a run trains on what the page shows.

The one seam to the page's service (``mmtl_core.studio``): the dataset/task's module set, analysed as the page
does, its predictions by the one rule of ``mmtl_core.weak.predictions``.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import ConfigError
from mmtl_core.tasks import Task
from mmtl_core.studio.labeling import analyse_labeling
from mmtl_core.studio.modules import module_set
from mmtl_core.workspace import Workspace

log = logging.getLogger("mmtl_core.train")


def label_model_labels(dataset: Dataset, task: Task, workspace: Workspace) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The page's export for ``dataset``/``task`` (example_id + ``prob_<class>`` of the covered train rows) and
    what made it (modules, functions, model), for the run's config.json.

    A module that does not load stops the launch (the labels would silently lack its functions); functions that
    fault on some rows, and the page's warnings about the set, are logged.
    """
    files = module_set(workspace, dataset, task)
    analysis = analyse_labeling(dataset, task, workspace, files)
    where = f"task {task.name!r}: setting 'labels' is 'label_model'"
    if analysis.load_errors:
        e = analysis.load_errors[0]
        at = f" ({e.path}, line {e.line})" if e.path else ""
        raise ConfigError(f"{where}, but a labeling-function module does not load{at}: {e}; fix it on the "
                          "Labeling functions page") from e
    if analysis.report is None:
        raise ConfigError(f"{where}, but dataset {dataset.name!r} has no labeling functions in "
                          f"{', '.join(files) or 'any module'} of {workspace.functions_dir}")
    for problem in analysis.problems:
        for message in problem.messages:
            log.warning("task %s: %s", task.name, message)
    for warning in analysis.report.warnings:
        log.warning("task %s: label model: %s", task.name, warning)
    labels = analysis.report.training_labels
    model = "label model" if analysis.report.label_model is not None else "majority vote"
    log.info("task %s: %s labels from %d labeling functions in %s: %s", task.name, model, len(analysis.names),
             ", ".join(files), labels.note)
    return labels.frame, {"modules": files, "functions": list(analysis.names), "model": model,
                          "uncovered_train_rows": labels.dropped}
