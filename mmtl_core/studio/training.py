"""The Train page's service: turn the page's choices into training configs (one per seed), launch them through the
job queue, and retrain a run with the current functions as its child, saying which functions changed.

Everything is checked before anything is queued: one bad setting refuses the whole launch, naming the setting.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from mmtl_core.compare.differences import Change, snapshot_changes
from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import ConfigError
from mmtl_core.functions import FunctionInfo
from mmtl_core.jobs.inputs import text_digest
from mmtl_core.jobs.queue import JobQueue
from mmtl_core.jobs.ray_backend import RayTarget
from mmtl_core.runs.registry import RunRecord
from mmtl_core.studio.applying import apply_modules_of
from mmtl_core.studio.modules import module_set
from mmtl_core.tasks import Task
from mmtl_core.train.config import GOLD, TrainConfig, config_from_dict, shown
from mmtl_core.workspace import Workspace

BACKENDS = {"local": "This machine", "ray": "Ray (a GPU box)"}
RETRAIN_MARK = " · retrain"


@dataclass(frozen=True)
class TaskChoice:
    """One task of a run as the page picks it: a workspace dataset and task, its labels, its slice heads."""

    dataset: str
    task: str
    labels: str = GOLD  # gold, label_model (the current label model, when the job starts), or a labels file
    slices: tuple[str, ...] = ()


@dataclass(frozen=True)
class LaunchForm:
    """The page's form: what to train, how, where. Settings keep the config's names, so errors name them."""

    tasks: tuple[TaskChoice, ...] = ()
    name: str = ""
    encoder: str = ""
    mode: str = "frozen"
    epochs: float = 3.0
    stage2_epochs: float = 0.0
    schedule: str = "shuffled"
    slice_combiner: bool = False
    lr: float = 0.0
    batch_size: int = 32
    max_length: int = 128
    seeds: tuple[int, ...] = (0,)
    backend: str = "local"
    device: str = "auto"
    ray_address: str = ""
    ray_artifacts: str = ""
    ray_gpus: float = 1.0
    settings: dict[str, Any] = field(default_factory=dict)  # any other training setting, by its config name


def parse_seeds(text: str) -> tuple[int, ...]:
    """``"0, 1, 2"`` -> (0, 1, 2): several seeds launch several runs (for an ensemble)."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise ConfigError("setting 'seeds' is empty: give one seed (0) or several, separated by commas")
    try:
        seeds = tuple(int(p) for p in parts)
    except ValueError as e:
        raise ConfigError(f"setting 'seeds' must be whole numbers separated by commas, got {shown(text)}") from e
    if len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise ConfigError(f"setting 'seeds' must be distinct numbers >= 0, got {shown(text)}")
    return seeds


def configs(form: LaunchForm, workspace: Workspace) -> list[TrainConfig]:
    """One checked config per seed; a ConfigError names the first setting at fault."""
    if not form.tasks:
        raise ConfigError("setting 'tasks' is empty: choose at least one task to train")
    if form.backend not in BACKENDS:
        raise ConfigError(f"setting 'backend' is {form.backend!r}; choose one of {', '.join(map(repr, BACKENDS))}")
    model = {f.name: getattr(form, f.name) for f in fields(LaunchForm)
             if f.name in {g.name for g in fields(TrainConfig)} and f.name not in ("tasks", "name")}
    tasks = [{"dataset": t.dataset, "task": t.task, "labels": t.labels, "slices": list(t.slices)}
             for t in form.tasks]
    # the device is the queue's to place (cpu, cuda:N); the job sees its GPU as "cuda"
    base = {**model, **form.settings, "tasks": tasks, "name": form.name, "workspace": str(workspace.root),
            "functions_dir": str(workspace.functions_dir), "device": "auto"}
    if not form.seeds:
        raise ConfigError("setting 'seeds' is empty: give one seed (0) or several, separated by commas")
    named = len(form.seeds) > 1 and form.name  # several runs of one given name: tell them apart by seed
    return [config_from_dict(TrainConfig, {**base, "seed": seed,
                                           "name": f"{form.name} · seed {seed}" if named else form.name})
            for seed in form.seeds]


