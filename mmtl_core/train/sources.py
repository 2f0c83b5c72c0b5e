"""Where a task's definition and rows come from: a workspace dataset and task named as the app shows them, a GLUE
task over a GLUE folder, or a user task over a table file."""

from __future__ import annotations

import difflib
from dataclasses import fields, replace
from pathlib import Path

from mmtl_core.data import ColumnMapping, DatasetSpec, load_dataset, load_glue_task, load_specs, load_table
from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import ConfigError, MMTLError
from mmtl_core.tasks import GLUE_TASKS, Task, load_tasks, tasks_for
from mmtl_core.train.config import TaskSpec
from mmtl_core.workspace import Workspace

#: Settings that describe a table file's task; with 'dataset' the workspace's task says all of this.
TABLE_SETTINGS = ("data", "text_fields", "label_field", "split_field", "cardinality", "metrics")


def _hint(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def workspace_spec(spec: TaskSpec, workspace: Workspace) -> DatasetSpec:
    """The workspace's entry for the dataset ``spec`` names (a ConfigError lists the datasets there are)."""
    try:
        specs = {s.name: s for s in load_specs(workspace.datasets_file)}
    except MMTLError as e:
        raise ConfigError(f"task {spec.task!r}: setting 'dataset': the workspace's dataset list cannot be read "
                          f"({e})") from e
    if spec.dataset not in specs:
        listed = ", ".join(map(repr, specs)) or "none yet: load one on the Data page"
        raise ConfigError(f"task {spec.task!r}: setting 'dataset' names {spec.dataset!r}, which is not a dataset of "
                          f"the workspace {workspace.root} (its datasets: {listed}){_hint(spec.dataset, list(specs))}")
    return specs[spec.dataset]


def check_table_settings_unused(spec: TaskSpec) -> None:
    """With 'dataset', settings of a table file would be silently ignored: refuse them, naming the first."""
    defaults = {f.name: f.default for f in fields(TaskSpec)}
    for name in TABLE_SETTINGS:
        if getattr(spec, name) != defaults[name]:
            raise ConfigError(f"task {spec.task!r}: setting {name!r} is for a table file; with 'dataset' "
                              f"{spec.dataset!r} the workspace's task gives the fields, classes, splits and metrics "
                              "(define or change the task on the Data page)")


def load_workspace_task(spec: TaskSpec, workspace: Workspace) -> tuple[Task, Dataset]:
    """The dataset as the Data page loads it, and the task the app shows for it under ``spec.task``."""
    source = workspace_spec(spec, workspace)
    try:
        dataset = load_dataset(source)
    except MMTLError as e:
        raise ConfigError(f"task {spec.task!r}: dataset {spec.dataset!r} cannot be loaded: {e}") from e
    tasks = {t.name: t for t in tasks_for(dataset, load_tasks(workspace.tasks_file))}
    if spec.task not in tasks:
        listed = ", ".join(map(repr, tasks)) or "none yet"
        raise ConfigError(f"setting 'task' names {spec.task!r}, which is not a task of dataset {spec.dataset!r} "
                          f"(its tasks: {listed}; define one on the Data page){_hint(spec.task, list(tasks))}")
    return tasks[spec.task], dataset


def file_task(spec: TaskSpec) -> Task:
    """Without 'dataset': a GLUE task by name, or a user task from the spec's fields."""
    if not spec.text_fields:
        if spec.task not in GLUE_TASKS:
            raise ConfigError(f"task {spec.task!r} is not a GLUE task ({', '.join(GLUE_TASKS)})"
                              f"{_hint(spec.task, list(GLUE_TASKS))}; for a dataset of the workspace give 'dataset' "
                              "(its name on the Data page), for a table file 'text_fields' (and 'label_field', "
                              "'cardinality', 'metrics')")
        return GLUE_TASKS[spec.task]
    return Task(spec.task, spec.task, spec.text_fields, spec.label_field, spec.cardinality, spec.metrics)


def load_file_task(spec: TaskSpec) -> tuple[Task, Dataset]:
    """A GLUE folder or a table file named by 'data'; a table's labels are loaded as its "label" column."""
    task = file_task(spec)
    if not spec.data:
        raise ConfigError(f"task {spec.task!r}: settings 'dataset' and 'data' are empty; name a dataset of the "
                          "workspace, or give the GLUE folder or the table file")
    path = Path(spec.data)
    if not path.exists():
        raise ConfigError(f"task {spec.task!r}: setting 'data' names {spec.data!r}, which does not exist")
    if spec.task in GLUE_TASKS and not spec.text_fields:
        return task, load_glue_task(path, task.dataset)
    mapping = ColumnMapping(text_fields=task.text_fields, label_field=task.label_field,
                            split_field=spec.split_field or None)
    return replace(task, label_field="label"), load_table(path, mapping, name=spec.task)
