"""Our trainer against Hugging Face's ``Trainer``: full fine-tuning of one encoder on RTE, examples/s and MFU.

Both sides fine-tune the same encoder folder (default: the bundled MiniLM) on exactly the same batches: the same
RTE rows in the same order, the same token ids (our tokenisation: truncation longest-first to ``--max-length``, no
padding; each batch padded to its own longest row) — the HF side's data loader replays our trainer's length-grouped
batch stream — with the same number of steps, learning rate (2e-5), linear warm-up (10%) then decay, weight decay
0.01, grad clipping 1.0 and seed. bf16 autocast on CUDA on both sides, fp32 on CPU; no data-loader workers on
either side. The HF side has no evaluation, saving or logging
(``logging_nan_inf_filter=False`` too: that check reads the loss every step, a per-step device sync) and keeps its
own defaults otherwise (fused AdamW on torch >= 2.8). Ours: mean pooling + linear head; HF:
``AutoModelForSequenceClassification`` (CLS pooler + linear head), a difference of one 384x384 layer on MiniLM.

Timing: each side is timed from the end of step A to the end of its last step, device synchronised at both ends.
A is the first step at which our trainer reported progress (``on_progress``, after a device sync) at or after
``--warmup`` steps; the HF side syncs in a ``TrainerCallback.on_step_end`` at the same step A. Examples and tokens
in the window are counted exactly: ours by replaying the trainer's own batch stream, HF's by its collator; the two
counts must agree (the script stops if they do not: the race would not be like for like).

MFU (model FLOP utilisation) = training FLOPs in the window / elapsed seconds / peak dense bf16 FLOP/s, with
training FLOPs per example of T real (non-padding) tokens (PaLM, appendix B):

    6 * N * T + 12 * n_layers * hidden * T**2

N = encoder parameters excluding the embeddings and the pooler (6 = 2 forward + 4 backward FLOPs per parameter
and token); the second term is attention's QK^T and AV matmuls. Padding is not counted: it is wasted work.
Peak: H100 SXM / H200 989e12, H100 PCIe 756e12, A100 312e12 (``--peak-flops`` overrides); "n/a" on CPU.

    python bench/trainer_vs_hf.py            # GPU race: 200 steps, batch 32, max_length 128, bf16
    python bench/trainer_vs_hf.py --smoke    # CPU check: 5 steps, batch 8, max_length 32
Last line: ``trainer_vs_hf_throughput_ratio: <ours examples/s / HF examples/s>`` (target >= 1.3 on a GPU).
Needs ``accelerate`` (requirements-dev.txt) for the HF Trainer.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from train_overhead import DEFAULT_DATA  # also puts the repo root on sys.path (run as `python bench/<name>.py`)
from mmtl_core.data import Dataset, load_glue_task
from mmtl_core.model.encoder import resolve_encoder_name
from mmtl_core.train import TaskSpec, TrainConfig, train
from mmtl_core.train.inputs import SplitData
from mmtl_core.train.loading import load_task_data
from mmtl_core.train.loop import stream
from mmtl_core.train.setup import Dist, prepare_inputs

RACE = {"steps": 200, "batch_size": 32, "max_length": 128, "warmup": 20}
SMOKE = {"steps": 5, "batch_size": 8, "max_length": 32, "warmup": 1}
PEAK_BF16_FLOPS = (("H100 PCIe", 756e12), ("H100", 989e12), ("H200", 989e12), ("A100", 312e12))  # dense, first match


@dataclass(frozen=True)
class Window:
    """What one side did between the end of step A and the end of its last step."""

    seconds: float
    examples: int
    tokens: int
    flops: float


@dataclass(frozen=True)
class Shape:
    """What the MFU formula needs from the encoder."""

    params: int  # non-embedding, non-pooler
    layers: int
    hidden: int

    def flops(self, lengths: list[int]) -> float:
        return float(sum(6 * self.params * t + 12 * self.layers * self.hidden * t * t for t in lengths))


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def trainer_batches(cfg: TrainConfig, rte: Dataset) -> tuple[SplitData, list[np.ndarray]]:
    """RTE train tokenized as the trainer does it, and the trainer's own first ``max_steps`` batches (row indices)."""
    tasks = load_task_data(cfg, {"RTE": rte})
    prepare_inputs(cfg, tasks, torch.device("cpu"))  # tokenizes every split
    batches = stream(tasks, [0], cfg, 1, Dist())
    return tasks[0].splits["train"], [next(batches)[2] for _ in range(cfg.max_steps)]


