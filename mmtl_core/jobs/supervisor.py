"""The job supervisor: one long-lived process per workspace that starts queued jobs, stops cancelled ones and
notices dead ones, so jobs run with no browser open and carry on across app restarts.

The app starts it detached (its own session: it outlives the app, and a Ctrl-C in the app's terminal does not
reach it) whenever there is work and none is running; a lock file makes it one per workspace; with nothing queued
or running for ``idle_exit_s`` it exits. Every decision is made from the registry, so a supervisor can be killed
and restarted at any time: jobs it spawned keep running (each is its own process group) and the next supervisor
picks them up by pid and start time.

Each tick, for the local backend on this host:
- reap: a job whose process is gone without recording its end is marked ``lost`` (killed by a signal, e.g. SIGKILL
  from the out-of-memory killer), ``failed`` (exited with a status) or ``cancelled`` (it was asked to stop), with
  the tail of its log and its partial metrics;
- stop: a job asked to cancel stops itself between steps; one still running ``stop_grace_s`` later gets SIGTERM
  to its process group, and SIGKILL ``kill_grace_s`` after that;
- start: per device, the oldest queued job starts when fewer than ``slots`` jobs are active there (one by
  default; command-line runs count). Each job is a new process (``python -m mmtl_core.jobs.worker``) in its own
  process group, its output in ``.jobs/<run id>-<attempt>.log``; GPU memory is freed when it exits.
Ray jobs (``jobs/ray_backend.py``) are submitted, followed and picked up here too.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import IO

import mmtl_core
from mmtl_core.errors import MMTLError
from mmtl_core.jobs.layout import LOCK_NAME, SUPERVISOR_LOG, job_log, keep_earlier_attempt
from mmtl_core.processes import describe_exit, is_running, signal_job, start_time
from mmtl_core.jobs.progress import log_tail, summary_metrics
from mmtl_core.jobs.ray_backend import RayJobs
from mmtl_core.runs.registry import ACTIVE, LOCAL_BACKENDS, Registry, RunRecord, this_host

log = logging.getLogger("mmtl_core.jobs")
REPO = Path(mmtl_core.__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    slots: int = 1  # jobs at a time per device
    poll_s: float = 0.25  # a launch starts within this (plus the process's start)
    stop_grace_s: float = 10.0  # after a cancel request, time to stop between steps before SIGTERM
    kill_grace_s: float = 10.0  # after SIGTERM, time to record the end before SIGKILL
    idle_exit_s: float = 600.0  # exit after this long with nothing queued or running

    def argv(self) -> list[str]:
        return [f"--{k.replace('_', '-')}={v}" for k, v in asdict(self).items()]


class Supervisor:
    def __init__(self, registry: Registry, runs_dir: Path, settings: Settings = Settings()) -> None:
        self.registry, self.runs_dir, self.settings = registry, Path(runs_dir), settings
        self.host = this_host()
        self.children: dict[int, subprocess.Popen] = {}
        self.exit_codes: dict[int, int] = {}  # of children that ended, until their attempt is settled
        self.signalled: dict[tuple[str, int], signal.Signals] = {}
        self.ray = RayJobs(registry, self.runs_dir)

    def tick(self) -> bool:
        """One round of reaping, stopping and starting; True if anything is queued or running."""
        self._collect_exits()
        pending = self.registry.list_runs(states=("queued", *ACTIVE))
        for record in pending:
            if record.backend in LOCAL_BACKENDS and record.host == self.host and record.active:
                self.check(record)
        self.start_queued()
        self.ray.poll([r for r in pending if r.backend == "ray"])
        return bool(pending)

    def _collect_exits(self) -> None:
        for pid, child in list(self.children.items()):
            code = child.poll()
            if code is not None:
                self.exit_codes[pid] = code
                del self.children[pid]

    # --- one active local job ----------------------------------------------------------------------------------
    def check(self, record: RunRecord) -> None:
        if record.pid is None:
            if record.backend == "local":  # claimed by a supervisor that stopped before it could spawn the job
                if record.cancel_requested_at:
                    self.registry.transition(record.id, record.attempt, "cancelled", error="cancelled before it "
                                             "started")
                else:
                    self.spawn(record)
            return
        if is_running(record.pid, record.pid_started):
            if record.cancel_requested_at:
                self.escalate(record)
            return
        self.reap(record)

    def escalate(self, record: RunRecord) -> None:
        waited = time.time() - record.cancel_requested_at
        sig = (signal.SIGKILL if waited >= self.settings.stop_grace_s + self.settings.kill_grace_s else
               signal.SIGTERM if waited >= self.settings.stop_grace_s else None)
        key = (record.id, record.attempt)
        if sig is not None and self.signalled.get(key) != sig:
            log.info("run %s did not stop %.0f s after its cancel request: sending %s", record.id, waited, sig.name)
            signal_job(record.pid, record.pid_started, sig)
            self.signalled[key] = sig

    def reap(self, record: RunRecord) -> None:
        """The process is gone, and the attempt was still active when we listed it: record its end (a compare-and-
        set, so an end the job recorded meanwhile is kept)."""
        code = self.exit_codes.pop(record.pid, None)
        if code is None and record.pid in self.children:  # ended since this tick collected exits
            code = self.children.pop(record.pid).wait(timeout=10)
        how = f"the job's process (pid {record.pid}) {describe_exit(code)}"
        if record.cancel_requested_at:
            state, error = "cancelled", f"cancelled; {how} before it recorded its end"
        elif code is not None and code >= 0:
            state, error = "failed", f"{how} without recording how the run ended; see its log"
        else:
            state, error = "lost", f"{how}; the run folder keeps what it wrote before"
        if self.registry.transition(record.id, record.attempt, state, error=error, traceback=log_tail(record.log_path),
                                    metrics=summary_metrics(Path(record.artifacts))):
            log.info("run %s attempt %d: %s", record.id, record.attempt, error)
        self.signalled.pop((record.id, record.attempt), None)

    # --- starting ----------------------------------------------------------------------------------------------
    def start_queued(self) -> None:
        for device in self.registry.queued_devices():
            while (record := self.registry.claim_next(device, host=self.host, slots=self.settings.slots)) is not None:
                self.spawn(record)

    def spawn(self, record: RunRecord) -> None:
        if record.attempt > 1:
            keep_earlier_attempt(self.runs_dir, Path(record.artifacts), record.id, record.attempt - 1)
        log_path = job_log(self.runs_dir, record.id, record.attempt)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(log_path, "ab") as out:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "mmtl_core.jobs.worker", self.registry.url, record.id, str(record.attempt)],
                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                    cwd=REPO, env=job_environment(record.device))
        except OSError as e:
            self.registry.transition(record.id, record.attempt, "failed", error=f"could not start the job: {e}")
            return
        self.children[proc.pid] = proc
        # running from now: the process exists (it spends its first seconds importing torch)
        if not self.registry.transition(record.id, record.attempt, "running", expected=("starting",), pid=proc.pid,
                                        pid_started=start_time(proc.pid), log_path=str(log_path),
                                        progress={"phase": "loading libraries"}):
            proc.kill()  # someone else ended or started it meanwhile; this process must not run it too
            return
        log.info("run %s attempt %d started on %s (pid %d)", record.id, record.attempt, record.device, proc.pid)


def job_environment(device: str) -> dict[str, str]:
    """The job's environment: the supervisor's, unbuffered output, mmtl_core importable, and only its GPU visible
    (device ``cuda:N`` -> CUDA_VISIBLE_DEVICES=N, so inside the job it is ``cuda``)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)}
    if device.startswith("cuda:"):
        env["CUDA_VISIBLE_DEVICES"] = device.split(":", 1)[1]
    return env


