"""Overhead of our trainer against a bare PyTorch loop: full fine-tuning of the bundled MiniLM on RTE.

Both sides train the same model (MiniLM + a linear head, mean pooling) on exactly the same batches (the trainer's
own length-grouped batches of RTE train, batch 16, max_length 128), from the same initial weights, on the same
device (CUDA with bf16 autocast when present, else CPU fp32). The bare loop is forward, loss, backward, AdamW step (fused, as the trainer's).

    python bench/train_overhead.py [--steps 30]
Last line: ``train_throughput_vs_bare: <trainer examples/s / bare examples/s>`` (target >= 0.9).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python bench/<name>.py` from anywhere
from mmtl_core.data import load_glue_task  # noqa: E402
from mmtl_core.model.encoder import load_encoder, pool  # noqa: E402
from mmtl_core.train import TaskSpec, TrainConfig, train  # noqa: E402
from mmtl_core.train.batches import collate  # noqa: E402
from mmtl_core.train.loading import load_task_data  # noqa: E402
from mmtl_core.train.loop import stream  # noqa: E402
from mmtl_core.train.setup import Dist, prepare_inputs  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "glue_data"


def bare_loop(cfg: TrainConfig, rte, steps: int, device: torch.device) -> float:
    """Examples per second of a plain loop over the trainer's own first ``steps`` batches."""
    tasks = load_task_data(cfg, {"RTE": rte})
    prepare_inputs(cfg, tasks, device)  # tokenizes (untimed, as in the trainer)
    batches = stream(tasks, [0], cfg, 1, Dist())
    torch.manual_seed(cfg.seed)
    encoder = load_encoder(cfg.encoder).to(device).train()  # from_pretrained returns eval mode: dropout off
    head = torch.nn.Linear(encoder.config.hidden_size, 2).to(device)
    params = [*encoder.parameters(), *head.parameters()]
    opt = torch.optim.AdamW(params, lr=2e-5, fused=True)  # the same update as the trainer's
    amp = torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else contextlib.nullcontext()
    seen = 0
    t0 = time.perf_counter()
    for _ in range(steps):
        _, _, rows = next(batches)
        batch = collate(tasks[0].splits["train"], rows, device)
        with amp:
            states = encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                             token_type_ids=batch["token_type_ids"]).last_hidden_state
            logits = head(pool(states, batch["attention_mask"], "mean").float())
        loss = torch.nn.functional.cross_entropy(logits.float(), batch["targets"].argmax(1))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        seen += len(rows)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return seen / (time.perf_counter() - t0)


def trainer(cfg: TrainConfig, rte) -> float:
    """Examples per second the trainer itself reports over its training steps (evaluation excluded)."""
    reports = []
    train(cfg, datasets={"RTE": rte}, on_progress=reports.append)
    final = [r for r in reports if r["phase"] == "train" and r["step"] == r["total_steps"]][-1]
    return final["examples_per_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("MMTL_GLUE_DATA", DEFAULT_DATA)))
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    rte = load_glue_task(args.data, "RTE", splits=("train", "dev"))
    rte_dev_small = rte.frame[(rte.frame["split"] == "train") | (rte.frame.index % 10 == 0)]  # eval stays cheap
    from mmtl_core.data import Dataset

    rte = Dataset(rte.name, rte_dev_small.reset_index(drop=True), label_names=rte.label_names)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = TrainConfig(tasks=(TaskSpec("RTE"),), mode="finetune", batch_size=16, max_length=128, epochs=1,
                          max_steps=args.steps, output_dir=tmp, save_weights=False, warmup_fraction=0.0)
        # bare, trainer, bare: the trainer is compared with the mean of the runs around it, so a machine that
        # slows down or speeds up during the benchmark (shared cores) biases the ratio less
        bare_loop(cfg, rte, args.steps, device)  # warm-up, untimed: the first pass pays one-off kernel set-up per shape
        before = bare_loop(cfg, rte, args.steps, device)
        ours = trainer(cfg, rte)
        after = bare_loop(cfg, rte, args.steps, device)
        bare = (before + after) / 2
    print(f"device {device} ({torch.get_num_threads()} threads), {args.steps} steps of batch 16")
    print(f"bare loop: {bare:.1f} examples/s (before {before:.1f}, after {after:.1f})")
    print(f"trainer:   {ours:.1f} examples/s")
    print(f"train_throughput_vs_bare: {ours / bare:.3f}")


if __name__ == "__main__":
    main()
