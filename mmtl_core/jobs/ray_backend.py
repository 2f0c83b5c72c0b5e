"""The Ray backend: training jobs on a GPU box (or cluster) through Ray's job submission API.

The user runs ``ray start --head`` on the box and gives the app its dashboard address (``http://box:8265``) and a
place for artifacts that both sides reach (a shared path, or an fsspec URL such as ``s3://bucket/runs``). Each
attempt is one Ray job:

- submitted with the attempt's key as ``submission_id`` (the run id; ``<run id>-attempt<n>`` for a retry), so a
  resubmit after a crash is idempotent; the run's frozen inputs (function files, label files, the config) travel as
  the job's ``working_dir``, this copy of ``mmtl_core`` as a ``py_modules`` entry, and ``entrypoint_num_gpus``
  asks Ray for the GPUs, so Ray queues jobs until they are free (several GPUs: torchrun/DDP inside the job);
- followed by the supervisor: Ray's status, its log copied from the last offset into the attempt's log (the
  job prints progress lines there, which become heartbeats), a cancel request passed on as ``stop_job``;
- picked up when it ends: the run folder is copied from the artifacts location into the workspace's runs folder.

The registry stays the source of truth: Ray's own job history is lost when its head restarts; a job Ray no longer
knows is marked lost, and an unreachable head leaves every run as it was, with a note, until it answers again.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import fsspec
import requests
from ray.job_submission import JobStatus, JobSubmissionClient

import mmtl_core
from mmtl_core.errors import JobError
from mmtl_core.jobs.layout import inputs_dir, job_log, keep_earlier_attempt, progress_history
from mmtl_core.jobs.progress import append_progress, log_tail, summary_metrics
from mmtl_core.runs.registry import Registry, RunRecord

log = logging.getLogger("mmtl_core.jobs")
DEFAULT_PORT = 8265  # Ray dashboard's, which serves the job API
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 120.0  # uploads of the working dir can take a while
POLL_S = 2.0
JOB_CONFIG = "job_config.json"  # in the working dir: the config with paths relative to it
PROGRESS_PREFIX = "MMTL_PROGRESS "
FUNCTIONS_PREFIX = "MMTL_FUNCTIONS "
RAY_ADDRESS_VARIABLES = ("RAY_API_SERVER_ADDRESS", "RAY_ADDRESS")


@dataclass(frozen=True)
class RayTarget:
    """Where Ray jobs go: the head's dashboard address, the artifacts location, GPUs per job."""

    address: str
    artifacts: str  # a path both sides see, or an fsspec URL
    num_gpus: float = 1.0

    @property
    def url(self) -> str:
        return normalize_address(self.address)


def normalize_address(address: str) -> str:
    """``box``, ``box:8265`` or ``http://box:8265`` -> ``http://box:8265``."""
    address = address.strip().rstrip("/")
    if not address:
        raise JobError("the Ray address is empty: give the GPU box's dashboard address, such as http://box:8265")
    if "://" not in address:
        address = "http://" + address
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https"):
        raise JobError(f"Ray address {address!r}: give the dashboard's http address (http://box:8265), not a "
                       f"{parts.scheme}:// address")
    return address if parts.port else f"{address}:{DEFAULT_PORT}"


