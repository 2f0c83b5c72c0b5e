"""A run's per-example files: predictions of every head on every evaluated split, and the gold labels and slice
membership they were scored on. Written by training and ensembles, read by the Slices page, ensembles and compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.atomic import atomic_write
from mmtl_core.errors import PredictionsError
from mmtl_core.keys import slice_column
from mmtl_core.runs.columns import EXAMPLE_ID, SCORE_COLUMN, prob_columns
from mmtl_core.runs.layout import GOLD, PREDICTIONS, gold_path, labels_path, predictions_path
from mmtl_core.slices.prediction_files import read_predictions
from mmtl_core.slices.predictions import PredictionSet


def write_predictions(run: Path, head: str, split: str, example_ids: np.ndarray, values: np.ndarray) -> Path:
    """``predictions/<head>/<split>.parquet``: example_id + ``prob_<k>`` columns (class k), or one ``score``."""
    frame = pd.DataFrame({EXAMPLE_ID: np.asarray(example_ids).astype(str)})
    if values.ndim == 1:
        frame[SCORE_COLUMN] = values.astype(np.float64)
    else:
        for k, column in enumerate(prob_columns(values.shape[1])):
            frame[column] = values[:, k].astype(np.float64)
    return atomic_write(predictions_path(run, head, split), lambda tmp: frame.to_parquet(tmp, index=False))


def write_gold(run: Path, task: str, split: str, example_ids: np.ndarray, labels: np.ndarray,
               slices: Mapping[str, np.ndarray]) -> Path:
    """``gold/<task>/<split>.parquet``: the labels and slice membership the run's metrics were computed on."""
    frame = pd.DataFrame({EXAMPLE_ID: np.asarray(example_ids).astype(str), "label": labels})
    for name, member in slices.items():
        frame[slice_column(name)] = np.asarray(member, bool)
    return atomic_write(gold_path(run, task, split), lambda tmp: frame.to_parquet(tmp, index=False))


def write_labels(run: Path, task: str, frame: pd.DataFrame) -> Path:
    """``labels/<task>.parquet``: the training labels a task used when not gold (example_id + ``prob_<class>``),
    so a run keeps what it learned from even after the functions or the label model change."""
    return atomic_write(labels_path(run, task), lambda tmp: frame.to_parquet(tmp, index=False))


def read_labels(run: Path, task: str) -> pd.DataFrame | None:
    path = labels_path(run, task)
    return pd.read_parquet(path) if path.exists() else None


def read_prediction_frames(run: Path) -> dict[str, dict[str, pd.DataFrame]]:
    """{head: {split: frame}} for every stored prediction file of a run (or ensemble), as written."""
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for f in sorted((run / PREDICTIONS).glob("*/*.parquet")):
        out.setdefault(f.parent.name, {})[f.stem] = pd.read_parquet(f)
    return out


def stored_heads(run: Path) -> dict[str, tuple[str, ...]]:
    """{head: splits} a run has prediction files for, without reading them."""
    root = run / PREDICTIONS
    heads = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    return {h.name: tuple(sorted(f.stem for f in h.glob("*.parquet") if not f.name.startswith("."))) for h in heads}


def has_predictions(run: Path, head: str, split: str) -> bool:
    return predictions_path(run, head, split).exists()


def read_head_predictions(run: Path, head: str, split: str, expected_ids: np.ndarray | None = None,
                          name: str | None = None) -> PredictionSet:
    """One head's predictions on one split as a PredictionSet (named ``name``, else ``<run id>/<head>``), aligned
    to ``expected_ids`` when given; a missing file names the heads and splits the run has."""
    run = Path(run)
    path = predictions_path(run, head, split)
    if not path.exists():
        stored = stored_heads(run)
        if head not in stored:
            raise PredictionsError(f"{path}: run {run.name!r} has no predictions for head {head!r}; "
                                   f"heads with predictions: {', '.join(stored) or '(none)'}")
        raise PredictionsError(f"{path}: head {head!r} of run {run.name!r} has no predictions on split "
                               f"{split!r}; splits stored: {', '.join(stored[head]) or '(none)'}")
    ps = read_predictions(path, None, name=name or f"{run.name}/{head}")
    return ps if expected_ids is None else ps.align(expected_ids)


def read_gold(run: Path, task: str, split: str) -> pd.DataFrame | None:
    """The gold labels and slice membership a run stored for ``task`` on ``split`` (None if it stored none),
    indexed by example id."""
    path = gold_path(run, task, split)
    return pd.read_parquet(path).set_index(EXAMPLE_ID) if path.exists() else None


def gold_files(run: Path) -> list[Path]:
    return sorted((run / GOLD).glob("*/*.parquet"))
