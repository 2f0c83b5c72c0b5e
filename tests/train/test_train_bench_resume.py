"""The benches resume by reusing completed runs (bench/bench_runs.py): only a run of the same config, on the same
data and, for labels that are not gold, the same training labels as now; anything else trains anew."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from train_helpers import negation_dataset
from mmtl_core.data import DatasetSpec, load_dataset
from mmtl_core.runs.jsonfiles import read_config, write_config
from mmtl_core.runs.status import write_status
from mmtl_core.train import TaskSpec, TrainConfig
from mmtl_core.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the benches' helpers are scripts' modules
from bench_runs import find_completed, train_or_reuse  # noqa: E402


def test_a_completed_run_is_reused_only_for_the_same_config_data_and_labels(tmp_path, tiny_encoder):
    frame = negation_dataset(80).frame.drop(columns="example_id")
    frame.to_csv(tmp_path / "reviews.csv", index=False)
    ws = Workspace.at(tmp_path / "ws", tmp_path / "functions")
    ws.save_dataset(DatasetSpec("reviews", "table", str(tmp_path / "reviews.csv"),
                                {"text_fields": ["text"], "label_field": "label", "split_field": "split"}))
    train_ids = [f"reviews:{i}" for i in range(56)]  # the first 70% of the rows are train
    labels = tmp_path / "labels.parquet"
    pd.DataFrame({"example_id": train_ids, "prob_0": 0.2, "prob_1": 0.8}).to_parquet(labels)
    cfg = TrainConfig(tasks=(TaskSpec("reviews", dataset="reviews", labels=str(labels)),), encoder=tiny_encoder,
                      mode="frozen", epochs=1, max_length=8, workspace=str(ws.root),
                      functions_dir=str(ws.functions_dir), name="resume me")
    fingerprints = {"reviews": load_dataset(ws.dataset_specs()[0]).fingerprint}
    first = train_or_reuse(cfg, fingerprints, clock=time.perf_counter)
    assert not first.reused
    again = train_or_reuse(cfg, fingerprints, clock=time.perf_counter)
    assert again.reused and again.path == first.path

    assert find_completed(replace(cfg, seed=1), fingerprints) is None
    assert find_completed(cfg, {"reviews": "another"}) is None
    pd.DataFrame({"example_id": train_ids, "prob_0": 0.9, "prob_1": 0.1}).to_parquet(labels)  # labels edited
    assert find_completed(cfg, fingerprints) is None
    pd.DataFrame({"example_id": train_ids, "prob_0": 0.2, "prob_1": 0.8}).to_parquet(labels)
    assert find_completed(cfg, fingerprints) == first.path
    write_status(first.path, "failed", RuntimeError("stopped"))
    assert find_completed(cfg, fingerprints) is None


def test_a_run_recorded_before_a_setting_existed_is_reused_as_if_it_had_that_settings_default(tmp_path,
                                                                                             tiny_encoder):
    ws = Workspace.at(tmp_path / "ws", tmp_path / "functions")
    negation_dataset(80).frame.drop(columns="example_id").to_csv(tmp_path / "reviews.csv", index=False)
    ws.save_dataset(DatasetSpec("reviews", "table", str(tmp_path / "reviews.csv"),
                                {"text_fields": ["text"], "label_field": "label", "split_field": "split"}))
    cfg = TrainConfig(tasks=(TaskSpec("reviews", dataset="reviews"),), encoder=tiny_encoder, mode="frozen", epochs=1,
                      max_length=8, workspace=str(ws.root), functions_dir=str(ws.functions_dir), name="old run")
    fingerprints = {"reviews": load_dataset(ws.dataset_specs()[0]).fingerprint}
    run = train_or_reuse(cfg, fingerprints, clock=time.perf_counter).path
    meta = read_config(run)  # as an older version wrote it: without 'init_from' and the tasks' 'max_train_rows'
    del meta["config"]["init_from"]
    for task in meta["config"]["tasks"]:
        del task["max_train_rows"]
    write_config(run, meta)
    assert find_completed(cfg, fingerprints) == run
    assert find_completed(replace(cfg, tasks=(replace(cfg.tasks[0], max_train_rows=10),)), fingerprints) is None
