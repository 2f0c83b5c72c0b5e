"""Batches: which rows of which task go together (length-grouped), and how they become padded tensors."""

from __future__ import annotations

import numpy as np
import torch

from mmtl_core.train.inputs import SplitData, TaskData

GROUP = 50  # batches per length-sorted pool: similar lengths pad little, while the order stays random


def batches_of(split: SplitData, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch of one split: shuffled, then sorted by length within pools of GROUP batches."""
    order = rng.permutation(len(split))
    lengths = split.lengths()
    out = []
    for start in range(0, len(order), batch_size * GROUP):
        pool = order[start:start + batch_size * GROUP]
        pool = pool[np.argsort(lengths[pool], kind="stable")]
        out.extend(pool[i:i + batch_size] for i in range(0, len(pool), batch_size))
    return [out[i] for i in rng.permutation(len(out))]


def get_batches(tasks: list[TaskData], batch_size: int, schedule: str, temperature: float,
                rng: np.random.Generator) -> list[tuple[int, np.ndarray]]:
    """One epoch as (task index, row indices) pairs.

    "shuffled": every task's batches once, interleaved at random (each training example seen once per epoch).
    "proportional"/"temperature": the same number of batches, each from a task drawn with p ~ n or n ** (1/T);
    a task that runs out starts a new pass over its rows.
    """
    per_task = [batches_of(t.splits["train"], batch_size, rng) for t in tasks]
    if schedule == "shuffled":
        flat = [(i, b) for i, bs in enumerate(per_task) for b in bs]
        return [flat[j] for j in rng.permutation(len(flat))]
    sizes = np.array([len(t.splits["train"]) for t in tasks], np.float64)
    p = sizes ** (1.0 if schedule == "proportional" else 1.0 / temperature)
    draws = rng.choice(len(tasks), size=sum(map(len, per_task)), p=p / p.sum())
    pos = [0] * len(tasks)
    out = []
    for i in draws:
        if pos[i] == len(per_task[i]):
            per_task[i], pos[i] = batches_of(tasks[i].splits["train"], batch_size, rng), 0
        out.append((int(i), per_task[i][pos[i]]))
        pos[i] += 1
    return out


def eval_batches(split: SplitData, batch_size: int) -> list[np.ndarray]:
    """Rows in length order (fast, little padding); callers scatter results back by index."""
    order = np.argsort(split.lengths(), kind="stable")
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def collate(split: SplitData, idx: np.ndarray, device: torch.device, pad_id: int = 0) -> dict[str, torch.Tensor]:
    """Tensors for rows ``idx``: padded to the longest row of this batch (not max_length), plus targets and slices."""
    out: dict[str, torch.Tensor] = {}
    if split.features is not None:
        out["features"] = torch.from_numpy(split.features[idx])
    else:
        width = max(len(split.tokens[i]) for i in idx)
        ids = np.full((len(idx), width), pad_id, np.int64)
        types = np.zeros((len(idx), width), np.int64)
        mask = np.zeros((len(idx), width), np.int64)
        for r, i in enumerate(idx):
            n = len(split.tokens[i])
            ids[r, :n], types[r, :n], mask[r, :n] = split.tokens[i], split.type_ids[i], 1
        out.update(input_ids=torch.from_numpy(ids), token_type_ids=torch.from_numpy(types),
                   attention_mask=torch.from_numpy(mask))
    out["targets"] = torch.from_numpy(split.targets[idx])
    out["slices"] = torch.from_numpy(split.slices[idx])
    return {k: v.to(device, non_blocking=True) for k, v in out.items()}
