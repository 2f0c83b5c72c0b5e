"""Ensembles: the (weighted) average of several runs' predicted probabilities, written as a run of its own.

The ensemble folder has the same config.json, metrics.jsonl, predictions/ and gold/ layout as a training run
(no weights), so every later analysis, and every list of runs, treats it as one more run.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
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
from mmtl_core.runs.status import COMPLETED, FAILED, RUNNING, write_status
from mmtl_core.slices.predictions import few


def ensemble_runs(runs: list[Path | str], output_dir: Path | str, weights: list[float] | None = None,
                  name: str = "") -> Path:
    """Average the runs' predictions head by head and split by split; returns the new ensemble run folder,
    named ``name`` or "ensemble of <the runs' names>".

    Heads and splits present in every run are averaged; rows must be the same example ids in each run.
    """
    runs = [Path(r) for r in runs]
    w = ensemble_weights(weights, len(runs))
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
    averaged = []  # everything is computed and checked before the folder exists: a refusal leaves nothing behind
    for head in heads:
        for split in sorted(set.intersection(*(set(p[head]) for p in preds))):
            frames = [p[head][split] for p in preds]
            ids = frames[0]["example_id"]
            check_same_examples([(f"run {i.title}", f["example_id"].to_numpy()) for i, f in zip(infos, frames)],
                                f"head {head} on {split}")
            values = weighted_average([f.set_index("example_id").loc[ids].to_numpy(np.float64) for f in frames], w)
            averaged.append((head, split, ids, values[:, 0] if frames[0].columns[1] == SCORE_COLUMN else values))
    out = create_run_dir(Path(output_dir))
    write_status(out, RUNNING)
    try:
        write_config(out, {"name": name or "ensemble of " + " + ".join(i.name for i in infos),
                           "ensemble": {"runs": [str(r) for r in runs], "weights": w.tolist()},
                           "tasks": meta.get("tasks", [])})
        metrics: dict[str, float] = {}
        for head, split, ids, values in averaged:
            write_predictions(out, head, split, ids.to_numpy(), values)
            metrics.update(score_from_gold(runs[0], meta, head, split, ids, values))
        for gold in gold_files(runs[0]):  # keep the ensemble scorable like a run
            target = out / GOLD / gold.parent.name / gold.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(gold, target)
        append_metrics(out, {"stage": "ensemble", "runs": [r.name for r in runs], "weights": w.tolist(),
                             "metrics": metrics})
    except BaseException as e:
        write_status(out, FAILED, e)  # a half-written ensemble is marked, never listed as a run to compare
        raise
    write_status(out, COMPLETED)
    return out


def ensemble_weights(weights: Sequence[float] | None, n_runs: int) -> np.ndarray:
    """The members' weights, checked and scaled to sum to one (None: equal weights)."""
    if n_runs < 2:
        raise PredictionsError(f"an ensemble needs at least two runs, got {n_runs}")
    w = np.asarray(weights if weights is not None else [1.0] * n_runs, np.float64)
    if w.shape != (n_runs,) or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise PredictionsError(f"ensemble weights {w.tolist()} must be {n_runs} non-negative numbers, not all 0")
    return w / w.sum()


def check_same_examples(members: Sequence[tuple[str, np.ndarray]], what: str) -> None:
    """An ensemble averages one prediction per example of each member, so every member must have predicted the
    same examples; a PredictionsError names the member and the ids that differ from the first member's."""
    (first, ids), rest = members[0], members[1:]
    ids = np.asarray(ids).astype(str)
    expected = pd.Index(ids)
    for name, other in rest:
        other = np.asarray(other).astype(str)
        if np.array_equal(other, ids):  # the usual case, without building an index
            continue
        found = pd.Index(other)
        if found.equals(expected):
            continue
        extra, missing = found.difference(expected), expected.difference(found)
        if not len(extra) and not len(missing) and len(found) == len(expected) and found.is_unique:
            continue  # the same examples in another order: averaged by id
        parts = ([f"{len(extra)} example(s) the first did not predict ({few(extra)})"] if len(extra) else []) + \
                ([f"{len(missing)} of the first's example(s) missing ({few(missing)})"] if len(missing) else [])
        raise PredictionsError(f"{name} predicted other examples than {first} for {what}: "
                               f"{' and '.join(parts) or 'some example ids twice'}; an ensemble needs the same "
                               "examples in every run (runs trained on the same version of the dataset)")


def weighted_average(values: Sequence[np.ndarray], weights: np.ndarray) -> np.ndarray:
    """The members' probabilities (or scores), row-aligned, averaged with ``weights`` (summing to one)."""
    out = np.zeros_like(np.asarray(values[0], np.float64))
    for v, w in zip(values, weights):
        out += w * np.asarray(v, np.float64)
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
