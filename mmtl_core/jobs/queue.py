"""Launching, cancelling, retrying and deleting training runs: what the app (and any script) calls.

    queue = JobQueue.for_workspace(workspace)
    record = queue.launch(config)                 # checked, frozen, registered as queued; the supervisor starts it
    queue.cancel(record.id)

A config is checked before anything is registered (a ConfigError names the setting); a Ray head that cannot be
reached is a JobError before anything is queued. The training command line registers its runs through
:func:`run_from_command_line`, so every run shows up in one registry.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from mmtl_core.errors import ConfigError
from mmtl_core.jobs.attempt import run_attempt
from mmtl_core.jobs.heartbeat import Heartbeat
from mmtl_core.jobs.inputs import remove_inputs, snapshot_files, stage_inputs
from mmtl_core.jobs.layout import ATTEMPTS_DIR, JOBS_DIR, inputs_dir
from mmtl_core.processes import start_time
from mmtl_core.jobs.ray_backend import RayTarget, connect
from mmtl_core.jobs.supervisor import Settings, ensure_supervisor
from mmtl_core.runs.registry import Registry, RunRecord, default_url, this_host
from mmtl_core.runs.layout import new_run_id
from mmtl_core.train.config import LABEL_MODEL, TrainConfig, config_from_dict
from mmtl_core.train.loading import precheck
from mmtl_core.train.locations import resolve_locations
from mmtl_core.train.naming import run_name
from mmtl_core.workspace import Workspace

BACKENDS = ("local", "ray")


@dataclass(frozen=True)
class JobQueue:
    registry: Registry
    workspace: Workspace
    settings: Settings = Settings()

    @classmethod
    def for_workspace(cls, workspace: Workspace, url: str | None = None,
                      settings: Settings = Settings()) -> "JobQueue":
        return cls(Registry(url or default_url(workspace.runs_dir)), workspace, settings)

    @property
    def runs_dir(self) -> Path:
        return self.workspace.runs_dir

    def launch(self, config: TrainConfig | dict, *, name: str | None = None, parent_id: str | None = None,
               device: str | None = None, ray: RayTarget | None = None) -> RunRecord:
        """Check ``config``, freeze its inputs and register the run as queued: on this machine's ``device`` (cpu,
        cuda, cuda:N; default the config's), or on the Ray head of ``ray``. Returns at once. The config's empty
        locations are this workspace's; ``name`` replaces its readable name."""
        cfg = config if isinstance(config, TrainConfig) else config_from_dict(TrainConfig, config)
        cfg = resolve_locations(replace(cfg, workspace=cfg.workspace or str(self.workspace.root),
                                        functions_dir=cfg.functions_dir or str(self.workspace.functions_dir),
                                        name=name or cfg.name))
        precheck(cfg)
        if ray is not None:
            if ray.num_gpus < 0:
                raise ConfigError(f"setting 'num_gpus' must be >= 0, not {ray.num_gpus}")
            label_model = [t.task for t in cfg.tasks if t.labels == LABEL_MODEL]
            if label_model:  # the GPU box has neither the workspace's datasets nor its label model
                raise ConfigError(f"task {label_model[0]!r}: setting 'labels' is {LABEL_MODEL!r}, which the Ray "
                                  "backend cannot compute on the GPU box; export the labels (Labeling functions "
                                  "page) and give the file, or train on this machine")
            connect(ray.address)  # unreachable: a JobError now, with nothing queued
            slot = f"gpu:{ray.num_gpus:g}" if ray.num_gpus else "cpu"
        else:
            slot, cfg = device_slot(cfg, device)
        run_id = new_run_id()
        try:
            staged = stage_inputs(cfg, inputs_dir(self.runs_dir, run_id), self.runs_dir)
            record = self.registry.create_run(
                run_id, name=run_name(staged), parent_id=parent_id, config=staged.to_dict(),
                functions=snapshot_files(Path(cfg.functions_dir)), artifacts=str(self.runs_dir.resolve() / run_id),
                backend="ray" if ray else "local", device=slot, backend_address=ray.url if ray else None,
                artifacts_url=ray.artifacts if ray else None)
        except BaseException:
            remove_inputs(self.runs_dir, run_id)
            raise
        self.wake()
        return record

    def wake(self) -> None:
        """Make sure the supervisor runs (it exits when idle)."""
        ensure_supervisor(self.registry.url, self.runs_dir, self.settings)

    def cancel(self, run_id: str) -> RunRecord:
        record = self.registry.request_cancel(run_id)
        if not record.finished:
            self.wake()
        return record

    def retry(self, run_id: str) -> RunRecord:
        """A new attempt of a finished run, with the inputs frozen at its launch."""
        record = self.registry.retry(run_id)
        self.wake()
        return record

    def delete(self, run_id: str) -> None:
        """Remove a finished run: its registry entry, run folder, earlier attempts and frozen inputs."""
        record = self.registry.get(run_id)
        self.registry.delete_run(run_id)
        folders = [Path(record.artifacts), *(self.runs_dir / ATTEMPTS_DIR).glob(f"{run_id}-*")]
        for folder in folders:
            if folder.is_dir() and folder.resolve().is_relative_to(self.runs_dir.resolve()):
                shutil.rmtree(folder)
        for file in (self.runs_dir / JOBS_DIR).glob(f"{run_id}-*"):  # its attempts' logs and progress
            file.unlink()
        remove_inputs(self.runs_dir, run_id)


