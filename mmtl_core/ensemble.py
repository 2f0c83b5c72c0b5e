"""Ensembles: the (weighted) average of several runs' predicted probabilities, written as a run of its own.

The ensemble folder has the same config.json, metrics.jsonl, predictions/ and gold/ layout as a training run
(no weights), so every later analysis treats it as one more run.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.errors import PredictionsError
from mmtl_core.keys import MetricKey, split_head
from mmtl_core.metrics import get_metric
from mmtl_core.train.run_dir import (append_metrics, create_run_dir, read_predictions, read_status, write_json,
                                     write_predictions, write_status)


def ensemble_runs(runs: list[Path | str], output_dir: Path | str, weights: list[float] | None = None) -> Path:
    """Average the runs' predictions head by head and split by split; returns the new ensemble run folder.

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
        status = (read_status(r) if (r / "status.json").exists() else {}).get("status")
        if status != "completed":
            why = f"is {status}" if status else "is not a run folder (no status.json)"
            raise PredictionsError(f"run {r} {why}; only completed runs can be ensembled")
    preds = [read_predictions(r) for r in runs]
    for r, p in zip(runs, preds):
        if not p:
            raise PredictionsError(f"run {r} has no predictions/ to ensemble")
    heads = sorted(set.intersection(*(set(p) for p in preds)))
    if not heads:
        raise PredictionsError("the runs share no head; ensembles average the same heads of several runs")
    meta = json.loads((runs[0] / "config.json").read_text())
    out = create_run_dir(Path(output_dir))
    write_status(out, "running")
    write_json(out / "config.json", {"ensemble": {"runs": [str(r) for r in runs], "weights": w.tolist()},
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
            values = values[:, 0] if frames[0].columns[1] == "score" else values
            write_predictions(out, head, split, ids.to_numpy(), values)
            metrics.update(score_from_gold(runs[0], meta, head, split, ids, values))
    for gold in (runs[0] / "gold").glob("*/*.parquet"):  # keep the ensemble scorable like a run
        target = out / "gold" / gold.parent.name / gold.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(gold.read_bytes())
    append_metrics(out, {"stage": "ensemble", "runs": [r.name for r in runs], "weights": w.tolist(),
                         "metrics": metrics})
    write_status(out, "completed")
    return out


def score_from_gold(run: Path, meta: dict, head: str, split: str, ids: pd.Series,
                    values: np.ndarray) -> dict[str, float]:
    """Metrics of one head's ensembled predictions, with the gold labels the first run stored."""
    task_name, slice_name = split_head(head)
    path = run / "gold" / task_name / f"{split}.parquet"
    spec = next((t for t in meta.get("tasks", []) if t["task"]["name"] == task_name), None)
    if not path.exists() or spec is None:
        return {}
    gold = pd.read_parquet(path).set_index("example_id").loc[ids.to_numpy()]
    y = gold["label"].to_numpy()
    rows = ~np.isnan(y.astype(np.float64)) if values.ndim == 1 else y >= 0
    if slice_name:
        rows &= gold[f"slice:{slice_name}"].to_numpy(bool)
    if not rows.any():
        return {}
    pred = values[rows] if values.ndim == 1 else values[rows].argmax(1)
    return {str(MetricKey(head, spec["dataset"], split, m)): get_metric(m)(y[rows], pred)
            for m in spec["task"]["metrics"]}
