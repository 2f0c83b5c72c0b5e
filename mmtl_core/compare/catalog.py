"""Every run and ensemble of a workspace, as the runs table lists it: the run folders (``runs.listing``, the one
place that decides what counts as a run) joined with the run registry's records (state, parent, the functions a
run used). A run launched from the app is in both; a queued one has no folder yet; an ensemble, or a run trained
with ``--no-registry``, has only its folder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmtl_core.errors import PredictionsError
from mmtl_core.runs.jsonfiles import read_config
from mmtl_core.runs.listing import RunInfo, list_runs
from mmtl_core.runs.registry import RunRecord
from mmtl_core.runs.status import COMPLETED, FAILED, RUNNING

#: A run folder's status in the registry's words, so one column speaks one vocabulary.
FOLDER_STATES = {COMPLETED: "succeeded", FAILED: "failed", RUNNING: "running"}
SUCCEEDED = "succeeded"


@dataclass(frozen=True)
class TaskEntry:
    """One task a run trained (or an ensemble averaged): where, on what labels, with which slice heads."""

    dataset: str
    task: str
    labels: str  # gold, label_model or a labels file's path ("" for an ensemble: its members say)
    slices: tuple[str, ...]


@dataclass(frozen=True)
class RunEntry:
    """One row of the runs table."""

    id: str
    name: str
    state: str  # the registry's state; a folder-only run's status in the same words
    path: Path | None  # the run folder; None while queued or when it is gone
    created: float  # seconds since the epoch
    tasks: tuple[TaskEntry, ...]
    settings: dict[str, Any]  # the training config as launched (empty for an ensemble)
    ensemble: dict[str, Any] | None  # {"runs": [...], "weights": [...]} for an ensemble
    parent_id: str | None = None
    functions: dict[str, Any] | None = None  # the registry's snapshot of the functions it used
    error: str | None = None  # why it failed, or why its folder cannot be read

    @property
    def title(self) -> str:
        """Name and id together: two runs of one config share a name, never an id."""
        return f"{self.name} ({self.id})" if self.name != self.id else self.id

    @property
    def is_ensemble(self) -> bool:
        return self.ensemble is not None

    @property
    def comparable(self) -> bool:
        """Finished well, with a folder to read predictions from."""
        return self.state == SUCCEEDED and self.path is not None

    def trained(self, dataset: str, task: str) -> bool:
        return any((t.dataset, t.task) == (dataset, task) for t in self.tasks)


def catalog(runs_dir: Path, records: Sequence[RunRecord]) -> list[RunEntry]:
    """Every run of ``runs_dir`` and of the registry ``records`` (listed with their configs), newest first."""
    infos = {p.resolve(): i for i in list_runs(runs_dir) for p in (i.path,)}
    entries = []
    for record in records:
        folder = Path(record.artifacts).resolve() if record.artifacts and "://" not in record.artifacts else None
        info = infos.pop(folder, None) if folder is not None else None
        entries.append(_from_record(record, info))
    entries += [_from_folder(info) for info in infos.values()]
    return sorted(entries, key=lambda e: (e.created, e.id), reverse=True)


def _from_record(record: RunRecord, info: RunInfo | None) -> RunEntry:
    config = _folder_config(info) if info is not None else {}
    settings = config.get("config") or record.config or {}
    error = record.error
    if record.state == SUCCEEDED and info is None:
        error = f"its run folder {record.artifacts} is missing"
    elif info is not None and not info.completed and record.state == SUCCEEDED:
        error = info.error or f"its run folder reads {info.status}"
    return RunEntry(record.id, record.name, record.state, info.path if info is not None else None, record.created_at,
                    _tasks(settings, config), settings, config.get("ensemble"), record.parent_id,
                    record.functions, error)


def _from_folder(info: RunInfo) -> RunEntry:
    config = _folder_config(info)
    state = FOLDER_STATES.get(info.status, info.status)
    return RunEntry(info.run_id, info.name, state, info.path, _created(info.path), _tasks(config.get("config") or {},
                                                                                           config),
                    config.get("config") or {}, config.get("ensemble"), error=info.error)


def _folder_config(info: RunInfo) -> dict[str, Any]:
    try:
        return read_config(info.path)
    except PredictionsError:  # listed as failed already, saying why
        return {}


def _tasks(settings: dict[str, Any], config: dict[str, Any]) -> tuple[TaskEntry, ...]:
    """From the task definitions config.json keeps once the run has started (the dataset each task was trained
    on, where its labels came from; an ensemble's are its first member's), or else from the config as launched."""
    resolved = [t for t in config.get("tasks", []) if isinstance(t.get("task"), dict)]
    if resolved:
        ensemble = "ensemble" in config  # its tasks are its first member's: the members say what they trained on
        return tuple(TaskEntry(str(t.get("dataset", "")), str(t["task"]["name"]),
                               "" if ensemble else _labels(t.get("labels")),
                               tuple(t.get("slices", ()))) for t in resolved)
    return tuple(TaskEntry(str(t.get("dataset", "")), str(t["task"]), str(t.get("labels", "gold")),
                           tuple(t.get("slices", ()))) for t in settings.get("tasks", []))


def _labels(record: Any) -> str:
    """A resolved task's labels: gold, label_model, or the file's path ("" when not recorded: an ensemble)."""
    if not isinstance(record, dict):
        return ""
    return str(record.get("path") or record.get("source", ""))


def _created(path: Path) -> float:
    """A folder-only run's creation time: its config's (written when it starts)."""
    for name in ("config.json", "status.json"):
        if (path / name).exists():
            return (path / name).stat().st_mtime
    return path.stat().st_mtime
