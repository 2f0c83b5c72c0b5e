"""Ensembles: the (weighted) average of several runs' predicted probabilities, written as a run of its own.

The ensemble folder has the same config.json, metrics.jsonl, predictions/ and gold/ layout as a training run
(no weights), so every later analysis, and every list of runs, treats it as one more run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.errors import PredictionsError
from mmtl_core.keys import MetricKey, slice_column, split_head
from mmtl_core.metrics import get_metric
from mmtl_core.runs.columns import SCORE_COLUMN
from mmtl_core.runs.jsonfiles import read_config, write_config
from mmtl_core.runs.layout import GOLD, create_run_dir, is_run_dir
from mmtl_core.runs.listing import read_run_info
from mmtl_core.runs.metrics import append_metrics
from mmtl_core.runs.predictions import gold_files, read_gold, read_prediction_frames, write_predictions
from mmtl_core.runs.status import COMPLETED, RUNNING, write_status


def ensemble_runs(runs: list[Path | str], output_dir: Path | str, weights: list[float] | None = None,
                  name: str = "") -> Path:
    """Average the runs' predictions head by head and split by split; returns the new ensemble run folder,
    named ``name`` or "ensemble of <the runs' names>".

    Heads and splits present in every run are averaged; rows must be the same example ids in each run.
    """
    runs = [Path(r) for r in runs]
    if len(runs) < 2:
        raise PredictionsError(f"an ensemble needs at least two runs, got {len(runs)}")
    w = np.asarray(weights if weights is not None else [1.0] * len(runs), np.float64)
    if len(w) != len(runs) or (w < 0).any() or w.sum() <= 0:
        raise PredictionsError(f"ensemble weights {list(w)} must be {len(runs)} non-negative numbers, not all 0")
    w = w / w.sum()
    for r in runs:
        if not is_run_dir(r):
            raise PredictionsError(f"run {r} is not a run folder (no status.json)")
    infos = [read_run_info(r) for r in runs]
    for r, info in zip(runs, infos):
        if not info.completed:
            raise PredictionsError(f"run {r} is {info.status}; only completed runs can be ensembled")
    preds = [read_prediction_frames(r) for r in runs]
    for r, p in zip(runs, preds):
        if not p:
            raise PredictionsError(f"run {r} has no predictions/ to ensemble")
    heads = sorted(set.intersection(*(set(p) for p in preds)))
    if not heads:
        raise PredictionsError("the runs share no head; ensembles average the same heads of several runs")
    meta = read_config(runs[0])
    out = create_run_dir(Path(output_dir))
    write_status(out, RUNNING)
    write_config(out, {"name": name or "ensemble of " + " + ".join(i.name for i in infos),
                       "ensemble": {"runs": [str(r) for r in runs], "weights": w.tolist()},
                       "tasks": meta.get("tasks", [])})
    metrics: dict[str, float] = {}
    for head in heads:
        for split in sorted(set.intersection(*(set(p[head]) for p in preds))):
            frames = [p[head][split] for p in preds]
            ids = frames[0]["example_id"]
            values = 0.0
            for r, f, wi in zip(runs, frames, w):
                if len(f) != len(ids) or set(f["example_id"]) != set(ids):
                    raise PredictionsError(f"run {r} predicted other rows for {head}/{split} than {runs[0]}")
                aligned = f.set_index("example_id").loc[ids]
                values = values + wi * aligned.to_numpy(np.float64)
            values = values[:, 0] if frames[0].columns[1] == SCORE_COLUMN else values
            write_predictions(out, head, split, ids.to_numpy(), values)
            metrics.update(score_from_gold(runs[0], meta, head, split, ids, values))
    for gold in gold_files(runs[0]):  # keep the ensemble scorable like a run
        target = out / GOLD / gold.parent.name / gold.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(gold, target)
    append_metrics(out, {"stage": "ensemble", "runs": [r.name for r in runs], "weights": w.tolist(),
                         "metrics": metrics})
    write_status(out, COMPLETED)
    return out


def score_from_gold(run: Path, meta: dict, head: str, split: str, ids: pd.Series,
                    values: np.ndarray) -> dict[str, float]:
    """Metrics of one head's ensembled predictions, with the gold labels the first run stored."""
    task_name, slice_name = split_head(head)
    gold = read_gold(run, task_name, split)
    spec = next((t for t in meta.get("tasks", []) if t["task"]["name"] == task_name), None)
    if gold is None or spec is None:
        return {}
    gold = gold.loc[ids.to_numpy()]
    y = gold["label"].to_numpy()
    rows = ~np.isnan(y.astype(np.float64)) if values.ndim == 1 else y >= 0
    if slice_name:
        rows &= gold[slice_column(slice_name)].to_numpy(bool)
    if not rows.any():
        return {}
    pred = values[rows] if values.ndim == 1 else values[rows].argmax(1)
    return {str(MetricKey(head, spec["dataset"], split, m)): get_metric(m)(y[rows], pred)
            for m in spec["task"]["metrics"]}