def ours(cfg: TrainConfig, rte: Dataset, warmup: int,
         shape: Shape) -> tuple[Window, int, SplitData, list[np.ndarray]]:
    """Our trainer timed between its first progress report at step >= warmup and its last.

    Returns the window, its first step A, the tokenized train split and the trainer's batches (row indices per
    step): the HF side trains on the same batches."""
    clock: dict[int, float] = {}

    def on_progress(report: dict) -> None:  # the trainer syncs the device before each report
        if report["phase"] == "train":  # not the encoder's loading or tokenizing before it
            clock[report["step"]] = time.perf_counter()

    train(cfg, datasets={"RTE": rte}, on_progress=on_progress)
    total = cfg.max_steps
    after = [s for s in clock if warmup <= s < total]
    if not after:
        raise SystemExit(f"our trainer reported no progress between step {warmup} and {total}; "
                         "raise --steps or lower --warmup")
    start = min(after)
    split, batches = trainer_batches(cfg, rte)  # replayed: exact rows and lengths of steps start+1..total
    lengths = [len(split.tokens[i]) for rows in batches[start:] for i in rows]
    return Window(clock[total] - clock[start], len(lengths), sum(lengths), shape.flops(lengths)), start, split, batches


def hf(cfg: TrainConfig, split: SplitData, batches: list[np.ndarray], start: int, device: torch.device,
       shape: Shape, out_dir: str) -> Window:
    """Hugging Face's Trainer on our batches, timed from the end of step ``start`` to the end of the last."""
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding,
                              PrinterCallback, Trainer, TrainerCallback, TrainingArguments)

    path = resolve_encoder_name(cfg.encoder)
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    labels = split.targets.argmax(1)
    rows = [{"input_ids": split.tokens[i], "token_type_ids": split.type_ids[i],
             "attention_mask": [1] * len(split.tokens[i]), "labels": int(labels[i])} for i in range(len(split))]
    pad = DataCollatorWithPadding(tokenizer)
    batch_lengths: list[list[int]] = []  # per collated batch, in order: the data loader may fetch one ahead

    def collate(features: list[dict]) -> dict:
        batch_lengths.append([len(f["input_ids"]) for f in features])
        return pad(features)

    clock: dict[int, float] = {}

    class StepClock(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step in (start, cfg.max_steps):  # sync only at the window's ends
                sync(device)
                clock[state.global_step] = time.perf_counter()

    torch.manual_seed(cfg.seed)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=2, local_files_only=True)
    on_cuda = device.type == "cuda"
    args = TrainingArguments(
        output_dir=out_dir, max_steps=cfg.max_steps, per_device_train_batch_size=cfg.batch_size,
        learning_rate=cfg.resolved_lr, warmup_steps=int(cfg.warmup_fraction * cfg.max_steps),
        lr_scheduler_type="linear", weight_decay=cfg.weight_decay, max_grad_norm=cfg.grad_clip, seed=cfg.seed,
        bf16=on_cuda and cfg.bf16, use_cpu=not on_cuda,
        dataloader_num_workers=0, eval_strategy="no", save_strategy="no", logging_strategy="no", report_to=[],
        disable_tqdm=True, logging_nan_inf_filter=False)

    class SameBatches(Trainer):
        """The Trainer's own loop, optimizer, schedule and mixed precision; only the batch order is ours."""

        def get_train_dataloader(self):
            order = [b.tolist() for b in batches[:cfg.max_steps]]
            return self.accelerator.prepare(DataLoader(rows, batch_sampler=order, collate_fn=collate,
                                                       pin_memory=self.args.dataloader_pin_memory))

    trainer = SameBatches(model=model, args=args, train_dataset=rows, data_collator=collate,
                          processing_class=tokenizer, callbacks=[StepClock()])
    trainer.remove_callback(PrinterCallback)  # it prints the final metrics dict; our summary follows
    trainer.train()
    lengths = [t for b in batch_lengths[start:cfg.max_steps] for t in b]
    return Window(clock[cfg.max_steps] - clock[start], len(lengths), sum(lengths), shape.flops(lengths))


