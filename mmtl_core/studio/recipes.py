"""Recipes as the Train page's presets: the training configs shipped in ``recipes/`` (one YAML file per run, e.g. the
RTE signal ladder's steps), launched as they are, once per seed, in the page's workspace."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from mmtl_core.errors import ConfigError
from mmtl_core.jobs.queue import JobQueue
from mmtl_core.runs.registry import RunRecord
from mmtl_core.train.config import TrainConfig, load_config
from mmtl_core.workspace import Workspace

#: The shipped recipes, beside the app.
RECIPES_DIR = Path(__file__).resolve().parents[2] / "recipes"


@dataclass(frozen=True)
class Recipe:
    path: Path
    label: str  # its path under the recipes folder, e.g. rte_ladder/quick/1_single_task.yaml
    text: str  # the file as it is, shown beside the preset


def list_recipes(folder: Path = RECIPES_DIR) -> list[Recipe]:
    """Every ``*.yaml`` under ``folder``, in path order (none when the folder is missing)."""
    return [Recipe(p, p.relative_to(folder).as_posix(), p.read_text(encoding="utf-8"))
            for p in sorted(folder.rglob("*.yaml"))]


def recipe_configs(recipe: Recipe, workspace: Workspace, seeds: Sequence[int]) -> list[TrainConfig]:
    """The recipe's config once per seed, named ``<recipe name> · seed <n>`` (as ``bench/ladder.py`` names its runs,
    so the Compare page lines them up), in ``workspace``; the device is the queue's to place. A broken recipe
    raises a ConfigError naming its file and setting."""
    if not seeds:
        raise ConfigError("setting 'seeds' is empty: give one seed (0) or several, separated by commas")
    try:
        cfg = load_config(recipe.path)
    except ConfigError as e:
        raise ConfigError(f"recipe {recipe.path}: {e}") from e
    cfg = replace(cfg, workspace=str(workspace.root), functions_dir=str(workspace.functions_dir), device="auto")
    return [replace(cfg, seed=seed, name=f"{cfg.name} · seed {seed}") for seed in seeds]


def launch_recipe(queue: JobQueue, recipe: Recipe, seeds: Sequence[int]) -> list[RunRecord]:
    """Queue one run of ``recipe`` per seed; every config is built before the first is queued, and the queue checks
    each (a dataset the workspace lacks is named) before queuing it."""
    return [queue.launch(cfg) for cfg in recipe_configs(recipe, queue.workspace, seeds)]
