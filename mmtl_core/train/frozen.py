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
from mmtl_core.model.encoder import encode, hidden_size, resolve_encoder_name
from mmtl_core.train.batches import collate, eval_batches
from mmtl_core.train.evaluate import autocast
from mmtl_core.train.inputs import SplitData, tokenize


def encoder_id(name: str) -> str:
    path = Path(resolve_encoder_name(name))
    if not path.is_dir():
        return name
    stamps = sorted(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in path.glob("*.safetensors"))
    stamps += sorted(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in path.glob("*.bin"))
    return f"{path.resolve()}|{'|'.join(stamps)}"


def cache_key(encoder: str, pooling: str, max_length: int, fingerprint: str, fields: tuple[str, ...],
              split: SplitData, pair_encoding: str = "joint") -> str:
    h = hashlib.sha256()
    pairs = pair_encoding if len(fields) == 2 else ""  # single texts are encoded one way only
    for part in (encoder_id(encoder), pooling, str(max_length), fingerprint, "\x1f".join(fields), pairs):
        h.update(part.encode() + b"\x00")
    h.update("\x1f".join(map(str, split.example_ids)).encode())
    return h.hexdigest()[:24]


@torch.inference_mode()
def encode_split(encoder: torch.nn.Module, split: SplitData, pooling: str, device: torch.device,
                 batch_size: int, bf16: bool) -> np.ndarray:
    encoder.eval()
    out = np.zeros((len(split), hidden_size(encoder)), np.float32)
    for idx in eval_batches(split, batch_size):
        with autocast(device, bf16):
            vec = encode(encoder, collate(split, idx, device), pooling)
        out[idx] = vec.float().cpu().numpy()
    return out


def pair_features(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """SBERT's classification features of separately encoded sentences: [u, v, |u - v|, u * v]."""
    return np.hstack([u, v, np.abs(u - v), u * v]).astype(np.float32)


def frozen_features(encoder: torch.nn.Module, tokenizer, split: SplitData, *, pooling: str, max_length: int,
                    pair_encoding: str, device: torch.device, rows: int, bf16: bool) -> np.ndarray:
    """The vectors frozen-mode heads read, for every row of ``split``: the pooled encoding of the row's text (or of
    its pair, jointly), or ``pair_features`` of its two texts encoded one at a time. Training and prediction both
    call this, so a run's heads always see the features they were trained on."""
    if pair_encoding == "separate" and len(split.texts) == 2:
        # each distinct sentence once: premises recur across pairs (RTE: 4,972 distinct in 5,534 halves)
        first, second = split.texts
        index: dict[str, int] = {}
        where = np.fromiter((index.setdefault(t, len(index)) for t in (*first, *second)), np.int64,
                            count=len(first) + len(second))
        n = len(index)
        distinct = SplitData(np.arange(n), (list(index),), np.zeros(n), np.zeros(n), np.zeros((n, 0), bool))
        tokenize(tokenizer, distinct, max_length)
        vectors = encode_split(encoder, distinct, pooling, device, rows, bf16)[where]
        return pair_features(vectors[:len(first)], vectors[len(first):])
    tokenize(tokenizer, split, max_length)
    return encode_split(encoder, split, pooling, device, rows, bf16)


def cached_features(cache_dir: Path, key: str, compute) -> tuple[np.ndarray, bool]:
    """(features, came_from_cache). Writes atomically so a killed run never leaves half a file."""
    path = cache_dir / f"{key}.npy"
    if path.exists():
        return np.load(path), True
    feats = compute()
    atomic_write(path, lambda tmp: np.save(tmp, feats))
    return feats, False
