"""What a queued run will use, frozen when it is launched: the user's function files and label files are copied
beside the registry, and the config points at the copies. A run that waits in the queue while the user edits a
function still trains on what was launched; a retrain compares against exactly what its parent used; and a Ray
job ships this folder to the GPU box as its working directory.

    <runs_dir>/.inputs/<run_id>/
      functions/<module>.py     the function files, as they were at launch
      labels/<task><suffix>     each task's probabilistic label file ('labels' setting), when it is one (the
                                label model's labels, 'label_model', are computed when the job starts, from the
                                function files frozen here)
      slices/<task><suffix>     each task's precomputed slice file ('slices_file'), when it has one
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from mmtl_core.functions import list_function_files
from mmtl_core.jobs.layout import inputs_dir
from mmtl_core.train.config import GOLD, LABEL_MODEL, TaskSpec, TrainConfig


def snapshot_files(functions_dir: Path) -> dict[str, Any]:
    """The function files' sources and digests: the launch-time half of a run's functions snapshot (the job adds
    each function's cache key, since finding the functions means running the user's code)."""
    files = {}
    for path in list_function_files(Path(functions_dir)):
        source = path.read_text(encoding="utf-8", errors="replace")
        files[path.name] = {"sha256": text_digest(source), "source": source}
    return {"functions_dir": str(Path(functions_dir).resolve()), "files": files}


def text_digest(source: str) -> str:
    """A function file's digest in a snapshot: sha256 of its text."""
    return hashlib.sha256(source.encode()).hexdigest()


def stage_inputs(cfg: TrainConfig, folder: Path, runs_dir: Path) -> TrainConfig:
    """Copy what ``cfg`` (its locations resolved) reads from the user's folders into ``folder`` and return the
    config pointing at the copies; data paths become absolute (a job does not run in the app's working directory),
    outputs go to ``runs_dir``."""
    folder.mkdir(parents=True, exist_ok=True)
    functions = folder / "functions"
    functions.mkdir(exist_ok=True)
    for path in list_function_files(Path(cfg.functions_dir)):
        shutil.copy2(path, functions / path.name)
    tasks = tuple(_stage_task(t, folder) for t in cfg.tasks)
    runs_dir = Path(runs_dir).resolve()
    return replace(cfg, tasks=tasks, functions_dir=str(functions), output_dir=str(runs_dir),
                   cache_dir=str(Path(cfg.cache_dir).resolve()) if cfg.cache_dir else str(runs_dir / ".encodings"))


def _stage_task(spec: TaskSpec, folder: Path) -> TaskSpec:
    changes: dict[str, str] = {}
    if spec.data:
        changes["data"] = str(Path(spec.data).resolve())
    if spec.labels not in (GOLD, LABEL_MODEL):
        changes["labels"] = _copy(Path(spec.labels), folder / "labels" / (spec.task + Path(spec.labels).suffix))
    if spec.slices_file:
        changes["slices_file"] = _copy(Path(spec.slices_file),
                                       folder / "slices" / (spec.task + Path(spec.slices_file).suffix))
    return replace(spec, **changes)


def _copy(source: Path, target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    return str(target)


def remove_inputs(runs_dir: Path, run_id: str) -> None:
    folder = inputs_dir(runs_dir, run_id)
    if folder.exists():
        shutil.rmtree(folder)
