"""Everything before the first step: device, distributed group, seeds, inputs and the model."""

from __future__ import annotations

import logging
import os
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from mmtl_core.errors import ConfigError
from mmtl_core.model.encoder import hidden_size, load_encoder, load_tokenizer
from mmtl_core.model.heads import MultiTaskModel
from mmtl_core.train.config import TrainConfig
from mmtl_core.train.evaluate import inference_rows
from mmtl_core.progress import Meter, Progress
from mmtl_core.train.frozen import cached_features
from mmtl_core.train.inputs import TaskData, tokenize

log = logging.getLogger("mmtl_core.train")

@dataclass(frozen=True)
class Dist:
    """The process's place in a torchrun group (world 1 when run alone)."""

    rank: int = 0
    world: int = 1

    @property
    def main(self) -> bool:
        return self.rank == 0


def pick_device(cfg: TrainConfig) -> torch.device:
    if cfg.device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("setting 'device' is 'cuda' but no CUDA GPU is visible; use 'auto' or 'cpu'")
    if cfg.device == "cpu" or not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))


def setup_distributed(device: torch.device) -> Dist:
    """Join the torchrun group when WORLD_SIZE > 1 (NCCL on GPUs, gloo on CPUs)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Dist()
    if not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return Dist(dist.get_rank(), dist.get_world_size())


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def prepare_inputs(cfg: TrainConfig, tasks: list[TaskData], device: torch.device,
                   progress: Progress | None = None) -> torch.nn.Module | None:
    """Finetune: tokenize every split and return the encoder. Frozen: fill each split's features, encoding only the
    inputs not in the per-example cache (the tokenizer and encoder are loaded only if some are not); returns None
    (no encoder in the model). Loading, tokenizing and encoding report to ``progress``."""
    loaded: list = []  # (tokenizer, encoder) once something needs them

    def models() -> tuple:
        if not loaded:
            meter = Meter(progress, "load_encoder", cfg.encoder or "(the bundled MiniLM)", 1)
            loaded.extend((load_tokenizer(cfg.encoder), load_encoder(cfg.encoder).to(device)))
            meter.advance(1)
        return loaded[0], loaded[1]

    if cfg.mode == "finetune":
        tokenizer, encoder = models()
        for t in tasks:
            for name, split in t.splits.items():
                tokenize(tokenizer, split, cfg.max_length, Meter(progress, "tokenize", f"{t.task.name}/{name}",
                                                                 len(split)))
        return encoder
    cache_dir = Path(cfg.cache_dir or Path(cfg.output_dir) / ".encodings")
    for t in tasks:
        for name, split in t.splits.items():
            features, encoded = cached_features(
                cache_dir, models, cfg.encoder, split, pooling=cfg.pooling, max_length=cfg.max_length,
                pair_encoding=cfg.resolved_pair_encoding, device=device, rows=inference_rows(device, cfg.batch_size),
                bf16=cfg.bf16, what=f"{t.task.name}/{name}", progress=progress)
            log.info("%s/%s: %d rows; %d input(s) encoded, the others read from the cache", t.task.name, name,
                     len(split), encoded)
            split.features = features.astype(np.float32, copy=False)
            split.tokens = split.type_ids = None  # batches then group the same way whether cached or not
    return None


def build_model(cfg: TrainConfig, tasks: list[TaskData], encoder: torch.nn.Module | None) -> MultiTaskModel:
    return MultiTaskModel(encoder, head_inputs(tasks, encoder), cfg.pooling,
                          {t.task.name: (t.out_dim, t.slices) for t in tasks}, combiner=cfg.slice_combiner)


def head_inputs(tasks: list[TaskData], encoder: torch.nn.Module | None) -> dict[str, int]:
    """Per task, the width of the vector its heads read: the encoder's hidden size, or (frozen mode) the task's
    features, which are 4x wider for separately encoded pairs."""
    return {t.task.name: hidden_size(encoder) if encoder is not None else int(t.splits["train"].features.shape[1])
            for t in tasks}


def broadcast_params(model: torch.nn.Module, d: Dist) -> None:
    """Start every rank from rank 0's weights."""
    if d.world > 1:
        for p in model.state_dict().values():
            dist.broadcast(p, 0)


def sync_gradients(model: torch.nn.Module, d: Dist) -> None:
    """Average gradients across ranks in one flat all-reduce.

    A head no rank used keeps no gradient (as in one process, so AdamW leaves it alone); a head used on some ranks
    gets the average over all ranks, zeros counted for the others (as DDP does).
    """
    if d.world <= 1:
        return
    params = [p for p in model.parameters() if p.requires_grad]
    grads = [p.grad.reshape(-1) if p.grad is not None else torch.zeros(p.numel(), device=p.device) for p in params]
    used = torch.tensor([p.grad is not None for p in params], dtype=grads[0].dtype, device=grads[0].device)
    flat = torch.cat([*grads, used])
    dist.all_reduce(flat)
    flat /= d.world
    used_anywhere = (flat[-len(params):] > 0).tolist()  # one host sync for all flags
    offset = 0
    for p, keep in zip(params, used_anywhere):
        n = p.numel()
        p.grad = flat[offset:offset + n].view_as(p).clone() if keep else None
        offset += n
