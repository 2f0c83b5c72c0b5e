"""Every recipe (recipes/**/*.yaml, the Train page's presets) is a valid training config whose datasets, tasks and
slicing functions exist once ``bench/ladder.py --prepare-only`` has registered the ladder's datasets."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from mmtl_core.functions import load_functions
from mmtl_core.train import load_config
from mmtl_core.train.loading import precheck
from mmtl_core.train.locations import resolve_locations

REPO = Path(__file__).resolve().parents[2]
RECIPES = sorted((REPO / "recipes").rglob("*.yaml"))
FUNCTIONS = REPO / "labeling_functions"


@pytest.fixture(scope="module")
def prepared_workspace(tmp_path_factory, shared_data) -> Path:
    ws = tmp_path_factory.mktemp("recipes") / "ws"
    done = subprocess.run([sys.executable, "bench/ladder.py", "--prepare-only", "--max-rows", "8", "--workspace",
                           str(ws), "--glue", str(shared_data / "glue_data")], cwd=REPO, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert done.returncode == 0, done.stderr[-3000:]
    return ws


def test_the_ladder_ships_both_modes_with_every_step():
    names = {(p.parent.name, p.name) for p in RECIPES}
    steps = ("1_single_task.yaml", "2_multi_task.yaml", "3_per_task_stage.yaml", "4_slice_heads.yaml",
             "4b_slice_combiner.yaml")
    assert {(mode, step) for mode in ("quick", "full") for step in steps} <= names


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: str(p.relative_to(REPO / "recipes")))
def test_recipe_is_a_valid_config_naming_what_the_workspace_has(recipe, prepared_workspace):
    cfg = load_config(recipe)  # every key known, every value in range (a ConfigError names the setting)
    assert cfg.name and not cfg.seed and not cfg.workspace and not cfg.output_dir  # the page sets these
    precheck(resolve_locations(replace(cfg, workspace=str(prepared_workspace), functions_dir=str(FUNCTIONS))))
    slicing = {f.name for f in load_functions(FUNCTIONS).functions if f.kind == "slicing"}
    for task in cfg.tasks:
        assert set(task.slices) <= slicing
