"""Datasets a benchmark prepares for itself: a table file written into the workspace and registered there (with
its task and module set) exactly as the Data page registers a loaded file, so runs name them like any dataset of
the app and the app lists them, their runs and their tasks.

A dataset, task or module set of the same name that the user made differently is never replaced: the bench stops
and says which one, so nothing the user had changes silently.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pandas as pd

from mmtl_core.atomic import atomic_write
from mmtl_core.data import DatasetSpec, load_dataset
from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import WorkspaceError
from mmtl_core.studio.modules import choose_modules
from mmtl_core.tasks import Task
from mmtl_core.workspace import Workspace

#: Column of a prepared table holding the source's own example id (kept inside the new dataset's ids).
SOURCE_ID = "source_id"


def write_table(path: Path, frame: pd.DataFrame) -> bool:
    """Write ``frame`` as Parquet unless the file already holds exactly it; True when written."""
    if path.exists():
        try:
            if pd.read_parquet(path).equals(frame.reset_index(drop=True)):
                return False
        except (OSError, ValueError):
            pass  # unreadable: written again below
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: frame.reset_index(drop=True).to_parquet(tmp, index=False))
    return True


def table_spec(name: str, path: Path, text_fields: tuple[str, ...], label_names: tuple[str, ...]) -> DatasetSpec:
    """How the Data page registers a table file with a split column and the source's ids."""
    options = {"text_fields": list(text_fields), "label_field": "label", "split_field": "split", "id_field": SOURCE_ID}
    if label_names:
        options["label_names"] = list(label_names)
    return DatasetSpec(name, "table", str(Path(path).resolve()), options)


def register(workspace: Workspace, spec: DatasetSpec, task: Task | None = None) -> Dataset:
    """Register ``spec`` and ``task`` in the workspace (kept as they are when already there) and load the dataset.
    Without ``task``, the dataset's tasks are the ones the app infers for it."""
    same = [s for s in workspace.dataset_specs() if s.name == spec.name]
    if same and asdict(same[0]) != asdict(spec):
        raise WorkspaceError(f"the workspace {workspace.root} already has a dataset named {spec.name!r} loaded from "
                             f"{same[0].path}; the bench would replace it with {spec.path}. Forget it on the Data "
                             "page or give the bench another workspace (--workspace)")
    tasks = workspace.tasks()
    clash = [t for t in tasks if task is not None and t.name == task.name and t != task]
    if clash:
        raise WorkspaceError(f"the workspace {workspace.root} already has a task named {task.name!r} on dataset "
                             f"{clash[0].dataset!r}; the bench needs that name for its own task on {task.dataset!r}. "
                             "Remove it or give the bench another workspace (--workspace)")
    dataset = load_dataset(spec)  # before anything is saved: a file that does not load registers nothing
    if not same:
        workspace.save_dataset(spec)
    if task is not None and task not in tasks:
        workspace.save_task(task)
    return dataset


def use_modules(workspace: Workspace, dataset: Dataset, task: Task, modules: list[str]) -> list[str]:
    """Make ``modules`` the dataset/task's module set (what the Labeling functions page and ``labels: label_model``
    apply); a different set the user chose is never replaced (WorkspaceError)."""
    saved = workspace.module_set(dataset.name, task.name)
    if saved is not None and saved != modules:
        raise WorkspaceError(f"the workspace {workspace.root} applies {saved} to task {task.name!r} of dataset "
                             f"{dataset.name!r}; the bench needs {modules}. Choose them on the Labeling functions "
                             "page or give the bench another workspace (--workspace)")
    return choose_modules(workspace, dataset, task, modules)
