"""The workspace: one folder holding everything a user's session must not lose, and the operations on it.

    <root>/
      datasets.json        how to reload each dataset the user loaded (source path, loader, options)
      tasks.json           user-defined tasks
      module_sets.json     which modules of the functions folder each dataset/task applies
      labels/<dataset>_<task>.parquet   training labels saved from the Labeling functions page
      cache/L/<fingerprint>/<function-hash>.npz   applied label / slice columns
      cache/downloads/     fetched public datasets
      uploads/<digest>/    uploaded files, under the sha256 of their names and bytes (never replaced)
      runs/                training runs (one folder each) and runs.sqlite, the run registry

Its location is ``$MMTL_WORKSPACE`` or ``./workspace``. The user's functions live in ``labeling_functions/``
(``$MMTL_FUNCTIONS_DIR``), beside the app, so they can be versioned with git.

Pages and scripts change these files only through the methods here, so each rule (names are unique, a replaced
dataset keeps its place, a write is atomic) is written once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from mmtl_core.atomic import atomic_write_text
from mmtl_core.data.registry import DatasetSpec, load_specs, save_specs
from mmtl_core.errors import WorkspaceError
from mmtl_core.tasks import Task, load_tasks, save_tasks

Named = TypeVar("Named", DatasetSpec, Task)


def _put(items: list[Named], item: Named) -> list[Named]:
    """``items`` with ``item`` in place of the one of its name, or appended."""
    names = [i.name for i in items]
    if item.name in names:
        return [item if n == item.name else i for i, n in zip(items, names)]
    return [*items, item]


def default_root() -> Path:
    """The app's workspace folder: ``$MMTL_WORKSPACE``, else ``./workspace``."""
    return Path(os.environ.get("MMTL_WORKSPACE", "workspace")).resolve()


def default_functions_dir() -> Path:
    """The app's functions folder: ``$MMTL_FUNCTIONS_DIR``, else ``./labeling_functions``."""
    return Path(os.environ.get("MMTL_FUNCTIONS_DIR", "labeling_functions")).resolve()


@dataclass(frozen=True)
class Workspace:
    root: Path
    functions_dir: Path

    @classmethod
    def from_env(cls) -> "Workspace":
        return cls.at(default_root(), default_functions_dir())

    @classmethod
    def at(cls, root: Path | str, functions_dir: Path | str | None = None) -> "Workspace":
        root = Path(root)
        functions_dir = Path(functions_dir) if functions_dir is not None else root / "labeling_functions"
        try:
            for d in (root, functions_dir, root / "cache", root / "runs"):
                d.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise WorkspaceError(f"cannot create the workspace folder {root}: {e.strerror}") from e
        return cls(root, functions_dir)

    # -- where things are ---------------------------------------------------------------------------------------
    @property
    def datasets_file(self) -> Path:
        return self.root / "datasets.json"

    @property
    def tasks_file(self) -> Path:
        return self.root / "tasks.json"

    @property
    def module_sets_file(self) -> Path:
        return self.root / "module_sets.json"

    @property
    def label_cache_dir(self) -> Path:
        return self.root / "cache" / "L"

    @property
    def downloads_dir(self) -> Path:
        return self.root / "cache" / "downloads"

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    def labels_path(self, dataset: str, task: str) -> Path:
        """Where the training labels of a dataset's task are saved (what ``labels: <file>`` of a run reads)."""
        return self.root / "labels" / f"{dataset}_{task}.parquet"

    # -- datasets -----------------------------------------------------------------------------------------------
    def dataset_specs(self) -> list[DatasetSpec]:
        """The datasets the user loaded, in the order they were first added."""
        return load_specs(self.datasets_file)

    def save_dataset(self, spec: DatasetSpec) -> None:
        """Add ``spec``, or replace the dataset of that name in its place (load it first: this only remembers)."""
        save_specs(self.datasets_file, _put(self.dataset_specs(), spec))

    def forget_dataset(self, name: str) -> None:
        """Remove a dataset from the list; its files, tasks and module sets are kept (loading it again finds them)."""
        save_specs(self.datasets_file, [s for s in self.dataset_specs() if s.name != name])

    # -- tasks --------------------------------------------------------------------------------------------------
    def tasks(self) -> list[Task]:
        """The user-defined tasks (GLUE's and inferred ones come from :func:`mmtl_core.tasks.tasks_for`)."""
        return load_tasks(self.tasks_file)

    def save_task(self, task: Task) -> None:
        """Add ``task``, or replace the user task of that name in its place."""
        save_tasks(self.tasks_file, _put(self.tasks(), task))

    # -- module sets ----------------------------------------------------------------------------------------------
    def _module_sets(self) -> list[dict]:
        path = self.module_sets_file
        if not path.exists():
            return []
        try:
            sets = json.loads(path.read_text(encoding="utf-8"))
            if not all(isinstance(s["dataset"], str) and isinstance(s["task"], str)
                       and all(isinstance(m, str) for m in s["modules"]) for s in sets):
                raise ValueError("each entry needs a dataset, a task and a list of module file names")
        except (OSError, ValueError, TypeError, KeyError) as e:
            raise WorkspaceError(f"{path}: cannot read the saved module sets ({e})") from e
        return sets

    def module_set(self, dataset: str, task: str) -> list[str] | None:
        """The modules a dataset's task applies, as the user last chose them; None when never chosen."""
        for s in self._module_sets():
            if (s["dataset"], s["task"]) == (dataset, task):
                return list(s["modules"])
        return None

    def save_module_set(self, dataset: str, task: str, modules: Sequence[str]) -> None:
        sets = [s for s in self._module_sets() if (s["dataset"], s["task"]) != (dataset, task)]
        sets.append({"dataset": dataset, "task": task, "modules": list(dict.fromkeys(modules))})
        try:
            atomic_write_text(self.module_sets_file, json.dumps(sets, indent=2))
        except OSError as e:
            raise WorkspaceError(f"cannot save the module sets to {self.module_sets_file}: {e.strerror}") from e

    @property
    def uploads_dir(self) -> Path:
        return self.root / "uploads"

    def save_upload(self, files: Mapping[str, bytes]) -> Path:
        """Store uploaded files (name -> bytes) in ``uploads/<digest>/`` and return that folder.

        The digest covers every name and byte, so the same upload finds its folder again and an upload with a
        reused name but other bytes gets a folder of its own: a dataset's source is never replaced. The folder
        appears whole or not at all (written beside it, then renamed)."""
        names = {name: Path(name).name for name in files}
        bad = [n for n, base in names.items() if base in ("", ".", "..") or base.startswith(".")]
        if bad or len(set(names.values())) < len(names):
            raise WorkspaceError(f"cannot store the upload: file names {sorted(bad) or sorted(names)} are empty, "
                                 "hidden or repeated")
        h = hashlib.sha256()
        for name in sorted(files):
            h.update(names[name].encode() + b"\x00" + hashlib.sha256(files[name]).digest())
        target = self.uploads_dir / h.hexdigest()[:16]
        if target.is_dir():
            return target
        try:
            self.uploads_dir.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=self.uploads_dir))
        except OSError as e:
            raise WorkspaceError(f"cannot store the upload in {self.uploads_dir}: {e.strerror}") from e
        try:
            for name, data in files.items():
                (staging / names[name]).write_bytes(data)
            os.rename(staging, target)
        except OSError as e:
            shutil.rmtree(staging, ignore_errors=True)
            if target.is_dir():  # another session stored the same upload first: its files are identical
                return target
            raise WorkspaceError(f"cannot store the upload in {self.uploads_dir}: {e.strerror}") from e
        return target
