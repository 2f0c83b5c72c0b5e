"""Predicting every head on a split, and scoring the predictions with the task's metrics."""

from __future__ import annotations

import contextlib

import numpy as np
import torch

from mmtl_core.keys import MetricKey, head_name, split_head
from mmtl_core.metrics import get_metric
from mmtl_core.tasks import Task
from mmtl_core.train.batches import collate, eval_batches
from mmtl_core.train.inputs import SplitData


def autocast(device: torch.device, bf16: bool):
    """bf16 autocast on CUDA only: CPU runs stay fp32 so a seed repeats exactly."""
    if device.type == "cuda" and bf16:
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


CPU_INFERENCE_ROWS = 32


def inference_rows(device: torch.device, train_batch: int) -> int:
    """Rows per batch when only predicting. On a CPU, 32: a small batch's activations stay in cache and rows sorted
    by length pad less (8% padding at 128 rows, 2% at 32 on RTE), so frozen MiniLM encodes RTE in 44-47 s instead
    of 58 s on 2 cores. On a GPU, four training batches: no gradients to keep, so larger batches fit and keep it busy.
    """
    return CPU_INFERENCE_ROWS if device.type == "cpu" else 4 * train_batch


@torch.no_grad()
def predict_split(model: torch.nn.Module, task: Task, slices: tuple[str, ...], split: SplitData,
                  device: torch.device, batch_size: int, bf16: bool = True) -> dict[str, np.ndarray]:
    """Per head name (``task`` and ``task:slice``): (n, K) probabilities, or (n,) scores for regression."""
    was_training = model.training
    model.eval()
    n = len(split)
    width = 1 if task.is_regression else task.cardinality
    out = {h: np.zeros((n, width), np.float32) for h in ("", *slices)}
    for idx in eval_batches(split, batch_size):
        with autocast(device, bf16):
            logits = model(collate(split, idx, device), task.name)
        for h in out:
            z = logits[h].float()
            out[h][idx] = (z if task.is_regression else z.softmax(-1)).cpu().numpy()
    model.train(was_training)
    return {head_name(task.name, h or None): (v[:, 0] if task.is_regression else v) for h, v in out.items()}


def score(task: Task, slices: tuple[str, ...], dataset: str, split_name: str, split: SplitData,
          preds: dict[str, np.ndarray]) -> dict[str, float]:
    """Metrics keyed ``head/dataset/split/metric``: the task head on labeled rows, slice heads on their slice."""
    labeled = split.labeled
    out = {}
    for head, p in preds.items():
        slice_name = split_head(head)[1]
        rows = labeled.copy()
        if slice_name:
            rows &= split.slices[:, slices.index(slice_name)]
        gold = split.gold[rows]
        pred = p[rows] if task.is_regression else p[rows].argmax(1)
        for m in task.metrics:
            out[str(MetricKey(head, dataset, split_name, m))] = get_metric(m)(gold, pred)
    return out

