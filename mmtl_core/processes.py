"""Telling a job's process apart from any other: a pid plus the process's start time, since pids are reused."""

from __future__ import annotations

import os
import signal

import psutil


def start_time(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), or None if there is no such process."""
    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    except psutil.AccessDenied:  # exists, someone else's: it cannot be our job
        return None


def is_running(pid: int | None, started: float | None) -> bool:
    """Whether the process that was ``pid`` when it started at ``started`` still runs (a zombie does not). A
    reused pid belongs to a process that started later, so it does not count."""
    if pid is None or started is None:
        return False
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return abs(process.create_time() - started) < 0.01  # psutil rounds boot-relative ticks alike both times
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def signal_job(pid: int, started: float | None, sig: signal.Signals) -> bool:
    """Send ``sig`` to the job's process group when it leads one (jobs the supervisor spawns do), else to the
    process alone (a command-line run shares its shell's group). False if the process is gone."""
    if not is_running(pid, started):
        return False
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        return False
    return True


def describe_exit(returncode: int | None) -> str:
    """How a process ended, for a message: "exited with status 1", "killed by SIGKILL", or unknown."""
    if returncode is None:
        return "ended (its exit status is unknown: it was started by an earlier supervisor)"
    if returncode < 0:
        name = signal.Signals(-returncode).name
        why = " (the out-of-memory killer sends it, as does kill -9)" if -returncode == signal.SIGKILL else ""
        return f"was killed by {name}{why}"
    return f"exited with status {returncode}"
