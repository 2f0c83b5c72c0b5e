"""A task's training labels besides gold: the current label model's (computed at launch) or a file such as the
Labeling functions page's export, read as written (``prob_<class name>`` columns, its example ids) and matched to
the dataset's training rows by id. A mismatch says how many ids matched and where the labels came from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import ConfigError, PredictionsError
from mmtl_core.runs.columns import EXAMPLE_ID, prob_columns
from mmtl_core.slices.prediction_files import read_predictions
from mmtl_core.slices.predictions import few
from mmtl_core.tasks import Task
from mmtl_core.train.config import GOLD, LABEL_MODEL, TaskSpec
from mmtl_core.train.weak_labels import label_model_labels
from mmtl_core.workspace import Workspace

log = logging.getLogger("mmtl_core.train")


@dataclass(frozen=True, eq=False)
class TaskLabels:
    """Probabilistic labels of training rows: ``frame`` is example_id + ``prob_<class>`` in class order (only rows
    of the dataset's train split); ``record`` says where they came from, for the run's config.json."""

    frame: pd.DataFrame
    record: dict[str, Any] = field(default_factory=dict)


def read_label_file(path: Path, task: Task) -> pd.DataFrame:
    """A labels file as written (example_id + one probability per class, ``prob_<label name>`` or ``prob_0``..),
    checked by the one reader of prediction files, as example_id + ``prob_<class>`` in class order."""
    try:
        labels = read_predictions(Path(path), task.cardinality, task.label_names, task.name)
    except PredictionsError as e:
        raise ConfigError(f"task {task.name!r}: setting 'labels' names {str(path)!r}, which cannot be used: "
                          f"{e}") from e
    frame = pd.DataFrame(labels.probs, columns=prob_columns(task.cardinality, task.label_names))
    frame.insert(0, EXAMPLE_ID, labels.example_ids)
    return frame


def _origins(ids: pd.Series) -> list[str]:
    """The datasets ids were made by (an example id is ``<dataset>:<row key>``), most common first."""
    return ids.str.partition(":")[0].value_counts().index.tolist()


def match_to_train_rows(frame: pd.DataFrame, task: Task, dataset: Dataset, source: str) -> TaskLabels:
    """Keep the rows of ``frame`` that are training rows of ``dataset``. None matching is a ConfigError saying how
    many matched and where the ids come from; a partial match is logged and recorded."""
    ids = frame[EXAMPLE_ID].astype(str)
    split_of = pd.Series(dataset.frame["split"].to_numpy(), index=dataset.frame[EXAMPLE_ID].astype(str))
    found = split_of.reindex(ids.to_numpy())
    train = (found == "train").to_numpy()
    n_train = int((dataset.frame["split"] == "train").sum())
    matched = int(train.sum())
    other_splits = found[~train].dropna().value_counts()
    elsewhere = "".join(f"; {n} are rows of its {s} split" for s, n in other_splits.items())
    unknown = int(found.isna().sum())
    if matched == 0:
        mine, theirs = _origins(dataset.frame[EXAMPLE_ID].astype(str)), _origins(ids)
        came_from = ""
        if theirs and theirs[0] not in mine:
            came_from = (f". The labels were made for dataset {theirs[0]!r}: name it as 'dataset' in the config, or "
                         f"export labels for {dataset.name!r} from the Labeling functions page")
        raise ConfigError(f"task {task.name!r}: 0 of {len(ids)} example ids in {source} match the {n_train} training "
                          f"rows of dataset {dataset.name!r}{elsewhere}. The labels' ids look like {few(ids, 3)}, "
                          f"the dataset's like {few(dataset.frame[EXAMPLE_ID], 3)}{came_from}")
    if matched < len(ids):
        log.warning("task %s: %d of %d example ids in %s match training rows of dataset %s; the other %d are left "
                    "out (%d not in the dataset%s)", task.name, matched, len(ids), source, dataset.name,
                    len(ids) - matched, unknown, elsewhere)
    record = {"rows": len(ids), "matched_train_rows": matched, "train_rows": n_train}
    return TaskLabels(frame[train].reset_index(drop=True), record)


def training_labels(spec: TaskSpec, task: Task, dataset: Dataset, workspace: Workspace) -> TaskLabels | None:
    """The labels ``spec`` asks for (None for gold), matched to the dataset's training rows."""
    if spec.labels == GOLD:
        return None
    if task.is_regression:
        raise ConfigError(f"task {task.name!r}: setting 'labels' is {spec.labels!r}, but probabilistic labels need "
                          "a classification task")
    if spec.labels == LABEL_MODEL:
        frame, made_by = label_model_labels(dataset, task, workspace)
        source = f"the current label model of dataset {dataset.name!r}"
        origin = {"source": LABEL_MODEL, **made_by}
    else:
        frame = read_label_file(Path(spec.labels), task)
        source = f"labels file {spec.labels}"
        origin = {"source": "file", "path": str(Path(spec.labels).resolve())}
    labels = match_to_train_rows(frame, task, dataset, source)
    return TaskLabels(labels.frame, {**origin, **labels.record})

