"""The ladder's datasets, prepared from a folder in GLUE's layout and registered in the workspace.

``RTE_holdout``: RTE's training pairs less a holdout of 277 (the reported split's size), which becomes the
``dev`` split; RTE's own dev pairs become ``test``. Every setting (learning rate, epochs, loss weights, pooling)
and every checkpoint is chosen on the holdout, so the reported rows, RTE dev, are never tuned on. The holdout is
stratified by label and picked by a hash of each example's GLUE id (the lowest hashes of each class), so it is
the same on every machine and does not depend on file order.

The auxiliary tasks (``MRPC_train``, ``STS-B_train``, ``WNLI_train``, ``CoLA_train``, ``SST-2_train``) hold GLUE's
training split only: their dev and test splits are not what the ladder measures, and predicting them after every
epoch would cost minutes of CPU per run. A recipe subsamples them with ``max_train_rows``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.data import load_glue_task
from mmtl_core.data.dataset import Dataset
from mmtl_core.tasks import GLUE_TASKS, Task
from mmtl_core.workspace import Workspace

from prepared import SOURCE_ID, register, table_spec, use_modules, write_table

TARGET = "RTE"
AUXILIARY = ("MRPC", "STSB", "WNLI", "CoLA", "SST2")
HOLDOUT_SIZE = 277
SLICE_MODULE = "rte_slices.py"  # the seed's two slices, dash_semicolon and multiple_pronouns
RTE_DATASET = "RTE_holdout"


def dataset_name(task: str) -> str:
    """The prepared dataset a ladder task trains on."""
    return RTE_DATASET if task == TARGET else f"{GLUE_TASKS[task].dataset}_train"


@dataclass(frozen=True)
class Prepared:
    """The registered datasets and their tasks, by task name, and where their tables live."""

    datasets: dict[str, Dataset]
    tasks: dict[str, Task]
    folder: Path
    written: tuple[str, ...]  # tables written this time (the others were already there, unchanged)

    @property
    def rte(self) -> Dataset:
        return self.datasets[TARGET]

    def fingerprints(self) -> dict[str, str]:
        return {d.name: d.fingerprint for d in self.datasets.values()}


def holdout_mask(frame: pd.DataFrame, size: int) -> np.ndarray:
    """``size`` training rows, stratified by label: per class its share of ``size``, the rows whose GLUE ids hash
    lowest."""
    digest = frame["example_id"].map(lambda i: hashlib.sha256(str(i).encode()).hexdigest()).to_numpy()
    labels = frame["label"].to_numpy()
    classes, counts = np.unique(labels, return_counts=True)
    quota = np.floor(size * counts / counts.sum()).astype(int)
    quota[np.argsort(-(size * counts / counts.sum() - quota))[:size - quota.sum()]] += 1  # largest remainders
    mask = np.zeros(len(frame), bool)
    for c, q in zip(classes, quota):
        rows = np.flatnonzero(labels == c)
        mask[rows[np.argsort(digest[rows], kind="stable")[:q]]] = True
    return mask


def _table(ds: Dataset, task: Task, splits: pd.Series, keep: np.ndarray) -> pd.DataFrame:
    frame = ds.frame[keep]
    out = pd.DataFrame({SOURCE_ID: frame["example_id"].astype(str).to_numpy(), "split": splits[keep].to_numpy()})
    for f in task.text_fields:
        out[f] = frame[f].astype(str).to_numpy()
    out["label"] = frame["label"].to_numpy()
    return out


def rte_table(glue: Path, max_rows: int = 0) -> pd.DataFrame:
    """RTE train less the holdout (train), the holdout (dev), RTE dev (test); ``max_rows`` caps each split."""
    ds = load_glue_task(glue, "RTE", splits=("train", "dev"))
    train = (ds.frame["split"] == "train").to_numpy()
    split = ds.frame["split"].map({"train": "train", "dev": "test"})
    held = np.zeros(len(ds.frame), bool)
    held[train] = holdout_mask(ds.frame[train], min(HOLDOUT_SIZE, int(train.sum()) // 3))
    split[held] = "dev"
    keep = _capped(split, max_rows)
    return _table(ds, GLUE_TASKS["RTE"], split, keep)


def auxiliary_table(glue: Path, task: str, max_rows: int = 0) -> pd.DataFrame:
    ds = load_glue_task(glue, GLUE_TASKS[task].dataset, splits=("train",))
    split = ds.frame["split"]
    return _table(ds, GLUE_TASKS[task], split, _capped(split, max_rows))


def _capped(split: pd.Series, max_rows: int) -> np.ndarray:
    """The first ``max_rows`` rows of each split (all when 0): for miniature runs in tests."""
    if not max_rows:
        return np.ones(len(split), bool)
    return (split.groupby(split).cumcount() < max_rows).to_numpy()


def prepare(workspace: Workspace, glue: Path, tasks: tuple[str, ...] = (TARGET, *AUXILIARY),
            max_rows: int = 0) -> Prepared:
    """Write the ladder's tables into ``<workspace>/ladder_data`` and register them (and their tasks)."""
    folder = workspace.root / "ladder_data"
    datasets, defined, written = {}, {}, []
    for name in tasks:
        glue_task = GLUE_TASKS[name]
        table = rte_table(glue, max_rows) if name == TARGET else auxiliary_table(glue, name, max_rows)
        path = folder / f"{dataset_name(name)}.parquet"
        if write_table(path, table):
            written.append(dataset_name(name))
        spec = table_spec(dataset_name(name), path, glue_task.text_fields, glue_task.label_names)
        defined[name] = replace(glue_task, dataset=dataset_name(name))
        datasets[name] = register(workspace, spec, defined[name])
        if name == TARGET:  # the Slices page then shows the seed's slices for it
            use_modules(workspace, datasets[name], defined[name], [SLICE_MODULE])
    return Prepared(datasets, defined, folder, tuple(written))
