"""Turning a task's dataset into model inputs: texts, training targets (gold or probabilistic), slice masks.

Rows without a label are left out of training; every row of dev/test is predicted (metrics use labeled rows only).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import ConfigError
from mmtl_core.progress import Meter
from mmtl_core.tasks import Task
from mmtl_core.train.labels import TaskLabels

EVAL_SPLITS = ("dev", "test")


@dataclass
class SplitData:
    """One split of one task, rows in dataset order (train: labeled rows only)."""

    example_ids: np.ndarray
    texts: tuple[list[str], ...]
    gold: np.ndarray  # int class ids (-1 unlabeled) or floats (NaN unlabeled)
    targets: np.ndarray  # (n, K) class probabilities, or (n,) regression scores; undefined on unlabeled rows
    slices: np.ndarray  # (n, s) bool membership
    tokens: list[list[int]] | None = None  # finetune mode: token ids per row (not padded)
    type_ids: list[list[int]] | None = None
    features: np.ndarray | None = None  # frozen mode: pooled encoder vectors (n, H)

    def __len__(self) -> int:
        return len(self.example_ids)

    @property
    def labeled(self) -> np.ndarray:
        return ~np.isnan(self.gold) if self.gold.dtype.kind == "f" else self.gold >= 0

    def lengths(self) -> np.ndarray:
        if self.tokens is None:
            return np.zeros(len(self), dtype=np.int64)
        return np.fromiter((len(t) for t in self.tokens), dtype=np.int64, count=len(self))


@dataclass
class TaskData:
    task: Task
    dataset: Dataset
    slices: tuple[str, ...]
    loss_weight: float
    labels: TaskLabels | None = None  # the training labels when not gold (stored in the run folder)
    splits: dict[str, SplitData] = field(default_factory=dict)

    @property
    def out_dim(self) -> int:
        return self.task.cardinality


def make_split(task: Task, dataset: Dataset, split: str, slice_matrix: np.ndarray,
               prob_labels: pd.DataFrame | None) -> SplitData:
    """Rows of ``split``; on train only labeled rows (gold, or present in ``prob_labels``: example_id + class
    probabilities in class order) are kept."""
    mask = (dataset.frame["split"] == split).to_numpy()
    frame = dataset.frame[mask]
    gold = task.gold(dataset, split) if task.label_field in frame.columns else \
        np.full(len(frame), np.nan if task.is_regression else -1)
    slices = slice_matrix[mask]
    if task.is_regression:
        targets = np.nan_to_num(gold.astype(np.float64)).astype(np.float32)
    else:
        targets = np.zeros((len(frame), task.cardinality), np.float32)
        ok = gold >= 0
        targets[np.flatnonzero(ok), gold[ok]] = 1.0
    keep = np.ones(len(frame), bool)
    if split == "train":
        if prob_labels is not None:
            pos = pd.Index(prob_labels["example_id"]).get_indexer(frame["example_id"])
            keep = pos >= 0
            targets = prob_labels.iloc[pos[keep], 1:].to_numpy(np.float32)
        else:
            keep = ~np.isnan(gold) if task.is_regression else gold >= 0
            targets = targets[keep]
    texts = tuple(frame[f].fillna("").astype(str).to_numpy()[keep].tolist() for f in task.text_fields)
    return SplitData(frame["example_id"].to_numpy()[keep], texts, gold[keep], targets, slices[keep])


def check_trainable(data: TaskData) -> None:
    train = data.splits.get("train")
    if train is None or len(train) == 0:
        raise ConfigError(f"task {data.task.name!r} has no labeled training rows in dataset {data.dataset.name!r} "
                          f"({int((data.dataset.frame['split'] == 'train').sum())} rows in split 'train', none with "
                          "a gold label); check its 'labels' setting and the dataset's split column")


TOKENIZE_CHUNK = 4096  # rows per tokenizer call: progress moves, and the fast tokenizer still batches well


def tokenize(tokenizer, split: SplitData, max_length: int, meter: Meter | None = None) -> None:
    """Token ids per row, truncated (longest first for pairs), not padded: batches pad to their own longest."""
    split.tokens, split.type_ids = [], []
    for start in range(0, len(split), TOKENIZE_CHUNK):
        texts = [side[start:start + TOKENIZE_CHUNK] for side in split.texts]
        enc = tokenizer(*texts, truncation=True, max_length=max_length, padding=False)
        split.tokens += enc["input_ids"]
        split.type_ids += enc.get("token_type_ids") or [[0] * len(t) for t in enc["input_ids"]]
        if meter is not None:
            meter.advance(len(texts[0]))


def limit_rows(split: SplitData, n: int, seed: int) -> SplitData:
    """A seeded random subset of ``n`` rows (kept in dataset order)."""
    if not n or n >= len(split):
        return split
    idx = np.sort(np.random.default_rng(seed).choice(len(split), n, replace=False))
    return SplitData(split.example_ids[idx], tuple([t[i] for i in idx] for t in split.texts), split.gold[idx],
                     split.targets[idx], split.slices[idx])
