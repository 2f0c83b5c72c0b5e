"""Configs that name a workspace dataset and task as the app shows them; labels from a file or the current label
model, matched by id with messages that say how many matched; default output folder; readable run names."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from train_helpers import reviews_workspace
from mmtl_core.data import load_dataset, load_specs
from mmtl_core.errors import ConfigError, WorkspaceError
from mmtl_core.runs.listing import list_runs
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.runs.predictions import read_labels
from mmtl_core.tasks import Task, save_tasks
from mmtl_core.train import TaskSpec, TrainConfig, train
from mmtl_core.train.naming import run_name
from mmtl_core.studio.labeling import analyse_labeling
from mmtl_core.workspace import Workspace

LABELING_MODULE = '''
from snorkel.labeling import labeling_function

NEG, POS = 0, 1


@labeling_function()
def says_good(x):
    return POS if "good" in x.text or "great" in x.text else -1


@labeling_function()
def says_bad(x):
    return NEG if "bad" in x.text or "awful" in x.text else -1


@labeling_function()
def says_not(x):
    return NEG if x.text.startswith("not") else -1
'''


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    """Dataset "reviews" loaded from a CSV with the Data page's table loader (labels "neg"/"pos")."""
    return reviews_workspace(tmp_path)


def config(ws: Workspace, encoder: str, **task) -> TrainConfig:
    return TrainConfig(tasks=(TaskSpec(**{"task": "reviews", "dataset": "reviews", **task}),), encoder=encoder,
                       mode="frozen", epochs=1, max_length=8, workspace=str(ws.root), functions_dir=str(ws.functions_dir))


def train_ids(ws: Workspace) -> pd.Series:
    ds = load_dataset(load_specs(ws.datasets_file)[0])
    return ds.frame.loc[ds.frame["split"] == "train", "example_id"]


def test_a_config_naming_the_workspace_dataset_and_task_trains_into_the_workspace_runs(workspace, tiny_encoder):
    run = train(config(workspace, tiny_encoder))
    assert run.parent == workspace.runs_dir  # the default output_dir: where the app lists runs
    meta = json.loads((run / "config.json").read_text())
    task = meta["tasks"][0]
    assert task["dataset"] == "reviews" and task["task"]["label_names"] == ["neg", "pos"]
    assert task["task"]["metrics"] == ["accuracy", "f1"] and task["labels"] == {"source": "gold"}
    assert set(read_metrics(run)[-1]["metrics"]) == {"reviews/reviews/dev/accuracy", "reviews/reviews/dev/f1"}
    (listed,) = list_runs(workspace.runs_dir)
    assert listed.name == meta["name"] == "reviews (gold) · frozen · " + Path(tiny_encoder).name
    assert listed.completed and listed.tasks == ("reviews",)


def test_a_task_defined_on_the_data_page_is_found_by_its_name(workspace, tiny_encoder):
    save_tasks(workspace.tasks_file, [Task("sentiment", "reviews", ("text",), "label", 2, ("f1",), ("neg", "pos"))])
    run = train(config(workspace, tiny_encoder, task="sentiment"))
    assert set(read_metrics(run)[-1]["metrics"]) == {"sentiment/reviews/dev/f1"}


def test_unknown_names_are_refused_listing_what_the_workspace_has(workspace, tiny_encoder):
    with pytest.raises(ConfigError, match=r"'dataset' names 'review', which is not a dataset of the workspace .*"
                                          r"\(its datasets: 'reviews'\); did you mean 'reviews'\?"):
        train(config(workspace, tiny_encoder, dataset="review"))
    assert list_runs(workspace.runs_dir) == []  # refused before a run folder exists
    with pytest.raises(ConfigError, match=r"'task' names 'review', which is not a task of dataset 'reviews' "
                                          r"\(its tasks: 'reviews'; define one on the Data page\); did you mean"):
        train(config(workspace, tiny_encoder, task="review"))
    with pytest.raises(ConfigError, match=r"setting 'text_fields' is for a table file; with 'dataset' 'reviews'"):
        train(config(workspace, tiny_encoder, text_fields=("text",)))


def test_exported_labels_are_read_as_written_and_stored_in_the_run(workspace, tiny_encoder, tmp_path):
    ids = train_ids(workspace)
    export = pd.DataFrame({"example_id": ids.iloc[:30], "prob_pos": 0.9, "prob_neg": 0.1})  # page order: any
    export.to_parquet(tmp_path / "labels.parquet")
    run = train(config(workspace, tiny_encoder, labels=str(tmp_path / "labels.parquet")))
    meta = json.loads((run / "config.json").read_text())["tasks"][0]
    assert meta["rows"]["train"] == 30
    assert meta["labels"] == {"source": "file", "path": str(tmp_path / "labels.parquet"), "rows": 30,
                              "matched_train_rows": 30, "train_rows": len(ids)}
    stored = read_labels(run, "reviews")
    assert list(stored.columns) == ["example_id", "prob_neg", "prob_pos"]
    np.testing.assert_allclose(stored[["prob_neg", "prob_pos"]].to_numpy(), [[0.1, 0.9]] * 30)
    assert json.loads((run / "config.json").read_text())["name"] == f"reviews (labels) · frozen · " \
                                                                    f"{Path(tiny_encoder).name}"