def ray_target(form: LaunchForm) -> RayTarget | None:
    if form.backend != "ray":
        return None
    if not form.ray_artifacts.strip():
        raise ConfigError("setting 'ray_artifacts' is empty: give a folder both machines see, or a URL such as "
                          "s3://bucket/runs, for the run folders")
    return RayTarget(form.ray_address, form.ray_artifacts.strip(), form.ray_gpus)


def launch(queue: JobQueue, form: LaunchForm, parent_id: str | None = None) -> list[RunRecord]:
    """Queue one run per seed; every config is checked (and the Ray head reached) before the first is queued."""
    checked = configs(form, queue.workspace)
    target = ray_target(form)
    device = None if target else form.device
    return [queue.launch(cfg, device=device, ray=target, parent_id=parent_id) for cfg in checked]


# --- retraining -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CurrentFunctions:
    """The functions of a dataset/task's module set as they are now: what the host found in its modules (the
    modules are imported in the sandbox, never here) and the module files themselves."""

    files: tuple[Path, ...]
    functions: tuple[FunctionInfo, ...]

    def of_kind(self, kind: str) -> list[FunctionInfo]:
        return [f for f in self.functions if f.kind == kind]


def current_functions(workspace: Workspace, dataset: Dataset, task: Task) -> CurrentFunctions:
    """The labeling and slicing functions the pages apply to ``dataset``/``task`` now: its module set, imported
    in the function host through the studio's one seam to the functions engine (nothing is applied)."""
    modules = module_set(workspace, dataset, task)
    run = apply_modules_of(workspace, dataset, modules, kinds=())
    return CurrentFunctions(tuple(workspace.functions_dir / m for m in modules), run.functions)


def slicing_names(functions: CurrentFunctions) -> tuple[str, ...]:
    return tuple(f.name for f in functions.of_kind("slicing"))


def retrain_name(parent: RunRecord) -> str:
    return parent.name.split(RETRAIN_MARK)[0] + RETRAIN_MARK


def retrain(queue: JobQueue, parent: RunRecord, slices: dict[str, tuple[str, ...]]) -> RunRecord:
    """Run ``parent``'s config again with the current functions (label_model labels are recomputed from them when
    the job starts) and each task's current ``slices``, as a child of ``parent``, on the same backend."""
    cfg = config_from_dict(TrainConfig, parent.config)
    tasks = tuple(replace(t, slices=slices.get(t.task, t.slices)) for t in cfg.tasks)
    child = replace(cfg, tasks=tasks, functions_dir=str(queue.workspace.functions_dir), name=retrain_name(parent))
    ray = None
    if parent.backend == "ray":
        ray = RayTarget(parent.backend_address, parent.artifacts_url, queue_gpus(parent))
    return queue.launch(child, parent_id=parent.id, ray=ray,
                        device=parent.device if parent.backend != "ray" else None)


def queue_gpus(record: RunRecord) -> float:
    """GPUs a Ray run asked for (its device is ``gpu:<n>`` or ``cpu``)."""
    return float(record.device.split(":", 1)[1]) if record.device.startswith("gpu:") else 0.0


def changed_functions(snapshot: dict[str, Any], current: CurrentFunctions) -> list[Change]:
    """What differs between a run's functions snapshot and ``current`` (functions by cache key, restricted to the
    modules ``current`` loaded; by file digest while the run's job has not reported its keys yet)."""
    return snapshot_changes(snapshot, current_snapshot(current, snapshot.get("functions") is not None),
                            {p.name for p in current.files})


def current_snapshot(current: CurrentFunctions, with_keys: bool) -> dict[str, Any]:
    """``current`` as a run's functions snapshot holds it (its files' digests; its functions' keys if asked)."""
    files = {p.name: {"sha256": text_digest(p.read_text(encoding="utf-8", errors="replace"))} for p in current.files
             if p.exists()}
    functions = [{"name": f.name, "kind": f.kind, "file": f.path.name, "cache_key": f.cache_key}
                 for f in current.functions]
    return {"files": files, **({"functions": functions} if with_keys else {})}
