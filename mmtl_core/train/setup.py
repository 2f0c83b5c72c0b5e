"""Everything before the first step: device, distributed group, seeds, inputs and the model."""

from __future__ import annotations

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
from mmtl_core.train.frozen import cache_key, cached_features, frozen_features
from mmtl_core.train.inputs import TaskData, tokenize


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


def prepare_inputs(cfg: TrainConfig, tasks: list[TaskData], device: torch.device) -> torch.nn.Module | None:
    """Finetune: tokenize every split and return the encoder. Frozen: fill each split's features from the cache,
    loading the tokenizer and encoder only for splits not cached yet; returns None (no encoder in the model)."""
    if cfg.mode == "finetune":
        tokenizer, encoder = load_tokenizer(cfg.encoder), load_encoder(cfg.encoder)
        for t in tasks:
            for split in t.splits.values():
                tokenize(tokenizer, split, cfg.max_length)
        return encoder
    cache_dir = Path(cfg.cache_dir or Path(cfg.output_dir) / ".encodings")
    loaded: list = []  # (tokenizer, encoder) once the first uncached split needs them

    def compute(split):
        if not loaded:
            loaded.extend((load_tokenizer(cfg.encoder), load_encoder(cfg.encoder).to(device)))
        return frozen_features(loaded[1], loaded[0], split, pooling=cfg.pooling, max_length=cfg.max_length,
                               pair_encoding=cfg.resolved_pair_encoding, device=device,
                               rows=inference_rows(device, cfg.batch_size), bf16=cfg.bf16)

    for t in tasks:
        for split in t.splits.values():
            key = cache_key(cfg.encoder, cfg.pooling, cfg.max_length, t.dataset.fingerprint, t.task.text_fields, split,
                            cfg.resolved_pair_encoding)
            features, _ = cached_features(cache_dir, key, lambda s=split: compute(s))
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
