"""What a run writes besides progress: config.json, metrics.jsonl records, predictions and weights, log.txt."""

from __future__ import annotations

import logging
import platform
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

from mmtl_core.atomic import atomic_write
from mmtl_core.keys import MetricKey
from mmtl_core.metrics import get_metric
from mmtl_core.model.encoder import resolve_encoder_name
from mmtl_core.runs.jsonfiles import write_config
from mmtl_core.runs.layout import LOG, weights_path
from mmtl_core.runs.metrics import append_metrics
from mmtl_core.runs.predictions import write_gold, write_labels, write_predictions
from mmtl_core.runs.provenance import git_state, package_versions
from mmtl_core.train.config import GOLD, TrainConfig
from mmtl_core.train.evaluate import inference_rows, predict_split, score
from mmtl_core.train.inputs import EVAL_SPLITS, TaskData

log = logging.getLogger("mmtl_core.train")


def attach_log(run: Path) -> logging.Handler:
    handler = logging.FileHandler(run / LOG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    if log.level == logging.NOTSET or log.level > logging.INFO:
        log.setLevel(logging.INFO)
    return handler


def detach_log(handler: logging.Handler) -> None:
    log.removeHandler(handler)
    handler.close()


def record_start(run: Path, cfg: TrainConfig, name: str) -> None:
    """config.json as soon as the run exists, so it is listed by its name while it loads; rewritten resolved
    by :func:`record_config`."""
    write_config(run, {"name": name, "config": cfg.to_dict()})


def record_config(run: Path, cfg: TrainConfig, name: str, tasks: list[TaskData], device: torch.device, d) -> None:
    """The resolved config plus what predicting and comparing later need (task definitions, where each task's
    data and labels came from, hidden size); non-gold training labels are stored beside it."""
    for t in tasks:
        if t.labels is not None:
            write_labels(run, t.task.name, t.labels.frame)
    data = {
        "name": name,
        "config": {**cfg.to_dict(), "lr": cfg.resolved_lr, "pair_encoding": cfg.resolved_pair_encoding},
        "encoder_path": resolve_encoder_name(cfg.encoder),
        "tasks": [{"task": asdict(t.task), "slices": list(t.slices), "dataset": t.dataset.name,
                   "dataset_source": t.dataset.source, "dataset_fingerprint": t.dataset.fingerprint,
                   "labels": t.labels.record if t.labels is not None else {"source": GOLD},
                   "rows": {s: len(v) for s, v in t.splits.items()}} for t in tasks],
        "seed": cfg.seed,
        # the functions folder is what users edit between runs; its repository is the workspace's
        **git_state(Path(cfg.functions_dir) if Path(cfg.functions_dir).is_dir() else Path.cwd()),
        "versions": {**package_versions(), "python": platform.python_version()},
        "device": str(device) + (f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else ""),
        "world_size": d.world,
    }
    write_config(run, data)


def majority_baseline(t: TaskData) -> dict[str, float]:
    """The task's dev metrics for always predicting the most frequent class of the gold dev labels: the score a
    model must beat to have learned anything. Taken from gold, never from the training labels: weak labels that
    all say the rare class would otherwise set a baseline no model fails. None for regression."""
    dev = t.splits.get("dev")
    if t.task.is_regression or dev is None or not dev.labeled.any():
        return {}
    gold = dev.gold[dev.labeled]
    majority = int(np.bincount(gold, minlength=t.task.cardinality).argmax())
    constant = np.full(len(gold), majority)
    return {str(MetricKey(t.task.name, t.dataset.name, "dev", m)): get_metric(m)(gold, constant)
            for m in t.task.metrics}


def append_evaluation(run: Path, stage: int, step: int, epoch: float, metrics: dict[str, float]) -> None:
    append_metrics(run, {"stage": stage, "step": step, "epoch": round(epoch, 4), "metrics": metrics})


def save_checkpoint(run: Path, task: str, state: dict[str, torch.Tensor], cfg: TrainConfig, stage: int, step: int,
                    value: float) -> None:
    """``weights/<task>.safetensors``, rewritten atomically each time the task's dev metric improves: a run killed
    later keeps its best checkpoint so far (the file's metadata says from which stage and step, with what value)."""
    if not cfg.save_weights:
        return
    # frozen mode: the encoder is unchanged, so only heads are stored (config.json names the encoder)
    kept = {k: v.contiguous() for k, v in state.items() if cfg.mode == "finetune" or k.startswith("heads.")}
    meta = {"stage": str(stage), "step": str(step), "dev_metric": repr(value)}
    atomic_write(weights_path(run, task), lambda tmp: save_file(kept, str(tmp), metadata=meta))


def write_final(run: Path, model: torch.nn.Module, tasks: list[TaskData], cfg: TrainConfig, device,
                best: dict[str, dict]) -> None:
    """From each task's best checkpoint (its weights are already saved): predictions of its heads on dev/test,
    final metrics."""
    final: dict[str, float] = {}
    chosen = {}
    for t in tasks:
        b = best[t.task.name]
        model.load_state_dict(b["state"], strict=False)
        chosen[t.task.name] = {"stage": b["stage"], "step": b["step"], "value": b["value"]}
        for split in EVAL_SPLITS:
            if split not in t.splits:
                continue
            part = t.splits[split]
            write_gold(run, t.task.name, split, part.example_ids, part.gold,
                       {s: part.slices[:, j] for j, s in enumerate(t.slices)})
            rows = inference_rows(device, cfg.batch_size)
            preds = predict_split(model, t.task, t.slices, t.splits[split], device, rows, cfg.bf16)
            for head, values in preds.items():
                write_predictions(run, head, split, t.splits[split].example_ids, values)
            final.update({k: v for k, v in score(t.task, t.slices, t.dataset.name, split, t.splits[split],
                                                  preds).items() if t.splits[split].labeled.any()})
    baselines = {k: v for t in tasks for k, v in majority_baseline(t).items()}
    for t in tasks:
        key = str(MetricKey(t.task.name, t.dataset.name, "dev", t.task.primary_metric))
        if key in baselines and key in final and not final[key] > baselines[key]:
            log.warning("task %s: dev %s %.4f is no better than always predicting the most frequent class of the "
                        "gold dev labels (%.4f): the model learned nothing usable%s", t.task.name, t.task.primary_metric,
                        final[key], baselines[key], " (frozen encodings may not carry this task's signal; try "
                        "mode: finetune)" if cfg.mode == "frozen" else "")
    append_metrics(run, {"stage": "final", "best": chosen, "metrics": final, "baselines": baselines})
    log.info("final: %s", ", ".join(f"{k}={v:.4f}" for k, v in final.items()))