def encoder_shape(cfg: TrainConfig) -> Shape:
    from transformers import AutoConfig, AutoModel

    path = resolve_encoder_name(cfg.encoder)
    config = AutoConfig.from_pretrained(path, local_files_only=True)
    with torch.device("meta"):  # parameter shapes only, nothing allocated
        model = AutoModel.from_config(config)
    params = sum(p.numel() for n, p in model.named_parameters() if not n.startswith(("embeddings.", "pooler.")))
    return Shape(params, config.num_hidden_layers, config.hidden_size)


def peak_flops(device: torch.device, override: float) -> float | None:
    if override:
        return override
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    return next((peak for key, peak in PEAK_BF16_FLOPS if key in name), None)


def describe(label: str, w: Window, peak: float | None) -> str:
    mfu = f"{100 * w.flops / w.seconds / peak:.1f}%" if peak else "n/a"
    return (f"{label}: {w.examples / w.seconds:8.1f} examples/s  {w.tokens / w.seconds:10.0f} tokens/s  "
            f"MFU {mfu}  ({w.examples} examples, {w.tokens} tokens in {w.seconds:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("MMTL_GLUE_DATA", DEFAULT_DATA)))
    parser.add_argument("--encoder", default="", help="model folder; empty = the bundled MiniLM")
    parser.add_argument("--smoke", action="store_true", help="tiny CPU check: 5 steps, batch 8, max_length 32")
    parser.add_argument("--steps", type=int, help="optimizer steps per side (default 200; smoke 5)")
    parser.add_argument("--batch-size", type=int, help="default 32; smoke 8")
    parser.add_argument("--max-length", type=int, help="default 128; smoke 32")
    parser.add_argument("--warmup", type=int, help="untimed first steps on each side (default 20; smoke 1)")
    parser.add_argument("--peak-flops", type=float, default=0.0, help="peak FLOP/s for MFU (default: by GPU name)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    for name, value in (SMOKE if args.smoke else RACE).items():  # explicit flags win over the profile
        if getattr(args, name) is None:
            setattr(args, name, value)
    if not 0 < args.warmup < args.steps:
        parser.error(f"--warmup must be in 1..{args.steps - 1} (the timed window starts after it)")
    torch.set_num_threads(args.threads)
    import transformers

    transformers.logging.set_verbosity_error()  # "classifier weights newly initialised" is expected here
    transformers.logging.disable_progress_bar()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    rte = load_glue_task(args.data, "RTE", splits=("train",))  # no dev rows: neither side evaluates
    with tempfile.TemporaryDirectory() as tmp:
        cfg = TrainConfig(tasks=(TaskSpec("RTE"),), encoder=args.encoder, mode="finetune",
                          batch_size=args.batch_size, max_length=args.max_length, max_steps=args.steps,
                          epochs=1.0 + args.steps * args.batch_size / max(1, len(rte.frame)),  # max_steps binds
                          eval_every=args.steps, output_dir=tmp, save_weights=False)
        shape = encoder_shape(cfg)
        mine, start, split, batches = ours(cfg, rte, args.warmup, shape)
        theirs = hf(cfg, split, batches, start, device, shape, tmp)
    if (mine.examples, mine.tokens) != (theirs.examples, theirs.tokens):
        raise SystemExit(f"the sides trained on different batches ({mine.examples} examples, {mine.tokens} tokens "
                         f"against {theirs.examples}, {theirs.tokens}): not a like-for-like race")
    peak = peak_flops(device, args.peak_flops)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU ({torch.get_num_threads()} threads)"
    print(f"device: {name}; bf16 {'on' if device.type == 'cuda' else 'off'}; peak {peak or 'n/a'} FLOP/s")
    print(f"{len(rte.frame)} RTE train rows, batch {args.batch_size}, max_length {args.max_length}, {args.steps} "
          f"steps, timed steps {start + 1}..{args.steps}; encoder {shape.layers} layers x {shape.hidden}, "
          f"{shape.params / 1e6:.1f}M non-embedding parameters")
    print(describe("ours", mine, peak))
    print(describe("HF  ", theirs, peak))
    print(f"trainer_vs_hf_throughput_ratio: {(mine.examples / mine.seconds) / (theirs.examples / theirs.seconds):.3f}")


if __name__ == "__main__":
    main()
