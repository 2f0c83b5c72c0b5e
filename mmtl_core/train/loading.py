"""Resolving a config's tasks into loaded data: task definitions, datasets, labels and slice membership."""

from __future__ import annotations

import difflib
import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import ConfigError
from mmtl_core.keys import check_identifier
from mmtl_core.model.encoder import resolve_encoder_name
from mmtl_core.tasks import GLUE_TASKS, Task
from mmtl_core.train.config import TaskSpec, TrainConfig
from mmtl_core.train.inputs import EVAL_SPLITS, TaskData, check_trainable, limit_rows, make_split, read_prob_labels

log = logging.getLogger("mmtl_core.train")


def resolve_task(spec: TaskSpec) -> Task:
    """A GLUE task by name, or a user task from the spec's fields."""
    if not spec.text_fields:
        if spec.name not in GLUE_TASKS:
            close = difflib.get_close_matches(spec.name, list(GLUE_TASKS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(f"task {spec.name!r} is not a GLUE task ({', '.join(GLUE_TASKS)}); {hint}for your own "
                              "task give 'text_fields' (and 'label_field', 'cardinality', 'metrics')")
        return GLUE_TASKS[spec.name]
    return Task(spec.name, spec.name, spec.text_fields, spec.label_field, spec.cardinality, spec.metrics)


def load_dataset(spec: TaskSpec, task: Task) -> Dataset:
    if not spec.data:
        raise ConfigError(f"task {spec.name!r}: setting 'data' is empty; give the GLUE folder or the table file")
    path = Path(spec.data)
    if not path.exists():
        raise ConfigError(f"task {spec.name!r}: setting 'data' names {spec.data!r}, which does not exist")
    try:
        from mmtl_core import data
    except ImportError as e:  # the loaders live in the data package; say which one is missing
        raise ConfigError(f"task {spec.name!r}: dataset loaders are not available ({e})") from e
    if spec.name in GLUE_TASKS and not spec.text_fields:
        return data.load_glue_task(path, task.dataset)
    mapping = data.ColumnMapping(text_fields=task.text_fields, label_field=task.label_field,
                                 split_field=spec.split_field or None)
    return data.load_table(path, mapping, name=spec.name)  # the loaded frame holds the labels as "label"


def slice_matrix(spec: TaskSpec, dataset: Dataset, functions_dir: str) -> np.ndarray:
    """Bool (n x s) membership of ``dataset``'s rows in the spec's slices, in frame order."""
    n = len(dataset.frame)
    if not spec.slices:
        return np.zeros((n, 0), bool)
    for s in spec.slices:
        try:
            check_identifier(s, "slice")
        except ValueError as e:
            raise ConfigError(f"task {spec.name!r}: {e}") from None
    if spec.slices_file:
        return _slices_from_file(spec, dataset)
    return _slices_from_functions(spec, dataset, Path(functions_dir))


def _slices_from_file(spec: TaskSpec, dataset: Dataset) -> np.ndarray:
    path = Path(spec.slices_file)
    try:
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as z:
                table = pd.DataFrame({k: z[k] for k in z.files})
        else:
            table = pd.read_parquet(path)
    except (OSError, ValueError) as e:
        raise ConfigError(f"task {spec.name!r}: cannot read 'slices_file' {str(path)!r} ({e})") from e
    missing = [c for c in ("example_id", *spec.slices) if c not in table.columns]
    if missing:
        raise ConfigError(f"task {spec.name!r}: slices file {path} lacks column(s) {missing}; it has "
                          f"{', '.join(map(str, table.columns))}")
    pos = pd.Index(table["example_id"].astype(str)).get_indexer(dataset.frame["example_id"].astype(str))
    values = table[list(spec.slices)].to_numpy().astype(bool)
    out = np.zeros((len(dataset.frame), len(spec.slices)), bool)
    out[pos >= 0] = values[pos[pos >= 0]]  # rows the file does not list are outside every slice
    return out


def _slices_from_functions(spec: TaskSpec, dataset: Dataset, folder: Path) -> np.ndarray:
    try:
        from mmtl_core.functions import apply_functions, load_functions
    except ImportError as e:
        raise ConfigError(f"task {spec.name!r}: slicing functions cannot be applied ({e}); give 'slices_file'") from e
    found = {f.name: f for f in load_functions(folder).functions if f.kind == "slicing"}
    for s in spec.slices:
        if s not in found:
            close = difflib.get_close_matches(s, list(found), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; found: {', '.join(sorted(found)) or 'none'}"
            raise ConfigError(f"task {spec.name!r}: no slicing function {s!r} in {folder}{hint}")
    applied = apply_functions([found[s] for s in spec.slices], dataset)
    for name, report in applied.reports.items():
        if report.error:
            raise ConfigError(f"task {spec.name!r}: slicing function {name!r} failed: {report.error}")
        for message in report.messages:  # faulting rows are left out of the slice: say so, do not stop
            log.warning("task %s: %s", spec.name, message)
    return np.asarray(applied.matrix, bool)


def precheck(cfg: TrainConfig, datasets: dict[str, Dataset] | None = None) -> None:
    """Checks that need no loading (task names, files named by settings, encoder folder): before a run folder
    is even created."""
    resolve_encoder_name(cfg.encoder)
    for spec in cfg.tasks:
        resolve_task(spec)
        files = {"labels": spec.labels if spec.labels != "gold" else "", "slices_file": spec.slices_file,
                 "data": spec.data if spec.name not in (datasets or {}) else ""}
        for setting, value in files.items():
            if value and not Path(value).exists():
                raise ConfigError(f"task {spec.name!r}: setting {setting!r} names {value!r}, which does not exist")
        if spec.name not in (datasets or {}) and not spec.data:
            raise ConfigError(f"task {spec.name!r}: setting 'data' is empty; give the GLUE folder or the table file")


def load_task_data(cfg: TrainConfig, datasets: dict[str, Dataset] | None = None) -> list[TaskData]:
    """Every task's splits, labels and slices; raises a ConfigError/TaskError before any training."""
    out = []
    for spec in cfg.tasks:
        task = resolve_task(spec)
        dataset = (datasets or {}).get(spec.name)
        if dataset is None:
            dataset = load_dataset(spec, task)
            if spec.text_fields:
                task = replace(task, label_field="label")
        task.check_against(dataset)  # TaskError naming the column or out-of-range label
        if spec.labels != "gold" and task.is_regression:
            raise ConfigError(f"task {spec.name!r}: probabilistic labels need a classification task")
        probs = read_prob_labels(Path(spec.labels), task) if spec.labels != "gold" else None
        smat = slice_matrix(spec, dataset, cfg.functions_dir)
        data = TaskData(task, dataset, spec.slices, spec.loss_weight)
        for split in ("train", *EVAL_SPLITS):
            if split in dataset.splits:
                data.splits[split] = make_split(task, dataset, split, smat, probs if split == "train" else None)
        check_trainable(data)
        data.splits["train"] = limit_rows(data.splits["train"], spec.max_train_rows, cfg.seed)
        out.append(data)
    return out
