"""Training configs: defaults, file formats, and errors that name the setting."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mmtl_core.errors import ConfigError
from mmtl_core.train import TaskSpec, TrainConfig, config_from_dict, load_config
from mmtl_core.train.__main__ import main


def test_yaml_config_resolves_tasks_and_defaults(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("tasks:\n  - task: RTE\n    data: glue\n    slices: [dash]\nmode: frozen\nepochs: 2\n")
    cfg = load_config(path)
    assert cfg.tasks == (TaskSpec("RTE", data="glue", slices=("dash",)),)
    assert (cfg.mode, cfg.epochs, cfg.pooling, cfg.resolved_lr) == ("frozen", 2, "mean", 1e-3)


def test_misspelled_key_names_it_and_suggests_the_closest(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"tasks": [{"task": "RTE"}], "batchsize": 8}))
    with pytest.raises(ConfigError, match=r"unknown setting 'batchsize'.*did you mean 'batch_size'"):
        load_config(path)


def test_misspelled_task_key_names_the_task_entry():
    with pytest.raises(ConfigError, match=r"'slice' in tasks\[0\].*did you mean 'slices'"):
        config_from_dict(TrainConfig, {"tasks": [{"task": "RTE", "slice": ["x"]}]})


@pytest.mark.parametrize("changes, setting", [
    ({"mode": "frozn"}, "mode"), ({"pooling": "max"}, "pooling"), ({"batch_size": 0}, "batch_size"),
    ({"warmup_fraction": 1.5}, "warmup_fraction"), ({"schedule": "random"}, "schedule"),
    ({"pair_encoding": "both"}, "pair_encoding"), ({"pair_encoding": "separate"}, "pair_encoding"),  # finetune
])
def test_bad_values_name_the_setting(changes, setting):
    with pytest.raises(ConfigError, match=f"'{setting}'"):
        TrainConfig(tasks=(TaskSpec("RTE"),), **changes)


def test_no_tasks_and_duplicate_tasks_are_refused():
    with pytest.raises(ConfigError, match="'tasks' is empty"):
        TrainConfig()
    with pytest.raises(ConfigError, match="'RTE' twice"):
        TrainConfig(tasks=(TaskSpec("RTE"), TaskSpec("RTE")))


def test_cli_reports_config_error_without_traceback(tmp_path, capsys):
    path = tmp_path / "run.yaml"
    path.write_text("tasks: [{task: RTE}]\nlearning_rate: 0.1\n")
    assert main([str(path)]) == 2
    assert "unknown setting 'learning_rate'" in capsys.readouterr().err


def test_cli_trains_a_user_task_from_a_table_file(tmp_path, tiny_encoder, capsys):
    from train_helpers import write_table_config
    from mmtl_core.runs.status import read_status

    path = write_table_config(tmp_path, tiny_encoder, "frozen")
    assert main([str(path)]) == 0
    run = tmp_path / "runs" / capsys.readouterr().out.strip().split("/")[-1]
    assert read_status(run)["status"] == "completed"
    assert (run / "predictions" / "review" / "dev.parquet").exists()


@pytest.mark.parametrize("changes, message", [
    ({"lr": "fast"}, """setting 'lr' must be a number, got "fast\""""),
    ({"seed": "abc"}, """setting 'seed' must be an integer, got "abc\""""),
    ({"batch_size": 2.5}, "setting 'batch_size' must be an integer, got 2.5"),
    ({"num_threads": -4}, "setting 'num_threads' must be >= 0, not -4"),
    ({"save_weights": "false"}, """setting 'save_weights' must be true or false, got "false\""""),
    ({"bf16": "no"}, """setting 'bf16' must be true or false, got "no\""""),
    ({"seed": True}, "setting 'seed' must be an integer, got true"),
    ({"epochs": float("inf")}, "setting 'epochs' must be a finite number, got Infinity"),
    ({"encoder": 7}, "setting 'encoder' must be text, got 7"),
    ({"tasks": "RTE"}, """setting 'tasks' must be a list of tasks, got "RTE\""""),
    ({"tasks": [{"task": "RTE", "slices": "dash"}]}, """task 'RTE': setting 'slices' must be a list of names"""),
    ({"tasks": [{"task": "RTE", "loss_weight": "1"}]}, """task 'RTE': setting 'loss_weight' must be a number"""),
    ({"tasks": [{"task": "r", "text_fields": ["t"], "cardinality": 0}]}, "'cardinality' must be >= 1"),
])
def test_a_setting_of_the_wrong_type_or_range_is_an_error_naming_it_never_taken_as_truthy(changes, message):
    with pytest.raises(ConfigError) as caught:
        config_from_dict(TrainConfig, {"tasks": [{"task": "RTE"}], **changes})
    assert message in str(caught.value)


@pytest.mark.parametrize("damage", ["model.safetensors", "config.json"])
def test_a_damaged_encoder_folder_is_a_clear_error_and_exit_2(tmp_path, tiny_encoder, damage, capsys):
    from train_helpers import write_table_config

    encoder = tmp_path / "encoder"
    shutil.copytree(tiny_encoder, encoder)
    (encoder / damage).write_bytes(b"{ half a file")
    assert main([str(write_table_config(tmp_path, str(encoder), "frozen")), "--no-registry"]) == 2
    err = capsys.readouterr().err
    assert "setting 'encoder'" in err and str(encoder) in err and "Traceback" not in err
    assert ("model.safetensors file is damaged" if damage == "model.safetensors" else "not a valid JSON") in err


def test_the_readme_example_config_is_valid(tmp_path):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert example.startswith("# spam.yaml")
    path = tmp_path / "spam.yaml"
    path.write_text(example)
    cfg = load_config(path)
    assert [(t.task, t.dataset, t.labels) for t in cfg.tasks] == [("youtube_spam", "youtube_spam", "label_model"),
                                                                   ("RTE", "", "gold")]
