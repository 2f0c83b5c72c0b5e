"""The label cache: one applied column per (function cache key, dataset fingerprint), kept on disk.

    <root>/<dataset fingerprint>/<key>.npz     the column ("column") and its ApplyReport as JSON ("report")

A function's cache key covers everything its output depends on (:mod:`fingerprint`), so editing one function,
a helper it calls or a value it reads recomputes only the columns that depend on it; a new process reading the
same workspace recomputes nothing. A function whose key could not be made is never cached. A column that failed
as a whole (the function timed out, ran out of memory, crashed its worker) is remembered like a result, so it
does not cost its time limit again on every save: the caller re-runs it only when asked (``rerun``).
Files are written atomically; an unreadable file counts as a miss and is replaced.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from mmtl_core.atomic import atomic_write
from mmtl_core.errors import WorkspaceError
from mmtl_core.functions.report import AppliedFunctions, ApplyReport, FunctionInfo
from mmtl_core.workspace import Workspace

Column = tuple[np.ndarray, ApplyReport]


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

    # --- modules whose import timed out or crashed, by the digest of the file's bytes -----------------------------
    def _import_path(self, digest: str) -> Path:
        return self.root / "imports" / f"{digest}.json"

    def import_failure(self, digest: str) -> dict[str, Any] | None:
        path = self._import_path(digest)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
            return None

    def put_import_failure(self, digest: str, error: dict[str, Any]) -> None:
        path = self._import_path(digest)
        try:
            atomic_write(path, lambda tmp: tmp.write_text(json.dumps(error), encoding="utf-8"))
        except OSError as e:
            raise WorkspaceError(f"cannot write the label cache file {path}: {e.strerror or e}") from e

    def forget_import_failure(self, digest: str) -> None:
        self._import_path(digest).unlink(missing_ok=True)

    def clear(self, fingerprint: str | None = None) -> None:
        """Forget every cached column (of one dataset, or of all)."""
        target = self.root if fingerprint is None else self.root / fingerprint
        shutil.rmtree(target, ignore_errors=True)


def column_key(fn: FunctionInfo, cardinality: int | None) -> str | None:
    """The cache file's key: the function's key, and K for labeling (the output checks depend on it)."""
    if fn.cache_key is None:
        return None
    return fn.cache_key if cardinality is None or fn.kind == "slicing" else f"{fn.cache_key}_k{cardinality}"


def empty_column(kind: str, n: int) -> np.ndarray:
    return np.full(n, -1, dtype=np.int8) if kind == "labeling" else np.zeros(n, dtype=bool)


def cached_columns(cache: LabelCache | None, fingerprint: str, functions: Sequence[FunctionInfo], n: int,
                   cardinality: int | None, rerun: Collection[str] = ()) -> dict[str, Column]:
    """The columns the cache holds for ``functions`` on this data (not those named in ``rerun``)."""
    found: dict[str, Column] = {}
    if cache is None:
        return found
    for fn in functions:
        key = column_key(fn, cardinality)
        if key is None or fn.name in rerun:
            continue
        hit = cache.get(fingerprint, key)
        if hit is not None and hit.column.shape == (n,) and hit.column.dtype == empty_column(fn.kind, 0).dtype:
            report = replace(ApplyReport.from_plain(hit.report), from_cache=True, function=fn.name)
            found[fn.name] = (hit.column, report)
    return found


def remember_columns(cache: LabelCache | None, fingerprint: str, functions: Sequence[FunctionInfo],
                     computed: Mapping[str, Column], cardinality: int | None) -> None:
    """Store each computed column (a failed one too: it is remembered until the function changes)."""
    if cache is None:
        return
    for fn in functions:
        key = column_key(fn, cardinality)
        if key is not None and fn.name in computed:
            column, report = computed[fn.name]
            cache.put(fingerprint, key, column, report.to_plain())


def assemble(functions: Sequence[FunctionInfo], kind: str, n: int, columns: Mapping[str, Column]) -> AppliedFunctions:
    """The matrix and reports in the functions' order, from columns found, cached or computed."""
    matrix = np.stack([columns[f.name][0] for f in functions], axis=1) if functions else \
        empty_column(kind, n)[:, None][:, :0]
    return AppliedFunctions([f.name for f in functions], kind, matrix, {f.name: columns[f.name][1] for f in functions})
