"""Where a run's files live, and how a new run folder gets its id. Every path into a run folder is built here.

    <runs folder>/<run id>/
      config.json          the run's name and resolved config, task definitions, seed, git commit, versions, device
      metrics.jsonl        one JSON object per evaluation: stage, step, epoch, metrics {"task/dataset/split/metric": v}
      predictions/<head>/<split>.parquet   example_id + prob_0..prob_{K-1} (or score), one file per head and split
      gold/<task>/<split>.parquet          example_id, label, slice:<name> membership (scores ensembles later)
      labels/<task>.parquet                the training labels a task used when not gold (example_id + prob_<class>)
      weights/<task>.safetensors           encoder + that task's heads, from that task's best checkpoint
      log.txt, progress.json (rewritten atomically), status.json (running / completed / failed)

An ensemble is a run folder of the same shape without weights or labels.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from mmtl_core.errors import WorkspaceError

CONFIG = "config.json"
METRICS = "metrics.jsonl"
STATUS = "status.json"
PROGRESS = "progress.json"
LOG = "log.txt"
PREDICTIONS = "predictions"
GOLD = "gold"
LABELS = "labels"
WEIGHTS = "weights"


def new_run_id() -> str:
    """``20261125-183000-ab12``: sorts by creation time (UTC), safe as a folder name, unique enough."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def create_run_dir(runs_folder: Path) -> Path:
    """A new, empty run folder under ``runs_folder`` (created if need be)."""
    runs_folder.mkdir(parents=True, exist_ok=True)
    while True:
        path = runs_folder / new_run_id()
        try:
            path.mkdir()
            return path
        except FileExistsError:  # same second and same random suffix: draw again
            continue


def claim_run_dir(path: Path) -> Path:
    """``path`` as a new run's folder, named by its caller (a job queue that records it before the run starts):
    created if need be; a WorkspaceError if it already holds files (another run's, which must not be mixed)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise WorkspaceError(f"cannot create the run folder {path}: {e.strerror}") from e
    if any(path.iterdir()):
        raise WorkspaceError(f"the run folder {path} already holds files; give a new folder for each run")
    return path


def is_run_dir(path: Path) -> bool:
    """A folder training or an ensemble started writing (hidden folders, such as frozen mode's encodings cache
    beside the runs, never are)."""
    return path.is_dir() and not path.name.startswith(".") and ((path / STATUS).exists() or (path / CONFIG).exists())


def predictions_path(run: Path, head: str, split: str) -> Path:
    return run / PREDICTIONS / head / f"{split}.parquet"


def gold_path(run: Path, task: str, split: str) -> Path:
    return run / GOLD / task / f"{split}.parquet"


def labels_path(run: Path, task: str) -> Path:
    return run / LABELS / f"{task}.parquet"


def weights_path(run: Path, task: str) -> Path:
    return run / WEIGHTS / f"{task}.safetensors"
