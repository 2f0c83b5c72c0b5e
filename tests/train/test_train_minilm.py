"""The real default encoder (bundled all-MiniLM-L6-v2, offline) in frozen mode on a few hundred RTE rows."""

from __future__ import annotations

import json

import pandas as pd

import pytest

from train_helpers import read_rte
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.train import TaskSpec, TrainConfig, train


@pytest.mark.slow
def test_frozen_minilm_on_rte_trains_heads_and_beats_nothing_silly(tmp_path, shared_data):
    ds = read_rte(shared_data, n_train=300, n_dev=100)
    cfg = TrainConfig(tasks=(TaskSpec("RTE"),), mode="frozen", epochs=5, batch_size=32, max_length=128,
                      output_dir=str(tmp_path / "runs"))
    run = train(cfg, datasets={"RTE": ds})
    config = json.loads((run / "config.json").read_text())
    assert config["encoder_path"].endswith("model") and config["config"]["encoder"] == ""
    acc = read_metrics(run)[-1]["metrics"][f"RTE/{ds.name}/dev/accuracy"]
    assert 0.3 <= acc <= 0.8  # MiniLM frozen is near chance on RTE; the point is that the pipeline runs for real
    assert len(list((tmp_path / "runs" / ".encodings").rglob("*.npz"))) == 2  # one chunk per split, per sentence


@pytest.mark.slow
def test_frozen_pairs_encoded_separately_score_similarity_far_better_than_joint(tmp_path, shared_data):
    from mmtl_core.data import Dataset, load_glue_task

    full = load_glue_task(shared_data / "glue_data", "STS-B", splits=("train", "dev"))
    frame = pd.concat([full.split("train").iloc[:600], full.split("dev").iloc[:300]], ignore_index=True)
    ds = Dataset(full.name, frame)
    pearson = {}
    for pairs in ("joint", "separate"):
        cfg = TrainConfig(tasks=(TaskSpec("STSB"),), mode="frozen", pair_encoding=pairs, epochs=30, lr=3e-3,
                          batch_size=32, max_length=64, output_dir=str(tmp_path / "runs"))
        pearson[pairs] = read_metrics(train(cfg, datasets={"STSB": ds}))[-1]["metrics"][f"STSB/{ds.name}/dev/pearson"]
    assert pearson["separate"] > pearson["joint"] + 0.1, pearson
