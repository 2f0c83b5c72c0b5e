"""Resolving a config's tasks into loaded data: task definitions, datasets, training labels and slice membership."""

from __future__ import annotations

import difflib
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import ConfigError
from mmtl_core.functions import apply_modules
from mmtl_core.keys import check_identifier
from mmtl_core.model.encoder import resolve_encoder_name
from mmtl_core.train.config import GOLD, LABEL_MODEL, TaskSpec, TrainConfig
from mmtl_core.train.inputs import EVAL_SPLITS, TaskData, check_trainable, limit_rows, make_split
from mmtl_core.train.labels import training_labels
from mmtl_core.train.locations import workspace_of
from mmtl_core.train.sources import (check_table_settings_unused, file_task, load_file_task, load_workspace_task,
                                     workspace_spec)
from mmtl_core.train.start import resolve_start

log = logging.getLogger("mmtl_core.train")


def slice_matrix(spec: TaskSpec, dataset: Dataset, functions_dir: str) -> np.ndarray:
    """Bool (n x s) membership of ``dataset``'s rows in the spec's slices, in frame order."""
    n = len(dataset.frame)
    if not spec.slices:
        return np.zeros((n, 0), bool)
    for s in spec.slices:
        try:
            check_identifier(s, "slice")
        except ValueError as e:
            raise ConfigError(f"task {spec.task!r}: {e}") from None
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
        raise ConfigError(f"task {spec.task!r}: cannot read 'slices_file' {str(path)!r} ({e})") from e
    missing = [c for c in ("example_id", *spec.slices) if c not in table.columns]
    if missing:
        raise ConfigError(f"task {spec.task!r}: slices file {path} lacks column(s) {missing}; it has "
                          f"{', '.join(map(str, table.columns))}")
    pos = pd.Index(table["example_id"].astype(str)).get_indexer(dataset.frame["example_id"].astype(str))
    values = table[list(spec.slices)].to_numpy().astype(bool)
    out = np.zeros((len(dataset.frame), len(spec.slices)), bool)
    out[pos >= 0] = values[pos[pos >= 0]]  # rows the file does not list are outside every slice
    return out


def _slices_from_functions(spec: TaskSpec, dataset: Dataset, folder: Path) -> np.ndarray:
    # In the sandboxed function host, as the app runs them: a training run follows the same rules for user code.
    run = apply_modules(dataset, folder, kinds=("slicing",))
    applied = run.applied.get("slicing")
    found = list(applied.names) if applied is not None else []
    for s in spec.slices:
        if s not in found:
            close = difflib.get_close_matches(s, found, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; found: {', '.join(sorted(found)) or 'none'}"
            broken = f"; modules that did not load: {'; '.join(map(str, run.errors))}" if run.errors else ""
            raise ConfigError(f"task {spec.task!r}: no slicing function {s!r} in {folder}{hint}{broken}")
    for name in spec.slices:
        report = applied.reports[name]
        if report.error:
            raise ConfigError(f"task {spec.task!r}: slicing function {name!r} failed: {report.error}")
        for message in report.messages:  # faulting rows are left out of the slice: say so, do not stop
            log.warning("task %s: %s", spec.task, message)
    return np.column_stack([applied.column(s) for s in spec.slices]).astype(bool)


def precheck(cfg: TrainConfig, datasets: dict[str, Dataset] | None = None) -> None:
    """Checks that need no loading (task and dataset names, files named by settings, encoder folder): before a
    run folder is even created. ``cfg`` has its locations resolved."""
    resolve_encoder_name(cfg.encoder)
    resolve_start(cfg)  # 'init_from' names a completed run whose weights fit
    workspace = workspace_of(cfg)
    for spec in cfg.tasks:
        given = spec.task in (datasets or {})
        if spec.dataset and not given:
            check_table_settings_unused(spec)
            workspace_spec(spec, workspace)
        elif not given:
            file_task(spec)
            if not spec.data:
                raise ConfigError(f"task {spec.task!r}: settings 'dataset' and 'data' are empty; name a dataset of "
                                  "the workspace, or give the GLUE folder or the table file")
        files = {"labels": spec.labels if spec.labels not in (GOLD, LABEL_MODEL) else "",
                 "slices_file": spec.slices_file, "data": spec.data if not given else ""}
        for setting, value in files.items():
            if value and not Path(value).exists():
                raise ConfigError(f"task {spec.task!r}: setting {setting!r} names {value!r}, which does not exist")


def load_task_data(cfg: TrainConfig, datasets: dict[str, Dataset] | None = None) -> list[TaskData]:
    """Every task's splits, labels and slices; raises a ConfigError/TaskError before any training."""
    workspace = workspace_of(cfg)
    out = []
    for spec in cfg.tasks:
        if spec.task in (datasets or {}):
            task, dataset = file_task(spec), datasets[spec.task]
        elif spec.dataset:
            task, dataset = load_workspace_task(spec, workspace)
        else:
            task, dataset = load_file_task(spec)
        task.check_against(dataset)  # TaskError naming the column or out-of-range label
        labels = training_labels(spec, task, dataset, workspace)
        smat = slice_matrix(spec, dataset, cfg.functions_dir)
        data = TaskData(task, dataset, spec.slices, spec.loss_weight, labels)
        for split in ("train", *EVAL_SPLITS):
            if split in dataset.splits:
                data.splits[split] = make_split(task, dataset, split, smat,
                                                labels.frame if labels is not None and split == "train" else None)
        check_trainable(data)
        data.splits["train"] = limit_rows(data.splits["train"], spec.max_train_rows, cfg.seed)
        out.append(data)
    return out
