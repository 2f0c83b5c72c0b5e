"""A run says when its model is no better than always predicting the most frequent class."""

from __future__ import annotations

import logging

import numpy as np

from train_helpers import negation_dataset
from mmtl_core.data.dataset import Dataset
from mmtl_core.train import TaskSpec, TrainConfig, read_metrics, train


def run_on(frame, encoder: str, tmp_path, **kw):
    cfg = TrainConfig(tasks=(TaskSpec("s", text_fields=("text",)),), encoder=encoder, mode="frozen", max_length=8,
                      output_dir=str(tmp_path / "runs"), **kw)
    return train(cfg, datasets={"s": Dataset("d", frame)})


def test_labels_that_are_noise_are_flagged_as_no_better_than_the_majority_class(tmp_path, bag_encoder, caplog):
    frame = negation_dataset(300).frame
    rng = np.random.default_rng(0)
    frame = frame.assign(label=(rng.random(len(frame)) < 0.75).astype(int))  # no relation to the text
    with caplog.at_level(logging.WARNING, logger="mmtl_core.train"):
        run = run_on(frame, bag_encoder, tmp_path, epochs=2)
    final = read_metrics(run)[-1]
    dev = frame[frame["split"] == "dev"]
    majority = int(frame[frame["split"] == "train"]["label"].mode()[0])
    assert final["baselines"] == {"s/d/dev/accuracy": np.mean(dev["label"] == majority)}
    assert final["metrics"]["s/d/dev/accuracy"] <= final["baselines"]["s/d/dev/accuracy"]
    assert "no better than always predicting the training rows' most frequent class" in caplog.text
    assert "try mode: finetune" in caplog.text


def test_a_model_that_learned_is_not_flagged(tmp_path, bag_encoder, caplog):
    frame = negation_dataset(300).frame
    frame = frame.assign(label=frame["text"].str.split().str[-1].isin(["good", "great", "nice", "fine"]).astype(int))
    with caplog.at_level(logging.WARNING, logger="mmtl_core.train"):
        run = run_on(frame, bag_encoder, tmp_path, epochs=20, lr=0.05)
    final = read_metrics(run)[-1]
    assert final["metrics"]["s/d/dev/accuracy"] > final["baselines"]["s/d/dev/accuracy"]
    assert "no better than" not in caplog.text
