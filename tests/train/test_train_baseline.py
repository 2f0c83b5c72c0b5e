"""A run says when its model is no better than always predicting the most frequent class."""

from __future__ import annotations

import logging

import numpy as np

from train_helpers import negation_dataset
from mmtl_core.data.dataset import Dataset
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.train import TaskSpec, TrainConfig, train


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
    assert final["baselines"] == {"s/d/dev/accuracy": np.mean(dev["label"] == dev["label"].mode()[0])}
    assert final["metrics"]["s/d/dev/accuracy"] <= final["baselines"]["s/d/dev/accuracy"]
    assert "no better than always predicting the most frequent class of the gold dev labels" in caplog.text
    assert "try mode: finetune" in caplog.text


def test_the_baseline_is_the_gold_dev_majority_not_the_training_labels(tmp_path, bag_encoder, caplog):
    # Weak labels that nearly all say the rare class: a baseline taken from them (constant "1": dev accuracy about
    # 0.15) is one a model trained on them matches, so the warning never fired. Gold dev says "0" 85% of the time.
    frame = negation_dataset(300).frame
    rng = np.random.default_rng(1)
    train = (frame["split"] == "train").to_numpy()
    label = np.where(train, rng.random(len(frame)) < 0.9, rng.random(len(frame)) < 0.15).astype(int)
    frame = frame.assign(label=label)
    with caplog.at_level(logging.WARNING, logger="mmtl_core.train"):
        run = run_on(frame, bag_encoder, tmp_path, epochs=2)
    final = read_metrics(run)[-1]
    dev = frame[~train]
    assert final["baselines"]["s/d/dev/accuracy"] == np.mean(dev["label"] == 0) > 0.7
    assert "no better than always predicting the most frequent class of the gold dev labels" in caplog.text


def test_a_model_that_learned_is_not_flagged(tmp_path, bag_encoder, caplog):
    frame = negation_dataset(300).frame
    frame = frame.assign(label=frame["text"].str.split().str[-1].isin(["good", "great", "nice", "fine"]).astype(int))
    with caplog.at_level(logging.WARNING, logger="mmtl_core.train"):
        run = run_on(frame, bag_encoder, tmp_path, epochs=20, lr=0.05)
    final = read_metrics(run)[-1]
    assert final["metrics"]["s/d/dev/accuracy"] > final["baselines"]["s/d/dev/accuracy"]
    assert "no better than" not in caplog.text
