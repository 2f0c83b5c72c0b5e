"""Frozen-encoder mode: the heads read pooled encoder vectors, computed once per distinct input and cached per
example (see encoding_store.py), with progress for tokenizing and encoding.

An input is a text, or for sentence pairs either each sentence alone ("separate": heads read
``[u, v, |u-v|, u*v]``) or the pair as one sequence ("joint"). Training and prediction both go through
:func:`feature_inputs` and :func:`assemble`, so a run's heads always see the features they were trained on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from mmtl_core.model.encoder import encode, hidden_size, resolve_encoder_name
from mmtl_core.progress import Meter, Progress
from mmtl_core.train.batches import collate, eval_batches
from mmtl_core.train.encoding_store import EncodingStore, input_keys
from mmtl_core.train.evaluate import autocast
from mmtl_core.train.inputs import SplitData, tokenize

Inputs = list[str] | list[tuple[str, str]]


def encoder_id(name: str) -> str:
    """The encoder's name, and for a local folder every file's name, size and time (weights, config, tokenizer):
    replacing any of them gives other vectors, so another cache entry."""
    path = Path(resolve_encoder_name(name))
    if not path.is_dir():
        return name
    stamps = sorted(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in path.iterdir() if p.is_file())
    return f"{path.resolve()}|{'|'.join(stamps)}"


def feature_inputs(split: SplitData, pair_encoding: str) -> tuple[Inputs, np.ndarray]:
    """The distinct inputs to encode for ``split``, and for each row the index of its input (for separately encoded
    pairs: 2n indices, the first sentences' then the second sentences')."""
    if len(split.texts) == 2 and pair_encoding == "joint":
        rows = list(zip(*split.texts))
    else:
        rows = [t for side in split.texts for t in side]  # premises recur across pairs: each is encoded once
    index: dict = {}
    where = np.fromiter((index.setdefault(r, len(index)) for r in rows), np.int64, count=len(rows))
    return list(index), where


def assemble(vectors: np.ndarray, where: np.ndarray, n_rows: int) -> np.ndarray:
    """Each row's features from the vectors of the distinct inputs: its input's vector, or SBERT's
    ``[u, v, |u - v|, u * v]`` when its two sentences were encoded apart."""
    if len(where) == n_rows:
        return vectors[where]
    u, v = vectors[where[:n_rows]], vectors[where[n_rows:]]
    return np.hstack([u, v, np.abs(u - v), u * v]).astype(np.float32)


@torch.inference_mode()
def encode_split(encoder: torch.nn.Module, split: SplitData, pooling: str, device: torch.device,
                 batch_size: int, bf16: bool, meter: Meter | None = None) -> np.ndarray:
    encoder.eval()
    out = np.zeros((len(split), hidden_size(encoder)), np.float32)
    for idx in eval_batches(split, batch_size):
        with autocast(device, bf16):
            vec = encode(encoder, collate(split, idx, device), pooling)
        out[idx] = vec.float().cpu().numpy()
        if meter is not None:
            meter.advance(len(idx))
    return out


def encode_inputs(encoder: torch.nn.Module, tokenizer, inputs: Inputs, *, pooling: str, max_length: int,
                  device: torch.device, rows: int, bf16: bool, what: str = "",
                  progress: Progress | None = None) -> np.ndarray:
    """One pooled vector per input (texts, or pairs as one sequence), reporting tokenizing and encoding."""
    n = len(inputs)
    texts = (list(inputs),) if not n or isinstance(inputs[0], str) else tuple(map(list, zip(*inputs)))
    split = SplitData(np.arange(n), texts, np.zeros(n), np.zeros(n), np.zeros((n, 0), bool))
    tokenize(tokenizer, split, max_length, Meter(progress, "tokenize", what, n))
    return encode_split(encoder, split, pooling, device, rows, bf16, Meter(progress, "encode", what, n))


def frozen_features(encoder: torch.nn.Module, tokenizer, split: SplitData, *, pooling: str, max_length: int,
                    pair_encoding: str, device: torch.device, rows: int, bf16: bool) -> np.ndarray:
    """The vectors frozen-mode heads read for every row of ``split``, encoded now (prediction on new rows)."""
    inputs, where = feature_inputs(split, pair_encoding)
    vectors = encode_inputs(encoder, tokenizer, inputs, pooling=pooling, max_length=max_length, device=device,
                            rows=rows, bf16=bf16)
    return assemble(vectors, where, len(split))


def cached_features(cache_dir: Path, models: Callable[[], tuple], encoder: str, split: SplitData, *, pooling: str,
                    max_length: int, pair_encoding: str, device: torch.device, rows: int, bf16: bool,
                    what: str = "", progress: Progress | None = None) -> tuple[np.ndarray, int]:
    """(features of every row of ``split``, how many inputs had to be encoded): inputs already in the cache are
    read from it; ``models()`` (tokenizer, encoder) is called only when some input is not."""
    inputs, where = feature_inputs(split, pair_encoding)
    joint = len(split.texts) == 2 and pair_encoding == "joint"
    config = "|".join([encoder_id(encoder), pooling, str(max_length), "joint pairs" if joint else "texts"])
    store = EncodingStore(cache_dir, config)
    keys = input_keys(inputs)
    found, known = store.lookup(keys)
    missing = np.flatnonzero(~found)
    vectors = None
    if len(missing):
        tokenizer, model = models()
        new = encode_inputs(model, tokenizer, [inputs[i] for i in missing], pooling=pooling, max_length=max_length,
                            device=device, rows=rows, bf16=bf16, what=what, progress=progress)
        store.add([keys[i] for i in missing], new)
        vectors = np.zeros((len(inputs), new.shape[1]), np.float32)
        vectors[missing] = new
    if known is not None:
        vectors = vectors if vectors is not None else np.zeros((len(inputs), known.shape[1]), np.float32)
        vectors[found] = known
    if vectors is None:  # a split without rows
        return np.zeros((0, 0), np.float32), 0
    return assemble(vectors, where, len(split)), len(missing)
