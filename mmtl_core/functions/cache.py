"""The label cache: one applied column per (function source hash, dataset fingerprint), kept on disk.

    <root>/<dataset fingerprint>/<key>.npz     the column ("column") and its ApplyReport as JSON ("report")

Editing one function changes its hash, so only its column is recomputed; a new process reading the same workspace
recomputes nothing. Files are written atomically; an unreadable file counts as a miss and is replaced.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mmtl_core.atomic import atomic_write
from mmtl_core.errors import WorkspaceError
from mmtl_core.workspace import Workspace


@dataclass(frozen=True)
class CachedColumn:
    column: np.ndarray
    report: dict[str, Any]


class LabelCache:
    """Applied columns on disk under ``root`` (``Workspace.label_cache_dir``)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> "LabelCache":
        return cls(workspace.label_cache_dir)

    def _path(self, fingerprint: str, key: str) -> Path:
        return self.root / fingerprint / f"{key}.npz"

    def get(self, fingerprint: str, key: str) -> CachedColumn | None:
        path = self._path(fingerprint, key)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                return CachedColumn(data["column"].copy(), json.loads(str(data["report"])))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError):
            path.unlink(missing_ok=True)  # a torn or foreign file: recompute rather than fail
            return None

    def put(self, fingerprint: str, key: str, column: np.ndarray, report: dict[str, Any]) -> None:
        path = self._path(fingerprint, key)
        try:
            atomic_write(path, lambda tmp: np.savez(tmp, column=column, report=np.array(json.dumps(report))))
        except OSError as e:
            raise WorkspaceError(f"cannot write the label cache file {path}: {e.strerror or e}") from e

    def clear(self, fingerprint: str | None = None) -> None:
        """Forget every cached column (of one dataset, or of all)."""
        target = self.root if fingerprint is None else self.root / fingerprint
        shutil.rmtree(target, ignore_errors=True)
