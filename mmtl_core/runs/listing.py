"""Listing the runs of a runs folder: every training run and ensemble, with its readable name and whether it
completed. The one place that decides what counts as a run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mmtl_core.errors import PredictionsError
from mmtl_core.runs.jsonfiles import read_config
from mmtl_core.runs.layout import is_run_dir
from mmtl_core.runs.status import COMPLETED, FAILED, read_status


@dataclass(frozen=True)
class RunInfo:
    """One run folder as a list shows it."""

    path: Path
    name: str  # readable: given in the config, or made from its tasks, mode, encoder and labels
    status: str  # running, completed or failed (a run killed outright reads as failed)
    error: str | None  # why it failed, or why its files cannot be read
    tasks: tuple[str, ...]
    datasets: tuple[str, ...]  # the dataset each task was trained on, aligned with ``tasks``
    is_ensemble: bool

    @property
    def run_id(self) -> str:
        return self.path.name

    @property
    def completed(self) -> bool:
        return self.status == COMPLETED

    def trained_on(self, task: str, dataset: str) -> bool:
        """Whether the run has ``task`` trained on ``dataset`` (a task of the same name on another dataset has
        predictions for other examples)."""
        return (task, dataset) in zip(self.tasks, self.datasets)

    @property
    def title(self) -> str:
        """Name and id together: two runs of one config share a name, never an id."""
        return f"{self.name} ({self.run_id})" if self.name != self.run_id else self.run_id


def read_run_info(run: Path) -> RunInfo:
    """What a listing shows of one run folder; a run whose files cannot be read is marked failed, saying why."""
    run = Path(run)
    try:
        status = read_status(run)
    except FileNotFoundError:
        status = {"status": FAILED, "error": "no status.json: the run did not start properly"}
    except (OSError, ValueError) as e:
        status = {"status": FAILED, "error": f"status.json cannot be read ({e})"}
    try:
        config = read_config(run)
    except PredictionsError as e:
        # a run writes config.json right after status.json: missing only while it starts, or if it broke then
        config = {}
        if status["status"] != "running":
            status = {**status, "status": FAILED, "error": status.get("error") or str(e)}
    tasks = [t for t in config.get("tasks", []) if isinstance(t, dict) and "task" in t]
    return RunInfo(run, str(config.get("name") or run.name), status["status"], status.get("error"),
                   tuple(t["task"]["name"] for t in tasks), tuple(str(t.get("dataset", "")) for t in tasks),
                   "ensemble" in config)


def list_runs(folder: Path, *, completed_only: bool = False) -> list[RunInfo]:
    """Every run folder directly under ``folder``, oldest first (run ids sort by creation time); hidden folders
    (frozen mode's encodings cache) and folders no run wrote are left out. ``completed_only`` leaves out runs
    still running or failed."""
    folder = Path(folder)
    found = [read_run_info(p) for p in sorted(folder.iterdir()) if is_run_dir(p)] if folder.is_dir() else []
    return [r for r in found if r.completed or not completed_only]

