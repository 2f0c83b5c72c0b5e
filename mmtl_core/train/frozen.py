"""Frozen-encoder mode: each split is encoded once per encoder and the pooled vectors are cached on disk.

The cache key holds everything that changes the vectors: encoder id (name plus its weight files' sizes and
times), pooling, max_length, dataset fingerprint, text fields and the exact rows.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch

from mmtl_core.atomic import atomic_write
from mmtl_core.model.encoder import encode, resolve_encoder_name
from mmtl_core.train.batches import collate, eval_batches
from mmtl_core.train.evaluate import autocast
from mmtl_core.train.inputs import SplitData


def encoder_id(name: str) -> str:
    path = Path(resolve_encoder_name(name))
    if not path.is_dir():
        return name
    stamps = sorted(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in path.glob("*.safetensors"))
    stamps += sorted(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in path.glob("*.bin"))
    return f"{path.resolve()}|{'|'.join(stamps)}"


def cache_key(encoder: str, pooling: str, max_length: int, fingerprint: str, fields: tuple[str, ...],
              split: SplitData) -> str:
    h = hashlib.sha256()
    for part in (encoder_id(encoder), pooling, str(max_length), fingerprint, "\x1f".join(fields)):
        h.update(part.encode() + b"\x00")
    h.update("\x1f".join(map(str, split.example_ids)).encode())
    return h.hexdigest()[:24]


@torch.inference_mode()
def encode_split(encoder: torch.nn.Module, split: SplitData, pooling: str, device: torch.device,
                 batch_size: int, bf16: bool) -> np.ndarray:
    encoder.eval()
    hidden = int(encoder.config.hidden_size)
    out = np.zeros((len(split), hidden), np.float32)
    for idx in eval_batches(split, batch_size):
        with autocast(device, bf16):
            vec = encode(encoder, collate(split, idx, device), pooling)
        out[idx] = vec.float().cpu().numpy()
    return out


def cached_features(cache_dir: Path, key: str, compute) -> tuple[np.ndarray, bool]:
    """(features, came_from_cache). Writes atomically so a killed run never leaves half a file."""
    path = cache_dir / f"{key}.npy"
    if path.exists():
        return np.load(path), True
    feats = compute()
    atomic_write(path, lambda tmp: np.save(tmp, feats))
    return feats, False
