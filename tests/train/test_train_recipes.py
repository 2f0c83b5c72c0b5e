"""Every recipe (recipes/**/*.yaml, the Train page's presets) is a valid training config, offered by the page as a preset, whose datasets, tasks and
slicing functions exist once ``bench/ladder.py --prepare-only`` has registered the ladder's datasets."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from mmtl_core.errors import ConfigError
from mmtl_core.functions import load_functions
from mmtl_core.studio import recipes
from mmtl_core.train import load_config
from mmtl_core.train.loading import precheck
from mmtl_core.train.locations import resolve_locations
from mmtl_core.workspace import Workspace

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
    located = resolve_locations(replace(cfg, workspace=str(prepared_workspace), functions_dir=str(FUNCTIONS)))
    if cfg.init_from:  # steps 3, 4, 4b start from step 2's run of the same seed, by the name step 2 gives its runs
        step2 = load_config(recipe.parent / "2_multi_task.yaml").name
        with pytest.raises(ConfigError, match=re.escape(f"no completed run named '{step2} · seed 0'")):
            precheck(located)  # the workspace has no runs yet
        precheck(replace(located, init_from=""))
    else:
        precheck(located)
    slicing = {f.name for f in load_functions(FUNCTIONS).functions if f.kind == "slicing"}
    for task in cfg.tasks:
        assert set(task.slices) <= slicing


def test_the_train_page_offers_every_recipe_as_a_preset_launched_per_seed(prepared_workspace):
    presets = recipes.list_recipes()
    assert [r.path for r in presets] == RECIPES  # every shipped recipe, and nothing else
    step4 = next(r for r in presets if r.label == "rte_ladder/quick/4_slice_heads.yaml")
    workspace = Workspace.at(prepared_workspace, FUNCTIONS)
    cfgs = recipes.recipe_configs(step4, workspace, (0, 1))
    assert [(c.seed, c.name) for c in cfgs] == [(0, "RTE ladder (quick) · 4 slice heads · seed 0"),
                                                (1, "RTE ladder (quick) · 4 slice heads · seed 1")]
    recipe = load_config(step4.path)
    for cfg in cfgs:  # the recipe's settings as they are, in the page's workspace
        assert cfg.tasks == recipe.tasks and cfg.stage2_epochs == recipe.stage2_epochs and cfg.lr == recipe.lr
        assert cfg.workspace == str(workspace.root) and cfg.device == "auto"
        with pytest.raises(ConfigError, match=f"no completed run named 'RTE ladder \\(quick\\) · 2 multi-task · "
                                              f"seed {cfg.seed}'.*train that run first"):
            precheck(resolve_locations(cfg))  # what the queue checks before queuing: step 2 has not run here


def test_a_broken_preset_is_refused_naming_its_file_and_setting(tmp_path):
    (tmp_path / "mine.yaml").write_text("name: mine\ntasks: [{dataset: d, task: t}]\nepochs: many\n")
    (broken,) = recipes.list_recipes(tmp_path)
    with pytest.raises(ConfigError, match=r"mine\.yaml.*epochs|epochs.*mine\.yaml"):
        recipes.recipe_configs(broken, Workspace.at(tmp_path / "ws", FUNCTIONS), (0,))
