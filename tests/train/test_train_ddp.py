"""The same train() under two gloo processes (what torchrun does on GPUs) matches one process accumulating
the same two micro-batches per step."""

from __future__ import annotations

import os
import sys
import types

import numpy as np
import pytest
import torch.multiprocessing as mp

from train_helpers import negation_dataset
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.runs.predictions import read_prediction_frames
from mmtl_core.train import TaskSpec, TrainConfig, train
from ports import free_port


def config(out, encoder: str, **kw) -> TrainConfig:
    return TrainConfig(tasks=(TaskSpec("s", text_fields=("text",)),), encoder=encoder, mode="frozen", epochs=3,
                       batch_size=8, max_length=8, lr=0.01, output_dir=str(out), num_threads=1, **kw)


def worker(rank: int, port: int, out: str, encoder: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), LOCAL_RANK=str(rank),
                      WORLD_SIZE="2")
    import torch.distributed as dist

    try:
        run = train(config(out, encoder), datasets={"s": negation_dataset(96)})
        with open(os.path.join(out, f"rank{rank}.txt"), "w") as f:
            f.write(str(run))
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


@pytest.mark.slow
def test_two_gloo_processes_train_like_one_process_with_accumulation(tmp_path, tiny_encoder, monkeypatch):
    # spawned children re-run the parent's __main__, which after an AppTest in this process is a page script
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    mp.spawn(worker, args=(free_port(), str(tmp_path / "ddp"), tiny_encoder), nprocs=2, join=True)
    runs = {(tmp_path / "ddp" / f"rank{r}.txt").read_text() for r in (0, 1)}
    assert len(runs) == 1  # both ranks wrote into the one run folder rank 0 created
    ddp_run = type(tmp_path)(runs.pop())
    single = train(config(tmp_path / "one", tiny_encoder, grad_accum=2), datasets={"s": negation_dataset(96)})

    assert [r["step"] for r in read_metrics(ddp_run)[:-1]] == [r["step"] for r in read_metrics(single)[:-1]]
    a = read_prediction_frames(ddp_run)["s"]["dev"][["prob_0", "prob_1"]].to_numpy()
    b = read_prediction_frames(single)["s"]["dev"][["prob_0", "prob_1"]].to_numpy()
    np.testing.assert_allclose(a, b, atol=1e-5)
    assert '"world_size": 2' in (ddp_run / "config.json").read_text()
