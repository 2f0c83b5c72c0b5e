"""Where the job machinery keeps its files in the workspace's runs folder (beside the run folders, hidden)."""

from __future__ import annotations

from pathlib import Path

INPUTS_DIR = ".inputs"  # <runs>/.inputs/<run_id>/: a run's inputs, frozen at launch (see jobs/inputs.py)
ATTEMPTS_DIR = ".attempts"  # <runs>/.attempts/<run_id>-<n>/: an earlier attempt's run folder, kept by a retry
LOCK_NAME = ".supervisor.lock"  # held by the running supervisor (its pid inside)
SUPERVISOR_LOG = ".supervisor.log"
JOB_LOG = "job.log"  # in a run folder: everything the job's process printed (warnings, tracebacks, crashes)


def inputs_dir(runs_dir: Path, run_id: str) -> Path:
    return Path(runs_dir) / INPUTS_DIR / run_id


def earlier_attempt_dir(runs_dir: Path, run_id: str, attempt: int) -> Path:
    return Path(runs_dir) / ATTEMPTS_DIR / f"{run_id}-{attempt}"