def test_labels_of_another_dataset_say_how_many_ids_matched_and_where_they_came_from(workspace, tiny_encoder,
                                                                                      tmp_path):
    ids = train_ids(workspace)
    other = pd.DataFrame({"example_id": ids.str.replace("reviews:", "youtube:"), "prob_neg": 0.5, "prob_pos": 0.5})
    other.to_parquet(tmp_path / "other.parquet")
    with pytest.raises(ConfigError, match=rf"0 of {len(ids)} example ids in labels file .*other.parquet match the "
                                          rf"{len(ids)} training rows of dataset 'reviews'.*made for dataset 'youtube'"):
        train(config(workspace, tiny_encoder, labels=str(tmp_path / "other.parquet")))
    (failed,) = list_runs(workspace.runs_dir)
    assert failed.status == "failed" and "0 of" in failed.error


def test_labels_partly_outside_the_training_rows_are_counted_in_the_log(workspace, tiny_encoder, tmp_path, caplog):
    ids = train_ids(workspace)
    dev_id = "reviews:" + str(int(ids.str.split(":").str[1].astype(int).max()) + 1)  # the first dev row
    frame = pd.DataFrame({"example_id": [*ids.iloc[:20], dev_id, "reviews:nowhere"], "prob_neg": 0.3,
                          "prob_pos": 0.7})
    frame.to_parquet(tmp_path / "mixed.parquet")
    with caplog.at_level(logging.WARNING, logger="mmtl_core.train"):
        run = train(config(workspace, tiny_encoder, labels=str(tmp_path / "mixed.parquet")))
    assert "20 of 22 example ids in labels file" in caplog.text
    assert "the other 2 are left out (1 not in the dataset; 1 are rows of its dev split)" in caplog.text
    assert json.loads((run / "config.json").read_text())["tasks"][0]["labels"]["matched_train_rows"] == 20


def test_label_model_labels_are_the_labeling_pages_computed_at_launch_and_stored(workspace, tiny_encoder):
    (workspace.functions_dir / "reviews.py").write_text(LABELING_MODULE)
    run = train(config(workspace, tiny_encoder, labels="label_model"))
    dataset = load_dataset(load_specs(workspace.datasets_file)[0])
    task = Task("reviews", "reviews", ("text",), "label", 2, ("accuracy", "f1"), ("neg", "pos"))
    page = analyse_labeling(dataset, task, workspace, ["reviews.py"]).report.training_labels.frame
    stored = read_labels(run, "reviews")
    pd.testing.assert_frame_equal(stored, page.reset_index(drop=True), check_dtype=False)
    meta = json.loads((run / "config.json").read_text())
    assert meta["tasks"][0]["labels"]["source"] == "label_model"
    assert meta["tasks"][0]["labels"]["functions"] == ["says_good", "says_bad", "says_not"]
    assert meta["tasks"][0]["rows"]["train"] == len(page)
    assert meta["name"].startswith("reviews (label model) · frozen")


def test_label_model_without_functions_is_refused_naming_the_folder(workspace, tiny_encoder):
    with pytest.raises(ConfigError, match=r"'label_model', but dataset 'reviews' has no labeling functions"):
        train(config(workspace, tiny_encoder, labels="label_model"))


def test_run_names_are_made_from_tasks_labels_mode_and_encoder_or_given():
    cfg = TrainConfig(tasks=(TaskSpec("RTE"), TaskSpec("spam", dataset="youtube", labels="label_model")),
                      encoder="bert-base-uncased", seed=2)
    assert run_name(cfg) == "RTE (gold) + spam (label model) · finetune · bert-base-uncased · seed 2"
    assert run_name(TrainConfig(tasks=(TaskSpec("RTE"),), name="my baseline")) == "my baseline"
    assert run_name(TrainConfig(tasks=(TaskSpec("RTE", labels="/x/rte_weak.parquet"),), mode="frozen",
                                stage2_epochs=1)).startswith("RTE (rte_weak) · frozen + per-task stage · ")


def test_a_run_folder_named_by_the_caller_is_used_and_must_be_new(workspace, tiny_encoder, tmp_path):
    run = train(config(workspace, tiny_encoder), run_dir=tmp_path / "queue" / "job-1")
    assert run == tmp_path / "queue" / "job-1" and (run / "status.json").exists()
    with pytest.raises(WorkspaceError, match="already holds files"):
        train(config(workspace, tiny_encoder), run_dir=run)
