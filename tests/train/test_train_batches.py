"""Batches: each training row once per epoch, grouped by length, padded to the batch's longest row."""

from __future__ import annotations

import numpy as np
import torch

from mmtl_core.tasks import Task
from mmtl_core.train.batches import collate, get_batches
from mmtl_core.train.inputs import SplitData, TaskData
from mmtl_core.train.loop import get_lr


def task_data(name: str, lengths: list[int]) -> TaskData:
    n = len(lengths)
    split = SplitData(np.arange(n).astype(str), ([""] * n,), np.zeros(n, int), np.zeros((n, 2), np.float32),
                      np.zeros((n, 0), bool), tokens=[[101] + [7] * (k - 2) + [102] for k in lengths],
                      type_ids=[[0] * k for k in lengths])
    data = TaskData(Task(name, name, ("text",)), None, (), 1.0)
    data.splits["train"] = split
    return data


def test_shuffled_schedule_sees_every_row_of_every_task_once_per_epoch():
    rng = np.random.default_rng(0)
    tasks = [task_data("a", list(rng.integers(3, 60, 101))), task_data("b", list(rng.integers(3, 60, 37)))]
    batches = get_batches(tasks, 8, "shuffled", 2.0, np.random.default_rng(1))
    for i, t in enumerate(tasks):
        rows = np.concatenate([b for j, b in batches if j == i])
        assert sorted(rows) == list(range(len(t.splits["train"])))
    assert len({j for j, _ in batches[:10]}) == 2  # tasks interleaved, not one after the other


def test_batches_are_grouped_by_length():
    lengths = list(np.random.default_rng(0).integers(3, 120, 400))
    data = task_data("a", lengths)
    batches = get_batches([data], 16, "shuffled", 2.0, np.random.default_rng(0))
    spread = np.mean([np.ptp(np.take(lengths, b)) for _, b in batches])
    assert spread < 0.2 * np.ptp(lengths)


def test_collate_pads_to_longest_row_of_the_batch_not_max_length():
    data = task_data("a", [5, 9, 7])
    batch = collate(data.splits["train"], np.array([0, 2]), torch.device("cpu"))
    assert batch["input_ids"].shape == (2, 7)
    assert batch["attention_mask"].sum(1).tolist() == [5, 7]


def test_temperature_sampling_flattens_task_proportions():
    tasks = [task_data("big", [5] * 900), task_data("small", [5] * 100)]
    share = {}
    for schedule in ("proportional", "temperature"):
        batches = get_batches(tasks, 10, schedule, 4.0, np.random.default_rng(0))
        share[schedule] = np.mean([j == 1 for j, _ in batches])
    assert 0.05 < share["proportional"] < 0.16
    assert share["temperature"] > share["proportional"] + 0.1


def test_lr_warms_up_then_decays_to_zero():
    lrs = [get_lr(s, 100, 10, 1.0) for s in range(101)]
    assert lrs[0] == 0.1 and lrs[9] == 1.0 and lrs[100] == 0.0
    assert all(a >= b for a, b in zip(lrs[9:], lrs[10:]))
