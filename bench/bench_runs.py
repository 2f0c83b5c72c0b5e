"""Runs for the benchmarks that prove the engine on real data: trained through ``train()`` into the workspace's runs
folder (where the app lists them), reused when a completed run of the same config on the same data is there.

Resuming: a run is reused when a completed run in the runs folder has the same resolved config (name and seed
included), was trained on data with the same fingerprints and, for a task trained on the label model's labels or a
labels file, on the same training labels as those computed now (edited labeling functions mean a new run). A run
that failed or was stopped is trained again in a new folder; nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import MISSING, dataclass, fields, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from mmtl_core.errors import PredictionsError
from mmtl_core.runs.ensemble import ensemble_runs
from mmtl_core.runs.jsonfiles import json_safe, read_config
from mmtl_core.runs.layout import PROGRESS
from mmtl_core.runs.listing import list_runs
from mmtl_core.runs.predictions import read_labels
from mmtl_core.runs.status import read_status
from mmtl_core.jobs.queue import device_slot, run_from_command_line
from mmtl_core.train import TaskSpec, TrainConfig
from mmtl_core.train.config import GOLD
from mmtl_core.train.loading import load_task_data
from mmtl_core.train.locations import resolve_locations
from mmtl_core.train.start import resolve_start

LABELS_TOLERANCE = 1e-5  # the same labels, up to the float noise of refitting the same label model


@dataclass(frozen=True)
class Trained:
    path: Path
    reused: bool
    seconds: float  # training time of this process (0 when reused)


def register_and_train(cfg: TrainConfig) -> Path:
    """Train ``cfg`` into a new folder of its output_dir, registered as a command-line run in the workspace's run
    registry (so the Train and Compare pages list it, and the queue counts it against its device)."""
    return run_from_command_line(cfg, None)


def stored_config(cfg: TrainConfig) -> dict[str, Any]:
    """``cfg`` as a completed run's config.json records it (locations resolved, lr and pair encoding filled in)."""
    resolved = resolve_locations(cfg)
    resolved = replace(resolved, init_from=resolve_start(resolved))  # recorded as the folder it names
    record = {**resolved.to_dict(), "lr": resolved.resolved_lr, "pair_encoding": resolved.resolved_pair_encoding,
              "device": job_device(cfg, cfg.device)}
    return json.loads(json.dumps(json_safe(record), default=str))


def job_device(cfg: TrainConfig, device: str) -> str:
    """``device`` as the run's job sees it (``auto`` on a machine without a GPU is ``cpu``), so that a run trained
    before command-line runs were registered (which records ``auto``) still counts as the same config."""
    return device_slot(replace(cfg, device=device), None)[1].device


def find_completed(cfg: TrainConfig, fingerprints: dict[str, str]) -> Path | None:
    """The newest completed run of exactly ``cfg`` on data with these fingerprints (dataset name -> fingerprint)
    and, where a task's labels are not gold, on the labels it would get now."""
    wanted = stored_config(cfg)
    labels: list[dict[str, pd.DataFrame]] = []  # computed once, when a run is a candidate
    for info in reversed(list_runs(Path(wanted["output_dir"]), completed_only=True)):
        try:
            meta = read_config(info.path)
        except PredictionsError:
            continue
        stored = with_defaults(meta.get("config") or {})
        if "ensemble" in meta or {**stored, "device": job_device(cfg, stored.get("device", cfg.device))} != wanted:
            continue
        if not all(fingerprints.get(t["dataset"]) == t.get("dataset_fingerprint") for t in meta.get("tasks", [])):
            continue
        if not labels:
            labels.append(current_labels(cfg))
        if all(same_labels(read_labels(info.path, task), frame) for task, frame in labels[0].items()):
            return info.path
    return None


def with_defaults(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored config with the settings added since it was written, at their defaults: a run trained before a
    setting existed ran as its default says (a new setting's default keeps the old behaviour)."""
    def defaults(kind) -> dict[str, Any]:
        return json.loads(json.dumps(json_safe({f.name: f.default for f in fields(kind) if f.default is not MISSING})))

    tasks = [{**defaults(TaskSpec), **t} if isinstance(t, dict) else t for t in stored.get("tasks", [])]
    return {**defaults(TrainConfig), **stored, "tasks": tasks}


def current_labels(cfg: TrainConfig) -> dict[str, pd.DataFrame]:
    """The training labels of each task not trained on gold, as training would compute them now."""
    if all(t.labels == GOLD for t in cfg.tasks):
        return {}
    return {t.task.name: t.labels.frame for t in load_task_data(resolve_locations(cfg)) if t.labels is not None}


def same_labels(stored: pd.DataFrame | None, now: pd.DataFrame) -> bool:
    return (stored is not None and stored["example_id"].tolist() == now["example_id"].tolist()
            and np.allclose(stored.iloc[:, 1:].to_numpy(float), now.iloc[:, 1:].to_numpy(float), atol=LABELS_TOLERANCE))


def train_or_reuse(cfg: TrainConfig, fingerprints: dict[str, str], *, fresh: bool = False,
                   clock: Callable[[], float]) -> Trained:
    if not fresh:
        found = find_completed(cfg, fingerprints)
        if found is not None:
            return Trained(found, True, 0.0)
    t0 = clock()
    run = register_and_train(cfg)
    return Trained(run, False, clock() - t0)


def ensemble_or_reuse(runs: list[Path], output_dir: Path, name: str, *, fresh: bool = False) -> Trained:
    """The ensemble of ``runs`` named ``name``, reused when one of the same runs and name is there."""
    wanted = [str(r) for r in runs]
    if not fresh:
        for info in reversed(list_runs(output_dir, completed_only=True)):
            if info.is_ensemble and info.name == name:
                meta = read_config(info.path)
                if meta["ensemble"]["runs"] == wanted:
                    return Trained(info.path, True, 0.0)
    return Trained(ensemble_runs(runs, output_dir, name=name), False, 0.0)


def run_minutes(run: Path) -> float | None:
    """How long the run took when it was trained: from its id's timestamp to its last status (None if unknown)."""
    try:
        started = dt.datetime.strptime(run.name[:15], "%Y%m%d-%H%M%S").replace(tzinfo=dt.timezone.utc)
        return (dt.datetime.fromisoformat(read_status(run)["time"]) - started).total_seconds() / 60
    except (ValueError, KeyError, OSError):
        return None


def run_cost(run: Path) -> str:
    """The run's training time and its last training throughput, e.g. ``6.1 min, 47 examples/s``; whatever of it
    the run folder says."""
    minutes = run_minutes(run)
    parts = [] if minutes is None else [f"{minutes:.1f} min"]
    try:
        parts.append(f"{json.loads((run / PROGRESS).read_text())['examples_per_s']:.0f} examples/s")
    except (ValueError, KeyError, OSError):
        pass
    return ", ".join(parts)


def total_minutes(runs: list[Path]) -> float:
    """The runs' own training time, added up (what the page reports even when this invocation reused them)."""
    return sum(m for m in map(run_minutes, runs) if m is not None)
