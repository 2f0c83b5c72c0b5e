"""Everything the labeling-function page shows after a save, in one call: summary, model comparison, warnings and
training labels, each computed once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import TaskError
from mmtl_core.tasks import Task
from mmtl_core.weak.export import TrainingLabels, training_labels
from mmtl_core.weak.function_warnings import MIN_FUNCTIONS, lf_warnings
from mmtl_core.weak.label_model import LabelModelConfig, LabelModelResult, fit_label_model, majority_vote_proba
from mmtl_core.weak.matrix import check_label_matrix
from mmtl_core.weak.scoring import compare_label_models
from mmtl_core.weak.summary import function_summary


@dataclass(frozen=True, eq=False)
class WeakReport:
    summary: pd.DataFrame  # function_summary: see summary.SUMMARY_NOTE
    comparison: pd.DataFrame  # compare_label_models: see scoring.SCORING_NOTE
    warnings: list[str]
    label_model: LabelModelResult | None  # None below MIN_FUNCTIONS functions: Snorkel's model needs three
    train_example_ids: np.ndarray = field(repr=False)
    L_train: np.ndarray = field(repr=False)
    cardinality: int = 2
    label_names: tuple[str, ...] = ()

    def predict_proba(self, L: np.ndarray) -> np.ndarray:
        """The label model's P(Y | votes), or majority vote's while there is no label model."""
        if self.label_model is None:
            return majority_vote_proba(L, self.cardinality)
        return self.label_model.predict_proba(L)

    @cached_property
    def training_labels(self) -> TrainingLabels:
        """Probabilities of the covered train rows (see :meth:`predict_proba`); computed on first use (an export),
        not per save."""
        return training_labels(self.train_example_ids, self.L_train, self.label_model, self.label_names,
                               proba=self.predict_proba(self.L_train))


def weak_report(L: np.ndarray, names: Sequence[str], split: np.ndarray, gold: np.ndarray,
                example_ids: Sequence[str] | np.ndarray, cardinality: int, *, label_names: Sequence[str] = (),
                metrics: Sequence[str] = ("accuracy",), seed: int = 0,
                config: LabelModelConfig | None = None) -> WeakReport:
    """Fit the label model on the train rows of ``L`` and score it, with majority vote, on the dev rows.

    ``L``, ``split``, ``gold`` and ``example_ids`` are aligned with the dataset's rows; ``gold`` is -1 where unknown.
    """
    names = tuple(names)
    L = check_label_matrix(L, names, cardinality)
    split, gold = np.asarray(split), np.asarray(gold)
    if not (len(split) == len(gold) == len(example_ids) == L.shape[0]):
        raise ValueError(f"L has {L.shape[0]} rows but split, gold and example_ids have "
                         f"{len(split)}, {len(gold)} and {len(example_ids)}")
    train, dev = split == "train", split == "dev"
    L_train = L[train]
    model = fit_label_model(L_train, cardinality, seed, names=names, config=config) \
        if len(names) >= MIN_FUNCTIONS else None
    summary = function_summary(L, names, split, gold, weights=None if model is None else model.weights)
    comparison = compare_label_models(L[dev], gold[dev], model, metrics, cardinality=cardinality)
    return WeakReport(summary, comparison, lf_warnings(summary, cardinality), model, np.asarray(example_ids)[train],
                      L_train, cardinality, tuple(label_names))


def weak_report_for_task(dataset: Dataset, task: Task, L: np.ndarray, names: Sequence[str], *, seed: int = 0,
                         config: LabelModelConfig | None = None) -> WeakReport:
    """:func:`weak_report` with split, gold labels, ids, classes and metrics taken from a dataset and its task."""
    if task.is_regression:
        raise TaskError(f"task {task.name!r} is a regression task; labeling functions need classes")
    task.check_against(dataset)
    frame = dataset.frame
    return weak_report(L, names, frame["split"].to_numpy(), frame[task.label_field].to_numpy().astype(np.int64),
                       frame["example_id"].to_numpy(), task.cardinality, label_names=task.label_names,
                       metrics=task.metrics, seed=seed, config=config)
