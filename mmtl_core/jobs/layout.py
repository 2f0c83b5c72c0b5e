"""Where the job machinery keeps its files in the workspace's runs folder (beside the run folders, hidden)."""

from __future__ import annotations

import shutil
from pathlib import Path

INPUTS_DIR = ".inputs"  # <runs>/.inputs/<run_id>/: a run's inputs, frozen at launch (see jobs/inputs.py)
ATTEMPTS_DIR = ".attempts"  # <runs>/.attempts/<run_id>-<n>/: an earlier attempt's run folder, kept by a retry
LOCK_NAME = ".supervisor.lock"  # held by the running supervisor (its pid inside)
SUPERVISOR_LOG = ".supervisor.log"
JOBS_DIR = ".jobs"  # <runs>/.jobs/<run_id>-<n>.log: all a job's process printed (warnings, tracebacks, crashes)


def inputs_dir(runs_dir: Path, run_id: str) -> Path:
    return Path(runs_dir) / INPUTS_DIR / run_id


def job_log(runs_dir: Path, run_id: str, attempt: int) -> Path:
    """The log of one attempt's process, beside the run folder (which the run itself must find new or empty)."""
    return Path(runs_dir) / JOBS_DIR / f"{run_id}-{attempt}.log"


def progress_history(run_dir: Path, attempt: int) -> Path:
    """Every progress report of one attempt, one JSON line each (loss curves), beside the run folder."""
    return Path(run_dir).parent / JOBS_DIR / f"{Path(run_dir).name}-{attempt}.progress.jsonl"


def earlier_attempt_dir(runs_dir: Path, run_id: str, attempt: int) -> Path:
    return Path(runs_dir) / ATTEMPTS_DIR / f"{run_id}-{attempt}"


def keep_earlier_attempt(runs_dir: Path, run_dir: Path, run_id: str, attempt: int) -> None:
    """Before a retry writes a fresh run folder, move the earlier attempt's aside (a run claims a new or empty
    folder, and the earlier attempt's files must not be mixed in nor lost)."""
    if run_dir.exists():
        target = earlier_attempt_dir(runs_dir, run_id, attempt)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(run_dir), str(target))