class _Client(JobSubmissionClient):
    """Ray's client with timeouts on every request (Ray's own requests have none: an unreachable box would hang
    the caller forever)."""

    def _do_request(self, method: str, endpoint: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", (CONNECT_TIMEOUT_S, READ_TIMEOUT_S))
        return super()._do_request(method, endpoint, **kwargs)


def connect(address: str) -> JobSubmissionClient:
    """A client for the Ray head at ``address``; JobError saying what to check if it cannot be reached."""
    url = normalize_address(address)
    for variable in RAY_ADDRESS_VARIABLES:  # Ray lets these override the address it is given
        if os.environ.get(variable) and normalize_address(os.environ[variable]) != url:
            raise JobError(f"${variable} is set to {os.environ[variable]!r}, which Ray would use instead of "
                           f"{url}; unset it or give that address")
    try:
        return _Client(url)
    except (ConnectionError, requests.RequestException, RuntimeError) as e:
        raise JobError(f"cannot reach the Ray head at {url} ({str(e).strip() or type(e).__name__}). On the GPU box, "
                       "check that `ray start --head --dashboard-host=0.0.0.0` is running and that port "
                       f"{urlsplit(url).port} is reachable from here (or forwarded over SSH); nothing was "
                       "queued") from e


def submission_id(run_id: str, attempt: int) -> str:
    return run_id if attempt == 1 else f"{run_id}-attempt{attempt}"


def remote_run_dir(artifacts: str, key: str) -> str:
    return artifacts.rstrip("/") + "/" + key


class RayJobs:
    """The supervisor's side of the Ray backend: submit queued attempts, follow running ones, pick up ended ones."""

    def __init__(self, registry: Registry, runs_dir: Path, poll_s: float = POLL_S) -> None:
        self.registry, self.runs_dir, self.poll_s = registry, Path(runs_dir), poll_s
        self.clients: dict[str, JobSubmissionClient] = {}
        self.last_poll = 0.0

    def poll(self, records: list[RunRecord]) -> None:
        if not records or time.monotonic() - self.last_poll < self.poll_s:
            return
        self.last_poll = time.monotonic()
        for record in records:
            try:
                self.follow(record)
            except JobError as e:  # the head is unreachable for now: the run stays as it is, with a note
                self.registry.update_active(record.id, record.attempt, note=f"{time.strftime('%H:%M:%S')}: {e}")
            except Exception as e:  # a fault following one run must not stop the supervisor following the others
                log.exception("following Ray run %s failed", record.id)
                self.registry.update_active(record.id, record.attempt, note=f"{time.strftime('%H:%M:%S')}: "
                                            f"following this run failed: {type(e).__name__}: {e}")

    def client(self, address: str) -> JobSubmissionClient:
        if address not in self.clients:
            self.clients[address] = connect(address)
        return self.clients[address]

    def call(self, address: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """One request to the head; a lost connection drops the cached client and becomes a JobError."""
        try:
            return getattr(self.client(address), method)(*args, **kwargs)
        except (ConnectionError, requests.RequestException) as e:
            self.clients.pop(address, None)
            raise JobError(f"lost contact with the Ray head at {normalize_address(address)} ({e})") from e

    def job_info(self, record: RunRecord):
        """Ray's record of the attempt's job, or None if Ray does not know it."""
        try:
            return self.call(record.backend_address, "get_job_info", submission_id(record.id, record.attempt))
        except RuntimeError as e:
            if "404" in str(e) or "does not exist" in str(e):
                return None
            raise JobError(f"the Ray head at {record.backend_address} answered: {e}") from e

    def follow(self, record: RunRecord) -> None:
        if record.state == "queued":
            if self.registry.transition(record.id, record.attempt, "starting", expected=("queued",)):
                self.submit(record)
            return
        info = self.job_info(record)
        if info is None:
            if record.state == "starting":  # claimed, but the submission did not reach Ray: submit again
                self.submit(record)
            else:
                self.registry.transition(record.id, record.attempt, "lost", error=(
                    f"the Ray head at {record.backend_address} no longer knows job "
                    f"{submission_id(record.id, record.attempt)} (its head restarted?)"),
                    traceback=log_tail(record.log_path))
            return
        self.copy_log(record)
        if info.status == JobStatus.RUNNING:
            self.registry.transition(record.id, record.attempt, "running", expected=("starting",))
        if record.cancel_requested_at and not info.status.is_terminal():
            self.call(record.backend_address, "stop_job", submission_id(record.id, record.attempt))
        if info.status.is_terminal():
            self.finish(self.registry.get(record.id), info)
        elif record.note:
            self.registry.update_active(record.id, record.attempt, note=None)

    def submit(self, record: RunRecord) -> None:
        """Submit the attempt's job; idempotent (a job already known under its submission id is left alone)."""
        key = submission_id(record.id, record.attempt)
        self.client(record.backend_address)  # an unreachable head: a JobError before anything is prepared
        record = self.registry.get(record.id)  # with its config (a listed record has none)
        if record.attempt > 1:
            keep_earlier_attempt(self.runs_dir, Path(record.artifacts), record.id, record.attempt - 1)
        work_dir = inputs_dir(self.runs_dir, record.id)
        write_job_config(record.config, work_dir)
        log_path = job_log(self.runs_dir, record.id, record.attempt)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.registry.update_active(record.id, record.attempt, log_path=str(log_path), log_offset=0)
        num_gpus = self.num_gpus(record)
        try:
            self.call(record.backend_address, "submit_job",
                      entrypoint=f"python -m mmtl_core.jobs.ray_entry {JOB_CONFIG} {key} {record.artifacts_url}",
                      submission_id=key, entrypoint_num_gpus=num_gpus, entrypoint_num_cpus=1,
                      metadata={"mmtl_run_id": record.id, "mmtl_run_name": record.name[:200]},
                      runtime_env={"working_dir": str(work_dir),
                                   "py_modules": [str(Path(mmtl_core.__file__).parent)],
                                   "excludes": ["__pycache__", "*.pyc"],
                                   "env_vars": {"PYTHONUNBUFFERED": "1"}})
        except RuntimeError as e:  # Ray's answer to a bad request, or to a submission id it already has
            if self.job_info(record) is None:
                self.registry.transition(record.id, record.attempt, "failed",
                                         error=f"the Ray head at {record.backend_address} refused job {key}: {e}")
                return
        log.info("run %s attempt %d submitted to Ray at %s as %s (%g GPU)", record.id, record.attempt,
                 record.backend_address, key, num_gpus)

    def copy_log(self, record: RunRecord) -> None:
        """Append the job's new log lines to the attempt's log (from the offset already copied; a partial last line waits
        for the next poll) and turn its progress lines into a heartbeat."""
        text = self.call(record.backend_address, "get_job_logs", submission_id(record.id, record.attempt))
        end = text.rfind("\n", record.log_offset) + 1
        if end <= record.log_offset:
            return
        chunk = text[record.log_offset:end]
        with open(record.log_path, "a", encoding="utf-8") as f:
            f.write(chunk)
        progress = None
        for line in chunk.splitlines():
            if line.startswith(PROGRESS_PREFIX):
                progress = json.loads(line[len(PROGRESS_PREFIX):])
                if "loss" in progress["progress"]:  # a training step's report: the loss curve
                    append_progress(progress_history(Path(record.artifacts), record.attempt), progress["progress"])
            elif line.startswith(FUNCTIONS_PREFIX):
                found = json.loads(line[len(FUNCTIONS_PREFIX):])
                self.registry.record_function_keys(record.id, found["functions"], found["errors"])
        self.registry.update_active(record.id, record.attempt, log_offset=end)
        if progress is not None:
            self.registry.heartbeat(record.id, record.attempt, progress.get("progress"), progress.get("metrics"))

    def finish(self, record: RunRecord, info) -> None:
        """The job ended: pick up its run folder, then record the outcome Ray reports."""
        self.copy_log(record)
        pick_up(remote_run_dir(record.artifacts_url, submission_id(record.id, record.attempt)),
                Path(record.artifacts))
        metrics = summary_metrics(Path(record.artifacts))
        tail = log_tail(record.log_path)
        if info.status == JobStatus.SUCCEEDED:
            self.registry.transition(record.id, record.attempt, "succeeded", metrics=metrics)
        elif info.status == JobStatus.STOPPED and record.cancel_requested_at:
            self.registry.transition(record.id, record.attempt, "cancelled", metrics=metrics, error="cancelled",
                                     traceback=tail)
        else:
            self.registry.transition(record.id, record.attempt, "failed", metrics=metrics, traceback=tail,
                                     error=_error_line(tail) or f"Ray reports the job {info.status}: {info.message}")

    @staticmethod
    def num_gpus(record: RunRecord) -> float:
        """A Ray attempt's device is ``cpu`` or ``gpu:<n>``, n the GPUs its job asks Ray for."""
        return float(record.device.split(":", 1)[1]) if record.device.startswith("gpu:") else 0.0


def _error_line(tail: str) -> str | None:
    """The training entry's own message ("error: ...", for a config or data error), if the log has one."""
    lines = [line[len("error: "):] for line in tail.splitlines() if line.startswith("error: ")]
    return lines[-1] if lines else None


def write_job_config(config: dict[str, Any], work_dir: Path) -> None:
    """The config as the job on the box reads it: staged inputs relative to its working dir (wherever Ray unpacks
    it), outputs and encodings in the place the entry chooses."""
    def relative(value: str) -> str:
        path = Path(value)
        return str(path.relative_to(work_dir)) if path.is_relative_to(work_dir) else value

    tasks = [{**t, "labels": relative(t["labels"]) if t["labels"] != "gold" else "gold",
              "slices_file": relative(t["slices_file"]) if t["slices_file"] else ""} for t in config["tasks"]]
    job = {**config, "tasks": tasks, "functions_dir": relative(config["functions_dir"]), "output_dir": "",
           "cache_dir": ""}
    (work_dir / JOB_CONFIG).write_text(json.dumps(job, indent=2))


def pick_up(remote: str, local: Path) -> None:
    """Copy a run folder from the artifacts location (a path or an fsspec URL) into ``local``."""
    fs, path = fsspec.core.url_to_fs(remote)
    if not fs.exists(path):
        return  # the job ended before writing anything (e.g. its environment could not be set up)
    local.mkdir(parents=True, exist_ok=True)
    if Path(path).resolve() != local.resolve():
        fs.get(path.rstrip("/") + "/", str(local) + "/", recursive=True)
