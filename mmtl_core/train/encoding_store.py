"""Frozen-mode encodings cached per example: a pooled vector per distinct input text (or text pair), so a change of
labels, of which rows are covered, or of one text re-encodes only inputs never encoded before.

Layout: ``<cache_dir>/<config digest>/<random>.npz``, one chunk per write holding ``keys`` (16-byte digests of
the inputs, as uint8 rows) and ``vectors`` (float32). The config digest covers everything else the vectors depend
on (encoder files, pooling, max_length, single texts or joint pairs). A chunk is written atomically by one writer, so a killed run or
two runs at once never spoil one; a lookup gathers all chunks of the config, and many chunks are merged into one.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mmtl_core.atomic import atomic_write

MAX_CHUNKS = 16  # beyond this many chunk files, a write merges them into one


def input_keys(units: Sequence[str] | Sequence[tuple[str, str]]) -> list[bytes]:
    """A 16-byte digest per input: a text, or a (first, second) pair encoded jointly."""
    return [hashlib.sha256((u if isinstance(u, str) else f"{u[0]}\x00\x1f{u[1]}").encode()).digest()[:16]
            for u in units]


class EncodingStore:
    """The cached vectors of one encoder configuration (``config``: everything but the input they depend on)."""

    def __init__(self, cache_dir: Path, config: str) -> None:
        self.folder = Path(cache_dir) / hashlib.sha256(config.encode()).hexdigest()[:24]

    def _chunks(self) -> list[tuple[Path, np.ndarray, np.ndarray]]:
        out = []
        for path in sorted(self.folder.glob("*.npz")) if self.folder.is_dir() else []:
            if path.name.startswith("."):
                continue  # a chunk being written
            try:
                with np.load(path) as z:
                    out.append((path, z["keys"], z["vectors"]))
            except FileNotFoundError:
                continue  # merged away by another writer since the listing
        return out

    def lookup(self, keys: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray | None]:
        """(found mask, vectors of the found keys in key order, or None when none is found)."""
        where: dict[bytes, tuple[int, int]] = {}
        chunks = self._chunks()
        for c, (_, chunk_keys, _) in enumerate(chunks):
            where.update({k.tobytes(): (c, r) for r, k in enumerate(chunk_keys)})
        hits = [where.get(k) for k in keys]
        found = np.array([h is not None for h in hits], bool)
        if not found.any():
            return found, None
        return found, np.stack([chunks[c][2][r] for c, r in (h for h in hits if h is not None)])

    def add(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        if not len(keys):
            return
        # bytes as uint8 rows: a numpy bytes dtype ("S16") would drop a digest's trailing zero bytes
        self._write(np.frombuffer(b"".join(keys), np.uint8).reshape(-1, 16), np.asarray(vectors, np.float32))
        chunks = self._chunks()
        if len(chunks) > MAX_CHUNKS:
            merged_keys = np.concatenate([k for _, k, _ in chunks])
            _, first = np.unique(merged_keys, axis=0, return_index=True)
            self._write(merged_keys[first], np.concatenate([v for _, _, v in chunks])[first])
            for path, _, _ in chunks:
                path.unlink(missing_ok=True)

    def _write(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        path = self.folder / f"{secrets.token_hex(8)}.npz"
        atomic_write(path, lambda tmp: np.savez(tmp, keys=keys, vectors=vectors))