# --- one supervisor per workspace --------------------------------------------------------------------------------
def try_lock(runs_dir: Path, wait_s: float = 2.0) -> IO | None:
    """Take the workspace's supervisor lock (held as long as the returned file stays open) and write our pid in
    it, or None if another supervisor holds it. The kernel drops the lock when its holder dies, however it dies.
    Waits up to ``wait_s``: a :func:`supervisor_pid` probe holds the lock for an instant."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    handle = open(runs_dir / LOCK_NAME, "a+")
    deadline = time.monotonic() + wait_s
    while not _flock(handle, fcntl.LOCK_EX):
        if time.monotonic() >= deadline:
            handle.close()
            return None
        time.sleep(0.02)
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps({"pid": os.getpid(), "started": start_time(os.getpid())}))
    handle.flush()
    return handle


def supervisor_pid(runs_dir: Path) -> int | None:
    """The pid of the supervisor holding the lock, or None if none runs (a shared probe: it writes nothing)."""
    path = Path(runs_dir) / LOCK_NAME
    if not path.exists():
        return None
    with open(path) as handle:
        if _flock(handle, fcntl.LOCK_SH):
            return None
        try:
            info = json.loads(handle.read() or "{}")
        except ValueError:  # the holder is writing its pid this instant: it is starting, call it not running yet
            return None
    return info.get("pid") if is_running(info.get("pid"), info.get("started")) else None


def _flock(handle: IO, mode: int) -> bool:
    try:
        fcntl.flock(handle, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def ensure_supervisor(registry_url: str, runs_dir: Path, settings: Settings = Settings()) -> None:
    """Start the workspace's supervisor, detached, unless one runs. Two callers at once may both start one; the
    second finds the lock taken and exits."""
    runs_dir = Path(runs_dir)
    if supervisor_pid(runs_dir) is not None:
        return
    spawn_detached([sys.executable, "-m", "mmtl_core.jobs.supervisor", registry_url, str(runs_dir),
                    *settings.argv()], runs_dir / SUPERVISOR_LOG)


# A go-between that starts the command in a new session and exits at once: the command is then nobody's child (no
# zombie left in the app when it ends) and outlives the app.
_DETACH = ("import subprocess, sys; subprocess.Popen(sys.argv[1:], start_new_session=True, "
           "stdin=subprocess.DEVNULL, stdout=sys.stdout, stderr=sys.stdout)")


def spawn_detached(argv: list[str], log_path: Path) -> None:
    with open(log_path, "ab") as out:
        subprocess.run([sys.executable, "-c", _DETACH, *argv], stdin=subprocess.DEVNULL, stdout=out,
                       stderr=subprocess.STDOUT, cwd=REPO, env=job_environment("cpu"), check=True, timeout=60)


def serve(registry: Registry, runs_dir: Path, settings: Settings, lock: IO) -> None:
    """Tick until idle for ``idle_exit_s``. Before exiting, the lock is released first and the queue checked once
    more: a launch that saw the lock held just before is then either seen here or starts a new supervisor."""
    supervisor = Supervisor(registry, runs_dir, settings)
    idle_since = time.monotonic()
    while True:
        try:
            busy = supervisor.tick()
        except MMTLError:  # the registry is unreachable for now (a remote database, a long lock): try again
            log.exception("supervisor tick failed")
            busy = True
        if busy:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since >= settings.idle_exit_s:
            lock.close()
            if not supervisor.tick():
                return
            lock = try_lock(runs_dir)
            if lock is None:  # another supervisor took over meanwhile
                return
            idle_since = time.monotonic()
        time.sleep(settings.poll_s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mmtl_core.jobs.supervisor", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("registry", help="the run registry's database URL")
    parser.add_argument("runs_dir", type=Path, help="the workspace's runs folder (holds the lock and run folders)")
    for f in fields(Settings):
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(message)s", stream=sys.stdout)
    lock = try_lock(args.runs_dir)
    if lock is None:
        log.info("another supervisor runs for %s; exiting", args.runs_dir)
        return 0
    settings = Settings(**{f.name: getattr(args, f.name) for f in fields(Settings)})
    log.info("supervisor started for %s (%s)", args.runs_dir, settings)
    serve(Registry(args.registry), args.runs_dir, settings, lock)
    log.info("idle for %.0f s: exiting", settings.idle_exit_s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
