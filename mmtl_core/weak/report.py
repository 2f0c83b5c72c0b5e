"""Everything the labeling-function page shows after a save, in one call: summary, the two models' predictions by
the one rule, their comparison on dev, warnings and training labels, each computed once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import TaskError
from mmtl_core.tasks import Task
from mmtl_core.weak.degenerate import export_warnings, label_model_warnings, polarity_warnings, voted_classes
from mmtl_core.weak.export import TrainingLabels, training_labels
from mmtl_core.weak.function_warnings import MIN_FUNCTIONS, lf_warnings
from mmtl_core.weak.label_model import LabelModelConfig, LabelModelResult, fit_label_model
from mmtl_core.weak.matrix import check_label_matrix
from mmtl_core.weak.predictions import WeakPredictions, labeling_model, weak_predictions
from mmtl_core.weak.scoring import score_weak_predictions
from mmtl_core.weak.summary import function_summary


@dataclass(frozen=True, eq=False)
class WeakReport:
    summary: pd.DataFrame  # function_summary: see summary.SUMMARY_NOTE
    comparison: pd.DataFrame  # score_weak_predictions on the dev rows: see predictions.PREDICTION_RULE
    warnings: list[str]
    label_model: LabelModelResult | None  # None below MIN_FUNCTIONS functions: Snorkel's model needs three
    predictions: dict[str, WeakPredictions] = field(repr=False)  # every row of the data, in its order
    split: np.ndarray = field(repr=False)  # each row's split, aligned with ``predictions``
    training_labels: TrainingLabels = field(repr=False)  # the covered train rows (label model, else majority vote)

    def on_split(self, split: str) -> dict[str, WeakPredictions]:
        """Both models' predictions on one split's rows (in data order): the very classes every page shows."""
        rows = self.split == split
        return {name: p.rows(rows) for name, p in self.predictions.items()}


def weak_report(L: np.ndarray, names: Sequence[str], split: np.ndarray, gold: np.ndarray,
                example_ids: Sequence[str] | np.ndarray, cardinality: int, *, label_names: Sequence[str] = (),
                metrics: Sequence[str] = ("accuracy",), seed: int = 0,
                config: LabelModelConfig | None = None) -> WeakReport:
    """Fit the label model on the train rows of ``L``, predict every row by the one rule, and score both models on
    the dev rows.

    ``L``, ``split``, ``gold`` and ``example_ids`` are aligned with the dataset's rows; ``gold`` is -1 where unknown.
    """
    names = tuple(names)
    L = check_label_matrix(L, names, cardinality)
    split, gold, ids = np.asarray(split), np.asarray(gold), np.asarray(example_ids)
    if not (len(split) == len(gold) == len(ids) == L.shape[0]):
        raise ValueError(f"L has {L.shape[0]} rows but split, gold and example_ids have "
                         f"{len(split)}, {len(gold)} and {len(ids)}")
    train, dev = split == "train", split == "dev"
    model = fit_label_model(L[train], cardinality, seed, names=names, config=config) \
        if len(names) >= MIN_FUNCTIONS else None
    predictions = weak_predictions(L, ids, cardinality, model)
    summary = function_summary(L, names, split, gold, weights=None if model is None else model.weights)
    comparison = score_weak_predictions({n: p.rows(dev) for n, p in predictions.items()}, gold[dev], metrics)
    labels = training_labels(labeling_model(predictions).rows(train), label_names)
    warnings = [*lf_warnings(summary, cardinality), *polarity_warnings(summary, cardinality, label_names)]
    if len(voted_classes(summary)) > 1:  # with one class voted, nothing else can be learned: said once, above
        warnings += [*label_model_warnings(model), *export_warnings(labels, label_names)]
    return WeakReport(summary, comparison, warnings, model, predictions, split, labels)


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
