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
from mmtl_core.weak.label_model import LabelModelResult
from mmtl_core.weak.matrix import covered


@dataclass(frozen=True, eq=False)
class TrainingLabels:
    """``frame``: ``example_id`` then one ``prob_<class>`` column per class, for the covered train rows only."""

    frame: pd.DataFrame
    dropped: int  # train rows no function voted on: they carry no signal, so they are not training labels

    @property
    def note(self) -> str:
        return (f"{len(self.frame)} training labels; {self.dropped} train row(s) no labeling function voted on "
                "were left out.")


def training_labels(example_ids: Sequence[str] | np.ndarray, L_train: np.ndarray,
                    label_model: LabelModelResult | None, label_names: Sequence[str] = (),
                    proba: np.ndarray | None = None) -> TrainingLabels:
    """Label-model probabilities for the train rows ``L_train`` (aligned with ``example_ids``).

    Pass ``proba`` when already computed (the model's ``predict_proba(L_train)``, to avoid predicting twice), or
    instead of a label model (majority vote's, while there are too few functions for a label model).
    """
    L_train = np.asarray(L_train)
    ids = np.asarray(example_ids)
    if ids.shape[0] != L_train.shape[0]:
        raise ValueError(f"{ids.shape[0]} example ids for {L_train.shape[0]} label matrix rows")
    if proba is None:
        if label_model is None:
            raise ValueError("give a label model or the probabilities")
        proba = label_model.predict_proba(L_train)
    keep = covered(L_train)
    frame = pd.DataFrame(proba[keep], columns=prob_columns(proba.shape[1], label_names))
    frame.insert(0, "example_id", ids[keep])
    return TrainingLabels(frame, int((~keep).sum()))


def export_training_labels(path: Path, labels: TrainingLabels) -> Path:
    """Write ``labels.frame`` as Parquet, atomically (a reader never sees half a file)."""
    try:
        path = atomic_write(path, lambda tmp: labels.frame.to_parquet(tmp, index=False))
    except OSError as e:
        raise WorkspaceError(f"cannot write training labels to {path}: {e}") from e
    return path