def device_slot(cfg: TrainConfig, device: str | None) -> tuple[str, TrainConfig]:
    """The local device a run queues for (``cpu`` or ``cuda:N``) and its config as the job sees it (a job on
    ``cuda:N`` sees only that GPU, as ``cuda``)."""
    wanted = device or cfg.device
    if wanted == "auto":
        wanted = "cuda:0" if torch.cuda.is_available() else "cpu"
    if wanted == "cuda":
        wanted = "cuda:0"
    if wanted == "cpu":
        return "cpu", replace(cfg, device="cpu")
    match = re.fullmatch(r"cuda:(\d+)", wanted)
    if match is None:
        raise ConfigError(f"setting 'device' is {wanted!r}; choose auto, cpu, cuda or cuda:N")
    if int(match[1]) >= torch.cuda.device_count():
        raise ConfigError(f"setting 'device' is {wanted!r}, but this machine has {torch.cuda.device_count()} CUDA "
                          "GPU(s); choose cpu" + (" or cuda:0" if torch.cuda.device_count() else ""))
    return wanted, replace(cfg, device="cuda")


def run_from_command_line(cfg: TrainConfig, registry_url: str | None, run_dir: Path | None = None) -> Path:
    """Register a command-line run (state ``starting`` then ``running``, in this process) and train it with a
    heartbeat into ``run_dir`` (default: a new folder in output_dir); it counts against its device's slot, so
    the queue waits for it."""
    cfg = resolve_locations(cfg)
    precheck(cfg)  # a typo in the config is reported, not registered as a failed run
    output_dir = Path(cfg.output_dir).resolve()
    registry = Registry(registry_url or default_url(output_dir))
    slot, cfg = device_slot(cfg, None)
    run_id, pid = new_run_id(), os.getpid()
    registry.create_run(run_id, name=run_name(cfg), config=cfg.to_dict(),
                        functions=snapshot_files(Path(cfg.functions_dir)),
                        artifacts=str(Path(run_dir).resolve() if run_dir else output_dir / run_id), backend="cli",
                        device=slot, state="starting", host=this_host(), pid=pid, pid_started=start_time(pid))
    registry.transition(run_id, 1, "running", expected=("starting",))
    record = registry.get(run_id)
    with Heartbeat(registry, run_id, 1, Path(record.artifacts)) as beat:
        return run_attempt(registry, record, beat)
