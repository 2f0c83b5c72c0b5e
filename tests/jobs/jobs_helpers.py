"""Helpers for the job tests (a module name unique in tests/)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil
import yaml

from mmtl_core.processes import signal_job
from mmtl_core.jobs.queue import JobQueue
from mmtl_core.jobs.supervisor import supervisor_pid
from mmtl_core.runs.registry import ACTIVE, RunRecord
from train_helpers import wait_for, write_table_config


def wait_state(queue: JobQueue, run_id: str, states: tuple[str, ...], timeout: float = 120.0) -> RunRecord:
    def reached():
        record = queue.registry.get(run_id)
        return record if record.state in states else None

    try:
        return wait_for(reached, timeout, f"run {run_id} to be {'/'.join(states)}")
    except AssertionError as e:
        record = queue.registry.get(run_id)
        raise AssertionError(f"{e}; it is {record.state}: {record.error}\n{_log(record)}") from None


def _log(record: RunRecord) -> str:
    return Path(record.log_path).read_text()[-3000:] if record.log_path and Path(record.log_path).exists() else ""


def table_config(folder: Path, encoder: str, epochs: int = 2, **changes) -> dict:
    """A frozen-mode config training the user task "review" on a 60-row CSV (see train_helpers)."""
    (folder / "functions").mkdir(parents=True, exist_ok=True)  # none: the job loads no user module
    config = yaml.safe_load(write_table_config(folder, encoder, "frozen", epochs=epochs).read_text())
    return {**config, "functions_dir": str(folder / "functions"), **changes}


def stop_everything(queue: JobQueue) -> None:
    """Kill, by pid, the supervisor and every job process of this test: those the registry knows as active, and
    any whose command line names this test's registry (a job spawned just before the supervisor was killed)."""
    pid = supervisor_pid(queue.runs_dir)
    if pid is not None:
        os.kill(pid, signal.SIGKILL)
    for record in queue.registry.list_runs(states=ACTIVE):
        if record.pid:
            signal_job(record.pid, record.pid_started, signal.SIGKILL)
    for process in psutil.process_iter(["pid", "cmdline"]):
        if queue.registry.url in (process.info["cmdline"] or []):
            process.kill()
    queue.registry.dispose()
