"""Probabilistic training labels from the label model, and their Parquet export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.atomic import atomic_write
from mmtl_core.errors import WorkspaceError
from mmtl_core.runs.columns import prob_columns
from mmtl_core.weak.predictions import WeakPredictions


@dataclass(frozen=True, eq=False)
class TrainingLabels:
    """``frame``: ``example_id`` then one ``prob_<class>`` column per class, for the covered train rows only."""

    frame: pd.DataFrame
    dropped: int  # train rows no function voted on: they carry no signal, so they are not training labels
    classes: tuple[int, ...] = ()  # the classes the labels predict (by the one rule); one class is degenerate

    @property
    def note(self) -> str:
        return (f"{len(self.frame)} training labels; {self.dropped} train row(s) no labeling function voted on "
                "were left out.")


def training_labels(predictions: WeakPredictions, label_names: Sequence[str] = ()) -> TrainingLabels:
    """The probabilities of the covered rows of ``predictions`` (the train rows, from
    :func:`~mmtl_core.weak.predictions.labeling_model`), one ``prob_<class>`` column per class."""
    keep = predictions.covered
    frame = pd.DataFrame(predictions.proba[keep], columns=prob_columns(predictions.proba.shape[1], label_names))
    frame.insert(0, "example_id", predictions.example_ids[keep])
    present = np.unique(predictions.classes[keep])
    return TrainingLabels(frame, int((~keep).sum()), tuple(int(c) for c in present))


def export_training_labels(path: Path, labels: TrainingLabels) -> Path:
    """Write ``labels.frame`` as Parquet, atomically (a reader never sees half a file)."""
    try:
        path = atomic_write(path, lambda tmp: labels.frame.to_parquet(tmp, index=False))
    except OSError as e:
        raise WorkspaceError(f"cannot write training labels to {path}: {e}") from e
    return path
